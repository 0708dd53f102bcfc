"""Deals for audit and brief tests: hand-made ones with chosen values, seeded random ones, and CSV export."""

from __future__ import annotations

import csv
import random
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Iterable, Iterator

from handrail.generators.rules.scoring import Deal, score_deal
from handrail.specs.model import Model

SPECIFIC = {
    "business_goals": "Cut month-end close from 10 to 4 days by Q3; replace three finance spreadsheets.",
    "stakeholder_map": "Dana Ruiz (CFO, economic buyer); Lee Park (Controller, champion); Sam Okafor (IT "
    "lead)",
    "success_criteria": "95% of invoices auto-matched within 60 days of go-live.",
    "risk_flags": "Security review pending with their CISO.",
    "products_scope": "Enterprise tier, AP automation and Reconciliation modules.",
    "key_conversations": "Agreed a 60-day pilot credit; promised SSO by kickoff.",
    "contract_terms": "3 years, renews 2029-06-30, annual billing",
    "communication_prefs": "Weekly call",
}
GENERIC = {key: "TBD" for key in SPECIFIC} | {"communication_prefs": "Other"}
EXPANSION_TYPE = "Existing Customer - Upgrade"
PROCESS = ("closed_won_at", "internal_handoff_at", "first_touch_at", "kickoff_at")


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=timezone.utc)


def deal(
    id: str,
    *,
    stage: str = "closed_won",
    acv: float = 50_000,
    owner: str = "ae1",
    cycle: float = 40,
    deal_type: str = "new_business",
    complete: Iterable[str] = (),
    generic: Iterable[str] = (),
    values: dict | None = None,
    csm: str | None = "csm@example.com",
    close: date | None = None,
    name: str = "",
    **process,
) -> Deal:
    """A deal with the named fields specific or generic and the rest empty; process data as keywords
    (closed_won_at, first_touch_at, ..., csm_rating, intake_status, score)."""
    vals = {k: SPECIFIC[k] for k in complete} | {k: GENERIC[k] for k in generic} | (values or {})
    if csm:
        vals["csm"] = csm
    extra = {k: v for k, v in process.items() if v is not None}
    if close is not None:
        extra["close_date"] = close
    return Deal(
        id=id,
        name=name or f"Deal {id}",
        owner=owner,
        stage=stage,
        acv=acv,
        deal_type=deal_type,
        sales_cycle_days=cycle,
        values=vals,
        extra=extra,
    )


def hand_made() -> list[Deal]:
    """The known-answer set: see the table in test_known_answers.py (example spec, Mid-Market deals)."""
    ALL = tuple(SPECIFIC)
    return [
        deal(
            "A",
            close=date(2026, 1, 12),
            complete=ALL,
            closed_won_at=utc(2026, 1, 12, 10),
            internal_handoff_at=utc(2026, 1, 13, 6),
            first_touch_at=utc(2026, 1, 13, 16),
            kickoff_at=utc(2026, 1, 19, 15),
            csm_rating=5,
            intake_status="Accepted",
            score=100.0,
        ),
        deal(
            "B",
            close=date(2026, 1, 20),
            complete=(
                "business_goals",
                "stakeholder_map",
                "products_scope",
                "contract_terms",
                "key_conversations",
            ),
            generic=("success_criteria",),
            closed_won_at=utc(2026, 1, 20, 9),
            internal_handoff_at=utc(2026, 1, 21, 15),
            csm_rating=3,
            intake_status="Accepted",
            score=80.0,
        ),
        deal(
            "C",
            close=date(2026, 2, 3),
            complete=("products_scope", "contract_terms"),
            csm=None,
            csm_rating=1,
            intake_status="Returned",
            score=17.6,
        ),
        deal(
            "D",
            close=date(2026, 2, 10),
            owner="ae2",
            complete=[k for k in ALL if k not in ("risk_flags", "communication_prefs")],
            generic=("communication_prefs",),
            closed_won_at=utc(2026, 2, 10, 9),
            internal_handoff_at=utc(2026, 2, 11, 9),
            first_touch_at=utc(2026, 2, 12, 9),
            kickoff_at=utc(2026, 2, 18, 10),
            score=85.35,
        ),
        deal(
            "I",
            close=date(2026, 3, 5),
            owner="ae2",
            complete=("business_goals", "stakeholder_map"),
            closed_won_at=utc(2026, 3, 5, 12),
            first_touch_at=utc(2026, 3, 5, 8),
            kickoff_at=utc(2026, 3, 6, 9),
            csm_rating=4,
            intake_status="Returned to Sales",
        ),
        deal(
            "J",
            close=date(2026, 4, 30),
            complete=ALL,
            values={"communication_prefs": "Email updates"},
            closed_won_at=utc(2026, 4, 30, 10),
            intake_status="Pending",
        ),
        deal("E", stage="commit", complete=ALL, csm=None),
        deal("F", stage="closed_lost", close=date(2026, 3, 1)),
        deal("G", stage="discovery"),
    ]


