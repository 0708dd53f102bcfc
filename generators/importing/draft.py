"""The draft spec as YAML text, comments included (`handrail import` writes it; nothing here reads an org).

Every guess carries a `# review:` comment: the section and weight of each adopted field, and the stage
list. What the spec does not manage (fields nothing pointed at, other record types or pipelines, active
validation rules and flows) is listed in comments, never decompiled. Adopted fields name their CRM field
(`salesforce: {api_name: ...}` / `hubspot: {name: ...}`) and state the org's label, help, length, options,
precision and scale, so a plan right after the import changes none of them.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from typing import Any

from handrail.generators.importing.inventory import CrmField, Inventory
from handrail.generators.importing.mapping import Mapping, map_fields
from handrail.generators.importing.pipelines import pipeline_lines, stage_keys
from handrail.specs.resolve import DEFAULT_SECTION_LABELS

SIZES = (
    "  - {key: smb, label: SMB, match: {acv: {lt: 25000}}, motion: automated}",
    "  - {key: mid_market, label: Mid-Market, match: {acv: {gte: 25000, lt: 100000}}, motion: structured}",
    "  - {key: enterprise, label: Enterprise, match: {acv: {gte: 100000}}, motion: white_glove}",
)
# The seed rubric (DOMAIN.md), for an org with no field to adopt: a spec needs one field at least.
SEED_FIELDS = (
    "  - {key: business_goals, label: Customer Business Goals, section: goals, type: long_text, weight: 3}",
    "  - {key: stakeholder_map, label: Stakeholder Map, section: stakeholders, type: long_text, weight: 3}",
    "  - {key: success_criteria, label: Success Criteria, section: goals, type: long_text, weight: 3}",
    "  - {key: risk_flags, label: Risk Flags, section: risks, type: long_text, weight: 2}",
    '  - {key: products_scope, label: "Products / Scope", section: commitments, type: long_text, weight: 2}',
    "  - {key: key_conversations, label: Key Sales Conversations, section: sales_cycle, type: long_text,",
    "     weight: 2}",
    "  - {key: contract_terms, label: Contract Terms, section: commitments, type: short_text, weight: 1}",
    "  - {key: communication_prefs, label: Communication Preferences, section: risks, type: picklist,",
    "     weight: 1, options: [Weekly call, Biweekly call, Email updates, {value: Other, generic: true}]}",
)
# Environment settings keyed by the spec's stage keys (the draft has stage keys of its own).
STAGE_KEYED = frozenset({"hubspot_stages"})
# Option labels that say nothing about the deal: half credit, as "Other" in the default spec.
GENERIC_OPTIONS = frozenset({"other", "none", "n/a", "na", "tbd", "unknown", "not sure"})


def scalar(value: Any) -> str:
    """A YAML scalar (or flow collection) that reads back as `value`: JSON is a subset of YAML."""
    if (
        isinstance(value, str)
        and re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", value)
        and value.lower() not in ("true", "false", "yes", "no", "on", "off", "null", "y", "n")
    ):
        return value
    return json.dumps(value, ensure_ascii=False)


def comment(text: str, indent: str = "") -> str:
    """A comment line; a line break in `text` must not end the comment."""
    return f"{indent}# " + " ".join(text.split())


def render(inventory: Inventory, environments: dict[str, dict], env_name: str, reserved: set[str]) -> str:
    """The draft spec. `environments`: the spec's environment entries to keep (raw, as written)."""
    mapped, unmapped = map_fields(inventory.fields, reserved)
    platform = inventory.platform
    lines = [
        f"# Drafted by `handrail import --env {env_name}` from {platform} environment '{inventory.source}'.",
        "# Every `# review:` comment is a guess: check it, then `handrail validate` and",
        f"# `handrail plan --env {env_name}` (it should only add; no existing field changes).",
        "version: 1",
        *_name(inventory, mapped),
        "",
        "naming:",
        "  salesforce_prefix: Handoff",
        "  hubspot_prefix: handoff",
        f"  hubspot_group: {scalar(_group(inventory, mapped))}",
        "",
        "sections:",
        *(
            f"  - {{key: {k}, label: {scalar(label)}, roles: [{', '.join(roles)}]}}"
            for k, (label, roles) in DEFAULT_SECTION_LABELS.items()
        ),
        "",
        "fields:",
    ]
    group = _group(inventory, mapped)
    if mapped and not any(m.weight for m in mapped):  # a spec needs a weighted field to score
        mapped = [
            replace(m, weight=1, reason=f"{m.reason}; weight 1: no field maps to a rubric item")
            for m in mapped
        ]
    for m in mapped:
        lines += _field(m, platform)
        if platform == "hubspot" and m.field.group and m.field.group != group:
            lines.append(
                comment(f"review: in group {m.field.group}; Handrail keeps its properties in {group}", "    ")
            )
    if not mapped:
        lines.append(
            comment(
                "review: no field of the org matched a handoff section: the seed rubric's, which apply "
                "creates",
                "  ",
            )
        )
        lines += SEED_FIELDS
    lines += _unmapped(unmapped)
    lines += [
        "",
        comment("review: the DOMAIN sizes by ACV; adjust the thresholds to your segments"),
        "sizes:",
        *SIZES,
    ]
    lines += ["", *_stages(inventory)]
    lines += pipeline_lines(inventory, stage_keys(inventory.stages))
    lines += _automations(inventory)
    lines += ["", "environments:"]
    for name, raw in environments.items():
        lines.append(f"  {scalar(name)}:")
        for k, v in raw.items():
            if k in STAGE_KEYED:  # names the stage keys of the spec it came from, not the draft's
                lines.append(
                    comment(
                        f"review: {k} names the old spec's stage keys; map the draft's: {scalar(v)}", "    "
                    )
                )
            else:
                lines.append(f"    {scalar(k)}: {scalar(v)}")
    return "\n".join(lines) + "\n"


