"""The audit on a small hand-made set where every figure is counted by hand (example spec, Mid-Market deals).

Mid-Market scores all eight rubric fields (weight 17) and requires goals, stakeholders, success criteria
and products. As of 2026-04-30 23:59:59 UTC:

deal close      owner score           completeness  SLAs (handoff / touch / kickoff)  rating intake   stored
A    2026-01-12 ae1   100   Ready     100           20h in / 30h in / 5bd in          5      Accepted 100
B    2026-01-20 ae1   73.5  Gaps      100           30h late / none late / none late  3      Accepted 80
C    2026-02-03 ae1   17.6  Blocked   25            no close time: unmeasured         1      Returned 17.6
D    2026-02-10 ae2   85.3  Ready     100           24h in / 48h in / 6bd late        -      -        85.35
I    2026-03-05 ae2   35.3  Blocked   50            none late / -4h in / 1bd in       4      Returned to Sales
J    2026-04-30 ae1   100   Ready     100           all pending                       -      Pending
E    open at Commit without a CSM; F closed lost; G open at Discovery.
(The deals are built by dealgen.hand_made.)
"""

from __future__ import annotations

from datetime import date

import pytest
from audit.dealgen import SPECIFIC, deal, hand_made, utc

from handrail.generators.audit.engine import AuditOptions, run_audit

ALL = tuple(SPECIFIC)
NOW = utc(2026, 4, 30, 23, 59)


@pytest.fixture
def report(example_model):
    return run_audit(example_model, hand_made(), AuditOptions(now=NOW))


def test_population(report):
    assert report["deals_read"] == 9
    assert report["closed_won"]["deals"] == 6
    assert report["open_in_gated_stages"]["deals"] == 1
    assert report["skipped"] == {
        "no_stage": 0,
        "closed_lost": 1,
        "open_not_gated": 1,
        "no_close_date": 0,
        "before_since": 0,
    }


def test_tiers_scores_and_completion(report):
    cw = report["closed_won"]
    assert cw["tiers"] == {"ready": 3, "gaps": 1, "blocked": 2, "unscored": 0}
    assert cw["average_score"] == 68.6  # (100 + 73.5 + 17.6 + 85.3 + 35.3 + 100) / 6 = 68.62
    assert cw["completion"] == 79.2  # (100 + 100 + 25 + 100 + 50 + 100) / 6 = 79.17
    (mid,) = cw["by_segment"]
    assert (mid["segment"], mid["deals"], mid["ready"], mid["gaps"], mid["blocked"]) == (
        "mid_market",
        6,
        3,
        1,
        2,
    )
    owners = {o["owner"]: o for o in cw["by_owner"]}
    assert [o["owner"] for o in cw["by_owner"]] == ["ae1", "ae2"]  # most deals first
    assert owners["ae2"]["deals"] == 2 and owners["ae2"]["average_score"] == 60.3  # (85.3 + 35.3) / 2
    assert owners["ae2"]["completion"] == 75.0 and owners["ae2"]["gate_violations"] == 1
    assert owners["ae1"]["gate_violations"] == 1 and owners["ae1"]["blocked"] == 1


def test_field_rates_and_generic_flag(report):
    rows = {r["field"]: r for r in report["closed_won"]["fields"]}
    success = rows["success_criteria"]  # filled by A, B (generic), D, J
    assert (success["deals"], success["filled"], success["generic"]) == (6, 4, 1)
    assert (success["completion_rate"], success["generic_rate"], success["flagged"]) == (66.7, 25.0, False)
    comm = rows["communication_prefs"]  # A, D ("Other"), J
    assert (comm["filled"], comm["generic"], comm["generic_rate"], comm["flagged"]) == (3, 1, 33.3, True)
    assert rows["risk_flags"]["completion_rate"] == 33.3  # A and J
    assert [r["field"] for r in report["closed_won"]["fields"]] == list(ALL)  # spec order


def test_sla_compliance(report):
    sla = {row["sla"]: row for row in report["closed_won"]["sla"]}
    assert {
        k: (v["within"], v["breached"], v["pending"], v["unmeasured"], v["compliance_rate"])
        for k, v in sla.items()
    } == {
        "internal_handoff": (2, 2, 1, 1, 50.0),
        "first_touch": (3, 1, 1, 1, 75.0),
        "kickoff": (2, 2, 1, 1, 50.0),
    }
    assert sla["internal_handoff"]["average_elapsed"] == pytest.approx((20 + 30 + 24) / 3, abs=0.05)
    assert sla["first_touch"]["by_segment"][0]["target"] == 48


