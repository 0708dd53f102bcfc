"""The handoff audit: what RevOps reviews monthly, gathered from a stream of deals in constant memory.

Closed-won deals (closed since `since`, when given) are scored with the engine and tallied: tiers by
segment and owner, field completion and generic rates, SLA compliance, the monthly trend by close month,
CSM ratings and intake, gate violations and stored-score disagreements, and two alarms over the months:
completion under its floor two months running, and quality (generators.audit.quality: average score or a
field's specific fill under its floor two months running). Open deals in a gated stage are
scored and checked against their gates. Memory holds counters, one bucket per segment, owner and month,
and a capped number of example deals; never the deals themselves.
"""

from __future__ import annotations

import heapq
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from typing import Iterable

from handrail.generators.audit.clock_sources import ClockSources
from handrail.generators.audit.period import month_key, months_between, parse_since
from handrail.generators.audit.quality import QualityTally
from handrail.generators.audit.redesign import OwnerJunk, ValueCounts, junk_fields
from handrail.generators.audit.sla import SlaTally, check, clocks_for, percent
from handrail.generators.audit.tally import (
    TIER_KEYS,
    Group,
    ViolationTally,
    average,
    completion_sum,
    deal_ref,
)
from handrail.generators.data.score_report import Totals
from handrail.generators.rules.gates import GateFailure, applicable_gates, gate_failures, is_gated_stage
from handrail.generators.rules.scoring import Deal, HandoffScore, score_deal
from handrail.specs.model import Model

NO_OWNER = "(no owner)"
SLACK = 1e-9  # stored scores are decimals read as floats: 60.05 - 60.0 is a hair over 0.05
SKIP_REASONS = ("no_stage", "closed_lost", "open_not_gated", "no_close_date", "before_since")


@dataclass(frozen=True)
class AuditOptions:
    now: datetime  # timezone-aware; decides which SLAs are still pending
    since: date | None = None  # first close date covered
    tolerance: float = 0.05  # stored and computed scores further apart than this (+ SLACK) disagree
    generic_flag: float = 30.0  # a field whose filled values are generic this often (%) is flagged
    completion_floor: float = 80.0  # completion under this two months running is flagged
    score_floor: float | None = None  # average score under this two months running is flagged; None: gaps
    fill_floor: float = 80.0  # a field specific in under this share of deals two months running is flagged
    examples: int = 25  # example deals kept per list


