"""The audit on seeded random deals against a straightforward recomputation over the whole list."""

from __future__ import annotations

import json
import statistics
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta, timezone

import pytest
from audit.dealgen import random_deals, write_csv

from handrail.generators.audit.engine import AuditOptions, audit_options, run_audit
from handrail.generators.rules.gates import failing_gates
from handrail.generators.rules.scoring import GENERIC, MISSING, is_populated, score_deal

NOW = datetime(2026, 5, 15, 12, tzinfo=timezone.utc)
CLOCK_EVENTS = {
    "internal_handoff": "internal_handoff_at",
    "first_touch": "first_touch_at",
    "kickoff": "kickoff_at",
}


def close_of(deal):
    if "close_date" in deal.extra:
        return deal.extra["close_date"]
    return deal.extra["closed_won_at"].date() if "closed_won_at" in deal.extra else None


def weekdays_after(start: date, end: date) -> int:
    sign = 1 if end >= start else -1
    lo, hi = min(start, end), max(start, end)
    return sign * sum(1 for i in range(1, (hi - lo).days + 1) if (lo + timedelta(days=i)).weekday() < 5)


def nth_weekday_after(start: date, n: int) -> date:
    day = start
    while n:
        day += timedelta(days=1)
        n -= day.weekday() < 5
    return day


def sla_outcome(clock: str, sla, extra: dict, now: datetime) -> str:
    start = extra.get("closed_won_at")
    if start is None:
        return "unmeasured"
    done = extra.get(CLOCK_EVENTS[clock])
    if clock == "kickoff":
        if done is None:
            return (
                "breached"
                if now.date() > nth_weekday_after(start.date(), sla.kickoff_business_days)
                else "pending"
            )
        return (
            "within" if weekdays_after(start.date(), done.date()) <= sla.kickoff_business_days else "breached"
        )
    limit = timedelta(
        hours=sla.internal_handoff_hours if clock == "internal_handoff" else sla.first_touch_hours
    )
    if done is None:
        return "breached" if now > start + limit else "pending"
    return "within" if done - start <= limit else "breached"


def rate(part, whole):
    return None if not whole else part / whole * 100


def close_to(value, expected):
    if expected is None:
        return value is None
    return value == pytest.approx(expected, abs=0.05 + 1e-9)


