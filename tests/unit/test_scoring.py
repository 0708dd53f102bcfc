"""The scoring engine against DOMAIN.md: the worked example, tier edges, completeness, segments, generic
rules."""

from __future__ import annotations

import dataclasses

import pytest
from helpers import MINIMAL_SPEC

from handrail.generators.rules.scoring import (
    Deal,
    evaluate_field,
    resolve_segment,
    round_half_up,
    score_deal,
    summary,
    tier_for,
)
from handrail.specs.model import Tiers

SPECIFIC = {
    "business_goals": "Cut month-end close from 10 to 4 days by Q3 across all finance entities.",
    "stakeholder_map": "Dana Ruiz (CFO, economic buyer); Lee Park (Controller, champion); Sam Okafor (IT, "
    "technical)",
    "success_criteria": "Close in 4 days by September; 95% auto-matched.",
    "risk_flags": "Security review pending with their CISO.",
    "products_scope": "Enterprise tier, AP automation, NetSuite integration.",
    "key_conversations": "60-day pilot credit; SSO promised by kickoff.",
    "contract_terms": "3 years, renews 2029-06-30",
    "communication_prefs": "Weekly call",
}


def mid_market(values: dict, **attrs) -> Deal:
    return Deal(
        id="d1", values=values, acv=attrs.pop("acv", 60000), sales_cycle_days=attrs.pop("cycle", 45), **attrs
    )


def test_rubric_has_eight_weighted_fields_totalling_17(example_model):
    weighted = example_model.weighted_fields
    assert len(weighted) == 8
    assert sum(f.weight for f in weighted) == 17


def test_worked_example_scores_73_5(example_model):
    values = dict(SPECIFIC, success_criteria="TBD", risk_flags="", communication_prefs=None)
    result = score_deal(example_model, mid_market(values))
    assert result.segment == "mid_market"
    assert result.earned == 12.5 and result.possible == 17
    assert result.score == 73.5
    assert result.tier == "gaps"
    assert result.generic == ("success_criteria",)
    assert result.missing == ("risk_flags", "communication_prefs")
    assert summary(example_model, result) == (
        "Success Criteria (generic); Risk Flags (missing); Communication Preferences (missing)"
    )


def test_everything_specific_scores_100_ready(example_model):
    result = score_deal(example_model, mid_market(dict(SPECIFIC)))
    assert (result.score, result.tier, result.completeness) == (100.0, "ready", 100.0)
    assert summary(example_model, result) == ""


@pytest.mark.parametrize(
    "score,tier",
    [
        (59.9, "blocked"),
        (60, "gaps"),
        (84.9, "gaps"),
        (85, "ready"),
        (0, "blocked"),
        (100, "ready"),
        (None, None),
    ],
)
def test_tier_edges(score, tier):
    assert tier_for(score, Tiers(ready=85, gaps=60)) == tier


def test_tiers_follow_the_spec_thresholds():
    assert tier_for(70, Tiers(ready=70, gaps=50)) == "ready"
    assert tier_for(49.9, Tiers(ready=70, gaps=50)) == "blocked"


def test_completeness_14_of_16_is_87_5(example_model):
    """DOMAIN.md: sixteen required fields, two of them empty (one None, one blank) -> 87.5%."""
    model = _model_with_required(example_model, 16)
    seg = model.segment("mid_market")
    values = {k: "A specific, detailed and long enough answer." for k in seg.required_fields}
    values[seg.required_fields[0]] = None
    values[seg.required_fields[1]] = "   "
    result = score_deal(model, mid_market(values), seg)
    assert result.completeness == 87.5
    assert result.missing_required == seg.required_fields[:2]


def _model_with_required(model, n: int):
    from handrail.specs.model import Field, Quality

    extra = tuple(
        Field(
            key=f"extra_{i}",
            label=f"Extra {i}",
            type="short_text",
            section="other",
            weight=None,
            help="",
            description="",
            quality=Quality(),
        )
        for i in range(n)
    )
    seg = dataclasses.replace(model.segment("mid_market"), required_fields=tuple(f.key for f in extra))
    segments = tuple(seg if s.key == "mid_market" else s for s in model.segments)
    return dataclasses.replace(model, fields=model.fields + extra, segments=segments)


def test_completeness_is_100_when_nothing_is_required(example_model):
    seg = dataclasses.replace(example_model.segment("smb"), required_fields=())
    assert score_deal(example_model, mid_market({}), seg).completeness == 100.0


