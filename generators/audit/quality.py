"""The quality alarm: gates can force every required field to be filled, so completion stays at 100% while
the fields hold junk. What shows it is the score and how often a field holds a specific (not generic)
value. The alarm flags runs of two or more calendar months where the average handoff score was under the
score floor (all closed-won deals, and each owner's), or where a field was filled with a specific value in
under the fill floor of the deals that consider it.

Counters are kept per owner and month and per field and month (exact integer sums: score tenths, deal
counts), never per deal, so any engine adding the same deals gets the same report.
"""

from __future__ import annotations

from collections import Counter
from fractions import Fraction
from typing import Callable

from handrail.generators.audit.sla import percent
from handrail.generators.audit.tally import average
from handrail.generators.rules.scoring import COMPLETE, HandoffScore
from handrail.specs.model import Model

MIN_RUN = 2  # months running before the alarm sounds


def runs(months: list[str], under: Callable[[str], bool]) -> list[dict]:
    """Runs of at least MIN_RUN consecutive months (of `months`, every calendar month in order) for which
    `under` holds: [{"from": "YYYY-MM", "to": "YYYY-MM", "months": n}]."""
    found, current = [], []
    for month in [*months, None]:  # the sentinel closes the last run
        if month is not None and under(month):
            current.append(month)
            continue
        if len(current) >= MIN_RUN:
            found.append({"from": current[0], "to": current[-1], "months": len(current)})
        current = []
    return found


def considered_fields(model: Model) -> list[str]:
    """Fields some segment scores or requires: those with a "state_<key>" column in the audit query."""
    return [
        f.key
        for f in model.fields
        if any(f.key in (*s.scored_fields, *s.required_fields) for s in model.segments)
    ]


class QualityTally:
    def __init__(self) -> None:
        self.owner_tenths: Counter = Counter()  # (owner, month) -> score tenths summed
        self.owner_scored: Counter = Counter()  # (owner, month) -> deals with a score
        self.considered: Counter = Counter()  # (field, month) -> deals whose segment considers the field
        self.specific: Counter = Counter()  # (field, month) -> of those, deals with a specific value

    def add(self, owner: str, month: str, result: HandoffScore) -> None:
        if result.score is not None:
            self.owner_tenths[owner, month] += round(result.score * 10)
            self.owner_scored[owner, month] += 1
        for r in result.fields:
            self.considered[r.key, month] += 1
            if r.state == COMPLETE:
                self.specific[r.key, month] += 1

    def add_owner_sums(self, owner: str, month: str, tenths: int, scored: int) -> None:
        if scored:
            self.owner_tenths[owner, month] += tenths
            self.owner_scored[owner, month] += scored

    def add_field_counts(self, key: str, month: str, considered: int, specific: int) -> None:
        if considered:
            self.considered[key, month] += considered
            if specific:
                self.specific[key, month] += specific

    def alert(self, model: Model, trend: list[dict], score_floor: float, fill_floor: float) -> dict:
        """The alarm over the trend rows (every month from the first close to the last, each with its
        average score), which gain "score_under_floor" and "specific_rate": the share of the values the
        month's deals were asked for that were specific (not generic, not empty)."""
        months = [row["month"] for row in trend]
        specific, considered = Counter(), Counter()  # per month, over every field: the junk trend
        for (key, month), n in self.considered.items():
            considered[month] += n
            specific[month] += self.specific[key, month]
        for row in trend:
            row["score_under_floor"] = row["average_score"] is not None and row["average_score"] < score_floor
            row["specific_rate"] = percent(specific[row["month"]], considered[row["month"]])

        def low_score(owner: str) -> Callable[[str], bool]:
            def under(month: str) -> bool:
                scored = self.owner_scored[owner, month]
                return (
                    bool(scored)
                    and average(Fraction(self.owner_tenths[owner, month], 10), scored) < score_floor
                )

            return under

        def low_fill(key: str) -> Callable[[str], bool]:
            def under(month: str) -> bool:
                considered = self.considered[key, month]
                return bool(considered) and percent(self.specific[key, month], considered) < fill_floor

            return under

        flagged_months = {row["month"] for row in trend if row["score_under_floor"]}
        overall = runs(months, flagged_months.__contains__)
        by_owner = []
        for owner in sorted({owner for owner, _ in self.owner_scored}):
            owner_runs = runs(months, low_score(owner))
            if owner_runs:
                by_owner.append({"owner": owner, "runs": owner_runs})
        considered = {key for key, _ in self.considered}
        by_field = []
        for f in model.fields:
            field_runs = runs(months, low_fill(f.key)) if f.key in considered else []
            if field_runs:
                by_field.append({"field": f.key, "label": f.label, "runs": field_runs})
        return {
            "score_floor": score_floor,
            "fill_floor": fill_floor,
            "flagged": bool(overall or by_owner or by_field),
            "overall": overall,
            "by_owner": by_owner,
            "by_field": by_field,
        }