class Audit:
    def __init__(self, model: Model, options: AuditOptions):
        self.model, self.options = model, options
        self.read = 0
        self.skipped: Counter = Counter()
        self.totals = Totals()
        self.filled: Counter = Counter()  # exact completeness sums, as tally.Group keeps them
        self.segments: dict[str, Group] = {}
        self.owners: dict[str, Group] = {}
        self.months: dict[str, Group] = {}
        self.quality = QualityTally()
        self.values = ValueCounts(model)  # typed answers per text field, for the redesign suggestions
        self.owner_junk = OwnerJunk()
        self.score_floor = float(model.tiers.gaps if options.score_floor is None else options.score_floor)
        self.clocks = clocks_for(model)
        self.sla = {s.key: {c.key: SlaTally(c.scale) for c in self.clocks} for s in model.segments}
        self.clock_sources = ClockSources()  # stop-clocks stamped by automation or entered by hand
        self.ratings: Counter = Counter()
        self.intake: Counter = Counter()
        self.gate_flags: Counter = Counter()  # won deals a monitor gate or the bypass let through
        self.violations = ViolationTally(options.examples)
        self.compared = self.not_stored = self.disagreeing = 0
        self.disagreements: list[tuple] = []  # min-heap of the largest differences
        self.open = {"deals": 0, "stages": Counter(), "tiers": Counter()}
        self.open_violations = ViolationTally(options.examples)
        intake = model.computed_field("intake_status").options
        self._gates: dict[tuple, list] = {}  # (stage, segment) -> applicable gates
        self._gated: dict[str, bool] = {}
        self._intake_names = {n.lower(): o.value.lower() for o in intake for n in (o.value, o.label)}

    def add(self, deal: Deal) -> None:
        self.read += 1
        kind = self._classify(deal)
        if kind in SKIP_REASONS:
            self.skipped[kind] += 1
            return
        result = score_deal(self.model, deal)
        key = (deal.stage, result.segment, deal.pipeline)
        if key not in self._gates:
            self._gates[key] = applicable_gates(self.model, deal.stage, result.segment, deal.pipeline)
        failures = gate_failures(self.model, deal, result, gates=self._gates[key])
        if kind == "open":
            self.open["deals"] += 1
            self.open["stages"][deal.stage] += 1
            self.open["tiers"][result.tier or "unscored"] += 1
            if failures:
                self.open_violations.add(deal, result, failures)
        else:
            self._closed_won(deal, result, failures)

    def _classify(self, deal: Deal) -> str:
        if deal.stage is None:
            return "no_stage"
        stage = self.model.stage(deal.stage)
        if stage.closed_lost:
            return "closed_lost"
        if not stage.closed_won:
            if deal.stage not in self._gated:
                self._gated[deal.stage] = is_gated_stage(self.model, deal.stage)
            return "open" if self._gated[deal.stage] else "open_not_gated"
        since, closed = self.options.since, close_date(deal)
        if since and closed is None:
            return "no_close_date"
        if since and closed < since:
            return "before_since"
        return "closed_won"

    def _closed_won(self, deal: Deal, result: HandoffScore, failures: list[GateFailure]) -> None:
        self.totals.add(result)
        required = self._required(result)
        filled = required - len(result.missing_required)
        self.filled[required] += filled if required else 1
        violated = bool(failures)
        self.values.add_result(deal, result)
        self.owner_junk.add(deal.owner or NO_OWNER, result)
        added = (result, filled if required else 1, required, violated)
        for groups, key in ((self.segments, result.segment or "none"), (self.owners, deal.owner or NO_OWNER)):
            groups.setdefault(key, Group()).add(*added)
        closed = close_date(deal)
        if closed:
            month = month_key(closed)
            self.months.setdefault(month, Group()).add(*added)
            self.quality.add(deal.owner or NO_OWNER, month, result)
        if result.segment:
            sla = self.model.segment(result.segment).sla
            for clock in self.clocks:
                if clock.target(sla) is None:  # not this segment's clock
                    continue
                outcome = check(clock, sla, deal.extra, self.options.now, self.model.calendar)
                self.sla[result.segment][clock.key].add(*outcome)
        self.clock_sources.add(deal.extra)
        rating = deal.extra.get("csm_rating")
        self.ratings[rating or "unrated"] += 1
        status = deal.extra.get("intake_status")
        self.intake[self._intake_names.get(status.lower(), "other") if status else "not_recorded"] += 1
        flags = deal.extra.get("gate_flags") or ""  # the labels of targets/salesforce/gate_flags.py
        # counts, not flags: an empty Counter's update stores the values it is given as they are
        self.gate_flags.update(monitor=int("(monitor)" in flags), bypassed=int("(bypassed)" in flags))
        if failures:
            self.violations.add(deal, result, failures)
        self._compare_score(deal, result)

    def _required(self, result: HandoffScore) -> int:
        """How many fields the deal's segment requires (none without a segment)."""
        return len(self.model.segment(result.segment).required_fields) if result.segment else 0

    def _compare_score(self, deal: Deal, result: HandoffScore) -> None:
        stored = deal.extra.get("score")
        if stored is None:
            self.not_stored += 1
            return
        self.compared += 1
        ours = result.score
        difference = None if ours is None else stored - ours
        if difference is not None and abs(difference) <= self.options.tolerance + SLACK:
            return
        self.disagreeing += 1
        size = float("inf") if difference is None else abs(difference)
        item = (
            size,
            -self.compared,
            {
                **deal_ref(deal, result),
                "stored_score": stored,
                "difference": None if difference is None else round(difference, 1),
            },
        )
        heapq.heappush(self.disagreements, item)
        if len(self.disagreements) > self.options.examples:
            heapq.heappop(self.disagreements)

    def report(self) -> dict:
        """Everything gathered, as plain data with stable keys (what every output format renders)."""
        m, o, t = self.model, self.options, self.totals
        trend = self._trend()
        fields = self._field_rows()
        alert = self.quality.alert(m, trend["trend"], self.score_floor, o.fill_floor)
        return {
            "spec": m.name,
            "labels": {  # how reports name the keys rows carry
                "segments": {s.key: s.label for s in m.segments},
                "stages": {s.key: s.label for s in m.stages},
            },
            "as_of": o.now.isoformat(),
            "since": o.since.isoformat() if o.since else None,
            "deals_read": self.read,
            "skipped": {r: self.skipped.get(r, 0) for r in SKIP_REASONS},
            "thresholds": {
                "generic_flag": o.generic_flag,
                "completion_floor": o.completion_floor,
                "score_floor": self.score_floor,
                "fill_floor": o.fill_floor,
                "score_tolerance": o.tolerance,
            },
            "closed_won": {
                "deals": t.deals,
                "average_score": t.average_score,
                "completion": average(completion_sum(self.filled), t.deals),
                "tiers": {k: t.tiers.get(k, 0) for k in TIER_KEYS},
                "by_segment": [
                    {"segment": s.key, "label": s.label, **self.segments[s.key].as_dict()}
                    for s in m.segments
                    if s.key in self.segments
                ],
                "by_owner": [
                    {"owner": k, **g.as_dict()}
                    for k, g in sorted(self.owners.items(), key=lambda kv: (-kv[1].deals, kv[0]))
                ],
                "fields": fields,
                **trend,
                "quality_alert": alert,
                "junk_fields": junk_fields(m, fields, alert, self.values),
                "junk_by_owner": self.owner_junk.rows(m),
                "sla": self._sla_rows(),
                "clock_sources": self.clock_sources.as_dict(),
                "csm_ratings": self._ratings(),
                "intake": self._intake(),
                "gate_flags": {k: self.gate_flags.get(k, 0) for k in ("monitor", "bypassed")},
                "gate_violations": self.violations.as_dict(m),
                "score_disagreements": {
                    "compared": self.compared,
                    "not_stored": self.not_stored,
                    "disagreeing": self.disagreeing,
                    "examples": [item for *_, item in sorted(self.disagreements, reverse=True)],
                },
            },
            "open_in_gated_stages": {
                "deals": self.open["deals"],
                "by_stage": [
                    {"stage": s.key, "label": s.label, "deals": self.open["stages"][s.key]}
                    for s in m.stages
                    if self.open["stages"][s.key]
                ],
                "tiers": {k: self.open["tiers"].get(k, 0) for k in TIER_KEYS},
                "gate_violations": self.open_violations.as_dict(m),
            },
        }

    def _field_rows(self) -> list[dict]:
        t, rows = self.totals, []
        for f in self.model.fields:
            considered, filled, generic = t.considered[f.key], t.populated[f.key], t.generic[f.key]
            if not considered:
                continue
            generic_rate = percent(generic, filled)
            rows.append(
                {
                    "field": f.key,
                    "label": f.label,
                    "weight": f.weight,
                    "deals": considered,
                    "filled": filled,
                    "generic": generic,
                    "completion_rate": percent(filled, considered),
                    "generic_rate": generic_rate,
                    "flagged": generic_rate is not None and generic_rate >= self.options.generic_flag,
                }
            )
        return rows

    def _trend(self) -> dict:
        floor = self.options.completion_floor
        rows = trend_rows(self.months)
        runs, current = [], []
        for row in rows + [{"month": None, "deals": 0}]:  # the sentinel closes the last run
            row["under_floor"] = bool(row["deals"]) and row["completion"] < floor
            if row["under_floor"]:
                current.append(row["month"])
                continue
            if len(current) >= 2:
                runs.append({"from": current[0], "to": current[-1], "months": len(current)})
            current = []
        return {"trend": rows, "completion_alert": {"floor": floor, "flagged": bool(runs), "runs": runs}}

    def _sla_rows(self) -> list[dict]:
        rows = []
        for clock in self.clocks:
            overall = SlaTally(clock.scale)
            by_segment = []
            for seg in self.model.segments:
                tally = self.sla[seg.key][clock.key]
                if seg.key in self.segments and clock.target(seg.sla) is not None:
                    by_segment.append(
                        {
                            "segment": seg.key,
                            "label": seg.label,
                            "target": clock.target(seg.sla),
                            **tally.as_dict(),
                        }
                    )
                for name in ("within", "breached", "pending", "unmeasured", "elapsed_sum", "timed"):
                    setattr(overall, name, getattr(overall, name) + getattr(tally, name))
            rows.append(
                {
                    "sla": clock.key,
                    "label": clock.label,
                    "unit": clock.unit,
                    **overall.as_dict(),
                    "by_segment": by_segment,
                }
            )
        return rows

    def _ratings(self) -> dict:
        counts = {str(n): self.ratings.get(n, 0) for n in range(1, 6)}
        rated = sum(counts.values())
        return {
            "rated": rated,
            "unrated": self.ratings.get("unrated", 0),
            "distribution": counts,
            "average": round(sum(n * self.ratings.get(n, 0) for n in range(1, 6)) / rated, 2)
            if rated
            else None,
        }

    def _intake(self) -> dict:
        counts = {
            k: self.intake.get(k, 0) for k in ("accepted", "returned", "pending", "other", "not_recorded")
        }
        return {
            **counts,
            "returned_rate": percent(counts["returned"], counts["accepted"] + counts["returned"]),
        }


def close_date(deal: Deal) -> date | None:
    closed = deal.extra.get("close_date")
    if closed is None and deal.extra.get("closed_won_at") is not None:
        closed = deal.extra["closed_won_at"].date()
    return closed


def audit_options(since: str | None = None, as_of: date | None = None) -> AuditOptions:
    """Options from the command line: `as_of` (default today) ends at midnight UTC; `since` as parse_since
    reads it. Raises ValueError for a period it cannot read."""
    now = (
        datetime.now(timezone.utc)
        if as_of is None
        else datetime.combine(as_of, time(23, 59, 59), tzinfo=timezone.utc)
    )
    return AuditOptions(now=now, since=parse_since(since, now.date()) if since else None)


def run_audit(model: Model, deals: Iterable[Deal], options: AuditOptions) -> dict:
    audit = Audit(model, options)
    for deal in deals:
        audit.add(deal)
    return audit.report()


def trend_rows(months: dict[str, Group]) -> list[dict]:
    if not months:
        return []
    keys = months_between(min(months), max(months))
    return [{"month": k, **(months[k].as_dict() if k in months else Group().as_dict())} for k in keys]
