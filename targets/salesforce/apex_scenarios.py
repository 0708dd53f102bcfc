"""Test deals for the generated Apex test class, designed and scored with the Python scoring engine.

For every segment: deal attributes the engine resolves to it, and field values that land the score in
each tier the segment can reach (generic values where a field has a generic form, so the quality rules
run too). The expected segment, score, completeness, tier and summary are the engine's.

Every save a test makes must pass the gates' validation rules, or the test fails on deploy: `needs`
collects what the gates entered on the way ask for (fields of any type, the CSM, the partner flag, a
score), and the deals are built to hold it; a tier or path the gates make unreachable gets no test.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Iterable

from handrail.generators.rules.scoring import (
    COMPLETE,
    GENERIC,
    MISSING,
    TIER_LABELS,
    Deal,
    evaluate_field,
    is_populated,
    resolve_segment,
    score_deal,
    summary,
)
from handrail.specs.coverage import sample_deals
from handrail.specs.model import NUMBER_TYPES, TEXT_TYPES, Field, Gate, Model, Segment
from handrail.specs.pipelines import gate_pipelines, pipelines_of
from handrail.targets.salesforce.gate_formula import gated_stage_names

# Placeholders the Apex renderer turns into run-time values.
TODAY, NOW, RUNNING_USER = "<today>", "<now>", "<running user>"


@dataclass(frozen=True)
class Attributes:
    """What decides the segment: ACV, deal type, partner flag, sales cycle in days."""

    acv: float
    deal_type: str
    partner: bool
    cycle_days: int


@dataclass(frozen=True)
class Expected:
    segment: str | None
    score: float | None
    completeness: float
    tier: str | None
    summary: str


@dataclass(frozen=True)
class Scenario:
    name: str  # becomes the Opportunity name and part of the test method name
    segment: Segment
    attributes: Attributes
    values: dict[str, Any] = field(default_factory=dict)  # field key -> value (placeholders allowed)
    expected: Expected | None = None


def segment_attributes(model: Model, segment: Segment, partner: bool | None = None) -> Attributes | None:
    """Whole-day, whole-cent attributes the engine resolves to `segment` (with the partner flag `partner`
    when given); None when no such deal reaches it."""
    for point in sample_deals(model.segments):
        if partner is not None and bool(point["partner_sourced"]) != partner:
            continue
        for cycle in sorted({math.floor(point["sales_cycle_days"]), math.ceil(point["sales_cycle_days"])}):
            attrs = Attributes(round(point["acv"], 2), point["deal_type"], point["partner_sourced"], cycle)
            if cycle >= 0 and resolved(model, attrs) == segment.key:
                return attrs
    return None


def resolved(model: Model, attrs: Attributes) -> str | None:
    found = resolve_segment(model, engine_deal(model, attrs, {}))
    return found.key if found else None


def engine_deal(model: Model, attrs: Attributes, values: dict[str, Any]) -> Deal:
    values = dict(values)
    if model.partner_field:
        values[model.partner_field.key] = attrs.partner
    listed = {
        "expansion": model.deal.expansion_values_salesforce,
        "renewal": model.deal.renewal_values_salesforce,
    }.get(attrs.deal_type)
    return Deal(
        id="apex",
        values=_engine_values(values),
        acv=attrs.acv,
        deal_type=attrs.deal_type if listed else "new_business",
        sales_cycle_days=attrs.cycle_days,
    )


def _engine_values(values: dict[str, Any]) -> dict[str, Any]:
    """Placeholders stand for real values; any real value scores the same."""
    return {k: ("005000000000000AAA" if v == RUNNING_USER else v) for k, v in values.items()}


def expected(model: Model, attrs: Attributes, values: dict[str, Any]) -> Expected:
    result = score_deal(model, engine_deal(model, attrs, values))
    return Expected(
        result.segment,
        result.score,
        result.completeness,
        TIER_LABELS[result.tier] if result.tier else None,
        summary(model, result),
    )


# --- values -------------------------------------------------------------------------------------------


def value_for(f: Field, state: str) -> Any:
    """A value the engine rates `state` for this field, or None when the field has no such value."""
    if state == MISSING:
        return False if f.type == "checkbox" else None
    candidates = _specific(f) if state == COMPLETE else _generic(f)
    return next(
        (v for v in candidates if evaluate_field(f, _engine_values({"v": v})["v"]).state == state), None
    )


def _specific(f: Field) -> list[Any]:
    if f.type in TEXT_TYPES:
        size = max(f.quality.min_length, min(64, f.length or 255))
        if size > (f.length or 255):
            return []
        sentences = (f"Specific detail for {f.label}: 3 named owners, dates and targets. ", "0123456789 ")
        texts = [(s * (size // len(s) + 1))[:size] for s in sentences]
        return [t[:-1] + "." if t.endswith(" ") else t for t in texts]
    if f.type == "picklist":
        return [o.value for o in f.options if not o.generic][:1]
    if f.type == "multi_select":
        specific = [o.value for o in f.options if not o.generic]
        return [";".join(specific[:2])] if specific else []
    if f.type in NUMBER_TYPES:
        return [42]
    return [{"date": TODAY, "datetime": NOW, "checkbox": True, "user": RUNNING_USER}[f.type]]


def _generic(f: Field) -> list[Any]:
    if f.type in TEXT_TYPES:
        q = f.quality
        out = [p.upper() for p in q.filler_phrases if p.strip()]
        out += [f"Goals: {p} for the rollout" for p in q.generic_if_contains]
        if q.min_length > 1:
            out.append("x" * (q.min_length - 1))
        return out
    if f.generic_values:
        generic = [o.value for o in f.options if o.generic]
        return [";".join(generic)] if f.type == "multi_select" else generic[:1]
    return []


TIER_ORDER = ("Ready", "Gaps", "Blocked")


def tier_values(
    model: Model,
    segment: Segment,
    attrs: Attributes,
    base: dict[str, Any] | None = None,
    keep: frozenset[str] = frozenset(),
) -> dict[str, dict[str, Any]]:
    """Values per reachable tier ("Unscored" when the segment scores nothing), on top of `base`.

    Start with every field the segment considers complete, then degrade them in spec order, each one step
    at a time (complete -> generic -> missing, never missing for a field in `keep`); the score only falls,
    so the first state of each tier is found by bisection."""
    fixed = {model.partner_field.key} if model.partner_field else set()
    considered = [
        f
        for f in model.fields
        if f.key in set(segment.scored_fields) | set(segment.required_fields) and f.key not in fixed
    ]
    start = {**(base or {}), **{f.key: present_value(f) for f in considered}}
    steps = [
        (f.key, value)
        for f in considered
        for state in (GENERIC, MISSING)
        if (value := value_for(f, state)) is not None or (state == MISSING and f.key not in keep)
    ]

    def state(k: int) -> dict[str, Any]:
        values = dict(start)
        values.update(steps[:k])
        return {key: v for key, v in values.items() if v is not None}

    def rank(k: int) -> int:
        tier = expected(model, attrs, state(k)).tier
        return TIER_ORDER.index(tier) if tier else -1

    first = rank(0)
    if first < 0:
        return {"Unscored": state(0)}
    out = {TIER_ORDER[first]: state(0)}
    for wanted in range(first + 1, len(TIER_ORDER)):
        low, high = 0, len(steps)
        if rank(high) < wanted:
            break
        while low < high:
            middle = (low + high) // 2
            if rank(middle) >= wanted:
                high = middle
            else:
                low = middle + 1
        if rank(low) == wanted:
            out[TIER_ORDER[wanted]] = state(low)
    return out


def all_fields_complete(model: Model) -> dict[str, Any]:
    """Every field specific (generic where it has no specific value), except the partner flag (it decides
    the segment) and the CSM (tests set it)."""
    skip = {f.key for f in (model.partner_field, model.csm_field) if f}
    values = {f.key: present_value(f) for f in model.fields if f.key not in skip}
    return {k: v for k, v in values.items() if v is not None}


def present_value(f: Field) -> Any:
    """The best value a field can hold: specific, else generic; None when it has neither."""
    complete = value_for(f, COMPLETE)
    return complete if complete is not None else value_for(f, GENERIC)


# --- gates ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Needs:
    """What the gates a test deal's saves enter ask of it."""

    fields: frozenset[str]  # field keys that must hold a value (the CSM and the partner flag included)
    floor: float | None  # the lowest score they accept

    @property
    def nothing(self) -> bool:
        return not self.fields and self.floor is None


