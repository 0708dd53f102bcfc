"""Property groups, properties (single and batch) and property validations of the fake portal.
Each handler takes (portal, request, path params) and answers as HubSpot does, error bodies included."""

from __future__ import annotations

import json
import re
from typing import Any

from fakes.hubspot_formula import syntax_problem
from fakes.hubspot_portal import (
    OBJECT_TYPE_IDS,
    TYPE_FIELD_TYPES,
    Portal,
    canonical_formula,
    correlation_id,
    now_iso,
    object_type,
)
from fakes.server import Request, Response

NAME_RULE = re.compile(r"^[a-z][a-z0-9_]{0,98}$")


def hs_error(status: int, category: str, message: str, **context: list[str]) -> Response:
    body: dict[str, Any] = {
        "status": "error",
        "message": message,
        "correlationId": correlation_id(),
        "category": category,
    }
    if context:
        body["context"] = context
    return Response.json(body, status)


def not_found(what: str) -> Response:
    return hs_error(404, "OBJECT_NOT_FOUND", f"{what} does not exist")


def _object(params: dict) -> str | None:
    return object_type(params.get("objectType") or params.get("objectTypeId") or "")


# -- groups --------------------------------------------------------------------------------------------
def list_groups(portal: Portal, request: Request, params: dict) -> Response:
    obj = _object(params)
    if obj is None:
        return not_found(f"Object type {params.get('objectType')}")
    return Response.json({"results": [g for g in portal.groups[obj].values() if not g["archived"]]})


def get_group(portal: Portal, request: Request, params: dict) -> Response:
    group = portal.groups.get(_object(params) or "", {}).get(params["groupName"])
    if not group or group["archived"]:
        return not_found(f"Property group {params['groupName']}")
    return Response.json(group)


def create_group(portal: Portal, request: Request, params: dict) -> Response:
    obj = _object(params)
    data = request.json()
    if obj is None:
        return not_found(f"Object type {params.get('objectType')}")
    existing = portal.groups[obj].get(data["name"])
    if existing and not existing["archived"]:
        return hs_error(
            409, "OBJECT_ALREADY_EXISTS", f"A property group named '{data['name']}' already exists."
        )
    order = data.get("displayOrder", -1)
    if order < 0:  # -1 means "last": HubSpot stores a position, not the -1
        order = len(portal.groups[obj]) + 1
    return Response.json(portal.add_group(obj, data["name"], data["label"], order), 201)


def update_group(portal: Portal, request: Request, params: dict) -> Response:
    group = portal.groups.get(_object(params) or "", {}).get(params["groupName"])
    if not group or group["archived"]:
        return not_found(f"Property group {params['groupName']}")
    data = request.json()
    for key in ("label", "displayOrder"):
        if key in data:
            group[key] = data[key]
    return Response.json(group)


def archive_group(portal: Portal, request: Request, params: dict) -> Response:
    group = portal.groups.get(_object(params) or "", {}).get(params["groupName"])
    if not group or group["archived"]:
        return not_found(f"Property group {params['groupName']}")
    group["archived"] = True
    return Response.empty()


# -- properties ------------------------------------------------------------------------------------------
def list_properties(portal: Portal, request: Request, params: dict) -> Response:
    obj = _object(params)
    if obj is None:
        return not_found(f"Object type {params.get('objectType')}")
    archived = (request.arg("archived") or "false").lower() == "true"
    return Response.json(
        {"results": [p for p in portal.properties[obj].values() if p["archived"] == archived]}
    )


def get_property(portal: Portal, request: Request, params: dict) -> Response:
    prop = portal.properties.get(_object(params) or "", {}).get(params["propertyName"])
    archived = (request.arg("archived") or "false").lower() == "true"
    if not prop or prop["archived"] != archived:
        return not_found(f"Property {params['propertyName']}")
    return Response.json(prop)


def create_property(portal: Portal, request: Request, params: dict) -> Response:
    obj = _object(params)
    if obj is None:
        return not_found(f"Object type {params.get('objectType')}")
    problem = _create_problem(portal, obj, request.json())
    if problem:
        return problem
    prop = portal.property_record(request.json())
    portal.properties[obj][prop["name"]] = prop
    return Response.json(prop, 201)


def _create_problem(portal: Portal, obj: str, data: dict) -> Response | None:
    name = data["name"]
    if not NAME_RULE.match(name):
        return hs_error(
            400,
            "VALIDATION_ERROR",
            "Names for properties should be lowercase and have less than 100 characters",
            propertyName=[name],
        )
    existing = portal.properties[obj].get(name)
    if existing:
        state = " (archived)" if existing["archived"] else ""
        return hs_error(
            409,
            "OBJECT_ALREADY_EXISTS",
            f"Property named '{name}' already exists{state}.",
            propertyName=[name],
        )
    return _definition_problem(portal, obj, data)


