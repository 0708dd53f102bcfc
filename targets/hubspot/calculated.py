"""The formulas of Handrail's calculated deal properties: segment, score, completeness, summary, tier.

The segment property resolves the deal's segment (first matching rule wins, as in the engine); segment
rules cover every deal (`handrail validate` proves it), so the last segment is the `else` branch. The
score, completeness and summary read the segment property, and the tier reads the score: HubSpot
computes them in creation order (CALCULATED), as it lets a calculation read another calculation
property of the same record (knowledge.hubspot.com, "Create calculation properties": rounding reads "a
score, calculation or number property of the same object"). Per-field terms are written once and
switched on by segment membership, which keeps the formulas linear in fields plus segments (a spec of
sizes x motions has fifteen segments).
"""

from __future__ import annotations

from typing import Callable

from handrail.generators.rules import tree
from handrail.specs.model import Model, Segment
from handrail.targets.hubspot.formula import (
    TRUE,
    any_of,
    credited,
    ladder,
    literal,
    negate,
    number,
    points,
    rounded_floor,
    segment_condition,
    state_label,
)

# Creation order: the tier reads the score, so it comes last.
CALCULATED = ("segment", "score", "completeness", "missing_summary", "tier")


def formulas(model: Model) -> dict[str, str]:
    return {
        "segment": _segment_formula(model),
        "score": score_formula(model),
        "completeness": _per_segment(model, lambda s: completeness_expression(model, s)),
        "missing_summary": summary_formula(model),
        "tier": tier_formula(model),
    }


def _per_segment(model: Model, value: Callable[[Segment], str]) -> str:
    """One value per segment, read from the segment property (computed first)."""
    last = len(model.segments) - 1
    return ladder(
        [(None if i == last else _is(model, s.key), value(s)) for i, s in enumerate(model.segments)]
    )


def _segment_formula(model: Model) -> str:
    """The segment itself: the first segment whose match rule holds; the last one is the else branch."""
    last = len(model.segments) - 1
    return ladder(
        [
            (None if i == last else segment_condition(model, s), literal(s.key))
            for i, s in enumerate(model.segments)
        ]
    )


def _is(model: Model, key: str) -> str:
    return f"string({model.computed_field('segment').hubspot_name}) = {literal(key)}"


def membership(model: Model, keys: set[str]) -> str | None:
    """True when the deal's segment is one of `keys`; None: every deal.

    The segment property holds the deal's segment (first matching rule), so membership is a comparison
    with it, not the match rules again: the formulas stay linear in fields plus segments. Every deal is
    in exactly one segment, so the shorter of the set and its complement is written.
    """
    keys = {s.key for s in model.segments if s.key in keys}
    if len(keys) == len(model.segments):
        return None
    if not keys:
        return "false"
    if len(keys) * 2 > len(model.segments):
        return negate(membership(model, {s.key for s in model.segments} - keys) or TRUE)
    return any_of(_is(model, s.key) for s in model.segments if s.key in keys)


def _segments_scoring(model: Model, key: str) -> set[str]:
    return {s.key for s in model.segments if key in s.scored_fields}


def score_formula(model: Model) -> str:
    """sum(weight x completion) x 100 / sum(weight), unrounded, each field written once.

    A field counts only in the segments that score it; segments that score nothing get no value.
    """
    scored = [f for f in model.fields if _segments_scoring(model, f.key)]
    terms = [f"({points(f, f.weight, membership(model, _segments_scoring(model, f.key)))})" for f in scored]
    totals = [tree.rules_for(model).scores[s.key].possible for s in model.segments]
    last = len(model.segments) - 1
    divisor = ladder(
        [
            (None if i == last else _is(model, s.key), number(t))
            for i, (s, t) in enumerate(zip(model.segments, totals))
        ],
        merge=True,
    )
    expr = f"({' + '.join(terms)}) * 100 / {divisor if ' ' not in divisor else f'({divisor})'}"
    silent = membership(model, {s.key for s, t in zip(model.segments, totals) if not t})
    if silent == "false":
        return expr
    return f"if {negate(silent)} then {expr} endif"


def completeness_expression(model: Model, segment: Segment) -> str:
    required = tree.rules_for(model).completeness[segment.key].required
    if not required:
        return "100"
    terms = " + ".join(f"(if {credited(f)} then 1 else 0)" for f in required)
    return f"({terms}) * 100 / {len(required)}"


def summary_formula(model: Model) -> str:
    """'Label (state); ' for every scored or required field of the deal's segment that is not complete."""
    terms = []
    for f in model.fields:
        considered = {s.key for s in model.segments if f.key in s.scored_fields or f.key in s.required_fields}
        if considered:
            terms.append(f"({state_label(f, membership(model, considered))})")
    if not terms:
        return "''"
    if len(terms) == 1:  # concatenate takes at least two arguments
        terms.append("''")
    return f"concatenate({', '.join(terms)})"


def tier_formula(model: Model) -> str:
    """Ready / Gaps / Blocked from the unrounded score at the thresholds its rounding would reach."""
    score = model.computed_field("score").hubspot_name
    tiers = tree.rules_for(model).tier.tiers
    ready, gaps = number(rounded_floor(tiers.ready)), number(rounded_floor(tiers.gaps))
    tiers = ladder(
        [(f"{score} >= {ready}", literal("Ready")), (f"{score} >= {gaps}", literal("Gaps"))],
        literal("Blocked"),
    )
    return f"if is_present({score}) then ({tiers}) endif"  # blank without a score
