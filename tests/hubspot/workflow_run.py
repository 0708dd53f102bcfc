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
    if kind == "ENUMERATION" and operator == "IS_NONE_OF":
        return str(value) not in op["values"]
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
    """Whether the deal's state enrols it: never for an event-based workflow, which only an event enrols
    (enrolled_on_change)."""
    criteria = flow["enrollmentCriteria"]
    if criteria["type"] == "EVENT_BASED":
        return False
    return matches(criteria["listFilterBranch"], record)


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


def enrolled_on_change(flow: dict, record: Mapping[str, Any], prop: str, value: str) -> bool:
    """Whether the change of `prop` to `value` (the deal now being `record`) enrols the deal in an
    EVENT_BASED workflow: one of its events is that property-changed event (UNIFIED_EVENTS, 4-655002,
    HAS_COMPLETED, its hs_name / hs_value filters holding), and the deal meets the refinement criteria."""
    criteria = flow["enrollmentCriteria"]
    if criteria["type"] != "EVENT_BASED" or criteria["listMembershipFilterBranches"]:
        raise AssertionError("not modelled: a list-based workflow or one limited to list members")
    event = {"hs_name": prop, "hs_value": value}
    fired = any(
        b["filterBranchType"] == "UNIFIED_EVENTS"
        and b["eventTypeId"] == PROPERTY_CHANGED_EVENT
        and b["operator"] == "HAS_COMPLETED"
        and matches({**b, "filterBranchType": "AND"}, event)
        for b in criteria["eventFilterBranches"]
    )
    refinement = criteria.get("refinementCriteria")
    return fired and (refinement is None or matches(refinement, record))


def run(flow: dict, record: Mapping[str, Any], turns: dict | None = None) -> list[tuple[str, dict]]:
    """The built-in actions the flow executes for this record, in order, applying set-property actions.
    A rotate-to-owner action (0-11) sets its target property to the next of its users, as HubSpot rotates
    evenly; `turns` (action id -> rotations so far) carries the rotation from one run to the next."""
    record = dict(record)
    turns = {} if turns is None else turns
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
            if action["actionTypeId"] == "0-11":
                rotate(action, record, turns)
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


def rotate(action: dict, record: dict, turns: dict) -> None:
    fields = action["fields"]
    target = fields["target_property"]
    if fields["overwrite_current_owner"] == "false" and _present(record.get(target)):
        return  # a named owner stays
    users = fields["user_ids"]
    turn = turns.get(action["actionId"], 0)
    record[target] = users[turn % len(users)]
    turns[action["actionId"]] = turn + 1
