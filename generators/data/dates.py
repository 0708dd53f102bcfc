"""Dates and date-times as CRM exports write them, read the same way for every column.

Accepted: ISO 8601 (`2026-12-31`, `2026-12-31T10:00:00.000+0000`, HubSpot's `2026-12-31 10:00`), epoch
milliseconds (HubSpot's API), and the locale forms of Salesforce report exports: `12/31/2026` (US),
`31/12/2026` or `31.12.2026` (day first), each optionally followed by a time such as `10:00 AM` or `14:30`.
A day-first or month-first date is read only when it can mean one thing (`12/31/2026`, `31/12/2026`);
`03/04/2026` could be either, so it needs `--date-format` (`%m/%d/%Y` or `%d/%m/%Y`), never a guess.
Times without a zone are UTC.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, timezone

MONTH_FIRST, DAY_FIRST = "%m/%d/%Y", "%d/%m/%Y"
_LOCAL = re.compile(
    r"(\d{1,2})([/.-])(\d{1,2})\2(\d{4})"
    r"(?:[ T,]+(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?\s*([AaPp][Mm])?)?"
)
_TIME = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?\s*([AaPp][Mm])?")
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
OUT_OF_RANGE = "is not a moment between the years 1 and 9999 in UTC"
NOT_A_DATE = "is not a date; use ISO 8601 such as 2026-01-31, or pass --date-format such as %m/%d/%Y"


class AmbiguousDate(ValueError):
    """A day-first or month-first date that reads both ways."""


class DateParser:
    """Reads dates with one optional `date_format` (strptime codes) for the forms that are not ISO."""

    def __init__(self, date_format: str | None = None):
        self.date_format = date_format

    def date(self, value: object) -> date:
        text = str(value).strip()
        if len(text) == 10 and text[4:5] == "-":
            try:
                return date.fromisoformat(text)
            except ValueError:
                pass
        return self.datetime(text).date()

    def datetime(self, value: object) -> datetime:
        """A timezone-aware UTC datetime; a date alone is midnight. Only years 1 to 9999 in UTC."""
        text = str(value).strip()
        try:
            if text.isdigit() and len(text) >= 11:  # epoch milliseconds, exactly (no float in between)
                return EPOCH + timedelta(milliseconds=int(text))
            parsed = self._iso(text) or self._with_format(text) or self._local(text)
            if parsed is None:
                raise ValueError(NOT_A_DATE)
            if parsed.tzinfo is None:
                return parsed.replace(tzinfo=timezone.utc)
            return parsed.astimezone(timezone.utc)
        except OverflowError:  # e.g. 0001-01-01T00:30+01:00 is in the year 0 in UTC
            raise ValueError(OUT_OF_RANGE) from None

    @staticmethod
    def _iso(text: str) -> datetime | None:
        if not (len(text) >= 10 and text[4:5] == "-"):
            return None
        try:
            return datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return None

    def _with_format(self, text: str) -> datetime | None:
        if not self.date_format:
            return None
        try:
            return datetime.strptime(text, self.date_format)
        except ValueError:
            pass
        day, _, rest = text.partition(" ")  # the format names the date; a time may follow it
        try:
            parsed = datetime.strptime(day, self.date_format)
        except ValueError:
            raise ValueError(f"does not match --date-format {self.date_format}") from None
        clock = _clock(rest.strip()) if rest.strip() else time()
        if clock is None:
            raise ValueError(f"does not match --date-format {self.date_format}")
        return datetime.combine(parsed.date(), clock)

    @staticmethod
    def _local(text: str) -> datetime | None:
        m = _LOCAL.fullmatch(text)
        if not m:
            return None
        first, second, year = int(m[1]), int(m[3]), int(m[4])
        if first > 12 >= second or first == second:
            day, month = first, second
        elif second > 12 >= first:
            day, month = second, first
        elif first <= 12 and second <= 12:
            month_first, day_first = (f.replace("/", m[2]) for f in (MONTH_FIRST, DAY_FIRST))  # as written
            raise AmbiguousDate(
                f"could be {second} {_MONTHS[first - 1]} or {first} {_MONTHS[second - 1]} {year}; pass "
                f"--date-format {month_first} (month first, as in US exports) or --date-format {day_first}"
            )
        else:
            return None
        clock = _clock(text[m.end(4) :].strip(" T,")) if m[5] else time()
        try:
            return datetime.combine(date(year, month, day), clock or time())
        except ValueError:
            return None


def _clock(text: str) -> time | None:
    m = _TIME.fullmatch(text)
    if not m:
        return None
    hour, minute, second = int(m[1]), int(m[2]), int(m[3] or 0)
    if m[4]:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if m[4].lower() == "pm" else 0)
    try:
        return time(hour, minute, second)
    except ValueError:
        return None
