"""Records (deals, tasks), CRM search with its paging cap, owners, and automation v4 flows."""

from __future__ import annotations

import json
from datetime import date, datetime, timezone
from typing import Any

from fakes.hubspot_actions import actions_problem
from fakes.hubspot_associations_api import DEFAULT_TYPES, associate
from fakes.hubspot_portal import DEFAULT_RECORD_PROPERTIES, Portal, now_iso, object_type
from fakes.hubspot_schema_api import hs_error, not_found
from fakes.server import Request, Response

SEARCH_MAX_LIMIT = 200
SEARCH_MAX_RESULTS = 10_000  # HubSpot refuses to page past the first 10,000 results of a search
SEARCH_MAX_GROUPS, SEARCH_MAX_FILTERS_PER_GROUP, SEARCH_MAX_FILTERS = 6, 6, 18


# -- records --------------------------------------------------------------------------------------------
def _requested(request: Request, obj: str) -> list[str]:
    values = request.query.get("properties")
    if not values:
        return DEFAULT_RECORD_PROPERTIES.get(obj, ["hs_object_id"])
    return [p for value in values for p in value.split(",") if p]


def public_record(record: dict, names: list[str]) -> dict:
    properties = {name: record["properties"].get(name) for name in names}
    for always in ("hs_object_id", "createdate", "hs_lastmodifieddate"):
        if always in record["properties"]:
            properties[always] = record["properties"][always]
    return {
        "id": record["id"],
        "properties": properties,
        "createdAt": record["createdAt"],
        "updatedAt": record["updatedAt"],
        "archived": record["archived"],
    }


def _records(portal: Portal, params: dict) -> tuple[str | None, dict]:
    obj = object_type(params.get("objectType") or params.get("_object", ""))
    return obj, portal.records.get(obj or "", {})


def create_record(portal: Portal, request: Request, params: dict) -> Response:
    obj, _ = _records(portal, params)
    if obj is None:
        return not_found(f"Object type {params.get('objectType')}")
    data = request.json()
    properties = data.get("properties", {})
    if obj in ("tasks", "notes") and not properties.get("hs_timestamp"):
        return hs_error(
            400,
            "VALIDATION_ERROR",
            "Property values were not valid: hs_timestamp is required",
            propertyName=["hs_timestamp"],
        )
    unknown = [n for n in properties if n not in portal.live_properties(obj) and obj == "deals"]
    if unknown:
        return hs_error(
            400, "VALIDATION_ERROR", f'Property "{unknown[0]}" does not exist', propertyName=unknown
        )
    links = _association_problem(portal, obj, data.get("associations", []))
    if isinstance(links, Response):
        return links
    record = portal.add_record(obj, properties)
    record["associations"] = data.get("associations", [])
    for to_type, to_id in links:
        associate(portal, obj, record["id"], to_type, to_id)
    return Response.json(public_record(record, list(properties)), 201)


def _association_problem(portal: Portal, obj: str, links: list) -> Response | list[tuple[str, str]]:
    """The (type, id) a create associates with, or the 400 HubSpot gives for a record that is not there or
    a type id that does not join the two object types (only the types the fake knows are checked)."""
    out = []
    for link in links:
        to_id = str((link.get("to") or {}).get("id", ""))
        to_type = next((t for t, records in portal.records.items() if to_id in records), None)
        if to_type is None:
            return hs_error(400, "VALIDATION_ERROR", f"No object with id {to_id} to associate with")
        expected = DEFAULT_TYPES.get((obj, to_type))
        for kind in link.get("types") or []:
            if (
                expected is not None
                and kind.get("associationCategory") == "HUBSPOT_DEFINED"
                and (kind.get("associationTypeId") != expected)
            ):
                return hs_error(
                    400,
                    "VALIDATION_ERROR",
                    f"association type {kind.get('associationTypeId')} does not join {obj} to {to_type}",
                )
        out.append((to_type, to_id))
    return out


def get_record(portal: Portal, request: Request, params: dict) -> Response:
    obj, records = _records(portal, params)
    record = records.get(params.get("dealId") or params.get("taskId") or params.get("objectId") or "")
    if obj is None or record is None or record["archived"]:
        return not_found("Object")
    return Response.json(public_record(record, _requested(request, obj)))


