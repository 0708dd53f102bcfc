"""The quality alarm: gates force the required fields to be filled, so completion stays at 100% and the
completion alarm stays quiet while the fields hold junk. The average score and each field's specific fill
show it, two months running, overall, per owner and per field (example spec, Mid-Market deals).

Mid-Market requires goals, stakeholders, success criteria (weight 3 each) and products (2) of the rubric's
17: a deal with those four "TBD" and the rest empty scores 5.5 / 17 = 32.4; one with every field specific
scores 100. Each junk month has two such junk deals by ae1 and one complete deal by ae2: average
(32.4 + 32.4 + 100) / 3 = 54.9, under the gaps tier's 60; each field specific in 1 of 3 deals (33.3%).
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest
from audit.dealgen import SPECIFIC, deal, utc, write_csv

from handrail.generators.audit.engine import AuditOptions, run_audit

ALL = tuple(SPECIFIC)
REQUIRED = ("business_goals", "stakeholder_map", "success_criteria", "products_scope")
NOW = utc(2026, 4, 30, 23, 59)
AS_OF = "2026-04-30"


def junk_month(year: int, month: int, tag: str) -> list:
    """Two ae1 deals with the required fields filled with "TBD" and one complete ae2 deal."""
    return [
        deal(f"{tag}1", close=date(year, month, 5), generic=REQUIRED),
        deal(f"{tag}2", close=date(year, month, 12), generic=REQUIRED),
        deal(f"{tag}3", close=date(year, month, 20), owner="ae2", complete=ALL),
    ]


def good_month(year: int, month: int, tag: str) -> list:
    return [deal(f"{tag}{n}", close=date(year, month, 3 + n), complete=ALL) for n in range(3)]


def junk_quarter() -> list:
    return junk_month(2026, 1, "A") + junk_month(2026, 2, "B") + junk_month(2026, 3, "C")


QUARTER = {"from": "2026-01", "to": "2026-03", "months": 3}


def test_junk_in_gated_fields_keeps_completion_at_100_but_raises_the_quality_alarm(example_model):
    cw = run_audit(example_model, junk_quarter(), AuditOptions(now=NOW))["closed_won"]
    assert cw["completion"] == 100.0
    assert cw["completion_alert"] == {"floor": 80.0, "flagged": False, "runs": []}
    assert [(r["month"], r["average_score"], r["score_under_floor"]) for r in cw["trend"]] == [
        ("2026-01", 54.9, True),
        ("2026-02", 54.9, True),
        ("2026-03", 54.9, True),
    ]
    alert = cw["quality_alert"]
    assert (alert["score_floor"], alert["fill_floor"], alert["flagged"]) == (60.0, 80.0, True)
    assert alert["overall"] == [QUARTER]
    assert alert["by_owner"] == [{"owner": "ae1", "runs": [QUARTER]}]  # ae2's deals score 100
    flagged = {f["field"]: f for f in alert["by_field"]}
    assert set(REQUIRED) <= set(flagged)  # specific in 1 of 3 deals each month
    assert flagged["stakeholder_map"] == {
        "field": "stakeholder_map",
        "label": "Stakeholder Map",
        "runs": [QUARTER],
    }
    assert [f["field"] for f in alert["by_field"]] == [k for k in ALL if k in flagged]  # spec order


def test_one_junk_field_is_flagged_alone(example_model):
    """Every field specific but Success Criteria ("TBD"): the score stays high (15.5 / 17 = 91.2)."""
    deals = [
        deal(f"{m}{n}", close=date(2026, m, 4 + n), complete=ALL, values={"success_criteria": "TBD"})
        for m in (1, 2)
        for n in range(2)
    ]
    alert = run_audit(example_model, deals, AuditOptions(now=NOW))["closed_won"]["quality_alert"]
    assert alert["overall"] == [] and alert["by_owner"] == []
    assert alert["by_field"] == [
        {
            "field": "success_criteria",
            "label": "Success Criteria",
            "runs": [{"from": "2026-01", "to": "2026-02", "months": 2}],
        }
    ]
    assert alert["flagged"] is True


@pytest.mark.parametrize(
    "deals",
    [
        junk_month(2026, 1, "A") + good_month(2026, 2, "B") + good_month(2026, 3, "C"),
        good_month(2026, 1, "A") + junk_month(2026, 2, "B") + good_month(2026, 3, "C"),
        junk_month(2026, 1, "A") + junk_month(2026, 3, "C"),  # February has no deals: not running
    ],
    ids=["first-month", "middle-month", "months-apart"],
)
def test_a_single_bad_month_is_not_flagged(example_model, deals):
    cw = run_audit(example_model, deals, AuditOptions(now=NOW))["closed_won"]
    assert any(r["score_under_floor"] for r in cw["trend"])
    assert cw["quality_alert"] == {
        "score_floor": 60.0,
        "fill_floor": 80.0,
        "flagged": False,
        "overall": [],
        "by_owner": [],
        "by_field": [],
    }


def test_floors_are_audit_options(example_model):
    report = run_audit(
        example_model, junk_quarter(), AuditOptions(now=NOW, score_floor=50.0, fill_floor=30.0)
    )
    alert = report["closed_won"]["quality_alert"]
    assert (report["thresholds"]["score_floor"], report["thresholds"]["fill_floor"]) == (50.0, 30.0)
    assert alert["overall"] == [] and alert["by_field"] == []  # 54.9 >= 50 and 33.3% >= 30%
    assert alert["by_owner"] == [{"owner": "ae1", "runs": [QUARTER]}]  # 32.4 < 50


def test_the_default_score_floor_is_the_gaps_tier(example_model):
    report = run_audit(example_model, [], AuditOptions(now=NOW))
    assert report["thresholds"]["score_floor"] == float(example_model.tiers.gaps)
    assert report["closed_won"]["quality_alert"]["flagged"] is False


@pytest.fixture
def audit_junk(run_cli, tmp_path, example_model, example_spec):
    path = tmp_path / "deals.csv"
    write_csv(path, example_model, junk_quarter() + good_month(2026, 4, "D"))

    def run(*args):
        code, out, err = run_cli(
            "audit", "--from", str(path), "--spec", str(example_spec), "--as-of", AS_OF, *args
        )
        assert code == 0, err
        return out

    return run


def test_both_engines_give_the_same_alarm(audit_junk):
    on_duckdb = audit_junk("--format", "json")
    assert on_duckdb == audit_junk("--format", "json", "--engine", "python")
    cw = json.loads(on_duckdb)["closed_won"]
    assert cw["completion_alert"]["flagged"] is False
    assert cw["quality_alert"]["overall"] == [QUARTER]
    assert cw["quality_alert"]["by_owner"] == [{"owner": "ae1", "runs": [QUARTER]}]
    assert set(REQUIRED) <= {f["field"] for f in cw["quality_alert"]["by_field"]}


def test_every_format_shows_the_alarm(audit_junk):
    table = audit_junk()
    assert "Average handoff score was under 60 for 3 months running (2026-01 to 2026-03)" in table
    assert (
        "Average handoff score of ae1's deals was under 60 for 3 months running (2026-01 to 2026-03)" in table
    )
    assert (
        "! Stakeholder Map was filled with specific content in under 80% of deals for 3 months running "
        "(2026-01 to 2026-03): redesign or remove it"
    ) in table
    assert "2026-01        3      54.9     100.0%  score under 60" in table
    assert "Completion under" not in table
    rows = list(csv.reader(io.StringIO(audit_junk("--format", "csv"))))
    values = {(s, g, m): v for s, g, m, v in rows[1:]}
    assert len(values) == len(rows) - 1
    assert values["summary", "", "quality_alert"] == "1"
    assert values["summary", "", "completion_alert"] == "0"
    assert values["month", "2026-02", "score_under_floor"] == "1"
    assert values["month", "2026-04", "score_under_floor"] == "0"
    assert values["quality_overall", "", "2026-01..2026-03"] == "3"
    assert values["quality_owner", "ae1", "2026-01..2026-03"] == "3"
    assert values["quality_field", "stakeholder_map", "2026-01..2026-03"] == "3"
    assert not any(s == "quality_owner" and g == "ae2" for s, g, _ in values)
    html = audit_junk("--format", "html")
    assert html.count('data-alert="score"') == 1 and html.count('data-alert="owner_score"') == 1
    assert 'data-alert="field_fill" data-field="stakeholder_map"' in html
    assert (
        "Stakeholder Map was filled with specific content in under\n  80% of deals for 3 months running"
        in html
    )
    assert html.count('data-flag="score"') == 3  # January to March in the trend table
