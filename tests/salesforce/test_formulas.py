"""Formula text: literals, the 3,900-character limit (split where possible, a located error where not)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from decimal import Decimal

import pytest
from helpers import EXAMPLE_SPEC, SPEC_WITH_A_HUGE_PHRASE, write_spec
from salesforce.flow_cases import engine_result, flow_result, normalized, random_deal
from salesforce.flow_interpreter import Evaluator, Flow, Run, parse

from handrail.generators.rules.scoring import Deal
from handrail.specs.diagnostics import SpecError
from handrail.specs.model import Field, Option, Quality
from handrail.specs.validate import load_spec
from handrail.targets.salesforce import flows
from handrail.targets.salesforce import formulas as fx
from handrail.targets.salesforce.limits import FORMULA_MAX
from handrail.targets.salesforce.score_flow import score_flow
from handrail.targets.salesforce.xml import metadata_xml


@pytest.fixture(scope="module")
def example():
    return load_spec(EXAMPLE_SPEC).model


@pytest.mark.parametrize(
    "value, text",
    [(25000.0, "25000"), (0.5, "0.5"), (1e6, "1000000"), (99999.99, "99999.99"), (59.5, "59.5"), (0, "0")],
)
def test_number_literals_are_plain_decimals(value, text):
    assert fx.number_literal(value) == text


@pytest.mark.parametrize("text", ['He said "TBD"', "back\\slash", "it's", "a & b < c", "ünï"])
def test_text_literals_read_back_as_the_same_text(text):
    assert Evaluator(None).evaluate(fx.text_literal(text)) == text


def formulas_of(model) -> dict[str, str]:
    pairs, problems = score_flow(model, "Active", "63.0")
    assert problems == []
    return {
        name: expression
        for name, (_, expression, _) in Flow.parse(metadata_xml("Flow", pairs)).formulas.items()
    }


def wide(example, count: int, **field_changes):
    """The example spec with `count` weighted long text fields scored by every segment."""
    extra = tuple(
        Field(
            key=f"note_{i}",
            label=f"Note {i}",
            type="long_text",
            section="other",
            weight=1 + i % 3,
            help="",
            description="",
            quality=example.field("risk_flags").quality,
            salesforce_name=f"Handoff_Note_{i}__c",
            **field_changes,
        )
        for i in range(count)
    )
    fields = example.fields + extra
    keys = tuple(f.key for f in extra)
    segments = tuple(
        dataclasses.replace(
            s, scored_fields=s.scored_fields + keys, required_fields=s.required_fields + keys[: count // 2]
        )
        for s in example.segments
    )
    return dataclasses.replace(example, fields=fields, segments=segments)


def test_a_500_field_spec_splits_its_sums_into_parts_that_fit(example):
    model = wide(example, 500)
    found = formulas_of(model)
    assert max(len(e) for e in found.values()) <= FORMULA_MAX
    assert any(name.startswith("Score_Mid_Market_Part") for name in found)
    assert any(name.startswith("Missing_Summary_Mid_Market_Part") for name in found)
    assert any(name.startswith("Completeness_Mid_Market_Part") for name in found)
    for name, expression in found.items():
        parse(expression)  # every one reads as a formula


def test_a_500_field_spec_still_scores_like_the_engine(example):
    model = wide(example, 500)
    flow = Flow.parse(metadata_xml("Flow", score_flow(model, "Active", "63.0")[0]))
    rng = random.Random(500)
    for n in range(15):
        deal, record = random_deal(rng, model, n)
        assert normalized(flow_result(flow, record, model)) == normalized(engine_result(model, deal)), n


def test_a_long_filler_list_becomes_several_case_terms(example):
    fillers = tuple(f"filler phrase number {i}" for i in range(400))
    goals = dataclasses.replace(
        example.field("business_goals"), quality=Quality(min_length=40, filler_phrases=fillers)
    )
    model = dataclasses.replace(
        example, fields=tuple(goals if f.key == "business_goals" else f for f in example.fields)
    )
    found = formulas_of(model)
    assert max(len(e) for e in found.values()) <= FORMULA_MAX
    assert "Completion_Business_Goals_Part1" in found
    flow = Flow.parse(metadata_xml("Flow", score_flow(model, "Active", "63.0")[0]))
    for text, completion in (
        ("  Filler Phrase Number 399 ", "0.5"),
        ("filler phrase number 0", "0.5"),
        ("Cut onboarding from 30 to 10 days for 40 teams by June.", "1"),
        ("", "0"),
    ):
        run = Run(flow, {goals.salesforce_name: text or None})
        assert run.formula("Completion_Business_Goals") == Decimal(completion), text


def test_a_multi_select_with_many_options_gets_a_helper_formula(example):
    options = tuple(Option(f"Integration {i}", f"Integration {i}") for i in range(150)) + (
        Option("None", "None", generic=True),
    )
    field = Field(
        key="integrations",
        label="Integrations",
        type="multi_select",
        section="other",
        weight=2,
        help="",
        description="",
        quality=Quality(),
        options=options,
        salesforce_name="Handoff_Integrations__c",
    )
    model = dataclasses.replace(
        example,
        fields=example.fields + (field,),
        segments=tuple(
            dataclasses.replace(s, scored_fields=s.scored_fields + ("integrations",))
            for s in example.segments
        ),
    )
    found = formulas_of(model)
    assert max(len(e) for e in found.values()) <= FORMULA_MAX
    assert found["Completion_Integrations"].count("INCLUDES") == 0
    flow = Flow.parse(metadata_xml("Flow", score_flow(model, "Active", "63.0")[0]))
    for value, completion in (
        ("None", "0.5"),
        ("None;Integration 149", "1"),
        ("Integration 3", "1"),
        (None, "0"),
    ):
        assert Run(flow, {field.salesforce_name: value}).formula("Completion_Integrations") == Decimal(
            completion
        )


def test_a_formula_that_cannot_be_split_is_an_error_at_its_field(tmp_path):
    path = write_spec(tmp_path, SPEC_WITH_A_HUGE_PHRASE.format(phrase="x" * 4000))
    model = load_spec(path).model
    with pytest.raises(SpecError) as caught:
        flows.components(model, {})
    [problem] = caught.value.diagnostics
    assert problem.span.file == str(path) and problem.span.line == 6  # the goals field
    assert problem.path == "fields[0]"
    assert "Completion_Goals" in problem.message and "3900" in problem.message


def test_the_cli_reports_it_with_its_location(tmp_path, run_cli):
    path = write_spec(tmp_path, SPEC_WITH_A_HUGE_PHRASE.format(phrase="x" * 4000))
    code, out, err = run_cli(
        "build", "--spec", str(path), "--target", "salesforce", "--out", str(tmp_path / "out")
    )
    assert code == 3
    assert f"{path}:6:5: fields[0]: the flow formula Completion_Goals is" in err


def test_the_sales_cycle_counts_from_today_while_a_deal_is_created(example):
    flow = Flow.parse(metadata_xml("Flow", score_flow(example, "Active", "63.0")[0]))
    today = dt.date(2026, 3, 4)
    inserting = {"CloseDate": today + dt.timedelta(days=20), "CreatedDate": None}
    updating = {
        "CloseDate": today + dt.timedelta(days=20),
        "CreatedDate": dt.datetime(2026, 2, 1, 23, 30, tzinfo=dt.timezone(dt.timedelta(hours=-5))),
    }
    assert Run(flow, inserting, today=today).formula(fx.CYCLE_DAYS) == 20
    assert Run(flow, updating, today=today).formula(fx.CYCLE_DAYS) == 20 + 30  # 2 Feb in GMT
    assert Run(flow, {"CloseDate": None, "CreatedDate": None}).formula(fx.CYCLE_DAYS) == 0
    deal = Deal(id="d", values={}, acv=50000, sales_cycle_days=20)
    record = {"Amount": Decimal(50000), "Type": None, **inserting}
    assert (
        normalized(flow_result(flow, record, example))["segment"] == engine_result(example, deal)["segment"]
    )
