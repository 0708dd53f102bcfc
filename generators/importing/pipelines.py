"""The draft's stage keys and its `pipelines:`: Salesforce record types with their sales processes, HubSpot
deal pipelines.

The spec's stages are the default pipeline's (Salesforce: every active StageName value, in order; HubSpot:
the first pipeline's stages). With two or more active record types or pipelines the draft declares them:
the one with the most stages (HubSpot: the first) is the default, and each other maps the spec stages it
has to its own values. A HubSpot stage that matches no spec stage (by key, or as the won or lost stage) is
left out with a `# review:` comment.
"""

from __future__ import annotations

import json
import re

from handrail.generators.importing.inventory import CrmPipeline, CrmStage, Inventory


def slug(label: str, taken: set[str], fallback: str = "stage") -> str:
    key = re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_") or fallback
    key = (key if key[0].isalpha() else f"{fallback[0]}_{key}")[:60]
    out, n = key, 2
    while out in taken:
        out, n = f"{key}_{n}", n + 1
    taken.add(out)
    return out


def stage_keys(stages: list[CrmStage]) -> dict[str, str]:
    """The org's stage value -> the spec key the draft gives it (from its label)."""
    taken: set[str] = set()
    return {s.value: slug(s.label, taken) for s in stages}


def _q(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def _line(text: str, indent: str = "") -> str:
    return f"{indent}# " + " ".join(text.split())


def _describe(p: CrmPipeline) -> str:
    state = "" if p.active else " (inactive)"
    process = f", sales process {p.process}" if p.process else ""
    stages = ", ".join(s.label if s.label == s.value else f"{s.label} [{s.value}]" for s in p.stages)
    return f"{p.name} {p.label!r}{state}{process}: {stages}"


def pipeline_lines(inventory: Inventory, keys: dict[str, str]) -> list[str]:
    if not inventory.pipelines:
        return []
    salesforce = inventory.platform == "salesforce"
    what = "record types and their sales processes" if salesforce else "deal pipelines"
    active = [p for p in inventory.pipelines if p.active]
    out = ["", _line(f"The org's {what}:")]
    out += [_line(f"  {_describe(p)}") for p in inventory.pipelines]
    if len(active) < 2:
        return out
    if salesforce:
        default = max(active, key=lambda p: (len(p.stages), [-ord(c) for c in p.name]))
    else:
        default = active[0]
    ordered = [default] + [p for p in active if p is not default]
    out += [
        _line(
            f"review: {default.name} is the default pipeline (its stage values are the stages' own); "
            "a deal's pipeline is its " + ("record type" if salesforce else "pipeline")
        ),
        "pipelines:",
    ]
    taken: set[str] = set()
    won = next((keys[s.value] for s in inventory.stages if s.won and s.value in keys), None)
    lost = next((keys[s.value] for s in inventory.stages if s.closed and not s.won and s.value in keys), None)
    for p in ordered:
        key = slug(p.label or p.name, taken, "pipeline")
        out.append(f"  - key: {key}")
        out.append(f"    label: {_q(p.label or p.name)}")
        if p is default:
            out.append("    default: true")
        if salesforce:
            process = f", business_process: {_q(p.process)}" if p.process else ""
            out.append(f"    salesforce: {{record_type: {p.name}{process}}}")
        else:
            out.append(f"    hubspot: {{id: {_q(p.name)}}}")
        if p is not default:
            out += _stage_map(p, keys, won, lost, salesforce)
    return out


def _stage_map(p: CrmPipeline, keys: dict[str, str], won, lost, salesforce: bool) -> list[str]:
    crm = "salesforce" if salesforce else "hubspot"
    mapped: dict[str, str] = {}
    skipped: list[CrmStage] = []
    for s in p.stages:
        if salesforce:
            key = keys.get(s.value)
        elif s.won:
            key = won
        elif s.closed:
            key = lost
        else:
            same = slug(s.label, set())
            key = same if same in keys.values() else None
        if key is None or key in mapped:
            skipped.append(s)
        else:
            mapped[key] = s.value
    out = ["    stages:"] if mapped else []
    out += [f"      {k}: {{{crm}: {_q(v)}}}" for k, v in mapped.items()]
    for s in skipped:
        out.append(
            _line(
                f"review: stage {s.label!r} ({s.value}) matches no spec stage; add one to stages: for it",
                "    ",
            )
        )
    return out
