"""Time arithmetic for audits: the --since window and calendar months (business days: specs.calendar)."""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta

RELATIVE = re.compile(r"^\s*(\d+)\s*([dwmy])\s*$", re.IGNORECASE)
SINCE_HELP = "a number of days, weeks, months or years back (90d, 12w, 6m, 1y) or an ISO date (2026-01-31)"


def parse_since(text: str, today: date) -> date:
    """The first close date an audit covers: '90d', '12w', '6m', '1y' before `today`, or an ISO date."""
    match = RELATIVE.match(text)
    if match:
        amount, unit = int(match.group(1)), match.group(2).lower()
        if unit == "d":
            return today - timedelta(days=amount)
        if unit == "w":
            return today - timedelta(weeks=amount)
        return months_before(today, amount * (12 if unit == "y" else 1))
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"'{text}' is not a period; use {SINCE_HELP}") from None


def months_before(day: date, months: int) -> date:
    """The same day `months` calendar months earlier, clamped to the month's length (31 Mar - 1m = 28/29
    Feb)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def month_key(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def months_between(first: str, last: str) -> list[str]:
    """Every 'YYYY-MM' from first to last inclusive."""
    y, m = map(int, first.split("-"))
    end = tuple(map(int, last.split("-")))
    out = []
    while (y, m) <= end:
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out
