"""Offline checks of a HubSpot build, using Handrail's own copy of the vocabulary.

HubSpot's OpenAPI documents are not licensed for redistribution, so they are not shipped; the test
suite validates every request body against them. This checks what can be checked without them: JSON,
the request manifest, names, type/fieldType pairs, option lists, formula syntax and the workflow graphs.
"""

from __future__ import annotations

import json
import re
from typing import Any

from handrail.generators.plan.resources import Desired
from handrail.specs.diagnostics import Diagnostic, error
from handrail.targets.hubspot.vocabulary import (
    ACTION_KINDS,
    ACTION_TYPES,
    DEAL_OBJECT_TYPE_ID,
    FIELD_TYPES,
    NUMBER_DISPLAY_HINTS,
    VALIDATION_RULE_TYPES,
)

VERIFY_SCOPE = "HubSpot's property types, formula grammar and workflow actions"
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,98}$")
_FORMULA_TOKEN = re.compile(r"'[^']*'|\"[^\"]*\"|[A-Za-z_]+|[()]")


def verify(desired: Desired, options: dict | None = None) -> list[Diagnostic]:
    problems: list[Diagnostic] = []
    documents: dict[str, Any] = {}
    for path, data in desired.files.items():
        if not path.endswith(".json"):
            continue
        try:
            documents[path] = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            problems.append(error("hubspot-output", f"not valid JSON: {exc}", path=path))
    manifest = documents.get("requests.json", {"requests": []})
    listed = {r["file"] for r in manifest["requests"]}
    for request in manifest["requests"]:
        body = documents.get(request["file"])
        if body is None:
            problems.append(
                error("hubspot-output", "listed in requests.json but missing", path=request["file"])
            )
            continue
        check = {"property": _property, "flow": _flow, "property_validation": _validation}.get(
            request["kind"]
        )
        messages = check(body) if check else []
        if (
            request["kind"] == "property_validation"
            and request["path"].rsplit("/", 1)[-1] not in VALIDATION_RULE_TYPES
        ):
            messages.append(f"unknown validation rule type in {request['path']}")
        problems += [error("hubspot-output", message, path=request["file"]) for message in messages]
    for path in documents:
        if path not in listed and path not in ("requests.json", "manual-steps.json"):
            problems.append(error("hubspot-output", "not listed in requests.json", path=path))
    return problems


def _property(body: dict) -> list[str]:
    out = [f"missing {k}" for k in ("name", "label", "type", "fieldType", "groupName") if k not in body]
    if out:
        return out
    if not _NAME.match(body["name"]):
        out.append(f"'{body['name']}' is not a HubSpot internal name")
    if body["fieldType"] not in FIELD_TYPES.get(body["type"], ()):
        out.append(f"type {body['type']} does not take fieldType {body['fieldType']}")
    if body.get("numberDisplayHint") not in (None, *NUMBER_DISPLAY_HINTS):
        out.append(f"unknown numberDisplayHint {body['numberDisplayHint']}")
    if (
        body["type"] == "enumeration"
        and body.get("referencedObjectType") != "OWNER"
        and not body.get("options")
    ):
        out.append("an enumeration needs options")
    values = [o["value"] for o in body.get("options", [])]
    if len(values) != len(set(values)):
        out.append("option values repeat")
    if body["fieldType"] == "calculation_equation":
        out += _formula(body.get("calculationFormula", ""))
    return out


def _formula(text: str) -> list[str]:
    """Balanced quotes and parentheses, and no more endif than if: the syntax errors a generator bug would
    cause. (A conditional ends with `else s` or `endif`, so if/endif need not pair; the test suite parses
    every formula with HubSpot's grammar.)"""
    if not text:
        return ["empty calculationFormula"]
    depth = conditionals = 0
    for token in _FORMULA_TOKEN.findall(text):
        lowered = token.lower()
        depth += {"(": 1, ")": -1}.get(token, 0)
        conditionals += {"if": 1, "endif": -1}.get(lowered, 0)
        if depth < 0 or conditionals < 0:
            return ["calculationFormula closes more than it opens"]
    stripped = _FORMULA_TOKEN.sub("", text)
    if "'" in stripped or '"' in stripped:
        return ["calculationFormula has an unterminated string"]
    return [] if depth == 0 else ["calculationFormula is unbalanced"]


def _validation(body: dict) -> list[str]:
    args = body.get("ruleArguments")
    return (
        []
        if isinstance(args, list) and all(isinstance(a, str) for a in args)
        else ["ruleArguments must be strings"]
    )


def _flow(body: dict) -> list[str]:
    out = []
    if body.get("type") != "PLATFORM_FLOW" or body.get("objectTypeId") != DEAL_OBJECT_TYPE_ID:
        out.append("not a deal workflow (PLATFORM_FLOW on 0-3)")
    actions = {a.get("actionId"): a for a in body.get("actions", [])}
    if len(actions) != len(body.get("actions", [])):
        out.append("action ids repeat")
    if body.get("startActionId") not in actions:
        out.append(f"startActionId {body.get('startActionId')} is not an action")
    reached: set[str] = set()
    for action in actions.values():
        if action.get("type") not in ACTION_KINDS:
            out.append(f"action {action.get('actionId')}: unknown type {action.get('type')}")
        if action.get("type") == "SINGLE_CONNECTION" and action.get("actionTypeId") not in ACTION_TYPES:
            out.append(f"action {action.get('actionId')}: unknown actionTypeId {action.get('actionTypeId')}")
        for target in _targets(action):
            reached.add(target)
            if target not in actions:
                out.append(f"action {action.get('actionId')} leads to missing action {target}")
    unreachable = set(actions) - reached - {body.get("startActionId")}
    if unreachable:
        out.append(f"unreachable actions: {', '.join(sorted(unreachable))}")
    criteria = body.get("enrollmentCriteria", {})
    if criteria.get("type") == "EVENT_BASED":  # an event (e.g. a property change) and refinement criteria
        if not criteria.get("eventFilterBranches"):
            out.append("event-based enrollment names no event")
    elif criteria.get("type") != "LIST_BASED":
        out.append("enrollment criteria must be LIST_BASED or EVENT_BASED")
    return out


def _targets(action: dict) -> list[str]:
    edges = [action.get("connection"), action.get("defaultBranch")]
    edges += [b.get("connection") for b in action.get("staticBranches", []) + action.get("listBranches", [])]
    return [e["nextActionId"] for e in edges if e]