def random_deals(
    model: Model,
    n: int,
    seed: int = 7,
    start: date = date(2025, 7, 1),
    days: int = 300,
    stored_scores: bool = True,
) -> Iterator[Deal]:
    """`n` varied deals: every segment, stage, field state and process outcome, reproducible by seed."""
    rng = random.Random(seed)
    stages = [s.key for s in model.stages]
    owners = [f"ae{i}@example.com" for i in range(12)] + [""]
    for i in range(n):
        partner = rng.random() < 0.1
        values = {}
        for key in SPECIFIC:
            roll = rng.random()
            if roll < 0.6:
                values[key] = SPECIFIC[key]
            elif roll < 0.8:
                values[key] = GENERIC[key]
        if rng.random() < 0.7:
            values["csm"] = f"csm{rng.randrange(5)}@example.com"
        if partner:
            values |= {
                "partner_sourced": True,
                "partner_contact": "Priya N. (priya@partner.example)",
                "partner_support_tier": rng.choice(["Partner-led", "Co-delivered"]),
            }
        stage = rng.choices(stages, weights=[1, 1, 1, 2, 2, 12, 2][: len(stages)])[0]
        close = start + timedelta(days=rng.randrange(days))
        extra: dict = {"close_date": close}
        if rng.random() < 0.85:
            won = datetime(close.year, close.month, close.day, rng.randrange(24), tzinfo=timezone.utc)
            extra["closed_won_at"] = won
            for key, spread in (("internal_handoff_at", 60), ("first_touch_at", 110)):
                if rng.random() < 0.8:
                    extra[key] = won + timedelta(hours=rng.uniform(-5, spread))
            if rng.random() < 0.75:
                extra["kickoff_at"] = won + timedelta(days=rng.randrange(0, 12), hours=rng.randrange(8))
        if rng.random() < 0.6:
            extra["csm_rating"] = rng.randint(1, 5)
        roll = rng.random()
        if roll < 0.8:
            extra["intake_status"] = rng.choice(
                ["Accepted", "Accepted", "Returned", "Returned to Sales", "Pending", "accepted"]
            )
        deal_ = Deal(
            id=f"D{i:07d}",
            name=f"Customer {i}",
            owner=rng.choice(owners),
            stage=stage,
            acv=rng.choice([5_000, 18_000, 24_999, 25_000, 60_000, 99_999, 100_000, 400_000]),
            deal_type="expansion" if rng.random() < 0.12 else "new_business",
            sales_cycle_days=rng.choice([7, 13, 14, 30, 90]),
            values=values,
            extra=extra,
        )
        if stored_scores and rng.random() < 0.7:
            ours = score_deal(model, deal_).score
            drift = rng.choice([0, 0, 0, 0.05, -0.04, 0.3, -7.5, 12])
            extra["score"] = round(ours + drift, 2) if ours is not None else 50.0
        yield deal_


CSV_PROCESS = (
    "closed_won_at",
    "internal_handoff_at",
    "first_touch_at",
    "kickoff_at",
    "csm_rating",
    "intake_status",
    "score",
)


def write_csv(path: Path, model: Model, deals: Iterable[Deal]) -> int:
    """Export deals the way a Salesforce report would: API names for handoff fields, ISO timestamps."""
    fields = [f for f in model.fields]
    process = {k: model.computed_field(k).salesforce_name for k in CSV_PROCESS}
    header = [
        "Id",
        "Name",
        "Owner",
        "Amount",
        "Type",
        "StageName",
        "sales_cycle_days",
        "CloseDate",
        *process.values(),
        *(f.salesforce_name for f in fields),
    ]
    count = 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for d in deals:
            extra = d.extra
            row = [
                d.id,
                d.name,
                d.owner,
                d.acv,
                EXPANSION_TYPE if d.deal_type == "expansion" else "New Customer",
                model.stage(d.stage).salesforce if d.stage else "",
                d.sales_cycle_days,
                extra.get("close_date", ""),
            ]
            for key in process:
                value = extra.get(key)
                row.append(
                    value.isoformat().replace("+00:00", "Z")
                    if isinstance(value, datetime)
                    else ""
                    if value is None
                    else value
                )
            for f in fields:
                value = d.values.get(f.key)
                row.append(
                    ""
                    if value is None
                    else ";".join(value)
                    if isinstance(value, list)
                    else "true"
                    if value is True
                    else value
                )
            writer.writerow(row)
            count += 1
    return count
