"""What `handrail import` reads of a HubSpot portal: the deal properties and their groups, the deal
pipelines with their stages, and the deal workflows (listed in the draft, never decompiled).

A live portal is read with four GETs (properties, groups, pipelines, the paged workflow list); a
snapshot environment's component files hold the properties and groups plan compares (pipelines are not
among them: the draft then says so).
"""

from __future__ import annotations

import json
from typing import Any

from handrail.generators.importing.inventory import CrmAutomation, CrmField, CrmPipeline, CrmStage, Inventory
from handrail.specs.naming import hubspot_name_problem
from handrail.targets.hubspot.vocabulary import (
    DEAL_OBJECT_TYPE_ID,
    DEALS,
    FLOW_PREFIX,
    FLOWS_PATH,
    MANAGED_MARK,
    SPEC_TYPES,
)

Bodies = dict[tuple[str, str], dict[str, Any]]
PIPELINES_PATH = f"/crm/v3/pipelines/{DEALS}"
DEFAULT_PIPELINE = "default"
# (type, fieldType, numberDisplayHint) -> spec type; the hint is optional for number.
_BY_SHAPE = {shape: spec for spec, shape in SPEC_TYPES.items() if spec != "user"}


def read_live(conn) -> Bodies:
    """Every deal property and group, and each pipeline (key "pipeline", the pipeline id)."""
    out: Bodies = {}
    api = conn.client.crm.properties
    props = conn.call("properties.list", api.core_api.get_all, DEALS, _preload_content=False, idempotent=True)
    for p in json.loads(props.data)["results"]:
        if not p.get("archived"):
            out[("property", p["name"])] = p
    groups = conn.call("groups.list", api.groups_api.get_all, DEALS, _preload_content=False, idempotent=True)
    for g in json.loads(groups.data)["results"]:
        if not g.get("archived"):
            out[("property_group", g["name"])] = g
    for p in conn.request("GET", PIPELINES_PATH).get("results", []):
        if not p.get("archived"):
            out[("pipeline", str(p["id"]))] = p
    after = None
    while True:  # the workflows list (summaries: name, enabled, object type), paged
        page = conn.request("GET", FLOWS_PATH, query={"limit": 100, **({"after": after} if after else {})})
        for flow in page.get("results", []):
            if flow.get("objectTypeId") == DEAL_OBJECT_TYPE_ID:
                out[("workflow", str(flow["id"]))] = flow
        after = ((page.get("paging") or {}).get("next") or {}).get("after")
        if not after:
            return out


def inventory(bodies: Bodies, source: str, prefix: str = "handoff") -> Inventory:
    inv = Inventory("hubspot", source)
    for (kind, key), body in sorted(bodies.items(), key=lambda kv: (kv[0][0], _order(kv[1]), kv[0][1])):
        if kind == "property_group":
            inv.groups[key] = body.get("label", key)
        elif kind == "property" and not body.get("hubspotDefined") and not key.startswith(f"{prefix}_"):
            inv.fields.append(crm_field(body))
    for (kind, key), body in sorted(bodies.items()):
        name = str(body.get("name", key))
        if kind == "workflow" and body.get("isEnabled") and not name.startswith(FLOW_PREFIX):
            inv.automations.append(CrmAutomation("workflow", name, f"id {key}"))
    pipelines = [b for (kind, _), b in bodies.items() if kind == "pipeline"]
    pipelines.sort(key=lambda p: (str(p.get("id")) != DEFAULT_PIPELINE, _order(p)))
    for p in pipelines:
        stages = tuple(
            CrmStage(
                str(s["id"]),
                s.get("label", s["id"]),
                won=_won(s),
                closed=str((s.get("metadata") or {}).get("isClosed")).lower() == "true",
            )
            for s in sorted(p.get("stages", []), key=_order)
            if not s.get("archived")
        )
        inv.pipelines.append(CrmPipeline(str(p["id"]), p.get("label", ""), stages, default=p is pipelines[0]))
    if inv.pipelines:
        inv.stages = list(inv.pipelines[0].stages)
    else:
        inv.notes.append("no deal pipeline was read (a snapshot holds none): the stages are a placeholder")
    return inv


def crm_field(body: dict) -> CrmField:
    ptype, field_type = body.get("type", ""), body.get("fieldType", "")
    hint = body.get("numberDisplayHint")
    spec_type, why = _BY_SHAPE.get((ptype, field_type, hint)), ""
    if spec_type is None and ptype == "number" and field_type == "number":
        spec_type = "number"
    if body.get("referencedObjectType") == "OWNER":
        spec_type = "user"
    if field_type == "calculation_equation" or body.get("calculationFormula"):
        spec_type, why = None, "a calculated property"
    elif spec_type is None:
        why = f"the spec has no {ptype}/{field_type} type"
    if spec_type is not None and hubspot_name_problem(body["name"]):
        spec_type, why = (
            None,
            f"its name cannot be a spec's hubspot name: {hubspot_name_problem(body['name'])}",
        )
    options: tuple[tuple[str, str], ...] = ()
    if spec_type in ("picklist", "multi_select"):
        options = tuple(
            (o["value"], o.get("label") or o["value"])
            for o in sorted(body.get("options") or [], key=_order)
            if not o.get("hidden")
        )
        if not options:
            spec_type, why = None, "an enumeration without options"
    description = body.get("description") or ""
    return CrmField(
        name=body["name"],
        label=body.get("label") or body["name"],
        crm_type=f"{ptype}/{field_type}",
        spec_type=spec_type,
        help=" ".join(description.split(MANAGED_MARK)[0].split()),
        description=description,
        options=options,
        group=body.get("groupName", ""),
        why=why,
        kept=(f"description {' '.join(description.split())!r}",) if description.strip() else (),
    )


def _won(stage: dict) -> bool:
    metadata = stage.get("metadata") or {}
    return str(metadata.get("isClosed")).lower() == "true" and str(metadata.get("probability")) in (
        "1",
        "1.0",
    )


def _order(body: dict) -> int:
    try:
        return int(body.get("displayOrder", 0))
    except (TypeError, ValueError):
        return 0
