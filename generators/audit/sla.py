"""SLA clocks for one handoff and their tallies over many.

Every clock starts at the stamped Closed Won time (`closed_won_at`). A handoff is
  within     the event happened no later than the target (an event before close counts as within);
  breached   the event happened late, or has not happened and the deadline has passed;
  pending    the event has not happened and the deadline is still ahead;
  unmeasured no Closed Won time is stamped, so there is no clock.
Compliance = within / (within + breached) x 100, as in "42 of 50 handoffs within SLA = 84%".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from fractions import Fraction
from typing import Any, Mapping

from handrail.generators.audit.period import add_business_days, business_days_between
from handrail.specs.model import Sla

WITHIN, BREACHED, PENDING, UNMEASURED = "within", "breached", "pending", "unmeasured"
OUTCOMES = (WITHIN, BREACHED, PENDING, UNMEASURED)


@dataclass(frozen=True)
class SlaClock:
    key: str  # internal_handoff | first_touch | kickoff
    label: str
    event: str  # the process timestamp that stops the clock
    unit: str  # hours | business days

    def target(self, sla: Sla) -> int:
        return {
            "internal_handoff": sla.internal_handoff_hours,
            "first_touch": sla.first_touch_hours,
            "kickoff": sla.kickoff_business_days,
        }[self.key]

    def describe(self, sla: Sla) -> str:
        return f"{self.target(sla)} {self.unit}"

    def deadline(self, sla: Sla, start: datetime) -> datetime:
        if self.unit == "hours":
            return start + timedelta(hours=self.target(sla))
        end_day = add_business_days(start.date(), self.target(sla))
        return datetime.combine(end_day, datetime.max.time(), tzinfo=start.tzinfo)

    @property
    def scale(self) -> int:
        """Units of `elapsed` per unit of the target: microseconds per hour, or 1 (business days)."""
        return 3_600_000_000 if self.unit == "hours" else 1

    def elapsed(self, start: datetime, done: datetime) -> int:
        """Exactly: microseconds for an hours clock, business days for a days clock."""
        if self.unit == "hours":
            return (done - start) // timedelta(microseconds=1)
        return business_days_between(start.date(), done.date())


CLOCKS = (
    SlaClock("internal_handoff", "Close to internal handoff", "internal_handoff_at", "hours"),
    SlaClock("first_touch", "Close to first CS touch", "first_touch_at", "hours"),
    SlaClock("kickoff", "Close to kickoff", "kickoff_at", "business days"),
)


def check(clock: SlaClock, sla: Sla, process: Mapping[str, Any], now: datetime) -> tuple[str, int | None]:
    """(outcome, elapsed as SlaClock.elapsed counts it, or None) for one handoff."""
    start = process.get("closed_won_at")
    if start is None:
        return UNMEASURED, None
    done = process.get(clock.event)
    if done is None:
        return (BREACHED if now > clock.deadline(sla, start) else PENDING), None
    elapsed = clock.elapsed(start, done)
    return (WITHIN if elapsed <= clock.target(sla) * clock.scale else BREACHED), elapsed


@dataclass
class SlaTally:
    scale: int = 1  # the clock's SlaClock.scale
    within: int = 0
    breached: int = 0
    pending: int = 0
    unmeasured: int = 0
    elapsed_sum: int = 0  # exact, in the clock's elapsed units
    timed: int = 0  # handoffs where the event happened

    def add(self, outcome: str, elapsed: int | None) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)
        if elapsed is not None:
            self.elapsed_sum += elapsed
            self.timed += 1

    def as_dict(self) -> dict:
        handoffs = self.within + self.breached
        return {
            "within": self.within,
            "breached": self.breached,
            "pending": self.pending,
            "unmeasured": self.unmeasured,
            "handoffs": handoffs,
            "compliance_rate": percent(self.within, handoffs),
            "average_elapsed": (
                round(float(Fraction(self.elapsed_sum, self.timed * self.scale)), 1) if self.timed else None
            ),
        }


def percent(part: float, whole: float) -> float | None:
    return round(part / whole * 100, 1) if whole else None
