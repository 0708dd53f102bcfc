"""--since periods and calendar months."""

from __future__ import annotations

from datetime import date

import pytest

from handrail.generators.audit.period import months_before, months_between, parse_since

TODAY = date(2026, 3, 31)


@pytest.mark.parametrize(
    "text,expected",
    [
        ("90d", date(2025, 12, 31)),
        ("12w", date(2026, 1, 6)),
        ("6m", date(2025, 9, 30)),
        ("1m", date(2026, 2, 28)),  # 31 March minus a month is the last day of February
        ("13m", date(2025, 2, 28)),
        ("1y", date(2025, 3, 31)),
        (" 7D ", date(2026, 3, 24)),
        ("0d", TODAY),
        ("2026-01-15", date(2026, 1, 15)),
    ],
)
def test_parse_since(text, expected):
    assert parse_since(text, TODAY) == expected


@pytest.mark.parametrize("text", ["", "90", "d90", "3x", "-5d", "2026-13-01", "last month", "1.5m"])
def test_parse_since_rejects(text):
    with pytest.raises(ValueError, match="is not a period; use a number of days, weeks, months or years"):
        parse_since(text, TODAY)


def test_months_before_leap_year():
    assert months_before(date(2024, 3, 30), 1) == date(2024, 2, 29)
    assert months_before(date(2026, 1, 15), 2) == date(2025, 11, 15)


def test_months_between_crosses_years():
    assert months_between("2025-11", "2026-02") == ["2025-11", "2025-12", "2026-01", "2026-02"]
    assert months_between("2026-02", "2026-02") == ["2026-02"]
