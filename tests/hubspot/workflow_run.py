"""Runs generated workflows on a record, for tests: enrolment filters and the action graph.

Filter semantics follow HubSpot's list filters: a property without a value matches only when the
operation says includeObjectsWithNoValueSet. Branches are OR of AND of filters.
"""

from __future__ import annotations

from typing import Any, Mapping


def _present(value) -> bool:
    return value is not None and value != ""


def matches_filter(f: dict, record: Mapping[str, Any]) -> bool:
    op = f["operation"]
    value = record.get(f["property"])
    kind, operator = op["operationType"], op["operator"]
    if kind == "ALL_PROPERTY":
        return _present(value) == (operator == "IS_KNOWN")
    if not _present(value):
        return op["includeObjectsWithNoValueSet"]
    if kind == "ENUMERATION" and operator == "IS_ANY_OF":
        return str(value) in op["values"]
    if kind == "BOOL" and operator == "IS_EQUAL_TO":
        return (str(value).lower() == "true") == op["value"]
    if kind == "STRING" and operator == "IS_EQUAL_TO":
        return str(value) == op["value"]
    if kind == "NUMBER":
        x, bound = float(value), float(op["value"])
        return {"IS_LESS_THAN": x < bound, "IS_GREATER_THAN_OR_EQUAL_TO": x >= bound}[operator]
    raise AssertionError(f"filter not modelled: {kind} {operator}")


def matches(branch: dict, record: Mapping[str, Any]) -> bool:
    results = [matches_filter(f, record) for f in branch["filters"]]
    results += [matches(b, record) for b in branch["filterBranches"]]
    return any(results) if branch["filterBranchType"] == "OR" else all(results)


def enrolls(flow: dict, record: Mapping[str, Any]) -> bool:
    return matches(flow["enrollmentCriteria"]["listFilterBranch"], record)


PROPERTY_CHANGED_EVENT = "4-655002"


def reenrolled_by(flow: dict, prop: str, value: str) -> bool:
    """Whether the change of `prop` to `value` fires a re-enrollment trigger. Only a UNIFIED_EVENTS branch
    on event 4-655002 with operator HAS_COMPLETED sees the change (hs_name / hs_value are the event's
    attributes, OpenAPI PublicUnifiedEventsFilterBranch); a plain branch reads them as deal properties,
    which no deal has."""
    criteria = flow["enrollmentCriteria"]
    if not criteria["shouldReEnroll"]:
        return False
    event = {"hs_name": prop, "hs_value": value}
    return any(
        b["filterBranchType"] == "UNIFIED_EVENTS"
        and b.get("eventTypeId") == PROPERTY_CHANGED_EVENT
        and b.get("operator") == "HAS_COMPLETED"
        and matches({**b, "filterBranchType": "AND"}, event)
        for b in criteria["reEnrollmentTriggersFilterBranches"]
    )


def run(flow: dict, record: Mapping[str, Any]) -> list[tuple[str, dict]]:
    """The built-in actions the flow executes for this record, in order, applying set-property actions."""
    record = dict(record)
    actions = {a["actionId"]: a for a in flow["actions"]}
    executed: list[tuple[str, dict]] = []
    current = flow["startActionId"]
    for _ in range(len(actions) + 1):
        if current is None:
            return executed
        action = actions[current]
        edge = None
        if action["type"] == "SINGLE_CONNECTION":
            executed.append((action["actionTypeId"], action["fields"]))
            if action["actionTypeId"] == "0-5" and action["fields"]["value"]["type"] == "STATIC_VALUE":
                record[action["fields"]["property_name"]] = action["fields"]["value"]["staticValue"]
            edge = action.get("connection")
        elif action["type"] == "STATIC_BRANCH":
            value = record.get(action["inputValue"]["propertyName"])
            edge = next(
                (b["connection"] for b in action["staticBranches"] if b["branchValue"] == value),
                action.get("defaultBranch"),
            )
        elif action["type"] == "LIST_BRANCH":
            edge = next(
                (b["connection"] for b in action["listBranches"] if matches(b["filterBranch"], record)),
                action.get("defaultBranch"),
            )
        current = edge["nextActionId"] if edge else None
    raise AssertionError("the action graph loops")