def test_monthly_trend_and_alert(report):
    trend = {r["month"]: r for r in report["closed_won"]["trend"]}
    assert list(trend) == ["2026-01", "2026-02", "2026-03", "2026-04"]
    assert [trend[m]["completion"] for m in trend] == [100.0, 62.5, 50.0, 100.0]
    assert [trend[m]["under_floor"] for m in trend] == [False, True, True, False]
    assert trend["2026-01"]["average_score"] == pytest.approx(86.75, abs=0.051)
    assert report["closed_won"]["completion_alert"] == {
        "floor": 80.0,
        "flagged": True,
        "runs": [{"from": "2026-02", "to": "2026-03", "months": 2}],
    }


def test_ratings_and_intake(report):
    cw = report["closed_won"]
    assert cw["csm_ratings"] == {
        "rated": 4,
        "unrated": 2,
        "average": 3.25,
        "distribution": {"1": 1, "2": 0, "3": 1, "4": 1, "5": 1},
    }
    assert cw["intake"] == {
        "accepted": 2,
        "returned": 2,
        "pending": 1,
        "other": 0,
        "not_recorded": 1,
        "returned_rate": 50.0,
    }


def test_gate_violations(report):
    v = report["closed_won"]["gate_violations"]
    assert v["deals"] == 2
    assert {g["gate"]: g["deals"] for g in v["by_gate"]} == {"mid_market_csm": 1, "closed_won_not_blocked": 2}
    by_deal = {e["id"]: e for e in v["examples"]}
    assert set(by_deal) == {"C", "I"}
    (gate,) = [g for g in by_deal["I"]["gates"]]
    assert gate["gate"] == "closed_won_not_blocked"
    assert gate["reasons"] == [
        "Success Criteria is empty",
        "Products / Scope is empty",
        "score 35.3 is below 60",
    ]
    assert [g["gate"] for g in by_deal["C"]["gates"]] == ["mid_market_csm", "closed_won_not_blocked"]
    assert by_deal["C"]["gates"][0]["reasons"] == ["Customer Success Manager is empty"]
    open_v = report["open_in_gated_stages"]["gate_violations"]
    assert open_v["deals"] == 1 and open_v["examples"][0]["id"] == "E"
    assert report["open_in_gated_stages"]["by_stage"] == [{"stage": "commit", "label": "Commit", "deals": 1}]


def test_score_disagreements(report):
    d = report["closed_won"]["score_disagreements"]
    assert (d["compared"], d["disagreeing"], d["not_stored"]) == (4, 1, 2)  # D's 85.35 vs 85.3 is within 0.05
    (b,) = d["examples"]
    assert (b["id"], b["stored_score"], b["score"], b["difference"]) == ("B", 80.0, 73.5, 6.5)


def test_since_filters_by_close_date(example_model):
    report = run_audit(example_model, hand_made(), AuditOptions(now=NOW, since=date(2026, 2, 3)))
    assert report["closed_won"]["deals"] == 4  # C (on the day), D, I, J
    assert report["skipped"]["before_since"] == 2
    assert report["since"] == "2026-02-03"
    assert report["open_in_gated_stages"]["deals"] == 1  # open deals are current whatever their close date


def test_deals_without_close_date_are_skipped_only_with_since(example_model):
    undated = [deal("X", complete=ALL)]
    assert run_audit(example_model, undated, AuditOptions(now=NOW))["closed_won"]["deals"] == 1
    report = run_audit(example_model, undated, AuditOptions(now=NOW, since=date(2026, 1, 1)))
    assert report["closed_won"]["deals"] == 0 and report["skipped"]["no_close_date"] == 1


def test_close_time_stands_in_for_a_missing_close_date(example_model):
    report = run_audit(
        example_model,
        [deal("Y", complete=ALL, closed_won_at=utc(2026, 3, 9, 10))],
        AuditOptions(now=NOW, since=date(2026, 3, 1)),
    )
    assert report["closed_won"]["deals"] == 1 and report["closed_won"]["trend"][0]["month"] == "2026-03"


def test_empty_input(example_model):
    report = run_audit(example_model, [], AuditOptions(now=NOW))
    cw = report["closed_won"]
    assert cw["deals"] == 0 and cw["average_score"] is None and cw["trend"] == []
    assert all(row["compliance_rate"] is None for row in cw["sla"])
