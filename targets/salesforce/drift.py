"""Salesforce components in handoff terms: which spec item each one is, and what a change means."""

from __future__ import annotations

import re

from handrail.generators.plan.diff import CREATE, DELETE, Change, Key
from handrail.generators.plan.report import differing_values
from handrail.generators.plan.resources import Origin
from handrail.specs.coverage import gate_rule_name
from handrail.specs.model import Model
from handrail.targets.salesforce import assignments
from handrail.targets.salesforce.layouts import describe_drift

_SCORE_FLOOR = re.compile(r"_Score__c\s*<\s*([0-9]+(?:\.[0-9]+)?)")


def retired_keys(model: Model) -> dict[Key, Origin]:
    """The components the spec's retired items name; they are not rendered, so their origin is set here."""
    obj = model.naming.salesforce_object
    out = {
        ("CustomField", f"{obj}.{f.salesforce_name}"): Origin("field", f.key, f.span)
        for f in model.retired_fields
    }
    out.update(
        {
            ("ValidationRule", f"{obj}.{gate_rule_name(model, key)}"): Origin("gate", key)
            for key in model.retired_gates
        }
    )
    return out


def _name(change: Change) -> str:
    origin = change.origin
    return origin.words() if origin and origin.key else f"{change.kind} {change.key}"


def describe(change: Change) -> list[str]:
    """Sentences a RevOps reader understands, then every attribute that differs with the org's and the
    spec's value (the differences `plan --json` lists, none left out)."""
    name = _name(change)
    if change.action == CREATE:
        return [f"{name} is missing in Salesforce"]
    if change.action == DELETE:
        return [f"{name} is retired in the spec and will be deleted"]
    lines = []
    before, after = change.before or {}, change.after or {}
    if change.kind == assignments.KIND:
        return assignments.describe(change)
    if change.kind == "ValidationRule":
        was, now = live_min_score(before.get("errorConditionFormula")), change.facts.get("min_score")
        if was != now and was is not None and now is not None:
            verb = "lowered" if was < now else "raised"
            lines.append(f"{name} minimum score {verb} in Salesforce: spec {now:g}, org {was:g}")
        if before.get("active") != after.get("active"):
            state = "deactivated" if before.get("active") == "false" else "active"
            lines.append(
                f"{name} is {state} in Salesforce; "
                f"the spec says {'active' if after.get('active') == 'true' else 'inactive'}"
            )
    if change.kind == "Flow" and before.get("status") != after.get("status"):
        lines.append(
            f"flow {change.key} is {before.get('status')} in Salesforce; the spec says {after.get('status')}"
        )
    if change.kind == "Layout":
        layout = change.origin.key if change.origin and change.origin.key else change.key
        lines += describe_drift(layout, dict(after), dict(before))
    return lines + differing_values(name, change, "Salesforce")


def live_min_score(formula: str | None) -> float | None:
    """The minimum score a live validation rule enforces, read from its formula.

    The org side of a change is metadata read back from Salesforce: it carries no spec facts, so its
    threshold can only be found in the formula itself (the desired side's is the gate's `min_score` fact).
    """
    found = _SCORE_FLOOR.findall(formula or "")
    return max(map(float, found)) if found else None
