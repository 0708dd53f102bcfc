"""The handoff scoring engine: the one definition of score, completeness, tier, segment and "generic".

Targets compile these rules into CRM formulas; tests evaluate those formulas against this module.

    score        = sum(weight * completion) / sum(weight) * 100 over the segment's scored fields,
                   rounded half-up to one decimal; None when the segment scores no field
    completion   = 1 populated and specific, 0.5 populated but generic, 0 empty
    completeness = required fields populated / required fields * 100 (100 when nothing is required)
    tier         = ready at >= tiers.ready, gaps at >= tiers.gaps, else blocked (from the rounded score)
    segment      = the first segment whose match rule holds; missing numbers count as 0,
                   a missing deal type as new business, a missing partner flag as false
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Mapping

from handrail.specs.model import CHOICE_TYPES, TEXT_TYPES, Field, Model, Segment, Tiers

COMPLETE, GENERIC, MISSING = "complete", "generic", "missing"
TIER_LABELS = {"ready": "Ready", "gaps": "Gaps", "blocked": "Blocked"}


@dataclass(frozen=True)
class Deal:
    """A deal as the engine sees it: segment attributes plus handoff field values by field key."""

    id: str
    values: Mapping[str, Any]
    name: str = ""
    owner: str = ""
    stage: str | None = None  # stage key
    acv: float | None = None
    deal_type: str = "new_business"  # or "expansion"
    sales_cycle_days: float | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)  # anything else the source carried


@dataclass(frozen=True)
class FieldResult:
    key: str
    state: str  # complete | generic | missing
    completion: float
    reason: str = ""  # why generic


@dataclass(frozen=True)
class HandoffScore:
    deal_id: str
    segment: str | None
    score: float | None
    tier: str | None
    completeness: float
    earned: float
    possible: int
    fields: tuple[FieldResult, ...]  # the segment's scored and required fields, spec order
    missing_required: tuple[str, ...]

    @property
    def missing(self) -> tuple[str, ...]:
        return tuple(r.key for r in self.fields if r.state == MISSING)

    @property
    def generic(self) -> tuple[str, ...]:
        return tuple(r.key for r in self.fields if r.state == GENERIC)


def trim(text: str) -> str:
    """Salesforce's TRIM: spaces and tabs off both ends, nothing else ("Removes the spaces and tabs from the
    beginning and end of a text string", Salesforce Help, Formula Operators and Functions). Newlines stay,
    so a text of line breaks is present, and a text of spaces is blank, in the engine, gates and score."""
    return text.strip(" \t")


def is_populated(f: Field, value: Any) -> bool:
    if value is None:
        return False
    if f.type == "checkbox":
        return value is True
    if f.type == "multi_select":
        return bool(selected(value))
    if isinstance(value, str):
        return bool(trim(value))
    return True


def selected(value: Any) -> list[str]:
    """Multi-select values arrive as a list or as Salesforce's 'a;b' text."""
    items = value if isinstance(value, (list, tuple)) else str(value).split(";")
    return [str(v).strip() for v in items if str(v).strip()]


def generic_reason(f: Field, value: Any) -> str:
    """Why a populated value earns only half credit, or '' when it is specific."""
    if f.type in TEXT_TYPES:
        text = trim(str(value))
        lowered = text.lower()
        q = f.quality
        if lowered in q.filler_phrases:
            return f"filler phrase '{text}'"
        for phrase in q.generic_if_contains:
            if phrase in lowered:
                return f"contains '{phrase}'"
        if q.min_length and len(text) < q.min_length:
            return f"shorter than {q.min_length} characters"
        return ""
    if f.type in CHOICE_TYPES:
        generic = f.generic_values
        if not generic:
            return ""
        chosen = selected(value) if f.type == "multi_select" else [str(value).strip()]
        if all(v in generic for v in chosen):
            return f"generic option '{'; '.join(chosen)}'"
    return ""


def evaluate_field(f: Field, value: Any) -> FieldResult:
    if not is_populated(f, value):
        return FieldResult(f.key, MISSING, 0.0)
    reason = generic_reason(f, value)
    if reason:
        return FieldResult(f.key, GENERIC, 0.5, reason)
    return FieldResult(f.key, COMPLETE, 1.0)


def round_half_up(x: float, places: int = 1) -> float:
    return float(Decimal(repr(x)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


def percent(numerator: float, denominator: float) -> float:
    """numerator / denominator * 100, rounded half up to one decimal in exact decimal arithmetic.

    Binary floating point would turn 11.5 / 40 * 100 into 28.7499..., which rounds the wrong way;
    Salesforce formulas compute in decimal, and so does this.
    """
    exact = Decimal(repr(numerator)) * 100 / Decimal(repr(denominator))
    return float(exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def tier_for(score: float | None, tiers: Tiers) -> str | None:
    if score is None:
        return None
    if score >= tiers.ready:
        return "ready"
    return "gaps" if score >= tiers.gaps else "blocked"


def resolve_segment(model: Model, deal: Deal) -> Segment | None:
    partner_field = model.partner_field
    partner = bool(partner_field and deal.values.get(partner_field.key) is True)
    acv = deal.acv or 0.0
    cycle = deal.sales_cycle_days or 0.0
    return next((s for s in model.segments if s.match.holds(acv, deal.deal_type, partner, cycle)), None)


def score_deal(model: Model, deal: Deal, segment: Segment | None = None) -> HandoffScore:
    segment = segment or resolve_segment(model, deal)
    if segment is None:  # only when a spec bypassed validation; validated specs cover every deal
        return HandoffScore(deal.id, None, None, None, 100.0, 0.0, 0, (), ())
    considered = set(segment.scored_fields) | set(segment.required_fields)
    results = {f.key: evaluate_field(f, deal.values.get(f.key)) for f in model.fields if f.key in considered}
    scored = [model.field(k) for k in segment.scored_fields]
    possible = sum(f.weight for f in scored)
    earned = sum(f.weight * results[f.key].completion for f in scored)
    score = percent(earned, possible) if possible else None
    missing_required = tuple(k for k in segment.required_fields if results[k].state == MISSING)
    required = len(segment.required_fields)
    completeness = percent(required - len(missing_required), required) if required else 100.0
    return HandoffScore(
        deal_id=deal.id, segment=segment.key, score=score, tier=tier_for(score, model.tiers),
        completeness=completeness, earned=earned, possible=possible,
        fields=tuple(results[f.key] for f in model.fields if f.key in results), missing_required=missing_required,
    )


def summary(model: Model, result: HandoffScore) -> str:
    """The readable 'what is missing' line stored on the deal: 'Success Criteria (generic); Risk Flags (missing)'."""
    parts = [f"{model.field(r.key).label} ({r.state})" for r in result.fields if r.state != COMPLETE]
    return "; ".join(parts)