def update_record(portal: Portal, request: Request, params: dict) -> Response:
    obj, records = _records(portal, params)
    record = records.get(params.get("dealId") or params.get("taskId") or params.get("objectId") or "")
    if obj is None or record is None or record["archived"]:
        return not_found("Object")
    properties = request.json().get("properties", {})
    record["properties"].update({k: (None if v is None else str(v)) for k, v in properties.items()})
    portal.derive(obj, record["properties"])
    record["updatedAt"] = record["properties"]["hs_lastmodifieddate"] = now_iso()
    return Response.json(public_record(record, list(properties)))


def list_records(portal: Portal, request: Request, params: dict) -> Response:
    obj, records = _records(portal, params)
    if obj is None:
        return not_found(f"Object type {params.get('objectType')}")
    live = [r for r in records.values() if not r["archived"]]
    start, limit = int(request.arg("after") or 0), min(int(request.arg("limit") or 10), 100)
    page = live[start : start + limit]
    body: dict[str, Any] = {"results": [public_record(r, _requested(request, obj)) for r in page]}
    if start + limit < len(live):
        body["paging"] = {"next": {"after": str(start + limit)}}
    return Response.json(body)


# -- search -------------------------------------------------------------------------------------------------
def search(portal: Portal, request: Request, params: dict) -> Response:
    obj, records = _records(portal, params)
    if obj is None:
        return not_found(f"Object type {params.get('objectType')}")
    data = request.json()
    limit = data.get("limit", 10)
    if limit > SEARCH_MAX_LIMIT:
        return hs_error(400, "VALIDATION_ERROR", f"limit must be at most {SEARCH_MAX_LIMIT}")
    try:
        after = int(data.get("after") or 0)
    except ValueError:
        return hs_error(400, "VALIDATION_ERROR", f"invalid paging cursor '{data.get('after')}'")
    if after >= SEARCH_MAX_RESULTS:
        return hs_error(
            400,
            "VALIDATION_ERROR",
            "There was a problem with the request. Search results can only be paged through the "
            f"first {SEARCH_MAX_RESULTS:,} records; narrow the filters instead.",
        )
    groups = data.get("filterGroups") or []
    filters = [f for g in groups for f in g.get("filters", [])]
    if (
        len(groups) > SEARCH_MAX_GROUPS
        or len(filters) > SEARCH_MAX_FILTERS
        or any(len(g.get("filters", [])) > SEARCH_MAX_FILTERS_PER_GROUP for g in groups)
    ):
        return hs_error(
            400,
            "VALIDATION_ERROR",
            f"at most {SEARCH_MAX_GROUPS} filter groups, "
            f"{SEARCH_MAX_FILTERS_PER_GROUP} filters per group and {SEARCH_MAX_FILTERS} filters "
            "in all",
        )
    known = portal.live_properties(obj)
    for item in filters + [{"propertyName": _sort_spec(s)[0]} for s in data.get("sorts") or []]:
        if item["propertyName"] not in known and item["propertyName"] not in (
            "hs_object_id",
            "hs_createdate",
        ):
            return hs_error(
                400, "VALIDATION_ERROR", f"Property '{item['propertyName']}' does not exist on {obj}"
            )
    # A first page runs the search; later pages of the same search page through that result, so
    # paging a large portal is not one full scan per page (like a server-side search snapshot).
    key = json.dumps([obj, groups, data.get("sorts"), data.get("query")], sort_keys=True)
    matches = portal.search_results.get(key) if after else None
    if matches is None:
        matches = _run_search(records, groups, known, data)
        portal.search_results = {key: matches}
    end = min(after + limit, SEARCH_MAX_RESULTS, len(matches))
    names = data.get("properties") or DEFAULT_RECORD_PROPERTIES.get(obj, [])
    body: dict[str, Any] = {
        "total": len(matches),
        "results": [public_record(r, names) for r in matches[after:end]],
    }
    if end < len(matches):
        body["paging"] = {"next": {"after": str(end), "link": f"?after={end}"}}
    return Response.json(body)


