"""SLA clocks for one handoff and their tallies over many.

Every clock starts at the stamped Closed Won time (`closed_won_at`) and counts in the spec's business
calendar (specs.calendar: local business days, holidays, and working hours when hour SLAs are business
hours). A handoff is
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

from handrail.specs.calendar import BusinessCalendar
from handrail.specs.model import Model, Sla

DEFAULT_CALENDAR = BusinessCalendar()

WITHIN, BREACHED, PENDING, UNMEASURED = "within", "breached", "pending", "unmeasured"
OUTCOMES = (WITHIN, BREACHED, PENDING, UNMEASURED)


@dataclass(frozen=True)
class SlaClock:
    key: str  # internal_handoff | first_touch | kickoff | implementation_contact
    label: str
    event: str  # the process timestamp that stops the clock
    unit: str  # hours | business days | days (calendar days, elapsed)

    def target(self, sla: Sla) -> int | None:
        """The segment's limit; None: the clock does not run for the segment."""
        return {
            "internal_handoff": sla.internal_handoff_hours,
            "first_touch": sla.first_touch_hours,
            "kickoff": sla.kickoff_business_days,
            "implementation_contact": sla.implementation_contact_days,
        }[self.key]

    def describe(self, sla: Sla, calendar: BusinessCalendar = DEFAULT_CALENDAR) -> str:
        business = " (business hours)" if self.unit == "hours" and calendar.business_hours else ""
        return f"{self.target(sla)} {self.unit}{business}"

    def deadline(
        self, sla: Sla, start: datetime, calendar: BusinessCalendar = DEFAULT_CALENDAR
    ) -> datetime | None:
        """When the clock runs out; None past the year 9999, which no `now` reaches."""
        try:
            if self.unit == "days":
                return start + timedelta(days=self.target(sla))
            if self.unit != "hours":
                return calendar.day_deadline(start, self.target(sla))
            if calendar.business_hours:
                return calendar.hours_deadline(start, self.target(sla))
            return start + timedelta(hours=self.target(sla))
        except OverflowError:
            return None

    @property
    def scale(self) -> int:
        """Units of `elapsed` per unit of the target: microseconds per hour or per day, or 1 (business
        days)."""
        return {"hours": 3_600_000_000, "days": 86_400_000_000}.get(self.unit, 1)

    def elapsed(self, start: datetime, done: datetime, calendar: BusinessCalendar = DEFAULT_CALENDAR) -> int:
        """Exactly: microseconds (of working time, for business hours) for an hours clock, business days
        for a business days clock, microseconds for a (calendar) days clock."""
        if self.unit == "days":
            return (done - start) // timedelta(microseconds=1)
        if self.unit != "hours":
            return calendar.business_days_between(start, done)
        if calendar.business_hours:
            return calendar.working_micros(start, done)
        return (done - start) // timedelta(microseconds=1)


CLOCKS = (
    SlaClock("internal_handoff", "Close to internal handoff", "internal_handoff_at", "hours"),
    SlaClock("first_touch", "Close to first CS touch", "first_touch_at", "hours"),
    SlaClock("kickoff", "Close to kickoff", "kickoff_at", "business days"),
)
# The playbook's: the CSM reaches the customer's post-sale owner (specs.playbook), where the spec asks.
IMPLEMENTATION_CONTACT = SlaClock(
    "implementation_contact", "Close to implementation owner contact", "implementation_contact_at", "days"
)


def clocks_for(model: Model) -> tuple[SlaClock, ...]:
    """The clocks the spec's handoffs run."""
    return CLOCKS + ((IMPLEMENTATION_CONTACT,) if model.playbook.post_sale_owner else ())


def check(
    clock: SlaClock,
    sla: Sla,
    process: Mapping[str, Any],
    now: datetime,
    calendar: BusinessCalendar = DEFAULT_CALENDAR,
) -> tuple[str, int | None]:
    """(outcome, elapsed as SlaClock.elapsed counts it, or None) for one handoff."""
    start = process.get("closed_won_at")
    if start is None:
        return UNMEASURED, None
    done = process.get(clock.event)
    if done is None:
        deadline = clock.deadline(sla, start, calendar)
        return (BREACHED if deadline is not None and now > deadline else PENDING), None
    elapsed = clock.elapsed(start, done, calendar)
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
