"""The business calendar, on hand-computed cases: local dates across time zones, weekends, holidays and
working hours, and the SLA clocks that count in it."""

from __future__ import annotations

from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo

import pytest

from handrail.generators.audit.sla import BREACHED, CLOCKS, PENDING, WITHIN, check
from handrail.specs.calendar import BusinessCalendar, calendar_from, calendar_problems
from handrail.specs.model import Sla

UTC = timezone.utc
LA = ZoneInfo("America/Los_Angeles")
PACIFIC = BusinessCalendar(time_zone="America/Los_Angeles")
KICKOFF = next(c for c in CLOCKS if c.key == "kickoff")
INTERNAL = next(c for c in CLOCKS if c.key == "internal_handoff")


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    "start,end,expected",
    [
        (date(2026, 1, 12), date(2026, 1, 19), 5),  # Monday to Monday
        (date(2026, 1, 16), date(2026, 1, 19), 1),  # Friday to Monday
        (date(2026, 1, 17), date(2026, 1, 18), 0),  # Saturday to Sunday
        (date(2026, 1, 12), date(2026, 1, 12), 0),
        (date(2026, 1, 19), date(2026, 1, 12), -5),
        (date(2026, 1, 1), date(2026, 12, 31), 260),  # 1 January itself is not counted
    ],
)
def test_default_calendar_counts_weekdays_in_utc(start, end, expected):
    cal = BusinessCalendar()
    noon = time(12)
    assert (
        cal.business_days_between(datetime.combine(start, noon, UTC), datetime.combine(end, noon, UTC))
        == expected
    )


def test_a_monday_evening_close_in_california_counts_from_monday():
    """Monday 2 March 2026 17:30 PST is Tuesday 01:30 UTC. Kickoff on Tuesday 10 March, 10:00 PDT, is 6
    local business days later (Tue 3 .. Tue 10); counted on UTC dates it would look like 5."""
    closed = datetime(2026, 3, 2, 17, 30, tzinfo=LA)
    kickoff = datetime(2026, 3, 10, 10, 0, tzinfo=LA)
    assert BusinessCalendar().business_days_between(closed, kickoff) == 5
    assert PACIFIC.business_days_between(closed, kickoff) == 6
    process = {"closed_won_at": closed.astimezone(UTC), "kickoff_at": kickoff.astimezone(UTC)}
    sla = Sla(kickoff_business_days=5)
    assert check(KICKOFF, sla, process, kickoff, BusinessCalendar()) == (WITHIN, 5)  # the old, wrong answer
    assert check(KICKOFF, sla, process, kickoff, PACIFIC) == (BREACHED, 6)


def test_holidays_and_weekends_move_the_deadline():
    """Closed Wednesday 23 Dec 2026; 5 business days with 25 Dec and 1 Jan off: Thu 24, Mon 28, Tue 29,
    Wed 30, Thu 31 -> the deadline is the end of Thursday 31 December, local time."""
    cal = calendar_from({"time_zone": "Europe/Berlin", "holidays": ["2026-12-25", "2027-01-01"]})
    closed = datetime(2026, 12, 23, 15, 0, tzinfo=ZoneInfo("Europe/Berlin"))
    deadline = KICKOFF.deadline(Sla(kickoff_business_days=5), closed, cal)
    assert deadline.astimezone(ZoneInfo("Europe/Berlin")).replace(tzinfo=None) == datetime(
        2026, 12, 31, 23, 59, 59, 999999
    )
    assert cal.add_business_days(closed, 6) == date(2027, 1, 4)  # 1 January is a holiday, then a weekend
    assert cal.business_days_between(closed, datetime(2027, 1, 4, 9, tzinfo=ZoneInfo("Europe/Berlin"))) == 6
    pending = {"closed_won_at": closed}
    assert check(KICKOFF, Sla(kickoff_business_days=5), pending, deadline, cal)[0] == PENDING
    assert (
        check(
            KICKOFF,
            Sla(kickoff_business_days=5),
            pending,
            deadline.replace(microsecond=0)
            + (datetime(2027, 1, 1, tzinfo=UTC) - datetime(2026, 12, 31, 23, 59, 59, tzinfo=UTC)),
            cal,
        )[0]
        == BREACHED
    )


def test_business_hours_count_only_working_time():
    """9:00-17:00 Pacific, Mon-Fri. Closed Friday 16:00: 1 h on Friday, then Monday from 9:00; 24 working
    hours end on Wednesday at 16:00 (1 + 8 + 8 + 7)."""
    cal = calendar_from({"time_zone": "America/Los_Angeles", "hour_slas": "business"})
    closed = datetime(2026, 3, 6, 16, 0, tzinfo=LA)
    deadline = INTERNAL.deadline(Sla(internal_handoff_hours=24), closed, cal)
    assert deadline == datetime(2026, 3, 11, 16, 0, tzinfo=LA)
    # Monday 9 March 11:30: 1 h Friday + 2.5 h Monday (the DST change on Sunday 8 March costs no work time)
    briefed = datetime(2026, 3, 9, 11, 30, tzinfo=LA)
    assert INTERNAL.elapsed(closed, briefed, cal) == int(3.5 * 3_600_000_000)
    assert (
        check(
            INTERNAL,
            Sla(internal_handoff_hours=4),
            {"closed_won_at": closed, "internal_handoff_at": briefed},
            briefed,
            cal,
        )[0]
        == WITHIN
    )
    # a close outside working hours starts counting at the next opening
    saturday = datetime(2026, 3, 7, 10, 0, tzinfo=LA)
    assert INTERNAL.deadline(Sla(internal_handoff_hours=2), saturday, cal) == datetime(
        2026, 3, 9, 11, 0, tzinfo=LA
    )
    assert INTERNAL.describe(Sla(internal_handoff_hours=2), cal) == "2 hours (business hours)"


def test_elapsed_hours_stay_24_7_by_default():
    closed = utc(2026, 3, 6, 16)
    assert INTERNAL.deadline(Sla(internal_handoff_hours=24), closed, PACIFIC) == utc(2026, 3, 7, 16)


def test_working_days_may_include_the_weekend():
    cal = calendar_from({"working_days": ["sun", "mon", "tue", "wed", "thu"]})
    assert cal.business_days_between(utc(2026, 1, 15, 12), utc(2026, 1, 18, 12)) == 1  # Thu -> Sun


@pytest.mark.parametrize(
    "raw,problem",
    [
        ({"time_zone": "Mars/Olympus"}, "unknown time zone 'Mars/Olympus'"),
        ({"working_hours": {"start": "17:00", "end": "09:00"}}, "end must be after start"),
        ({"holidays": ["2026-02-30"]}, "holiday '2026-02-30' is not a date"),
        ({"time_zone": "Asia/Kolkata"}, None),
    ],
)
def test_calendar_problems(raw, problem):
    found = calendar_problems(raw)
    assert (found == []) if problem is None else any(problem in f for f in found)
