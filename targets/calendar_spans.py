"""What a CRM that cannot evaluate the business calendar needs from it: fixed waits that are never early,
how late they can be, and the UTC offset changes of the calendar's time zone.

A scheduled path (Salesforce) or a delay (HubSpot) waits a fixed time, while the calendar's deadline
moves with the weekday, the holidays and daylight saving. The longest wait any start can need is never
early; the gap to the shortest is how late it can be. The calendar is known through the last year its
holidays are listed for (its horizon); after it only the working days repeat.
"""

from __future__ import annotations

import math
from datetime import date, datetime, time, timedelta, timezone

from handrail.specs.calendar import BusinessCalendar


def horizon_years(calendar: BusinessCalendar) -> range:
    """The years the calendar's holidays cover (none without holidays)."""
    if not calendar.holidays:
        return range(0)
    return range(min(calendar.holidays).year, max(calendar.holidays).year + 1)


def _starts(calendar: BusinessCalendar) -> list[date]:
    """Local start dates that show every span: a plain fortnight before the horizon, and the horizon."""
    years = horizon_years(calendar)
    first = date(years[0], 1, 1) if years else date(2001, 1, 1)  # 2001-01-01 is a Monday
    last = date(years[-1], 12, 31) if years else first
    plain = [first - timedelta(days=400 + i) for i in range(14)]
    return plain + [first + timedelta(days=i) for i in range((last - first).days + 1)]


def _at(day: date, calendar: BusinessCalendar) -> datetime:
    return datetime.combine(day, time(12), tzinfo=calendar.tz)


def day_spans(calendar: BusinessCalendar, business_days: int) -> tuple[int, int]:
    """(shortest, longest) number of calendar days from a local start date to its Nth business day."""
    spans = [
        (calendar.add_business_days(_at(s, calendar), business_days) - s).days for s in _starts(calendar)
    ]
    return min(spans), max(spans)


def longest_day_hours(calendar: BusinessCalendar, business_days: int) -> int:
    """Whole hours from any moment of a local start date to the end of its Nth business day: from its
    first moment, the longest span of days plus that whole last day."""
    utc = timezone.utc
    return max(
        math.ceil(
            (calendar.day_deadline(_at(s, calendar), business_days).astimezone(utc) - _midnight(s, calendar))
            / timedelta(hours=1)
        )
        for s in _starts(calendar)
    )


def _midnight(day: date, calendar: BusinessCalendar) -> datetime:
    return datetime.combine(day, time(0), tzinfo=calendar.tz).astimezone(timezone.utc)


def _edges(calendar: BusinessCalendar, edge: time) -> list[datetime]:
    """The openings (or closings) of working hours on the business days of the starts."""
    return [
        datetime.combine(s, edge, tzinfo=calendar.tz)
        for s in _starts(calendar)
        if calendar.is_business_day(s)
    ]


def hour_spans(calendar: BusinessCalendar, hours: int) -> tuple[int, int]:
    """(shortest, longest) whole hours `hours` of SLA take from a start: working hours when the calendar
    counts them. The longest starts at a closing time, the shortest at an opening time."""
    if not calendar.business_hours or hours == 0:
        return hours, hours
    utc = timezone.utc

    def span(start: datetime) -> float:
        return (calendar.hours_deadline(start, hours).astimezone(utc) - start.astimezone(utc)) / timedelta(
            hours=1
        )

    shortest = min(span(o) for o in _edges(calendar, calendar.start))
    return math.floor(shortest), math.ceil(max(span(c) for c in _edges(calendar, calendar.end)))


def longest_hours(calendar: BusinessCalendar, hours: int) -> int:
    """Whole hours that cover `hours` of SLA from any start."""
    return hour_spans(calendar, hours)[1]


def offset_changes(calendar: BusinessCalendar) -> tuple[float, list[tuple[datetime, float]]]:
    """The zone's UTC offset in hours at the start of the horizon, and each change within it as (UTC
    moment, new offset). Without holidays there is no horizon: the offset of 1 January, unchanged."""
    years = horizon_years(calendar)
    tz = calendar.tz
    start = datetime(years[0] if years else 2001, 1, 1, tzinfo=timezone.utc)
    end = datetime(years[-1] + 1, 1, 1, tzinfo=timezone.utc) if years else start

    def offset(moment: datetime) -> float:
        return moment.astimezone(tz).utcoffset() / timedelta(hours=1)

    first, changes, moment = offset(start), [], start
    while moment < end:  # a day at a time, then the hour of the change by halving
        after = moment + timedelta(days=1)
        if offset(after) != offset(moment):
            low, high = moment, after
            while high - low > timedelta(minutes=1):
                middle = low + (high - low) / 2
                low, high = (middle, high) if offset(middle) == offset(low) else (low, middle)
            changes.append((high.replace(second=0, microsecond=0), offset(after)))
        moment = after
    return first, changes