def gates_entered(model: Model, segment: str, stage: str) -> list[Gate]:
    """Active gates whose validation rule checks a save into StageName `stage` of a deal in `segment`
    (the test's deals have no record type: the default pipeline's gates)."""
    default = next(p for p in pipelines_of(model) if p.default)
    return [
        g
        for g in model.gates
        if g.active
        and segment in g.segments
        and stage in gated_stage_names(model, g)
        and default in gate_pipelines(model, g)
    ]


def needs(model: Model, segment: str, stages: Iterable[str]) -> Needs:
    """The requirements of every gate entered on the way through `stages` (Salesforce StageName values)."""
    keys: set[str] = set()
    floors: list[float] = []
    for stage in stages:
        for gate in gates_entered(model, segment, stage):
            req = gate.require
            if req.csm_assigned and model.csm_field:
                keys.add(model.csm_field.key)
            keys.update(req.fields)
            if req.segment_required_fields:
                keys.update(model.segment(segment).required_fields)
            floor = req.effective_min_score(model.tiers)
            if floor is not None:
                floors.append(floor)
    return Needs(frozenset(keys), max(floors) if floors else None)


def needed_attributes(model: Model, segment: Segment, need: Needs) -> Attributes | None:
    """Attributes for a deal in `segment`, with the partner flag ticked when a gate requires it."""
    partner = model.partner_field
    return segment_attributes(model, segment, True if partner and partner.key in need.fields else None)


def with_needs(model: Model, values: dict[str, Any], need: Needs) -> dict[str, Any]:
    """`values` with every field the gates require holding a value (the partner flag comes from the
    attributes, see needed_attributes)."""
    out = dict(values)
    for key in sorted(need.fields):
        f = model.field(key)
        if f is not model.partner_field and not is_populated(f, _engine_values({key: out.get(key)})[key]):
            out[key] = present_value(f)
    return out


def passes(model: Model, attrs: Attributes, values: dict[str, Any], need: Needs) -> bool:
    """Whether a deal with these attributes and values passes the gates: each required field holds a value
    and the score reaches the floor."""
    deal = engine_deal(model, attrs, values)
    if not all(is_populated(model.field(k), deal.values.get(k)) for k in need.fields):
        return False
    score = score_deal(model, deal).score
    return need.floor is None or (score is not None and score >= need.floor)
