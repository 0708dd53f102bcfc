"""Deal-to-contact associations with their labels, and the associations v4 batch read.

    POST /crm/v4/associations/{fromObjectType}/{toObjectType}/batch/read
        body     {"inputs": [{"id": "<from id>", "after": "<cursor, optional>"}]}   (required: inputs, id)
        200/207  {"status": "COMPLETE", "results": [{"from": {"id"}, "to": [{"toObjectId",
                 "associationTypes": [{"category", "typeId", "label"}]}], "paging": {"next": {"after"}}}],
                 "startedAt", "completedAt"}; 207 adds "numErrors" and "errors" for ids with no association

as HubSpot's CRM Associations v4 document defines it (HubSpot-public-api-spec-collection,
PublicApiSpecs/CRM/Associations/Rollouts/130902/v4/associations.json: BatchInputPublicFetchAssociations-
BatchRequest, BatchResponsePublicAssociationMultiWithLabel[WithErrors], AssociationSpecWithLabel). That
document is not among ../shared/reference/hubspot, so the catalog cannot check this operation: the
handler checks the request body itself and builds only documented fields. Every association has the
default type (deal to contact, HUBSPOT_DEFINED 3, no label); each label adds a USER_DEFINED type.
"""

from __future__ import annotations

import json

from fakes.hubspot_portal import OBJECT_TYPE_IDS, Portal, correlation_id, now_iso
from fakes.hubspot_schema_api import hs_error
from fakes.server import Request, Response

PATH = "/crm/v4/associations/{fromObjectType}/{toObjectType}/batch/read"
BATCH_MAX = 1_000  # inputs per batch read
PAGE = 500  # associations per object in one answer (the documented default limit)
# HubSpot-defined type ids (Associations v4, "Association type ID values"): deal-contact, note-deal
DEFAULT_TYPES = {
    ("deals", "contacts"): 3,
    ("contacts", "deals"): 4,
    ("notes", "deals"): 214,
    ("deals", "notes"): 213,
}


def associate(portal: Portal, from_type: str, from_id: str, to_type: str, to_id: str) -> None:
    """An unlabeled association, both ways (as a create with `associations` makes it)."""
    associations(portal).setdefault((from_type, to_type), {}).setdefault(from_id, {})[to_id] = []
    associations(portal).setdefault((to_type, from_type), {}).setdefault(to_id, {})[from_id] = []


_LABEL_TYPE_IDS: dict[str, int] = {}


def associations(portal: Portal) -> dict[tuple[str, str], dict[str, dict[str, list[str]]]]:
    """(from type, to type) -> from id -> to id -> labels; kept on the portal."""
    return portal.__dict__.setdefault("associations", {})


def add_contact(portal: Portal, deal_id: str, labels: list[str], name: str = "Contact") -> str:
    """A contact associated with the deal, with these association labels (none: unlabeled)."""
    contact = portal.add_record("contacts", {"firstname": name})["id"]
    associations(portal).setdefault(("deals", "contacts"), {}).setdefault(deal_id, {})[contact] = list(labels)
    associations(portal).setdefault(("contacts", "deals"), {}).setdefault(contact, {})[deal_id] = list(labels)
    return contact


def _type(from_type: str, to_type: str, label: str | None) -> dict:
    if label is None:
        return {"category": "HUBSPOT_DEFINED", "typeId": DEFAULT_TYPES.get((from_type, to_type), 1)}
    type_id = _LABEL_TYPE_IDS.setdefault(label, 100 + len(_LABEL_TYPE_IDS))
    return {"category": "USER_DEFINED", "typeId": type_id, "label": label}


def _object(name: str) -> str | None:
    return (
        name if name in OBJECT_TYPE_IDS else next((k for k, v in OBJECT_TYPE_IDS.items() if v == name), None)
    )


def _body_problem(data) -> str | None:
    if not isinstance(data, dict) or not isinstance(data.get("inputs"), list):
        return "inputs: required array"
    for n, item in enumerate(data["inputs"]):
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            return f"inputs[{n}].id: required string"
        if "after" in item and not isinstance(item["after"], str):
            return f"inputs[{n}].after: must be a string"
        unknown = set(item) - {"id", "after"}
        if unknown:
            return f"inputs[{n}]: unknown field {sorted(unknown)[0]}"
    if len(data["inputs"]) > BATCH_MAX:
        return f"inputs: at most {BATCH_MAX} items"
    return None


def batch_read(portal: Portal, request: Request, params: dict) -> Response:
    from_type, to_type = _object(params["fromObjectType"]), _object(params["toObjectType"])
    if from_type is None or to_type is None:
        return hs_error(400, "VALIDATION_ERROR", "Unable to infer object type")
    try:
        data = json.loads(request.body or b"null")
    except ValueError:
        return hs_error(400, "VALIDATION_ERROR", "Invalid input JSON")
    problem = _body_problem(data)
    if problem:
        return hs_error(400, "VALIDATION_ERROR", f"Invalid input JSON: {problem}")
    started = now_iso()
    known = associations(portal).get((from_type, to_type), {})
    results, errors = [], []
    for item in data["inputs"]:
        linked = known.get(item["id"])
        if not linked:
            errors.append(
                {
                    "status": "error",
                    "category": "OBJECT_NOT_FOUND",
                    "subCategory": {},
                    "message": f"No {to_type} is associated with {from_type[:-1]} {item['id']}.",
                    "context": {"fromObjectId": [item["id"]]},
                    "links": {},
                    "errors": [],
                }
            )
            continue
        start = int(item.get("after") or 0)
        chunk = list(linked.items())[start : start + PAGE]
        result = {
            "from": {"id": item["id"]},
            "to": [
                {
                    "toObjectId": to_id,
                    "associationTypes": [_type(from_type, to_type, None)]
                    + [_type(from_type, to_type, label) for label in labels],
                }
                for to_id, labels in chunk
            ],
        }
        if start + PAGE < len(linked):
            result["paging"] = {"next": {"after": str(start + PAGE)}}
        results.append(result)
    body = {"status": "COMPLETE", "results": results, "startedAt": started, "completedAt": now_iso()}
    if errors:
        body.update({"numErrors": len(errors), "errors": errors})
    response = Response.json(body, 207 if errors else 200)
    response.headers["X-HubSpot-Correlation-Id"] = correlation_id()
    return response