@pytest.mark.parametrize(
    "acv,deal_type,partner,cycle,segment",
    [
        (10000, "new_business", False, 30, "smb"),
        (24999.99, "new_business", False, 30, "smb"),
        (25000, "new_business", False, 30, "mid_market"),
        (99999, "new_business", False, 30, "mid_market"),
        (100000, "new_business", False, 30, "enterprise"),
        (500000, "expansion", True, 5, "enterprise_expansion"),  # expansion outranks the other motions
        (150000, "renewal", False, 30, "enterprise_renewal"),
        (50000, "new_business", True, 5, "mid_market_channel"),  # partner outranks rapid close
        (50000, "new_business", False, 13, "mid_market_rapid_close"),
        (50000, "new_business", False, 14, "mid_market"),  # lt: 14 is exclusive
        (150000, "new_business", False, 5, "enterprise_rapid_close"),  # a rapid close of any size
        (None, "new_business", False, None, "smb_rapid_close"),  # missing numbers count as 0
    ],
)
def test_segment_resolution_is_ordered_first_match(example_model, acv, deal_type, partner, cycle, segment):
    deal = Deal(
        id="x", values={"partner_sourced": partner}, acv=acv, deal_type=deal_type, sales_cycle_days=cycle
    )
    assert resolve_segment(example_model, deal).key == segment


def test_rapid_close_scores_the_five_fields_the_playbook_names(example_model):
    seg = example_model.segment("smb_rapid_close")
    assert seg.scored_fields == (
        "business_goals",
        "stakeholder_map",
        "risk_flags",
        "products_scope",
        "key_conversations",
    )
    values = {k: SPECIFIC[k] for k in seg.scored_fields}
    result = score_deal(example_model, Deal(id="r", values=values, acv=10000, sales_cycle_days=7))
    assert result.segment == "smb_rapid_close" and result.possible == 12 and result.score == 100.0


@pytest.mark.parametrize(
    "value,state,reason",
    [
        (None, "missing", ""),
        ("", "missing", ""),
        ("   ", "missing", ""),
        ("TBD", "generic", "filler phrase 'TBD'"),
        ("  n/a ", "generic", "filler phrase 'n/a'"),
        ("Improve Efficiency", "generic", "filler phrase 'Improve Efficiency'"),
        ("Too short goal.", "generic", "shorter than 40 characters"),
        ("Cut month-end close from 10 to 4 days by Q3 across entities.", "complete", ""),
    ],
)
def test_text_generic_rules(example_model, value, state, reason):
    result = evaluate_field(example_model.field("business_goals"), value)
    assert (result.state, result.reason) == (state, reason)
    assert result.completion == {"missing": 0, "generic": 0.5, "complete": 1}[state]


def test_generic_if_contains(example_model):
    f = dataclasses.replace(
        example_model.field("business_goals"),
        quality=dataclasses.replace(
            example_model.field("business_goals").quality, generic_if_contains=("see notes",)
        ),
    )
    assert evaluate_field(f, "Please SEE NOTES in the opportunity for the full goals list").state == "generic"


def test_picklist_generic_option(example_model):
    f = example_model.field("communication_prefs")
    assert evaluate_field(f, "Other").state == "generic"
    assert evaluate_field(f, "Weekly call").state == "complete"


def test_multi_select_is_generic_only_when_every_choice_is(example_model):
    f = example_model.field("competitors")
    assert evaluate_field(f, "None").state == "generic"
    assert evaluate_field(f, ["None", "Competitor A"]).state == "complete"
    assert evaluate_field(f, "Competitor A;None").state == "complete"
    assert evaluate_field(f, "").state == "missing"
    assert evaluate_field(f, []).state == "missing"


def test_checkbox_counts_only_when_ticked(example_model):
    f = example_model.field("partner_sourced")
    assert evaluate_field(f, True).state == "complete"
    assert evaluate_field(f, False).state == "missing"


def test_number_zero_is_populated(example_model):
    assert evaluate_field(example_model.field("seats"), 0).state == "complete"
    assert evaluate_field(example_model.field("seats"), None).state == "missing"


def test_quality_false_turns_rules_off(tmp_path):
    from handrail.specs.validate import load_spec_text

    text = (
        MINIMAL_SPEC.read_text()
        .replace("    weight: 3\n", "    weight: 3\n    quality: false\n")
        .replace("version: 1\n", "version: 1\nquality_defaults: {min_length: 50, filler_phrases: [tbd]}\n")
    )
    model = load_spec_text(text).model
    assert evaluate_field(model.field("goals"), "tbd").state == "complete"


@pytest.mark.parametrize(
    "x,expected", [(73.529, 73.5), (84.95, 85.0), (59.95, 60.0), (0.05, 0.1), (2.675, 2.7)]
)
def test_rounding_is_half_up(x, expected):
    assert round_half_up(x) == expected


def test_score_uses_rounded_value_for_tier(example_model):
    # 84.96 rounds to 85.0, which is Ready: the tier agrees with the score the rep sees.
    assert tier_for(round_half_up(84.96), example_model.tiers) == "ready"