def _run_search(records: dict, groups: list, known: dict, data: dict) -> list[dict]:
    matches = [
        r
        for r in records.values()
        if not r["archived"]
        and (not groups or any(all(_matches(r, f, known) for f in g.get("filters", [])) for g in groups))
        and _query_matches(r, data.get("query"))
    ]
    sorts = data.get("sorts") or []
    if sorts:
        name, descending = _sort_spec(sorts[0])
        kind = known.get(name, {}).get("type", "number" if name == "hs_object_id" else "string")
        present = [r for r in matches if r["properties"].get(name) is not None]
        present.sort(key=lambda r: _comparable(r["properties"][name], kind), reverse=descending)
        return present + [r for r in matches if r["properties"].get(name) is None]
    matches.sort(key=lambda r: int(r["id"]))
    return matches


def _sort_spec(sort: Any) -> tuple[str, bool]:
    if isinstance(sort, dict):
        return sort["propertyName"], sort.get("direction", "ASCENDING") == "DESCENDING"
    return sort.lstrip("-"), sort.startswith("-")


def _query_matches(record: dict, query: str | None) -> bool:
    if not query:
        return True
    haystack = " ".join(str(v) for v in record["properties"].values() if v).lower()
    return all(word in haystack for word in query.lower().split())


def _matches(record: dict, spec: dict, known: dict) -> bool:
    name, operator = spec["propertyName"], spec["operator"]
    value = record["properties"].get(name)
    if operator == "HAS_PROPERTY":
        return value not in (None, "")
    if operator == "NOT_HAS_PROPERTY":
        return value in (None, "")
    kind = known.get(name, {}).get("type", "number" if name == "hs_object_id" else "string")
    if operator in ("IN", "NOT_IN"):
        inside = value is not None and _comparable(value, kind) in {
            _comparable(v, kind) for v in spec.get("values", [])
        }
        return inside if operator == "IN" else not inside
    if operator in ("CONTAINS_TOKEN", "NOT_CONTAINS_TOKEN"):
        token = str(spec.get("value", "")).strip("*").lower()
        found = value is not None and token in str(value).lower()
        return found if operator == "CONTAINS_TOKEN" else not found
    if value in (None, ""):
        return operator == "NEQ"
    left = _comparable(value, kind)
    if operator == "BETWEEN":
        return _comparable(spec["value"], kind) <= left <= _comparable(spec["highValue"], kind)
    right = _comparable(spec.get("value", ""), kind)
    return {
        "EQ": left == right,
        "NEQ": left != right,
        "LT": left < right,
        "LTE": left <= right,
        "GT": left > right,
        "GTE": left >= right,
    }[operator]


def _comparable(value: Any, kind: str) -> Any:
    text = str(value)
    if kind == "number":
        try:
            return float(text)
        except ValueError:
            return float("nan")
    if kind in ("date", "datetime"):
        return epoch_ms(text)
    return text.lower()


def epoch_ms(text: str) -> float:
    """HubSpot date values: epoch milliseconds, ISO-8601 datetimes or YYYY-MM-DD."""
    if text.lstrip("-").isdigit():
        return float(text)
    if len(text) == 10:
        day = date.fromisoformat(text)
        return datetime(day.year, day.month, day.day, tzinfo=timezone.utc).timestamp() * 1000
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return (moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)).timestamp() * 1000


# -- owners -----------------------------------------------------------------------------------------------
def list_owners(portal: Portal, request: Request, params: dict) -> Response:
    archived = (request.arg("archived") or "false").lower() == "true"
    email = request.arg("email")
    owners = [o for o in portal.owners if o["archived"] == archived and (not email or o["email"] == email)]
    start, limit = int(request.arg("after") or 0), min(int(request.arg("limit") or 100), 500)
    body: dict[str, Any] = {"results": owners[start : start + limit]}
    if start + limit < len(owners):
        body["paging"] = {"next": {"after": str(start + limit)}}
    return Response.json(body)


def get_owner(portal: Portal, request: Request, params: dict) -> Response:
    owner = next((o for o in portal.owners if o["id"] == params["ownerId"]), None)
    return Response.json(owner) if owner else not_found(f"Owner {params['ownerId']}")