@pytest.mark.parametrize("seed,since", [(1, None), (2, date(2026, 1, 1)), (3, date(2025, 9, 15))])
def test_matches_recomputation(example_model, seed, since):
    model = example_model
    # the last closes are still pending
    deals = list(random_deals(model, 2500, seed=seed, start=date(2025, 7, 20)))
    report = run_audit(model, iter(deals), AuditOptions(now=NOW, since=since))
    cw = report["closed_won"]

    closed, open_ = [], []
    skipped = Counter()
    for d in deals:
        stage = model.stage(d.stage)
        if stage.closed_lost:
            skipped["closed_lost"] += 1
        elif not stage.closed_won:
            gated = any(g.active and model.stage(g.stage).order <= stage.order for g in model.gates)
            (open_.append(d) if gated else skipped.update(["open_not_gated"]))
        elif since and close_of(d) is None:
            skipped["no_close_date"] += 1
        elif since and close_of(d) < since:
            skipped["before_since"] += 1
        else:
            closed.append(d)
    assert {k: v for k, v in report["skipped"].items() if v} == dict(skipped)
    assert cw["deals"] == len(closed) and report["open_in_gated_stages"]["deals"] == len(open_)
    scored = [(d, score_deal(model, d)) for d in closed]

    # tiers and averages per segment and owner
    def completeness(d, r):
        required = model.segment(r.segment).required_fields
        filled = sum(is_populated(model.field(k), d.values.get(k)) for k in required)
        return filled / len(required) * 100 if required else 100.0

    for attr, rows, key in (("segment", cw["by_segment"], "segment"), ("owner", cw["by_owner"], "owner")):
        groups = defaultdict(list)
        for d, r in scored:
            groups[r.segment if attr == "segment" else (d.owner or "(no owner)")].append((d, r))
        assert {row[key] for row in rows} == set(groups)
        for row in rows:
            members = groups[row[key]]
            tiers = Counter(r.tier for _, r in members)
            assert (row["deals"], row["ready"], row["gaps"], row["blocked"]) == (
                len(members),
                tiers["ready"],
                tiers["gaps"],
                tiers["blocked"],
            )
            assert close_to(row["average_score"], statistics.fmean(r.score for _, r in members))
            assert close_to(row["completion"], statistics.fmean(completeness(d, r) for d, r in members))
            assert row["gate_violations"] == sum(bool(failing_gates(model, d, r)) for d, r in members)

    # per-field completion and generic share of filled values
    for row in cw["fields"]:
        states = [
            next(x.state for x in r.fields if x.key == row["field"])
            for _, r in scored
            if any(x.key == row["field"] for x in r.fields)
        ]
        filled = [s for s in states if s != MISSING]
        assert row["deals"] == len(states)
        assert close_to(row["completion_rate"], rate(len(filled), len(states)))
        assert close_to(row["generic_rate"], rate(filled.count(GENERIC), len(filled)))

    # SLA outcomes
    for clock in cw["sla"]:
        outcomes = Counter(
            sla_outcome(clock["sla"], model.segment(r.segment).sla, d.extra, NOW) for d, r in scored
        )
        assert {k: clock[k] for k in ("within", "breached", "pending", "unmeasured")} == {
            k: outcomes[k] for k in ("within", "breached", "pending", "unmeasured")
        }
        assert close_to(
            clock["compliance_rate"], rate(outcomes["within"], outcomes["within"] + outcomes["breached"])
        )

    # monthly trend and the two-months-running alert
    months = defaultdict(list)
    for d, r in scored:
        months[f"{close_of(d):%Y-%m}"].append(completeness(d, r))
    trend = {row["month"]: row for row in cw["trend"] if row["deals"]}
    assert set(trend) == set(months)
    for month, values in months.items():
        assert trend[month]["deals"] == len(values) and close_to(
            trend[month]["completion"], statistics.fmean(values)
        )

    # ratings, intake, gates, stored scores
    ratings = Counter(d.extra.get("csm_rating") for d, _ in scored)
    assert cw["csm_ratings"]["distribution"] == {str(n): ratings[n] for n in range(1, 6)}
    assert cw["csm_ratings"]["unrated"] == ratings[None]
    intake = Counter((d.extra.get("intake_status") or "").lower() for d, _ in scored)
    assert cw["intake"]["accepted"] == intake["accepted"]
    assert cw["intake"]["returned"] == intake["returned"] + intake["returned to sales"]
    assert cw["intake"]["not_recorded"] == intake[""]
    violating = [d for d, r in scored if failing_gates(model, d, r)]
    assert cw["gate_violations"]["deals"] == len(violating)
    assert [e["id"] for e in cw["gate_violations"]["examples"]] == [d.id for d in violating[:25]]
    stored = [(d.extra["score"], r.score) for d, r in scored if "score" in d.extra]
    disagreeing = [s for s, ours in stored if abs(s - ours) > 0.05 + 1e-9]
    assert cw["score_disagreements"]["compared"] == len(stored)
    assert cw["score_disagreements"]["disagreeing"] == len(disagreeing)
    biggest = [e["difference"] for e in cw["score_disagreements"]["examples"]]
    assert [abs(x) for x in biggest] == sorted((abs(x) for x in biggest), reverse=True)
    assert max(abs(x) for x in biggest) == pytest.approx(max(abs(s - o) for s, o in stored), abs=0.051)


def test_export_file_gives_the_same_report(example_model, example_spec, tmp_path, run_cli):
    deals = list(random_deals(example_model, 600, seed=11))
    path = tmp_path / "deals.csv"
    write_csv(path, example_model, deals)
    code, out, err = run_cli(
        "audit",
        "--from",
        str(path),
        "--spec",
        str(example_spec),
        "--format",
        "json",
        "--as-of",
        "2026-05-15",
        "--since",
        "6m",
    )
    assert code == 0, err
    options = audit_options("6m", date(2026, 5, 15))
    assert options.since == date(2025, 11, 15)
    expected = json.loads(json.dumps(run_audit(example_model, deals, options)))
    assert json.loads(out) == expected
