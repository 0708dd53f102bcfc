"""The spec's business calendar in the after-save flows: task due dates and SLA escalation timing.

The generated flow is run by the interpreter with a fixed NOW() and checked against specs/calendar.py's
own arithmetic. Flow formulas have no BusinessHours function (the BusinessHours class is Apex only:
https://developer.salesforce.com/docs/atlas.en-us.apexcode.meta/apexcode/apex_classes_businesshours.htm),
so the calendar is compiled into them; DATEVALUE of a date/time is its GMT date and TODAY() the running
user's, hence NOW() plus the calendar's offset
(https://trailhead.salesforce.com/en/content/learn/modules/advanced_formulas/date_formulas).
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from helpers import EXAMPLE_SPEC, write_spec
from salesforce.flow_interpreter import Flow, Run
from salesforce.test_apex import apex_class, check_apex  # noqa: F401, F811 (a fixture)
from salesforce.test_flows import built, deal, scheduled_paths

from handrail.specs.calendar import calendar_from
from handrail.specs.diagnostics import SpecError
from handrail.specs.model import Automation, ClosedWon, Due, Escalation, Task
from handrail.specs.validate import load_spec
from handrail.targets.calendar_spans import day_spans
from handrail.targets.salesforce.limits import FORMULA_MAX
from handrail.targets.salesforce.schema import validate_xml
from handrail.targets.salesforce.spec_checks import spec_warnings

UTC = dt.timezone.utc
WON = "Handoff_Closed_Won_After_Save"
# working Saturday, no Friday; a Thursday (Thanksgiving), a Saturday and a Friday-less week's holidays
CUSTOM = {
    "time_zone": "America/Los_Angeles",
    "working_days": ["mon", "tue", "wed", "thu", "sat"],
    "working_hours": {"start": "09:00", "end": "17:30"},
    "holidays": ["2026-07-04", "2026-09-07", "2026-11-26", "2026-12-24", "2026-12-26", "2027-01-01"],
    "hour_slas": "business",
}


@pytest.fixture(scope="module")
def example():
    return load_spec(EXAMPLE_SPEC).model


def with_tasks(example, calendar: dict, dues: list[Due]):
    segments = tuple(s.key for s in example.segments)
    tasks = tuple(Task(f"t{i}", f"T{i}", "", "owner", due, segments) for i, due in enumerate(dues))
    won = ClosedWon(tasks=tasks, stamp_close_time=False)
    return dataclasses.replace(
        example, automation=Automation(on_closed_won=won), calendar=calendar_from(calendar)
    )


def due_dates(example, model, now: dt.datetime) -> list[dt.date]:
    run = Run(Flow.parse(built(model)[WON][1]), deal(example, StageName="Closed Won"), now=now).run()
    return [v["ActivityDate"] for _, v in sorted(run.created, key=lambda c: int(c[1]["Subject"][1:]))]


def expected(calendar, due: Due, now: dt.datetime) -> dt.date:
    if due.unit == "business_days":
        return calendar.add_business_days(now, due.amount)
    if due.unit == "days":
        return calendar.local_date(now) + dt.timedelta(days=due.amount)
    deadline = (
        calendar.hours_deadline(now, due.amount)
        if calendar.business_hours
        else now + dt.timedelta(hours=due.amount)
    )
    return calendar.local_date(deadline)


def test_a_holiday_a_weekend_and_the_time_zone_move_the_due_dates(example):
    """Closed Wednesday 23 December 2026 at 17:30 in California (Thursday 01:30 UTC), Monday to Friday
    with Christmas off: 1 business day is Thursday 24 (the user-zone-free local date, not the UTC one);
    2 business days skip Friday 25 (holiday) and the weekend: Monday 28."""
    model = with_tasks(
        example,
        {"time_zone": "America/Los_Angeles", "holidays": ["2026-12-25"]},
        [Due(1, "business_days"), Due(2, "business_days"), Due(0, "days")],
    )
    now = dt.datetime(2026, 12, 24, 1, 30, tzinfo=UTC)
    assert due_dates(example, model, now) == [
        dt.date(2026, 12, 24),
        dt.date(2026, 12, 28),
        dt.date(2026, 12, 23),
    ]


def test_working_hours_move_an_hour_task_past_the_holiday(example):
    """8 working hours from Wednesday 23 December 15:00 in California (09:00-17:30, Christmas Eve and
    Saturday 26 off, Saturdays worked): 2.5 hours on Wednesday, then 5.5 on Monday 28."""
    model = with_tasks(example, CUSTOM, [Due(8, "hours"), Due(2, "hours")])
    now = dt.datetime(2026, 12, 23, 23, 0, tzinfo=UTC)  # 15:00 PST
    assert due_dates(example, model, now) == [dt.date(2026, 12, 28), dt.date(2026, 12, 23)]


def test_due_dates_follow_the_calendar_over_a_year(example):
    """Every 11 hours through 2026 (both daylight-saving changes, every weekday and holiday), the
    generated flow's due dates equal specs/calendar.py's: custom working days, holidays, working hours."""
    calendar = calendar_from(CUSTOM)
    dues = [Due(n, "business_days") for n in (0, 1, 2, 3, 4, 5, 9)]
    dues += [Due(n, "hours") for n in (1, 8, 9, 17, 24, 48)] + [Due(3, "days")]
    model = with_tasks(example, CUSTOM, dues)
    compiled = Flow.parse(built(model)[WON][1])
    start = dt.datetime(2026, 1, 1, 0, 7, tzinfo=UTC)
    for step in range(0, 365 * 24, 11):
        now = start + dt.timedelta(hours=step)
        run = Run(compiled, deal(example, StageName="Closed Won"), now=now).run()
        got = {v["Subject"]: v["ActivityDate"] for _, v in run.created}
        assert [got[f"T{i}"] for i in range(len(dues))] == [expected(calendar, d, now) for d in dues], now


def test_without_a_calendar_the_flow_keeps_todays_date(example):
    model = dataclasses.replace(with_tasks(example, {}, [Due(5, "business_days")]))
    assert "NOW()" not in built(model)[WON][1].decode()


def test_escalations_wait_the_longest_time_any_close_needs(example):
    """The kickoff path fires after the calendar's deadline from every close of the horizon (never
    early), and at most the stated number of days after it."""
    calendar = calendar_from(CUSTOM)
    escalations = tuple(Escalation(sla, ("owner_manager",), "") for sla in ("kickoff", "first_touch"))
    won = dataclasses.replace(example.automation.on_closed_won, escalations=escalations)
    automation = dataclasses.replace(example.automation, on_closed_won=won)
    model = dataclasses.replace(example, calendar=calendar, automation=automation)
    paths = {p["offsetNumber"]: p for p in scheduled_paths(model).values() if "Kickoff" in p["label"]}
    kickoff = {s.sla.kickoff_business_days for s in example.segments}
    assert len(paths) == len(kickoff)
    for days in kickoff:
        path = next(p for p in paths.values() if p["label"].endswith(f"{days} business days"))
        assert path["offsetUnit"] == "Hours"
        wait = dt.timedelta(hours=int(path["offsetNumber"]))
        shortest, longest = day_spans(calendar, days)
        for step in range(0, 365 * 24, 5):
            close = dt.datetime(2026, 1, 1, tzinfo=UTC) + dt.timedelta(hours=step)
            late = close + wait - calendar.day_deadline(close, days)
            assert dt.timedelta(0) < late <= dt.timedelta(days=longest - shortest + 1), close
    hours = next(p for p in scheduled_paths(model).values() if "48 hours" in p["label"])
    assert int(hours["offsetNumber"]) > 48  # 48 working hours span more than 48 hours


def test_two_years_of_holidays_fit_the_formula_limit(example):
    holidays = [f"{y}-{m:02d}-{d:02d}" for y in (2026, 2027) for m, d in ((1, 1), (1, 19), (2, 16), (5, 25))]
    holidays += [f"{y}-{m:02d}-{d:02d}" for y in (2026, 2027) for m, d in ((7, 3), (9, 7), (10, 12))]
    holidays += [f"{y}-{m:02d}-{d:02d}" for y in (2026, 2027) for m, d in ((11, 11), (11, 26), (11, 27))]
    holidays += [f"{y}-12-{d}" for y in (2026, 2027) for d in (24, 25, 28, 29, 30, 31)]
    model = with_tasks(
        example, {**CUSTOM, "holidays": holidays}, [Due(n, "business_days") for n in (1, 5, 10, 20)]
    )
    files = built(model)
    compiled = Flow.parse(files[WON][1])
    assert max(len(expression) for _, expression, _ in compiled.formulas.values()) <= FORMULA_MAX
    assert len(holidays) == 32
    assert validate_xml(f"{WON}.Flow", files[WON][1]) == []


def test_too_many_holidays_is_a_located_spec_error(tmp_path):
    days = [dt.date(2026, 1, 5) + dt.timedelta(days=7 * i) for i in range(60)]  # 60 Mondays
    text = (
        EXAMPLE_SPEC.read_text(encoding="utf-8")
        + "\ncalendar:\n  holidays:\n"
        + "".join(f"    - {d.isoformat()}\n" for d in days)
    )
    spec = write_spec(tmp_path, text)
    model = load_spec(spec).model
    with pytest.raises(SpecError) as raised:
        built(model)
    problem = raised.value.diagnostics[0]
    line = text.splitlines().index("  holidays:") + 2  # the list, at its first holiday
    assert (problem.span.file, problem.span.line) == (str(spec), line)
    assert "Salesforce allows 3900" in problem.message and problem.hint


@pytest.mark.parametrize("hours", ["business", "elapsed"])
def test_the_apex_test_expects_the_calendars_due_dates(example, hours, check_apex, tmp_path):  # noqa: F811
    """The Apex test class counts due dates in the same calendar (its local date, working days, holidays,
    working hours) and parses as Apex."""
    model = with_tasks(example, {**CUSTOM, "hour_slas": hours}, [Due(5, "business_days"), Due(8, "hours")])
    component = apex_class(model)
    source = component.content.decode()
    assert "new Set<Integer>{1, 2, 3, 4, 6}" in source  # Monday to Thursday and Saturday, 0 = Sunday
    assert "Date.newInstance(2026, 12, 24)" in source and "'America/Los_Angeles'" in source
    assert ("17.5 - Math.max(9, clock)" in source) == (hours == "business")
    path = tmp_path / f"{component.name}.cls"
    path.write_bytes(component.content)
    result = check_apex(path)
    assert result.returncode == 0 and result.stdout == "", result.stdout + result.stderr


def test_validate_states_how_late_escalations_can_be(tmp_path):
    text = EXAMPLE_SPEC.read_text(encoding="utf-8") + (
        "\ncalendar:\n  time_zone: America/Los_Angeles\n  holidays: [2026-12-25, 2027-01-01]\n"
    )
    model = load_spec(write_spec(tmp_path, text)).model
    (problem,) = [w for w in spec_warnings(model) if w.code == "salesforce-calendar"]
    assert problem.span.line == text.splitlines().index("  holidays: [2026-12-25, 2027-01-01]") + 1
    assert "through the last holiday listed (2027-01-01)" in problem.message
    assert "First CS touch 48 hours: 48 hours, up to 0 hours late" in problem.message  # elapsed hours
    default = dataclasses.replace(model, calendar=calendar_from(None))
    assert not [w for w in spec_warnings(default) if w.code == "salesforce-calendar"]
