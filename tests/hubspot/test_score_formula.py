"""The calculated properties' formulas, run by an interpreter of HubSpot's formula language, against the
scoring engine on hundreds of seeded deals: segment, score, tier, completeness and missing summary.

HubSpot cannot express the minimum-length rule (no string length function), cannot fold case or trim,
and cannot round. Agreement is therefore asserted against the engine with min_length disabled, on
spellings HubSpot can compare, after half-up rounding of HubSpot's value; separate tests pin down
exactly where the full engine differs.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from deal_samples import CREATED, DAY, samples, without_min_length
from formula_language import Evaluator, parse
from helpers import EXAMPLE_SPEC
from hubspot_records import HubSpotDeal

from handrail.generators.rules.scoring import (
    TIER_LABELS,
    Deal,
    evaluate_field,
    round_half_up,
    score_deal,
    summary,
    tier_for,
)
from handrail.specs.validate import load_spec
from handrail.targets.hubspot.properties import properties

EVERY_TYPE = Path(__file__).parent / "specs" / "every_type.yaml"
SHARED_SPECS = Path(__file__).parent.parent / "specs"
# plus the suite's specs of every field type and match
SPECS = {
    "example": EXAMPLE_SPEC,
    "every_type": EVERY_TYPE,
    "every_field_type": SHARED_SPECS / "every_field_type.yaml",
    "every_segment_match": SHARED_SPECS / "every_segment_match.yaml",
    "contact_roles": SHARED_SPECS / "offline" / "contact_roles.yaml",
}
COUNT = 1000


DESIGNED = ("example", "every_type")  # built to reach every segment, tier and field state


@pytest.fixture(scope="module", params=sorted(SPECS))
def named_model(request):
    return request.param, load_spec(SPECS[request.param]).model


@pytest.fixture(scope="module", params=DESIGNED)
def model(request):
    return load_spec(SPECS[request.param]).model


def test_formulas_agree_with_the_engine_on_every_rule_hubspot_can_express(named_model):
    name, model = named_model
    engine_model = without_min_length(model)
    seen = Counter()
    for s in samples(model, COUNT, seed=20240601):
        expected = score_deal(engine_model, s.deal)
        hubspot = HubSpotDeal(model, s.record)
        assert hubspot["segment"] == expected.segment, s
        if expected.score is None:
            assert hubspot["score"] is None and hubspot["tier"] is None
        else:
            assert round_half_up(hubspot["score"]) == expected.score, (s, hubspot["score"])
            assert hubspot["tier"] == TIER_LABELS[expected.tier]
        assert round_half_up(hubspot["completeness"]) == expected.completeness
        assert hubspot["missing_summary"].removesuffix("; ") == summary(engine_model, expected)
        seen.update([("segment", expected.segment), ("tier", expected.tier)])
        seen.update(("state", model.field(r.key).type, r.state) for r in expected.fields)
    if name not in DESIGNED:
        return
    assert all(seen[("segment", seg.key)] >= 5 for seg in model.segments), seen
    assert {k[1] for k in seen if k[0] == "tier"} >= {"ready", "gaps", "blocked"}
    weighted_types = {f.type for f in model.weighted_fields}
    for ftype in weighted_types:
        for state in ("complete", "missing") + (("generic",) if ftype in ("short_text", "long_text") else ()):
            assert seen[("state", ftype, state)], (ftype, state)


def test_the_example_spec_covers_the_every_type_spec_field_types():
    every = load_spec(EVERY_TYPE).model
    assert {f.type for f in every.weighted_fields} == {
        "short_text",
        "long_text",
        "picklist",
        "multi_select",
        "number",
        "currency",
        "percent",
        "date",
        "datetime",
        "checkbox",
        "user",
    }
    assert any(f.generic_values for f in every.fields if f.type == "picklist")
    assert any(f.generic_values for f in every.fields if f.type == "multi_select")
    assert any(f.quality.generic_if_contains for f in every.fields)
    assert any(not s.scored_fields for s in every.segments)


def test_minimum_length_is_the_one_rule_the_score_formula_leaves_out(model):
    """The full engine differs from HubSpot exactly on deals with short, otherwise specific, scored text."""
    differing = predicted = 0
    for s in samples(model, COUNT, seed=7):
        full = score_deal(model, s.deal)
        hubspot = HubSpotDeal(model, s.record)
        segment = model.segment(full.segment)
        short = [
            k
            for k in segment.scored_fields
            if model.field(k).quality.min_length and _short_specific(model, k, s.deal)
        ]
        score = None if hubspot["score"] is None else round_half_up(hubspot["score"])
        assert (score != full.score) == bool(short), (s, short, score, full.score)
        results = {r.key: r for r in full.fields}
        for key in short:
            assert results[key].state == "generic" and results[key].reason.startswith("shorter than")
        differing += score != full.score
        predicted += bool(short)
    assert differing == predicted > 0


def _short_specific(model, key: str, deal: Deal) -> bool:
    f = model.field(key)
    value = deal.values.get(key)
    if not isinstance(value, str) or not value.strip() or len(value.strip()) >= f.quality.min_length:
        return False
    relaxed = without_min_length(model).field(key)
    return evaluate_field(relaxed, value).state == "complete"


@pytest.mark.parametrize(
    "value, engine_state",
    [
        ("sEe NoTeS", "generic"),  # case-sensitive: every spelling only for phrases of up to 4 letters
        ("  tbd  ", "generic"),  # no trimming: one stray space each side is listed, two are not
        ("    ", "missing"),  # runs of up to 3 spaces and tabs are listed as blank, longer ones are not
    ],
)
def test_spellings_hubspot_cannot_catch_earn_full_credit_there(value, engine_state):
    model = load_spec(EXAMPLE_SPEC).model
    criteria = model.field("success_criteria")
    engine_model = without_min_length(model)
    deal = Deal("d", {"success_criteria": value}, acv=50_000.0, sales_cycle_days=60.0)
    assert evaluate_field(engine_model.field("success_criteria"), value).state == engine_state
    hubspot = HubSpotDeal(
        model,
        {
            criteria.hubspot_name: value,
            "amount": "50000.0",
            "createdate": str(CREATED),
            "closedate": str(CREATED + 60 * DAY),
        },
    )
    assert "Success Criteria" not in hubspot["missing_summary"]  # HubSpot: complete
    assert score_deal(engine_model, deal).score < round_half_up(hubspot["score"])


def test_the_domain_worked_example_scores_73_5_and_tier_gaps():
    model = load_spec(EXAMPLE_SPEC).model
    specific = {
        "business_goals": "Cut onboarding time by 40% for 400 agents within 90 days of go-live",
        "stakeholder_map": "Dana Lee (CFO, economic buyer), Sam Roe (VP Ops, champion), Ali Khan (IT lead)",
        "products_scope": "Platform Pro, 400 seats, SSO, Salesforce integration",
        "contract_terms": "3 years, renews 2029-03-01, annual billing",
        "key_conversations": "Committed to a 30-day pilot; 10% discount for a 3-year term",
    }
    record = {model.field(k).hubspot_name: v for k, v in specific.items()}
    record[model.field("success_criteria").hubspot_name] = "TBD"
    record[model.deal.acv_hubspot] = "150000.0"  # amount_in_home_currency
    record.update(createdate=str(CREATED), closedate=str(CREATED + 60 * DAY))  # not a rapid close
    hubspot = HubSpotDeal(model, record)
    assert hubspot["segment"] == "enterprise"
    assert hubspot["score"] == pytest.approx(12.5 / 17 * 100)
    assert round_half_up(hubspot["score"]) == 73.5 and hubspot["tier"] == "Gaps"
    engine = score_deal(
        model, Deal("d", {**specific, "success_criteria": "TBD"}, acv=150_000.0, sales_cycle_days=60)
    )
    assert engine.score == 73.5 and engine.tier == "gaps"


def test_tier_thresholds_are_where_rounding_reaches_them():
    model = load_spec(EXAMPLE_SPEC).model
    tier = next(b for _, b in properties(model) if b["name"] == "handoff_tier")["calculationFormula"]
    types = {"handoff_score": "number"}
    for score, expected in (
        (84.94, "Gaps"),
        (84.95, "Ready"),
        (85.0, "Ready"),
        (59.94, "Blocked"),
        (59.95, "Gaps"),
        (0.0, "Blocked"),
    ):
        assert Evaluator({"handoff_score": repr(score)}, types).eval(parse(tier)) == expected
        assert TIER_LABELS[tier_for(round_half_up(score), model.tiers)] == expected
    assert Evaluator({}, types).eval(parse(tier)) is None


@pytest.mark.parametrize(
    "value, engine_state",
    [
        ("tBd", "generic"),
        ("nOnE", "generic"),
        (" tbd ", "generic"),
        ("See notes ", "generic"),
        ("   ", "missing"),
        ("\t", "missing"),
        (" \t ", "missing"),
    ],
)
def test_listed_spellings_score_as_the_engine_does(value, engine_state):
    """Odd case in short phrases, one stray space, short blank runs: compared against a spelling list."""
    model = load_spec(EXAMPLE_SPEC).model
    criteria = model.field("success_criteria")
    deal = Deal("d", {"success_criteria": value}, acv=50_000.0, sales_cycle_days=60.0)
    assert evaluate_field(criteria, value).state == engine_state
    hubspot = HubSpotDeal(
        model,
        {
            criteria.hubspot_name: value,
            "amount": "50000.0",
            "createdate": str(CREATED),
            "closedate": str(CREATED + 60 * DAY),
        },
    )
    assert f"Success Criteria ({engine_state})" in hubspot["missing_summary"]
    assert round_half_up(hubspot["score"]) == score_deal(model, deal).score


def test_a_value_holding_the_list_delimiter_is_not_matched_across_entries():
    model = load_spec(EXAMPLE_SPEC).model
    criteria = model.field("success_criteria")
    value = "tbd\u00a6TBD"  # "¦tbd¦TBD¦" is a substring of the spelling list
    hubspot = HubSpotDeal(model, {criteria.hubspot_name: value, "amount": "50000.0"})
    assert "Success Criteria (generic)" not in hubspot["missing_summary"]
