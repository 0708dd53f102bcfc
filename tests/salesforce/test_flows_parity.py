"""The generated before-save flow scores exactly like the Python scoring engine.

The flow XML is run by a small Salesforce formula interpreter (salesforce/flow_interpreter.py) on
seeded random deals, for the example spec and for random specs that use every field type, quality
rule, segment rule and tier setting; segment, score, completeness, tier and missing summary must match.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from decimal import Decimal

import pytest
from helpers import EXAMPLE_SPEC
from salesforce.flow_cases import (
    TODAY,
    TYPES,
    compile_flow,
    engine_result,
    flow_result,
    normalized,
    random_deal,
    random_model,
)

from handrail.generators.rules.scoring import Deal
from handrail.specs.model import Automation
from handrail.specs.validate import load_spec

# --- tests --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def example():
    return load_spec(EXAMPLE_SPEC).model


def test_the_worked_example_scores_73_5(example):
    flow = compile_flow(example)
    values = {
        "business_goals": "Cut onboarding from 30 to 10 days for 40 regional teams by the end of June.",
        "stakeholder_map": "Dana Lee (CFO, economic buyer); Sam Ortiz (RevOps, champion); Kim Wu (IT lead).",
        "success_criteria": "TBD",
        "products_scope": "Enterprise plan, SSO add-on, Salesforce integration",
        "contract_terms": "3 years, renews 2029-06-30, annual billing",
        "key_conversations": "Discount traded for a case study; SSO promised by go-live.",
    }
    record = {example.field(k).salesforce_name: v for k, v in values.items()}
    record.update(
        {
            "Amount": Decimal("50000"),
            "CloseDate": TODAY + dt.timedelta(days=60),
            "CreatedDate": dt.datetime(2026, 3, 4, 9, tzinfo=dt.timezone.utc),
            "Type": "New Customer",
            example.field("partner_sourced").salesforce_name: False,
        }
    )
    result = flow_result(flow, record, example)
    assert result["segment"] == "mid_market"
    assert result["score"] == Decimal("73.5")
    assert result["tier"] == "Gaps"
    assert result["completeness"] == Decimal("100.0")
    assert result["missing_summary"] == (
        "Success Criteria (generic); Risk Flags (missing); Communication Preferences (missing)"
    )
    deal = Deal(id="acme", values=values, acv=50000, sales_cycle_days=60)
    assert normalized(engine_result(example, deal)) == normalized(result)


def test_the_example_spec_agrees_with_the_engine_on_1000_deals(example):
    flow = compile_flow(example)
    rng = random.Random(20260304)
    segments, tiers = set(), set()
    for n in range(1000):
        deal, record = random_deal(rng, example, n)
        expected, actual = engine_result(example, deal), flow_result(flow, record, example)
        assert normalized(actual) == normalized(expected), (n, deal)
        segments.add(expected["segment"])
        tiers.add(expected["tier"])
    assert segments == {s.key for s in example.segments}
    assert tiers == {"Ready", "Gaps", "Blocked"}


@pytest.mark.parametrize("seed", range(12))
def test_random_specs_agree_with_the_engine(seed, example):
    model = random_model(seed, example)
    flow = compile_flow(model)
    rng = random.Random(seed)
    seen = set()
    for n in range(60):
        deal, record = random_deal(rng, model, n)
        expected, actual = engine_result(model, deal), flow_result(flow, record, model)
        assert normalized(actual) == normalized(expected), (seed, n, deal)
        seen.add(expected["segment"])
    assert len(seen) >= min(2, len(model.segments))


def test_every_field_type_and_quality_rule_is_exercised(example):
    """The random specs above really cover what they claim to."""
    types, fillers, contains, lengths, all_generic = set(), 0, 0, 0, 0
    for seed in range(12):
        model = random_model(seed, example)
        scored = {k for s in model.segments for k in (*s.scored_fields, *s.required_fields)}
        for f in model.fields:
            if f.key in scored:
                types.add(f.type)
                fillers += bool(f.quality.filler_phrases)
                contains += bool(f.quality.generic_if_contains)
                lengths += bool(f.quality.min_length)
                all_generic += bool(f.options) and all(o.generic for o in f.options)
    assert types == set(TYPES)
    assert min(fillers, contains, lengths, all_generic) > 0


def test_a_deal_no_segment_matches_gets_what_the_engine_gives(example):
    # only Expansion
    gap = dataclasses.replace(example, segments=example.segments[:1], automation=Automation())
    flow = compile_flow(gap)
    deal, record = random_deal(random.Random(1), gap, 0)
    record["Type"] = None
    deal = dataclasses.replace(deal, deal_type="new_business")
    assert normalized(flow_result(flow, record, gap)) == normalized(engine_result(gap, deal))
    assert flow_result(flow, record, gap)["segment"] is None


def test_the_engine_rounds_half_up_at_every_boundary():
    """Where float and decimal arithmetic could part: exact x.x5 scores, for every total weight up to 150."""
    from handrail.generators.rules.scoring import percent

    for total in range(1, 151):
        for halves in range(2 * total + 1):
            exact = Decimal(halves) * 100 / (2 * total)
            flow_value = exact.quantize(Decimal("0.1"), rounding="ROUND_HALF_UP")
            assert Decimal(repr(percent(halves / 2, total))) == flow_value, (halves / 2, total)


def test_the_engine_rounds_exact_halves_up_with_a_total_weight_of_40():
    from handrail.generators.rules.scoring import percent

    assert percent(11.5, 40) == 28.8  # binary floating point would give 28.7499... and round down
    assert percent(12.5, 17) == 73.5