def _definition_problem(portal: Portal, obj: str, data: dict) -> Response | None:
    name, kind, field_type = data.get("name"), data.get("type"), data.get("fieldType")
    if kind and field_type and field_type not in TYPE_FIELD_TYPES.get(kind, set()):
        return hs_error(
            400,
            "VALIDATION_ERROR",
            f"Property {name}: fieldType '{field_type}' is not valid for type '{kind}'",
        )
    group = data.get("groupName")
    if group and (group not in portal.groups[obj] or portal.groups[obj][group]["archived"]):
        return hs_error(
            400, "VALIDATION_ERROR", f"Property group '{group}' does not exist.", groupName=[group]
        )
    if field_type == "calculation_equation" and not data.get("calculationFormula"):
        return hs_error(
            400, "VALIDATION_ERROR", f"Property {name}: a calculation property needs calculationFormula"
        )
    if field_type == "calculation_equation" and (problem := syntax_problem(data["calculationFormula"])):
        # A live portal answered `else s endif` with 400 "not a token" (shared/reference/hubspot/README.md).
        return hs_error(
            400,
            "VALIDATION_ERROR",
            f"Property {name}: invalid calculationFormula: {problem}",
            propertyName=[name],
        )
    if (
        kind == "enumeration"
        and field_type not in ("booleancheckbox", "calculation_equation")
        and not data.get("externalOptions")
        and not data.get("options")
    ):
        return hs_error(400, "VALIDATION_ERROR", f"Property {name}: enumeration properties need options")
    return None


def update_property(portal: Portal, request: Request, params: dict) -> Response:
    obj = _object(params) or ""
    prop = portal.properties.get(obj, {}).get(params["propertyName"])
    if not prop or prop["archived"]:
        return not_found(f"Property {params['propertyName']}")
    data = request.json()
    if prop.get("hubspotDefined") and set(data) - {"options", "displayOrder"}:
        return hs_error(
            400,
            "VALIDATION_ERROR",
            f"Property {prop['name']} is HubSpot-defined; only its options can change",
        )
    merged = {**prop, **data, "name": prop["name"]}
    problem = _definition_problem(portal, obj, merged)
    if problem:
        return problem
    for key, value in data.items():
        prop[key] = value
    if "options" in data:
        prop["options"] = portal.property_record({**merged, "options": data["options"]})["options"]
    if "calculationFormula" in data:
        prop["calculationFormula"] = canonical_formula(data["calculationFormula"])
    prop["calculated"] = prop["fieldType"] == "calculation_equation"
    prop["updatedAt"] = now_iso()
    return Response.json(prop)


def archive_property(portal: Portal, request: Request, params: dict) -> Response:
    prop = portal.properties.get(_object(params) or "", {}).get(params["propertyName"])
    if not prop or prop["archived"]:
        return not_found(f"Property {params['propertyName']}")
    problem = _archive_problem(portal, prop)
    if problem:
        return problem
    _archive(prop)
    return Response.empty()


def _archive(prop: dict) -> None:
    prop["archived"] = True
    prop["archivedAt"] = prop["updatedAt"] = now_iso()


def _archive_problem(portal: Portal, prop: dict) -> Response | None:
    if prop.get("hubspotDefined"):
        return hs_error(
            400, "VALIDATION_ERROR", f"HubSpot-defined property {prop['name']} cannot be archived"
        )
    pattern = re.compile(r'"(?:property|propertyName|property_name)"\s*:\s*"%s"' % re.escape(prop["name"]))
    users = [f["id"] for f in portal.flows.values() if pattern.search(json.dumps(f))]
    if users:
        return hs_error(
            400,
            "VALIDATION_ERROR",
            f"CANNOT_DELETE_PROPERTY_IN_USE: {prop['name']} is used by workflow(s) {', '.join(users)}",
            propertyName=[prop["name"]],
        )
    return None


def batch_create_properties(portal: Portal, request: Request, params: dict) -> Response:
    obj = _object(params)
    if obj is None:
        return not_found(f"Object type {params.get('objectType')}")
    started, results, errors = now_iso(), [], []
    for data in request.json()["inputs"]:
        problem = _create_problem(portal, obj, data)
        if problem:
            errors.append(_batch_error(problem))
            continue
        prop = portal.property_record(data)
        portal.properties[obj][prop["name"]] = prop
        results.append(prop)
    body = {"status": "COMPLETE", "results": results, "startedAt": started, "completedAt": now_iso()}
    if errors:
        return Response.json({**body, "errors": errors, "numErrors": len(errors)}, 207)
    return Response.json(body, 201)


