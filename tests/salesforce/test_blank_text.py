"""Gates and score judge a blank text alike, the way Salesforce's TRIM does.

Salesforce's TRIM "removes the spaces and tabs from the beginning and end of a text string" (Salesforce
Help, Formula Operators and Functions, TRIM): a text of spaces or tabs is blank, a text of line breaks is
not. The score flow measures LEN(TRIM(v)); the gate validation rules must call the same texts blank
(ISBLANK alone would let a text of spaces through a gate that the score then counts as missing), and
the scoring engine must trim exactly as TRIM does.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from helpers import ROOT
from salesforce.flow_cases import TODAY, compile_flow, engine_result, flow_result, normalized
from salesforce.flow_interpreter import salesforce_trim
from salesforce.test_validation_rules import rules_by_gate
from salesforce.validation_formula import Record, evaluate

from handrail.generators.rules.scoring import (
    GENERIC,
    MISSING,
    Deal,
    evaluate_field,
    is_populated,
    score_deal,
    trim,
)
from handrail.specs.validate import load_spec

GATES = ROOT / "tests" / "specs" / "every_gate_form.yaml"
BLANK = [None, "", " ", "   ", "\t", " \t \t "]
PRESENT = ["\n", "\r\n", " \n ", "\nScope\n", "Scope"]


@pytest.fixture(scope="module")
def model():
    return load_spec(GATES).model


def test_trim_removes_spaces_and_tabs_only():
    assert trim(" \t Scope \t ") == "Scope"
    assert trim("\nScope\n") == "\nScope\n"
    assert trim(" \n ") == "\n"


@pytest.mark.parametrize("value", BLANK + PRESENT, ids=repr)
def test_the_engine_calls_blank_what_trim_empties(model, value):
    f = model.field("products_scope")
    assert is_populated(f, value) == (value in PRESENT)
    assert (evaluate_field(f, value).state == MISSING) == (value in BLANK)


def test_line_breaks_count_towards_the_minimum_length(model):
    """Both ends' line breaks stay, as LEN(TRIM(v)) counts them."""
    f = next(
        f
        for f in load_spec(ROOT / "tests" / "specs" / "every_field_type.yaml").model.fields
        if f.key == "short_note"
    )  # min_length 5
    assert evaluate_field(f, "\nabc\n").state != GENERIC  # 5 characters after TRIM
    assert evaluate_field(f, "  abc  ").state == GENERIC  # 3 characters after TRIM


@pytest.mark.parametrize("value", BLANK + PRESENT, ids=repr)
def test_the_flow_formulas_trim_like_salesforce(value):
    assert salesforce_trim(value or "") == ("" if value in BLANK else trim(value))


@pytest.mark.parametrize("value", BLANK + PRESENT, ids=repr)
def test_score_flow_gate_and_engine_agree_on_a_text(model, value):
    """One deal, one text: the flow's summary, the engine and the gate's validation rule agree on blank."""
    f = model.field("products_scope")
    deal = Deal(id="d", values={f.key: value, "kickoff_date": "2026-04-01"}, acv=50_000, sales_cycle_days=30)
    record = {
        "Amount": Decimal("50000"),
        "Type": None,
        "CloseDate": TODAY + dt.timedelta(days=30),
        "CreatedDate": None,
        "StageName": "Prospecting",
    }
    record.update({g.salesforce_name: (False if g.type == "checkbox" else None) for g in model.fields})
    record[f.salesforce_name] = value
    record[model.field("kickoff_date").salesforce_name] = TODAY
    flow = flow_result(compile_flow(model), record, model)
    assert normalized(flow) == normalized(engine_result(model, deal))
    missing_in_flow = f"{f.label} (missing)" in (flow["missing_summary"] or "")
    assert missing_in_flow == (value in BLANK)

    result = score_deal(model, deal)
    rule = rules_by_gate(model)["fields_only"]["errorConditionFormula"]
    values = {g.salesforce_name: record[g.salesforce_name] for g in model.fields}
    values.update(
        {
            "StageName": model.stage("verbal").salesforce,
            model.computed_field("segment").salesforce_name: result.segment,
            model.computed_field("score").salesforce_name: result.score,
        }
    )
    prior = {**values, "StageName": model.stage("discover").salesforce}
    assert evaluate(rule, Record(values, prior)) == (value in BLANK) == missing_in_flow
