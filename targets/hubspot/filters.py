"""Workflow filters (automation v4 filter branches) for stages, segments and gate requirements.

Enrollment criteria are an OR of AND branches. A gate's "met" condition is one AND branch per
segment; its "not met" condition is one AND branch per failing requirement.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Iterable

from handrail.generators.rules import tree
from handrail.specs.model import Field, Gate, Model
from handrail.targets.hubspot.formula import number, rounded_floor
from handrail.targets.hubspot.vocabulary import STAGE_PROPERTY

Filter = dict[str, Any]


def _filter(prop: str, operation: dict[str, Any]) -> Filter:
    return {"filterType": "PROPERTY", "property": prop, "operation": operation}


def any_of(prop: str, values: Iterable[str]) -> Filter:
    return _filter(
        prop,
        {
            "operationType": "ENUMERATION",
            "operator": "IS_ANY_OF",
            "values": list(values),
            "includeObjectsWithNoValueSet": False,
        },
    )


def none_of(prop: str, values: Iterable[str]) -> Filter:
    """`prop` is none of `values`; a deal without a value counts as none of them."""
    return _filter(
        prop,
        {
            "operationType": "ENUMERATION",
            "operator": "IS_NONE_OF",
            "values": list(values),
            "includeObjectsWithNoValueSet": True,
        },
    )


def known(prop: str) -> Filter:
    return _filter(
        prop, {"operationType": "ALL_PROPERTY", "operator": "IS_KNOWN", "includeObjectsWithNoValueSet": False}
    )


def unknown(prop: str) -> Filter:
    return _filter(
        prop,
        {"operationType": "ALL_PROPERTY", "operator": "IS_NOT_KNOWN", "includeObjectsWithNoValueSet": True},
    )


def ticked(prop: str, value: bool) -> Filter:
    return _filter(
        prop,
        {
            "operationType": "BOOL",
            "operator": "IS_EQUAL_TO",
            "value": value,
            "includeObjectsWithNoValueSet": not value,
        },
    )


def at_least(prop: str, value: Decimal) -> Filter:
    return _filter(
        prop,
        {
            "operationType": "NUMBER",
            "operator": "IS_GREATER_THAN_OR_EQUAL_TO",
            "value": _json_number(value),
            "includeObjectsWithNoValueSet": False,
        },
    )


def below(prop: str, value: Decimal) -> Filter:
    """Empty counts as below: a deal without a score has not met a score threshold."""
    return _filter(
        prop,
        {
            "operationType": "NUMBER",
            "operator": "IS_LESS_THAN",
            "value": _json_number(value),
            "includeObjectsWithNoValueSet": True,
        },
    )


def _json_number(value: Decimal) -> int | float:
    text = number(value)
    return int(text) if "." not in text else float(text)


def populated(f: Field) -> Filter:
    return ticked(f.hubspot_name, True) if f.type == "checkbox" else known(f.hubspot_name)


def empty(f: Field) -> Filter:
    return ticked(f.hubspot_name, False) if f.type == "checkbox" else unknown(f.hubspot_name)


def branch(filters: list[Filter], kind: str = "AND") -> dict[str, Any]:
    return {"filterBranchType": kind, "filterBranchOperator": kind, "filters": filters, "filterBranches": []}


def either(branches: list[dict[str, Any]]) -> dict[str, Any]:
    return {"filterBranchType": "OR", "filterBranchOperator": "OR", "filters": [], "filterBranches": branches}


# The "property value changed" event; hs_name / hs_value are its attributes, not deal properties.
PROPERTY_CHANGED_EVENT = "4-655002"


def stage_entered(stage_ids: list[str]) -> dict[str, Any]:
    """A re-enrollment trigger: the deal stage changed to one of these ids."""
    return changed_to(STAGE_PROPERTY, stage_ids)


def changed_to(prop: str, values: list[str]) -> dict[str, Any]:
    """A re-enrollment trigger: `prop` changed to one of `values`.

    The hs_name / hs_value filters only mean something inside a UNIFIED_EVENTS branch on the property
    change event (the OpenAPI's PublicUnifiedEventsFilterBranch, where eventTypeId is required); in a
    plain AND branch they would test deal properties that do not exist and never fire.
    """
    return {
        "filterBranchType": "UNIFIED_EVENTS",
        "filterBranchOperator": "AND",
        "eventTypeId": PROPERTY_CHANGED_EVENT,
        "operator": "HAS_COMPLETED",
        "filterBranches": [],
        "filters": [
            _filter(
                "hs_name",
                {
                    "operationType": "STRING",
                    "operator": "IS_EQUAL_TO",
                    "value": prop,
                    "includeObjectsWithNoValueSet": False,
                },
            ),
            _filter(
                "hs_value",
                {
                    "operationType": "ENUMERATION",
                    "operator": "IS_ANY_OF",
                    "values": list(values),
                    "includeObjectsWithNoValueSet": False,
                },
            ),
        ],
    }


# --- gate requirements ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Needs:
    """What a deal of one segment must have at a stage: the union of every gate that applies there."""

    fields: tuple[Field, ...] = ()
    min_score: float | None = None

    def describe(self) -> list[str]:
        words = [f.label for f in self.fields]
        if self.min_score is not None:
            words.append(tree.ScoreBelow(self.min_score).wanted())
        return words


def needs(model: Model, gate: Gate, segment: str) -> Needs:
    """What the gate's requirements (rule tree) ask of a deal in `segment`."""
    keys: set[str] = set()
    floor = None
    for requirement in tree.rules_for(model).gate(gate.key):
        if isinstance(requirement, tree.Empty):
            keys.add(requirement.field.key)
        elif isinstance(requirement, tree.EmptyInSegments):
            keys |= {f.key for f in requirement.fields} if segment in requirement.segments else set()
        elif isinstance(requirement, tree.ScoreBelow):
            floor = requirement.floor
        else:
            raise TypeError(f"no HubSpot printing for {type(requirement).__name__}")
    return Needs(tuple(f for f in model.fields if f.key in keys), floor)


def combined(model: Model, gates: Iterable[Gate], segment: str) -> Needs:
    fields: dict[str, Field] = {}
    floors = []
    for gate in gates:
        if segment not in gate.segments:
            continue
        n = needs(model, gate, segment)
        fields.update((f.key, f) for f in n.fields)
        if n.min_score is not None:
            floors.append(n.min_score)
    return Needs(tuple(f for f in model.fields if f.key in fields), max(floors) if floors else None)


def met(model: Model, n: Needs) -> list[Filter]:
    out = [populated(f) for f in n.fields]
    if n.min_score is not None:
        out.append(at_least(model.computed_field("score").hubspot_name, rounded_floor(n.min_score)))
    return out


def unmet(model: Model, n: Needs) -> list[Filter]:
    """Each filter alone means the requirement fails."""
    out = [empty(f) for f in n.fields]
    if n.min_score is not None:
        out.append(below(model.computed_field("score").hubspot_name, rounded_floor(n.min_score)))
    return out
