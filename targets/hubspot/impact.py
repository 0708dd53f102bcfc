"""What a HubSpot plan does to open deals and records, and what else in the portal uses a changed property
(generators/plan/impact.py says what is shown).

Gates: the open deals at the gate pipelines' open stages, read with CRM search
(POST /crm/v3/objects/deals/search, `dealstage IN`), each scored and checked by the Python engine, as
the gate's workflow would judge it: a search's filterGroups (at most 5 groups of 6 filters) cannot hold a
gate's "blank or below the floor, in these segments or none" rule; the note says so.
Properties losing options: a search for the removed values (`IN`, or `CONTAINS_TOKEN` for a multi-select).
Dependencies: workflows (GET /automation/v4/flows, then batch read) whose filters or actions name the
property, and calculated properties whose formula does. HubSpot refuses to archive a property a workflow
uses, so a retired one is flagged before apply tries.
"""

from __future__ import annotations

import json
import re

from handrail.generators.plan import impact
from handrail.generators.plan.diff import CREATE, DELETE, UPDATE, Change, Plan
from handrail.generators.rules.gates import applicable_gates, gate_failure_reasons
from handrail.generators.rules.scoring import score_deal
from handrail.specs.diagnostics import HandrailError
from handrail.specs.model import Gate, Model
from handrail.specs.pipelines import gate_pipelines, stage_values

SEARCH_PATH = "/crm/v3/objects/deals/search"
ENGINE = "open deals read with CRM search and checked by the Python engine"


def notes(org, model: Model, plan: Plan) -> list[impact.Note]:
    """A note per created or changed gate, per property losing options, per changed property's users. A
    read the portal refuses is said in the note, never fatal."""
    created = {c.key for c in plan.pending if c.kind == "property" and c.action == CREATE}
    out = []
    for change, gate in impact.gate_changes(model, plan):
        if not {f.hubspot_name for f in impact.fields_read(model, gate)} & created:  # else no deal holds them
            out.append(_safely(change, "impact", lambda: gate_impact(org, model, change, gate)))
    changed = impact.field_changes(plan, ["property"])
    for change in changed:
        if change.action == UPDATE and any(f.code == "options-removed" for f in change.findings):
            out.append(_safely(change, "narrowing", lambda: options_removed(org.conn, change)))
    used = [_safely(c, "dependency", lambda: dependency(org, plan, c)) for c in changed]
    return out + [n for n in used if n is not None]


def _safely(change: Change, kind: str, work) -> impact.Note:
    try:
        return work()
    except HandrailError as exc:
        return impact.Note(change.ident, kind, f"not known: {exc}".splitlines()[0], {"error": str(exc)})


def gate_impact(org, model: Model, change: Change, gate: Gate) -> impact.Note:
    from handrail.targets.hubspot.deals import HubSpotDeals

    what = impact.verb(
        change, live_min_score(change.before, model.computed_field("score").hubspot_name), gate
    )
    open_keys = [s.key for s in model.stages if not s.closed_won and not s.closed_lost]
    stage_ids = stage_values(model, open_keys, "hubspot", gate_pipelines(model, gate))
    deals = list(HubSpotDeals(org.env, model, connection=org.conn).in_stages(stage_ids))
    labels = {s.key: s.label for s in model.segments}
    stopped = []
    for deal in deals:
        result = score_deal(model, deal)
        if gate in applicable_gates(
            model, gate.stage, result.segment, deal.pipeline
        ) and gate_failure_reasons(model, gate, deal, result):
            segment = labels.get(result.segment) if result.segment else None
            stopped.append(impact.Stopped(model.stage(deal.stage).label, segment, deal.owner))
    return impact.gate_note(model, change, what, stopped, ENGINE)


def live_min_score(body, score: str) -> float | None:
    """The minimum score a live gate workflow enforces: its "score is below" filters hold the unrounded
    score at which the rounded one reaches the floor (formula.rounded_floor: the floor less 0.05)."""
    found: list[float] = []

    def walk(node) -> None:
        if isinstance(node, dict):
            operation = node.get("operation") or {}
            if node.get("property") == score and operation.get("operator") == "IS_LESS_THAN":
                found.append(round(float(operation["value"]) + 0.05, 1))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(body or {})
    return max(found) if found else None


def search_ids(conn, groups: list[dict]) -> list[str]:
    """Ids of the deals the filter groups match (a search pages through at most 10,000)."""
    ids, after = [], None
    while True:
        body = {"filterGroups": groups, "properties": ["hs_object_id"], "limit": 100}
        page = conn.request(
            "POST", SEARCH_PATH, body={**body, **({"after": after} if after else {})}, idempotent=True
        )
        ids += [r["id"] for r in page.get("results", [])]
        after = ((page.get("paging") or {}).get("next") or {}).get("after")
        if not after or len(ids) >= 10_000:
            return ids


def options_removed(conn, change: Change) -> impact.Note:
    def values(body) -> list:
        return [o.get("value") for o in body.get("options") or [] if isinstance(o, dict)]

    removed = [v for v in values(change.before or {}) if v not in values(change.after or {})]
    name = change.key
    if (change.before or {}).get("fieldType") == "checkbox":  # multi-select: a deal holding any of them
        groups = [
            {"filters": [{"propertyName": name, "operator": "CONTAINS_TOKEN", "value": v}]} for v in removed
        ]
    else:
        groups = [{"filters": [{"propertyName": name, "operator": "IN", "values": removed}]}]
    ids = sorted(
        {i for start in range(0, len(groups), 5) for i in search_ids(conn, groups[start : start + 5])}
    )
    return impact.narrowing_note(change, f"options {', '.join(removed)} removed", ids)


def dependency(org, plan: Plan, change: Change) -> impact.Note | None:
    """Workflows and calculated properties naming the property (Handrail's own that the plan replaces
    are left out)."""
    name = change.key
    mention = re.compile(rf"(?<![\w]){re.escape(name)}(?![\w])")
    replaced = {c.key for c in plan.pending if c.kind == "flow"}
    if org.live.flows is None:
        org.read_flows()
    flows = org.live.all_flows
    keys = {id(f): k for k, f in (org.live.flows or {}).items()}
    users = [
        f"workflow '{f.get('name')}'"
        for f in flows
        if keys.get(id(f)) not in replaced and mention.search(json.dumps(f))
    ]
    properties = org.live.properties if org.live.properties is not None else org.read_properties()
    users += [
        f"calculated property '{p.get('label') or n}'"
        for n, p in properties.items()
        if n != name and mention.search(p.get("calculationFormula") or "")
    ]
    if not users:
        return None
    note = impact.dependency_note(change, users)
    if change.action == DELETE and any(u.startswith("workflow") for u in users):
        text = "HubSpot refuses to archive a property a workflow uses; change those first: " + note.text
        return impact.Note(change.ident, "dependency", text, {**note.data, "archive_refused": True})
    return note