def batch_read_properties(portal: Portal, request: Request, params: dict) -> Response:
    obj = _object(params) or ""
    data = request.json()
    archived = bool(data.get("archived"))
    started, results, errors = now_iso(), [], []
    for item in data["inputs"]:
        prop = portal.properties.get(obj, {}).get(item["name"])
        if prop and prop["archived"] == archived:
            results.append(prop)
        else:
            errors.append(_batch_error(not_found(f"Property {item['name']}"), name=item["name"]))
    body = {"status": "COMPLETE", "results": results, "startedAt": started, "completedAt": now_iso()}
    if errors:
        return Response.json({**body, "errors": errors, "numErrors": len(errors)}, 207)
    return Response.json(body)


def batch_archive_properties(portal: Portal, request: Request, params: dict) -> Response:
    """204 whatever each property's state was, as HubSpot documents; properties in use stay."""
    obj = _object(params) or ""
    for item in request.json()["inputs"]:
        prop = portal.properties.get(obj, {}).get(item["name"])
        if prop and not prop["archived"] and _archive_problem(portal, prop) is None:
            _archive(prop)
    return Response.empty()


def _batch_error(response: Response, name: str | None = None) -> dict:
    body = json.loads(response.body)
    context = body.get("context") or ({"propertyName": [name]} if name else {})
    return {
        "status": "error",
        "category": body["category"],
        "message": body["message"],
        "context": context,
        "errors": [],
        "links": {},
    }


# -- property validations ----------------------------------------------------------------------------------
def list_validations(portal: Portal, request: Request, params: dict) -> Response:
    obj = _object(params) or ""
    results = [
        {"propertyName": prop, "propertyValidationRules": list(rules.values())}
        for (o, prop), rules in sorted(portal.validations.items())
        if o == obj and rules
    ]
    return Response.json({"results": results})


def property_validations(portal: Portal, request: Request, params: dict) -> Response:
    obj = _object(params) or ""
    if not obj or params["propertyName"] not in portal.live_properties(obj):
        return not_found(f"Property {params['propertyName']}")
    return Response.json(
        {"results": list(portal.validations.get((obj, params["propertyName"]), {}).values())}
    )


def get_validation(portal: Portal, request: Request, params: dict) -> Response:
    rule = portal.validations.get((_object(params) or "", params["propertyName"]), {}).get(params["ruleType"])
    return Response.json(rule) if rule else not_found(f"Validation rule {params['ruleType']}")


def put_validation(portal: Portal, request: Request, params: dict) -> Response:
    obj = _object(params) or ""
    if not obj or params["propertyName"] not in portal.live_properties(obj):
        return not_found(f"Property {params['propertyName']}")
    data = request.json()
    portal.validations.setdefault((obj, params["propertyName"]), {})[params["ruleType"]] = {
        "ruleType": params["ruleType"],
        "ruleArguments": data["ruleArguments"],
        "shouldApplyNormalization": data.get("shouldApplyNormalization", False),
    }
    return Response.empty()


# -- limits tracking ---------------------------------------------------------------------------------------
_LABELS = {
    "deals": ("Deal", "Deals"),
    "contacts": ("Contact", "Contacts"),
    "companies": ("Company", "Companies"),
    "tasks": ("Task", "Tasks"),
    "notes": ("Note", "Notes"),
}


def _usage(portal: Portal, calculated: bool) -> dict[str, int]:
    return {
        obj: sum(
            1
            for p in props.values()
            if not p["archived"] and not p.get("hubspotDefined") and (p["calculated"] or not calculated)
        )
        for obj, props in portal.properties.items()
    }


def calculated_property_limits(portal: Portal, request: Request, params: dict) -> Response:
    usage = _usage(portal, calculated=True)
    total = sum(usage.values())
    return Response.json(
        {
            "overallLimit": portal.calculated_property_limit,
            "overallUsage": total,
            "overallPercentage": round(100 * total / portal.calculated_property_limit, 2),
            "byObjectType": [
                {
                    "objectTypeId": OBJECT_TYPE_IDS[o],
                    "singularLabel": _LABELS[o][0],
                    "pluralLabel": _LABELS[o][1],
                    "usage": n,
                }
                for o, n in usage.items()
            ],
        }
    )


def custom_property_limits(portal: Portal, request: Request, params: dict) -> Response:
    usage = _usage(portal, calculated=False)
    limit = portal.custom_property_limit
    total = sum(usage.values())
    return Response.json(
        {
            "overallLimit": limit * len(usage),
            "overallUsage": total,
            "overallPercentage": round(100 * total / (limit * len(usage)), 2),
            "byObjectType": [
                {
                    "objectTypeId": OBJECT_TYPE_IDS[o],
                    "singularLabel": _LABELS[o][0],
                    "pluralLabel": _LABELS[o][1],
                    "usage": n,
                    "limit": limit,
                    "percentage": round(100 * n / limit, 2),
                }
                for o, n in usage.items()
            ],
        }
    )