def _name(inventory: Inventory, mapped: list[Mapping]) -> list[str]:
    """HubSpot labels the property group with the spec's name: an adopted group keeps its label."""
    label = inventory.groups.get(_group(inventory, mapped))
    if inventory.platform != "hubspot" or not label:
        return ["name: Sales to CS handoff"]
    return [
        comment("review: the label of the property group Handrail adopts (it writes the name there)"),
        f"name: {scalar(label)}",
    ]


def _group(inventory: Inventory, mapped: list[Mapping]) -> str:
    """HubSpot: the group that holds most adopted properties (so adopting them does not move them)."""
    counts: dict[str, int] = {}
    for m in mapped:
        if m.field.group:
            counts[m.field.group] = counts.get(m.field.group, 0) + 1
    return max(sorted(counts), key=lambda g: counts[g]) if counts else "handoff"


def _field(m: Mapping, platform: str) -> list[str]:
    f = m.field
    out = [comment(f"review: {f.name} ({f.crm_type}): {m.reason}", "  ")]
    out.append(f"  - key: {m.key}")
    out.append(f"    label: {scalar(f.label)}")
    out.append(f"    section: {m.section}")
    out.append(f"    type: {f.spec_type}")
    if m.weight:
        out.append(f"    weight: {m.weight}")
    # HubSpot: the description is the help, and Handrail marks a description it writes; left unstated, the
    # adopted property keeps its own (the `# org:` comment shows it).
    if f.help and platform == "salesforce":
        out.append(f"    help: {scalar(f.help)}")
    for name, value in (
        ("length", f.length),
        ("visible_lines", f.visible_lines),
        ("precision", f.precision),
        ("scale", f.scale),
    ):
        if value is not None:
            out.append(f"    {name}: {value}")
    if f.options:
        out.append("    options:")
        for value, label in f.options:
            generic = label.strip().lower() in GENERIC_OPTIONS
            if label == value and not generic:
                out.append(f"      - {scalar(value)}")
                continue
            parts = [f"value: {scalar(value)}"] + ([f"label: {scalar(label)}"] if label != value else [])
            out.append(f"      - {{{', '.join(parts + (['generic: true'] if generic else []))}}}")
            if generic:
                out.append(comment(f"review: {label!r} earns half credit (generic)", "        "))
    if platform == "salesforce":
        out.append(f"    salesforce: {{api_name: {f.name}}}")
    else:
        out.append(f"    hubspot: {{name: {f.name}}}")
    if f.why:
        out.append(comment(f"review: {f.why}", "    "))
    if f.kept:
        out.append(comment(f"org: {'; '.join(f.kept)} (the spec does not state these)", "    "))
    return out


def _unmapped(fields: list[CrmField]) -> list[str]:
    if not fields:
        return []
    out = [
        "",
        "# Custom fields not adopted (nothing in their name, label or help points at a handoff section,",
        "# or the spec has no type for them); add one to fields: to manage it:",
    ]
    for f in fields:
        why = f" ({f.why})" if f.why else ""
        out.append(comment(f"  {f.name}: {f.crm_type}, {f.label!r}{why}"))
    return out


def _stages(inventory: Inventory) -> list[str]:
    crm = inventory.platform
    out = [
        comment(
            "review: stages in pipeline order, from the default "
            + ("StageName values" if crm == "salesforce" else "deal pipeline")
            + "; closed_won / closed_lost from the org's won and closed flags"
        ),
        "stages:",
    ]
    keys = stage_keys(inventory.stages)
    won = lost = False
    for s in inventory.stages:
        flags = ""
        if s.won and not won:
            flags, won = ", closed_won: true", True
        elif s.closed and not s.won and not lost:
            flags, lost = ", closed_lost: true", True
        key = keys[s.value]
        out.append(f"  - {{key: {key}, label: {scalar(s.label)}, {crm}: {scalar(s.value)}{flags}}}")
    if not inventory.stages:
        out += [
            comment("review: placeholder stages: the org's stages were not read; name yours", "  "),
            "  - {key: open, label: Open}",
            "  - {key: closed_won, label: Closed Won, closed_won: true}",
            "  - {key: closed_lost, label: Closed Lost, closed_lost: true}",
        ]
    elif not won:
        out.append(
            comment(
                "review: no stage is marked won in the org; mark the closed-won stage closed_won: true", "  "
            )
        )
    return out


def _automations(inventory: Inventory) -> list[str]:
    if not inventory.automations:
        return []
    out = [
        "",
        comment("Active automation on deals (not decompiled: it keeps running beside what Handrail builds):"),
    ]
    out += [
        comment(f"  {a.kind} {a.name}" + (f": {a.detail}" if a.detail else "")) for a in inventory.automations
    ]
    return out