# -- automation v4 flows
# --------------------------------------------------------------------------------------
_READ_ONLY = (
    "id",
    "createdAt",
    "updatedAt",
    "revisionId",
    "crmObjectCreationStatus",
    "nextAvailableActionId",
)


def create_flow(portal: Portal, request: Request, params: dict) -> Response:
    data = request.json()
    problem = _flow_problem(data) or actions_problem(portal, data)
    if problem:
        return problem
    stamp = now_iso()
    flow = _with_defaults(
        {
            **data,
            "id": portal.new_id(),
            "revisionId": "1",
            "createdAt": stamp,
            "updatedAt": stamp,
            "crmObjectCreationStatus": "COMPLETE",
        }
    )
    portal.flows[flow["id"]] = flow
    return Response.json(flow, 201)


def get_flow(portal: Portal, request: Request, params: dict) -> Response:
    flow = portal.flows.get(params["flowId"])
    return Response.json(flow) if flow else not_found(f"Flow {params['flowId']}")


def replace_flow(portal: Portal, request: Request, params: dict) -> Response:
    """A full replacement guarded by revisionId (optimistic concurrency): a stale revision is refused."""
    flow = portal.flows.get(params["flowId"])
    if flow is None:
        return not_found(f"Flow {params['flowId']}")
    data = request.json()
    if str(data["revisionId"]) != flow["revisionId"]:
        return hs_error(
            409,
            "CONFLICT",
            f"Flow {flow['id']} has changed: revisionId {data['revisionId']} is stale, the "
            f"current revision is {flow['revisionId']}. GET the flow and retry with it.",
            revisionId=[flow["revisionId"]],
        )
    problem = _flow_problem({**data, "objectTypeId": flow["objectTypeId"]})
    problem = problem or actions_problem(portal, {**data, "objectTypeId": flow["objectTypeId"]})
    if problem:
        return problem
    kept = {
        k: flow[k]
        for k in (
            "id",
            "createdAt",
            "objectTypeId",
            "flowType",
            "dataSources",
            "crmObjectCreationStatus",
            "uuid",
        )
        if k in flow
    }
    replaced = _with_defaults(
        {
            **{k: v for k, v in data.items() if k not in _READ_ONLY},
            **kept,
            "revisionId": str(int(flow["revisionId"]) + 1),
            "updatedAt": now_iso(),
        }
    )
    portal.flows[flow["id"]] = replaced
    return Response.json(replaced)


def delete_flow(portal: Portal, request: Request, params: dict) -> Response:
    if portal.flows.pop(params["flowId"], None) is None:
        return not_found(f"Flow {params['flowId']}")
    return Response.empty()


def list_flows(portal: Portal, request: Request, params: dict) -> Response:
    flows = sorted(portal.flows.values(), key=lambda f: int(f["id"]))
    start, limit = int(request.arg("after") or 0), int(request.arg("limit") or 100)
    listing = [
        {
            k: f[k]
            for k in (
                "id",
                "name",
                "isEnabled",
                "flowType",
                "objectTypeId",
                "revisionId",
                "createdAt",
                "updatedAt",
                "uuid",
            )
            if k in f
        }
        for f in flows[start : start + limit]
    ]
    body: dict[str, Any] = {"results": listing}
    if start + limit < len(flows):
        body["paging"] = {"next": {"after": str(start + limit)}}
    return Response.json(body)


def batch_read_flows(portal: Portal, request: Request, params: dict) -> Response:
    started, results, errors = now_iso(), [], []
    for item in request.json()["inputs"]:
        flow = portal.flows.get(str(item.get("flowId")))
        if flow:
            results.append(flow)
        else:
            errors.append(
                {
                    "status": "error",
                    "category": "OBJECT_NOT_FOUND",
                    "message": f"Flow {item.get('flowId')} does not exist",
                    "context": {"flowId": [str(item.get("flowId"))]},
                    "errors": [],
                    "links": {},
                }
            )
    body: dict[str, Any] = {
        "status": "COMPLETE",
        "results": results,
        "startedAt": started,
        "completedAt": now_iso(),
    }
    if errors:
        return Response.json({**body, "errors": errors, "numErrors": len(errors)}, 207)
    return Response.json(body)


