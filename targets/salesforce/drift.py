"""Salesforce components in handoff terms: which spec item each one is, and what a change means."""
from __future__ import annotations

import re

from handrail.generators.plan.diff import CREATE, DELETE, Change
from handrail.generators.plan.report import differing_values
from handrail.specs.coverage import gate_rule_name
from handrail.specs.model import Model

_SCORE_FLOOR = re.compile(r"_Score__c\s*<\s*([0-9]+(?:\.[0-9]+)?)")
OBJECT = "Opportunity"


def origins(model: Model) -> dict[tuple[str, str], str]:
    """(kind, key) -> 'field:<key>' / 'gate:<key>' for everything the spec names, retired items included."""
    out = {("CustomField", f"{OBJECT}.{f.salesforce_name}"): f"field:{f.key}" for f in model.fields}
    out.update({("CustomField", f"{OBJECT}.{f.salesforce_name}"): f"computed field:{f.key}" for f in model.computed})
    out.update({("CustomField", f"{OBJECT}.{f.salesforce_name}"): f"field:{f.key}" for f in model.retired_fields})
    for key in [g.key for g in model.gates] + list(model.retired_gates):
        out[("ValidationRule", f"{OBJECT}.{gate_rule_name(model, key)}")] = f"gate:{key}"
    return out


def retired_keys(model: Model) -> dict[tuple[str, str], str]:
    named = origins(model)
    retired = {f"field:{f.key}" for f in model.retired_fields} | {f"gate:{k}" for k in model.retired_gates}
    return {k: origin for k, origin in named.items() if origin in retired}


def _name(change: Change) -> str:
    kind, _, key = change.origin.partition(":")
    return f"{kind} '{key}'" if key else f"{change.kind} {change.key}"


def describe(change: Change) -> list[str]:
    """Sentences a RevOps reader understands; '' parts fall back to the generic wording."""
    name = _name(change)
    if change.action == CREATE:
        return [f"{name} is missing in Salesforce"]
    if change.action == DELETE:
        return [f"{name} is retired in the spec and will be deleted"]
    lines = []
    before, after = change.before or {}, change.after or {}
    if change.kind == "ValidationRule":
        was, now = _floor(before.get("errorConditionFormula")), _floor(after.get("errorConditionFormula"))
        if was != now and was is not None and now is not None:
            verb = "lowered" if was < now else "raised"
            lines.append(f"{name} minimum score {verb} in Salesforce: spec {now:g}, org {was:g}")
        if before.get("active") != after.get("active"):
            lines.append(f"{name} is {'deactivated' if before.get('active') == 'false' else 'active'} in Salesforce; "
                         f"the spec says {'active' if after.get('active') == 'true' else 'inactive'}")
        if before.get("errorMessage") != after.get("errorMessage"):
            lines.append(f"{name} message differs: org {before.get('errorMessage')!r}")
    if change.kind == "Flow" and before.get("status") != after.get("status"):
        lines.append(f"flow {change.key} is {before.get('status')} in Salesforce; the spec says {after.get('status')}")
    if change.kind == "CustomField":
        for attr in ("type", "length", "label", "inlineHelpText"):
            if before.get(attr) != after.get(attr):
                lines.append(f"{name} {attr}: org {before.get(attr)!r}, spec {after.get(attr)!r}")
    if lines:
        return lines
    return differing_values(name, change, "Salesforce")


def _floor(formula: str | None) -> float | None:
    found = _SCORE_FLOOR.findall(formula or "")
    return max(map(float, found)) if found else None
