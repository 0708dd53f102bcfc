"""The handoff scoring engine: score, completeness, tier, segment and "generic" for one deal.

It evaluates the rule tree (generators.rules.tree), which the targets print as CRM formulas.

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

from handrail.generators.rules import tree
from handrail.generators.rules.tree import (
    Completion,
    Facts,
    Tier,
    completion,
    percent,
    populated,
    rules_for,
    selected,
    trim,
)
from handrail.specs.model import Field, Model, Segment, Tiers

__all__ = ["percent", "selected", "trim"]  # the engine's arithmetic and text rules, re-exported

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
    deal_type: str = "new_business"  # or "expansion", "renewal"
    sales_cycle_days: float | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)  # anything else the source carried
    contact_roles: tuple[str, ...] = ()  # one role name per contact with a role (rules/contacts.py)
    pipeline: str | None = None  # pipeline key when the spec has pipelines (None: the default pipeline)


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


def is_populated(f: Field, value: Any) -> bool:
    return populated(f, value)


def evaluate_field(f: Field, value: Any, rule: Completion | None = None) -> FieldResult:
    reason = (rule or completion(f)).reason(value)
    if reason is None:
        return FieldResult(f.key, MISSING, 0.0)
    if reason:
        return FieldResult(f.key, GENERIC, 0.5, reason)
    return FieldResult(f.key, COMPLETE, 1.0)


def _input(deal: Deal, f: Field) -> Any:
    """What the field's completion reads: the contact roles for a contact-based field, else its value."""
    return deal.contact_roles if f.contacts else deal.values.get(f.key)


def round_half_up(x: float, places: int = 1) -> float:
    return float(Decimal(repr(x)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


def tier_for(score: float | None, tiers: Tiers) -> str | None:
    return Tier(tiers).value(score)


def facts(model: Model, deal: Deal) -> Facts:
    return Facts(
        deal.values, deal.acv or 0.0, deal.deal_type, deal.sales_cycle_days or 0.0, pipeline=deal.pipeline
    )


def resolve_segment(model: Model, deal: Deal) -> Segment | None:
    d = facts(model, deal)
    return next((m.segment for m in rules_for(model).matches if m.value(d)), None)


def score_deal(model: Model, deal: Deal, segment: Segment | None = None) -> HandoffScore:
    segment = segment or resolve_segment(model, deal)
    if segment is None:  # only when a spec bypassed validation; validated specs cover every deal
        return HandoffScore(deal.id, None, None, None, 100.0, 0.0, 0, (), ())
    rules = rules_for(model)
    considered = set(segment.scored_fields) | set(segment.required_fields)
    results = {
        f.key: evaluate_field(f, _input(deal, f), rules.completions[f.key])
        for f in model.fields
        if f.key in considered
    }
    own = segment.key in rules.scores and model.segment(segment.key) is segment
    score_rule = rules.scores[segment.key] if own else tree.score(model, segment)
    possible = score_rule.possible
    earned = sum(weight * results[c.field.key].completion for weight, c in score_rule.terms)
    score = percent(earned, possible) if possible else None
    required = (rules.completeness[segment.key] if own else tree.completeness(model, segment)).required
    missing_required = tuple(f.key for f in required if results[f.key].state == MISSING)
    completeness = percent(len(required) - len(missing_required), len(required)) if required else 100.0
    return HandoffScore(
        deal_id=deal.id,
        segment=segment.key,
        score=score,
        tier=rules.tier.value(score),
        completeness=completeness,
        earned=earned,
        possible=possible,
        fields=tuple(results[f.key] for f in model.fields if f.key in results),
        missing_required=missing_required,
    )


def summary(model: Model, result: HandoffScore) -> str:
    """The readable 'what is missing' line stored on the deal:
    'Success Criteria (generic); Risk Flags (missing)'."""
    parts = [f"{model.field(r.key).label} ({r.state})" for r in result.fields if r.state != COMPLETE]
    return "; ".join(parts)