EVENT_PROPERTIES = {"hs_name", "hs_value"}  # attributes of the "property value changed" event 4-655002
PROPERTY_CHANGED_EVENT = "4-655002"


def _misplaced_event_filters(branch: Any, inside_event: bool = False) -> list[str]:
    """Event attributes filtered outside a UNIFIED_EVENTS branch on the property change event."""
    if not isinstance(branch, dict):
        return []
    here = (
        branch.get("filterBranchType") == "UNIFIED_EVENTS"
        and branch.get("eventTypeId") == PROPERTY_CHANGED_EVENT
    )
    out = [
        f.get("property")
        for f in branch.get("filters", [])
        if isinstance(f, dict) and f.get("property") in EVENT_PROPERTIES and not (here or inside_event)
    ]
    for child in branch.get("filterBranches", []):
        out += _misplaced_event_filters(child, here or inside_event)
    return out


def _enrollment_problem(criteria: Any) -> Response | None:
    """hs_name / hs_value in a plain branch: HubSpot reads them as unknown deal properties."""
    if not isinstance(criteria, dict):
        return None
    branches = [criteria.get("listFilterBranch"), *criteria.get("reEnrollmentTriggersFilterBranches", [])]
    branches += [*criteria.get("eventFilterBranches", []), criteria.get("refinementCriteria")]  # EVENT_BASED
    branches += criteria.get("listMembershipFilterBranches", [])
    misplaced = sorted({p for b in branches for p in _misplaced_event_filters(b)})
    if misplaced:
        return hs_error(
            400,
            "VALIDATION_ERROR",
            f"Invalid enrollment criteria: {', '.join(misplaced)} is not a property of object "
            "type 0-3; event properties must be filtered in a UNIFIED_EVENTS branch with "
            f"eventTypeId {PROPERTY_CHANGED_EVENT}",
            propertyName=misplaced,
        )
    return None


def _flow_problem(data: dict) -> Response | None:
    if data.get("type") == "PLATFORM_FLOW" and object_type(data.get("objectTypeId", "")) is None:
        return hs_error(400, "VALIDATION_ERROR", f"Unknown objectTypeId '{data.get('objectTypeId')}'")
    problem = _enrollment_problem(data.get("enrollmentCriteria"))
    if problem:
        return problem
    actions = {a.get("actionId"): a for a in data.get("actions", [])}
    start = data.get("startActionId")
    if actions and start not in actions:
        return hs_error(400, "VALIDATION_ERROR", f"startActionId '{start}' is not one of the flow's actions")
    for action in actions.values():
        targets = [action.get("connection", {}).get("nextActionId")]
        targets += [b.get("connection", {}).get("nextActionId") for b in action.get("staticBranches", [])]
        targets += [b.get("connection", {}).get("nextActionId") for b in action.get("listBranches", [])]
        targets.append(action.get("defaultBranch", {}).get("nextActionId"))
        for target in filter(None, targets):
            if target not in actions:
                return hs_error(
                    400,
                    "VALIDATION_ERROR",
                    f"Action {action.get('actionId')} connects to unknown action {target}",
                )
    return None


def _with_defaults(flow: dict) -> dict:
    """What HubSpot fills in: empty collections, action type versions, the next free action id."""
    for key, default in (
        ("blockedDates", []),
        ("timeWindows", []),
        ("customProperties", {}),
        ("dataSources", []),
    ):
        flow.setdefault(key, default)
    flow.setdefault("uuid", f"{flow['id']}-{flow['revisionId']}")
    for action in flow.get("actions", []):
        if action.get("type") == "SINGLE_CONNECTION":
            action.setdefault("actionTypeVersion", 0)
    ids = [int(a["actionId"]) for a in flow.get("actions", []) if str(a.get("actionId", "")).isdigit()]
    flow["nextAvailableActionId"] = str(max(ids, default=0) + 1)
    if flow.get("type") == "CONTACT_FLOW":
        flow.setdefault("canEnrollFromSalesforce", False)
        flow.setdefault("suppressionListIds", [])
    return flow
