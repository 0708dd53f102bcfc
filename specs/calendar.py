"""The business calendar SLAs count in: time zone, working days and hours, holidays.

    calendar:
      time_zone: America/Los_Angeles      # IANA name; dates and hours are local to it
      working_days: [mon, tue, wed, thu, fri]
      working_hours: {start: "09:00", end: "17:00"}
      holidays: [2026-12-25, 2027-01-01]
      hour_slas: business                 # hour SLAs count working hours; "elapsed" (default) counts 24/7

A business day is a local date that is a working day and not a holiday. "N business days after a close"
is the Nth business day after the close's local date, and the clock runs until the end of that local day;
an event counts the business days from the close's local date to the event's local date. With
`hour_slas: business` an hour SLA counts only the working hours of business days. Without `calendar:`
the calendar is UTC, Monday to Friday, no holidays, hours elapsed: what the CRMs' flows assume.
"""

from __future__ import annotations

from dataclasses import field
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache

from handrail.specs.diagnostics import Span
from handrail.specs.record import record

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_MICRO = timedelta(microseconds=1)


@lru_cache(maxsize=None)
def _zone(name: str):
    if name == "UTC":
        return timezone.utc
    from zoneinfo import ZoneInfo  # only for a calendar of its own: validate starts without it

    return ZoneInfo(name)


@record
class BusinessCalendar:
    """Working days, hours and holidays in one time zone: what business days and hours count."""

    time_zone: str = "UTC"
    working_days: tuple[int, ...] = (0, 1, 2, 3, 4)  # Monday = 0
    start: time = time(9, 0)
    end: time = time(17, 0)
    holidays: frozenset[date] = frozenset()
    business_hours: bool = False  # hour SLAs count working hours only
    span: Span | None = field(default=None, compare=False)  # `calendar:` in the spec, for errors

    @property
    def is_default(self) -> bool:
        return self == BusinessCalendar()

    @property
    def tz(self):
        return _zone(self.time_zone)

    def local_date(self, moment: datetime) -> date:
        return moment.astimezone(self.tz).date() if moment.tzinfo else moment.date()

    def is_business_day(self, day: date) -> bool:
        return day.weekday() in self.working_days and day not in self.holidays

    # -- business days --------------------------------------------------------------------------------
    def business_days_between(self, start: datetime, end: datetime) -> int:
        """Business days after start's local date up to and including end's (negative if end is earlier)."""
        first, last = self.local_date(start), self.local_date(end)
        if last < first:
            return -self._count(last, first)
        return self._count(first, last)

    def _count(self, first: date, last: date) -> int:
        weeks, rest = divmod((last - first).days, 7)
        per_week = len(self.working_days)
        plain = weeks * per_week + sum(
            1 for i in range(1, rest + 1) if (first + timedelta(days=i)).weekday() in self.working_days
        )
        return plain - sum(1 for h in self.holidays if first < h <= last and h.weekday() in self.working_days)

    def add_business_days(self, start: datetime, days: int) -> date:
        day, left = self.local_date(start), days
        while left > 0:
            day += timedelta(days=1)
            if self.is_business_day(day):
                left -= 1
        return day

    def day_deadline(self, start: datetime, days: int) -> datetime:
        """The last moment of the Nth business day after start (local), as an aware datetime."""
        last = self.add_business_days(start, days)
        return datetime.combine(last + timedelta(days=1), time(0), tzinfo=self.tz) - _MICRO

    # -- hours --------------------------------------------------------------------------------------
    def _windows(self, start: datetime, end: datetime):
        """The working-hour windows (local, aware) that overlap [start, end)."""
        day = self.local_date(start) - timedelta(days=1)
        while True:
            day += timedelta(days=1)
            opens = datetime.combine(day, self.start, tzinfo=self.tz)
            if opens >= end:
                return
            if self.is_business_day(day):
                closes = datetime.combine(day, self.end, tzinfo=self.tz)
                if closes > start:
                    yield max(opens, start), min(closes, end)

    def working_micros(self, start: datetime, end: datetime) -> int:
        """Microseconds of working time between two moments (negative if end is earlier)."""
        if end < start:
            return -self.working_micros(end, start)
        return sum(((b - a) // _MICRO for a, b in self._windows(start, end)), 0)

    def hours_deadline(self, start: datetime, hours: int) -> datetime:
        """The moment `hours` working hours after start."""
        left = timedelta(hours=hours)
        if not left:
            return start
        day = self.local_date(start)
        while True:
            if self.is_business_day(day):
                opens = max(datetime.combine(day, self.start, tzinfo=self.tz), start)
                closes = datetime.combine(day, self.end, tzinfo=self.tz)
                if closes > opens:
                    if closes - opens >= left:
                        return opens + left
                    left -= closes - opens
            day += timedelta(days=1)


def calendar_from(raw: dict | None, span: Span | None = None) -> BusinessCalendar:
    """The schema-checked `calendar:` mapping as a BusinessCalendar (absent: the default)."""
    if not raw:
        return BusinessCalendar()
    base = BusinessCalendar()
    hours = raw.get("working_hours") or {}
    return BusinessCalendar(
        time_zone=raw.get("time_zone", base.time_zone),
        working_days=tuple(sorted(DAYS.index(d) for d in raw.get("working_days", ()))) or base.working_days,
        start=time.fromisoformat(hours["start"]) if "start" in hours else base.start,
        end=time.fromisoformat(hours["end"]) if "end" in hours else base.end,
        holidays=frozenset(date.fromisoformat(str(d)) for d in raw.get("holidays", ())),
        business_hours=raw.get("hour_slas", "elapsed") == "business",
        span=span,
    )


def calendar_problems(raw: dict | None) -> list[str]:
    """What the schema cannot check: a time zone Python does not know, hours that end before they start,
    a holiday that is no day of the calendar (30 February)."""
    if not raw:
        return []
    out = []
    try:
        _zone(raw.get("time_zone", "UTC"))
    except (KeyError, ValueError):  # ZoneInfoNotFoundError is a KeyError
        out.append(
            f"unknown time zone {raw.get('time_zone')!r}; use an IANA name such as America/Los_Angeles"
        )
    hours = raw.get("working_hours") or {}
    if "start" in hours and "end" in hours and hours["end"] <= hours["start"]:
        out.append("working_hours end must be after start")
    for day in raw.get("holidays") or ():
        try:
            date.fromisoformat(str(day))
        except ValueError:
            out.append(f"holiday {day!r} is not a date of the calendar (YYYY-MM-DD)")
    return out
