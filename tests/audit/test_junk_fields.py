"""The monthly pack's junk fields: a field "always filled with junk" is listed with why and a redesign that
fits its type and what reps actually typed (free text with a few common answers: a picklist of them; varied
junk text: a minimum length; a picklist: drop its generic options; rarely filled and required nowhere:
remove it), and the DuckDB engine counts the typed answers exactly as the Python engine does."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date

from audit.dealgen import SPECIFIC, deal, utc, write_csv

from handrail.generators.audit.engine import AuditOptions, run_audit
from handrail.generators.audit.redesign import DISTINCT_CAP, ValueCounts, junk_fields
from handrail.generators.audit.render import csv_rows, write_table

NOW = utc(2026, 4, 30, 23, 59)
PLAIN = {k: v for k, v in SPECIFIC.items() if k not in ("success_criteria", "risk_flags")}


def junk_deals() -> list:
    """24 Mid-Market deals: success criteria half "TBD", half two answers typed alike (case and spaces
    aside); risk flags a different short note on each; communication preferences mostly "Other"."""
    answers = ["Invoices auto-matched 95% in 60 days"] * 6 + ["  invoices AUTO-matched 95% in 60 days "] * 2
    answers += ["Month-end close in 4 days by Q3 2026"] * 4 + ["TBD"] * 12
    deals = []
    for n, answer in enumerate(answers):
        values = PLAIN | {
            "success_criteria": answer,
            "risk_flags": f"risk {n}",  # shorter than 20: generic, and no two alike
            "communication_prefs": "Other" if n % 4 else "Weekly call",
        }
        deals.append(deal(f"J{n}", values=values, close=date(2026, 1 + n % 3, 10)))
    return deals


def by_field(report: dict) -> dict:
    return {j["field"]: j for j in report["closed_won"]["junk_fields"]}


def test_free_text_with_common_answers_becomes_a_picklist_of_them(example_model):
    junk = by_field(run_audit(example_model, junk_deals(), AuditOptions(now=NOW)))
    criteria = junk["success_criteria"]
    assert criteria["why"] == ["generic", "low_fill"] and criteria["generic_rate"] == 50.0
    assert criteria["suggestion"] == "picklist"
    assert criteria["common_specific"] == [
        {"value": "invoices auto-matched 95% in 60 days", "deals": 8},
        {"value": "month-end close in 4 days by q3 2026", "deals": 4},
    ]
    assert criteria["common_generic"] == [{"value": "tbd", "deals": 12}]
    assert criteria["redesign"] == (
        "Replace the free text with a picklist of the answers reps give: 'invoices auto-matched 95% in 60 "
        "days' (8), 'month-end close in 4 days by q3 2026' (4) (100% of the specific answers), plus a "
        "generic option for the rest. Most common junk: 'tbd' (12)."
    )


def test_varied_junk_text_gets_a_minimum_length_and_a_picklist_loses_its_generic_option(example_model):
    junk = by_field(run_audit(example_model, junk_deals(), AuditOptions(now=NOW)))
    risks = junk["risk_flags"]
    assert risks["generic_rate"] == 100.0 and risks["distinct_values"] == 24
    assert risks["suggestion"] == "min_length"
    assert risks["redesign"].startswith("Require at least 30 characters (today 20)")
    prefs = junk["communication_prefs"]
    assert prefs["suggestion"] == "drop_generic_options" and prefs["generic_rate"] == 75.0
    assert prefs["redesign"].startswith(
        "Reps pick the generic option 'Other' (chosen in 75% of filled deals)"
    )
    assert "business_goals" not in junk  # specific in every deal


def test_a_rarely_filled_field_no_segment_requires_is_removed(example_model):
    deals = [deal(f"R{n}", complete=("business_goals",), close=date(2026, 1, 5)) for n in range(3)]
    deals[0].values["communication_prefs"] = "Weekly call"
    junk = by_field(run_audit(example_model, deals, AuditOptions(now=NOW)))
    assert junk["communication_prefs"]["why"] == ["rarely_filled"]
    assert junk["communication_prefs"]["suggestion"] == "remove"
    assert junk["communication_prefs"]["redesign"].startswith("Filled in only 33.3% of deals")
    # a required field left empty as often is not removed: its gate is to be enforced
    assert junk["success_criteria"]["suggestion"] == "require"
    assert junk["success_criteria"]["redesign"] == (
        "Left empty in 100% of deals although a segment requires it: enforce it with a gate at the stage "
        "where the rep knows the answer."
    )


def test_answers_past_the_cap_are_too_varied_to_list(example_model):
    values = ValueCounts(example_model)
    for n in range(DISTINCT_CAP + 1):
        values.add("risk_flags", f"note {n}")
    assert values.counts["risk_flags"] is None
    values.add("risk_flags", "note 1")  # stays dropped: constant memory
    assert values.counts["risk_flags"] is None
    row = {"field": "risk_flags", "flagged": True, "completion_rate": 90.0, "generic_rate": 80.0}
    row |= {"deals": 10, "filled": 9, "generic": 7}
    alert = {"by_field": []}
    (junk,) = junk_fields(example_model, [row], alert, values)
    assert junk["distinct_values"] is None and junk["common_specific"] == junk["common_generic"] == []


def test_table_and_csv_carry_the_redesign(example_model):
    import io

    report = run_audit(example_model, junk_deals(), AuditOptions(now=NOW))
    out = io.StringIO()
    write_table(report, out)
    assert "Junk fields and how to redesign them\nSuccess Criteria (usually generic, " in out.getvalue()
    rows = {(s, g, m): v for s, g, m, v in csv_rows(report)}
    assert rows["junk_field", "success_criteria", "suggestion"] == "picklist"
    assert rows["junk_field", "risk_flags", "distinct_values"] == 24


def test_duckdb_counts_typed_answers_as_the_python_engine(run_cli, tmp_path, example_model, example_spec):
    export = tmp_path / "deals.csv"
    deals = junk_deals()
    for n, d in enumerate(deals):
        d.extra["closed_won_at"] = utc(2026, 1 + n % 3, 10, 9)
    write_csv(export, example_model, deals)
    args = ["audit", "--from", str(export), "--spec", str(example_spec), "--format", "json"]
    args += ["--as-of", "2026-04-30"]
    code, on_duckdb, err = run_cli(*args)
    assert code == 0, err
    assert run_cli(*args, "--engine", "python")[1] == on_duckdb
    junk = by_field(json.loads(on_duckdb))
    assert junk["success_criteria"]["suggestion"] == "picklist"
    assert junk["success_criteria"]["common_specific"][0] == {
        "value": "invoices auto-matched 95% in 60 days",
        "deals": 8,
    }


def test_junk_by_owner_names_each_ae_s_junkiest_field(example_model):
    # ae2 typed every "TBD" in success criteria; risk flags are junk from both (a tie goes to spec order)
    deals = [replace(d, owner="ae1" if n < 12 else "ae2") for n, d in enumerate(junk_deals())]
    report = run_audit(example_model, deals, AuditOptions(now=NOW))
    first, second = report["closed_won"]["junk_by_owner"]
    assert first["owner"] == "ae2" and second["owner"] == "ae1"
    assert first["worst_field"] == {
        "field": "success_criteria",
        "label": "Success Criteria",
        "generic": 12,
        "generic_rate": 100.0,
    }
    assert first["generic"] > second["generic"] and first["generic_rate"] > second["generic_rate"]
    rows = {(s, g, m): v for s, g, m, v in csv_rows(report)}
    assert rows["junk_owner", "ae2", "generic"] == first["generic"]


def test_the_trend_shows_the_share_of_specific_answers_month_by_month(example_model):
    """January: every asked-for value specific; February: half the fields "TBD"."""
    half = ("business_goals", "stakeholder_map", "success_criteria", "products_scope")
    rest = tuple(k for k in SPECIFIC if k not in half)
    deals = [
        deal("T1", complete=tuple(SPECIFIC), close=date(2026, 1, 5)),
        deal("T2", complete=rest, generic=half, close=date(2026, 2, 5)),
    ]
    report = run_audit(example_model, deals, AuditOptions(now=NOW))
    asked = len(report["closed_won"]["fields"])
    january, february = report["closed_won"]["trend"]
    assert january["specific_rate"] == 100.0
    assert february["specific_rate"] == round((asked - len(half)) / asked * 100, 1)
    rows = {(s, g, m): v for s, g, m, v in csv_rows(report)}
    assert rows["month", "2026-02", "specific_rate"] == february["specific_rate"]
