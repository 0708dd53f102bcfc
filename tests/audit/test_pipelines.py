"""The engine with several pipelines: a deal's stage reads through its pipeline, gates limited to
pipelines apply only to their deals, and segments naming pipelines match on the deal's pipeline."""

from __future__ import annotations

import csv
import io
import json

import pytest
from helpers import ROOT

from handrail.generators.data.reader import DealReader
from handrail.generators.rules.gates import applicable_gates, gate_failures
from handrail.generators.rules.scoring import Deal, score_deal
from handrail.specs.validate import load_spec

SPEC = ROOT / "tests" / "specs" / "pipelines.yaml"
EXPORT = """Deal ID,Deal Name,Stage,Pipeline,Close Date,Amount,Contract Terms,Business Goals
1,Renewal A,Closed Won,Renewal,2026-01-10,50000,,Grow
2,New A,Closed Won,New_Business,2026-01-10,50000,,Grow
3,Renewal B,Renewal Negotiation,renewals,2026-01-10,150000,,Grow
4,No pipeline,Negotiation/Review,,2026-01-10,150000,,Grow
"""


@pytest.fixture(scope="module")
def model():
    return load_spec(SPEC).model


@pytest.fixture(scope="module")
def deals(model):
    reader = DealReader(model)
    rows = list(csv.DictReader(io.StringIO(EXPORT)))
    reader.bind(list(rows[0]))
    return {row["Deal Name"]: reader.deal(row, f"row {row['Deal ID']}") for row in rows}


def test_a_deal_stage_and_pipeline_read_through_its_pipeline(deals):
    assert (deals["Renewal A"].pipeline, deals["Renewal A"].stage) == ("renewals", "closed_won")
    assert (deals["Renewal B"].pipeline, deals["Renewal B"].stage) == ("renewals", "negotiation")
    assert (deals["New A"].pipeline, deals["New A"].stage) == ("new_business", "closed_won")
    assert (deals["No pipeline"].pipeline, deals["No pipeline"].stage) == ("new_business", "negotiation")


def test_segments_naming_pipelines_match_on_the_deals_pipeline(model, deals):
    assert score_deal(model, deals["Renewal A"]).segment == "mid_market_renewal"
    assert score_deal(model, deals["New A"]).segment == "mid_market_rapid_close"  # no cycle: 0 days


def test_a_renewal_is_gated_by_the_renewal_gate_and_not_the_new_business_gate(model, deals):
    renewal, new = deals["Renewal A"], deals["New A"]
    failing = [f.gate.key for f in gate_failures(model, renewal, score_deal(model, renewal))]
    assert "renewal_terms" in failing and "closed_won_not_blocked" not in failing
    failing = [f.gate.key for f in gate_failures(model, new, score_deal(model, new))]
    assert "closed_won_not_blocked" in failing and "renewal_terms" not in failing


def test_applicable_gates_take_the_pipeline(model):
    keys = lambda pipeline: [g.key for g in applicable_gates(model, "closed_won", None, pipeline)]  # noqa: E731
    assert "renewal_terms" in keys("renewals") and "closed_won_not_blocked" not in keys("renewals")
    assert "renewal_terms" not in keys(None) and "closed_won_not_blocked" in keys(None)


def test_audit_of_a_file_reads_pipelines(tmp_path, run_cli):
    deals = tmp_path / "deals.csv"
    deals.write_text(EXPORT)
    code, out, err = run_cli(
        "audit", "--from", str(deals), "--spec", str(SPEC), "--format", "json", "--as-of", "2026-02-01"
    )
    assert code == 0, err
    report = json.loads(out)
    assert report["deals_read"] == 4
    examples = {e["name"]: e for e in report["closed_won"]["gate_violations"]["examples"]}
    assert [g["gate"] for g in examples["Renewal A"]["gates"]] == ["renewal_terms"]
    assert examples["Renewal A"]["segment"] == "mid_market_renewal"
    assert "renewal_terms" not in [g["gate"] for g in examples["New A"]["gates"]]


def test_a_deal_without_a_pipeline_is_in_the_default_pipeline(model):
    deal = Deal("9", {}, stage="closed_won", acv=50_000, sales_cycle_days=90)
    assert score_deal(model, deal).segment == "mid_market"
    renewal = Deal("9", {}, stage="closed_won", acv=50_000, sales_cycle_days=90, pipeline="renewals")
    assert score_deal(model, renewal).segment == "mid_market_renewal"


def test_sql_is_refused_with_a_pointer_to_score_and_audit(run_cli):
    code, out, err = run_cli("sql", "--spec", str(SPEC))
    assert code == 2 and "handrail audit" in err and "internal error" not in err


def test_score_of_a_file_reads_pipelines(tmp_path, run_cli):
    deals = tmp_path / "deals.csv"
    deals.write_text(EXPORT)
    code, out, err = run_cli("score", str(deals), "--spec", str(SPEC), "--format", "csv")
    assert code == 0, err
    rows = {r["Deal Name"] if "Deal Name" in r else r["name"]: r for r in csv.DictReader(io.StringIO(out))}
    segments = {name: next(v for k, v in r.items() if k.lower() == "segment") for name, r in rows.items()}
    assert segments["Renewal A"] == "mid_market_renewal" and segments["Renewal B"] == "enterprise_renewal"
