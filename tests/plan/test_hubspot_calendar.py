"""The spec's business calendar in HubSpot, applied to the fake portal over HTTP and read back.

A create-task action's `due_time` and a delay (0-1) count calendar time from when the action runs
(v4 action reference: https://developers.hubspot.com/docs/api-reference/automation-automation-v4-v4/
action-enrollment-reference); a workflow's timing settings hold every action after a delay until the next
allowed day and time, and pause dates hold it past holidays, in the portal's time zone
(https://knowledge.hubspot.com/workflows/manage-your-workflow-settings, "Timing"). So a task due date can
only be never early and late by a bound, and an escalation is never early and never outside working time.
"""

from __future__ import annotations

import datetime as dt

import pytest
from plan.live import HUBSPOT_ENV, args, edit, live_spec

from handrail.specs.calendar import calendar_from
from handrail.targets.calendar_spans import day_spans
from handrail.targets.hubspot.calendar_timing import DAY_NAMES, MONTHS

UTC = dt.timezone.utc
CALENDAR = {
    "time_zone": "Europe/Berlin",
    "working_days": ["mon", "tue", "wed", "thu", "sat"],
    "working_hours": {"start": "08:30", "end": "16:00"},
    "holidays": ["2026-05-01", "2026-10-03", "2026-12-24", "2026-12-26", "2027-01-01"],
    "hour_slas": "business",
}
YAML = """calendar:
  time_zone: Europe/Berlin
  working_days: [mon, tue, wed, thu, sat]
  working_hours: {start: "08:30", end: "16:00"}
  holidays: [2026-05-01, 2026-10-03, 2026-12-24, 2026-12-26, 2027-01-01]
  hour_slas: business
"""
KICKOFF = "      - sla: kickoff\n        to: [csm_manager]\n        message: No kickoff within the SLA.\n"


PEOPLE = ("cs-pool@example.com", "cs-manager@example.com", "cs-lead@example.com", "sales-lead@example.com")
ENV = (
    HUBSPOT_ENV
    + "    csm_manager_email: cs-lead@example.com\n    owner_manager_email: sales-lead@example.com\n"
)


@pytest.fixture
def flows(portal, tmp_path, run_cli, monkeypatch):
    monkeypatch.setenv("HANDRAIL_HUBSPOT_TIMEOUT", "30")  # some 60 requests on a shared, loaded machine
    for email in PEOPLE:
        portal.portal.add_owner(email, email.split("@")[0], "Person")
    spec = live_spec(tmp_path, ENV)
    edit(spec, "    escalations:\n", "    escalations:\n" + KICKOFF)
    spec.write_text(spec.read_text() + YAML)
    code, out, err = run_cli(*args(spec, "apply"))
    assert code == 0, out + err
    code, out, err = run_cli(*args(spec, "plan", "--exit-code"))  # the timing settings read back as sent
    assert code == 0 and "no changes" in out, out + err
    assert portal.rejections == []
    return {f["customProperties"]["handrail_key"]: f for f in portal.portal.flows.values()}


def _tasks(flow: dict) -> dict[str, dict]:
    return {a["fields"]["subject"]: a["fields"] for a in flow["actions"] if a.get("actionTypeId") == "0-3"}


def test_task_due_dates_are_never_before_the_calendars(flows):
    """The 5-business-day kickoff task, created at any hour of 2026, is due on or after the calendar's
    5th business day, and at most the span's spread of days later."""
    calendar = calendar_from(CALENDAR)
    due = _tasks(flows["closed-won-handoff"])["Hold the kickoff call"]["due_time"]
    assert due["timeUnit"] == "DAYS"
    shortest, longest = day_spans(calendar, 5)
    for step in range(0, 365 * 24, 7):
        created = dt.datetime(2026, 1, 1, tzinfo=UTC) + dt.timedelta(hours=step)
        hubspot = calendar.local_date(created + dt.timedelta(days=due["delta"]))
        late = (hubspot - calendar.add_business_days(created, 5)).days
        assert 0 <= late <= longest - shortest, created


def test_a_holiday_and_a_weekend_move_the_24_hour_task(flows):
    """24 working hours (7.5 a day) from Wednesday 23 December 2026 16:00 Berlin, closing time: Christmas
    Eve and 26 December are holidays, Friday and Sunday days off; Monday 28 to Wednesday 30 give 22.5
    hours, the last 1.5 end Thursday 31 at 10:00. The task's fixed wait, never early, is due by then."""
    calendar = calendar_from(CALENDAR)
    due = _tasks(flows["closed-won-handoff"])["Internal handoff meeting"]["due_time"]
    created = dt.datetime(2026, 12, 23, 15, 0, tzinfo=UTC)
    deadline = calendar.hours_deadline(created, 24)
    assert deadline == dt.datetime(2026, 12, 31, 10, 0, tzinfo=calendar.tz)
    assert due["timeUnit"] == "HOURS"
    assert created + dt.timedelta(hours=due["delta"]) >= deadline


def _held(flow: dict, moment: dt.datetime, calendar) -> dt.datetime:
    """When HubSpot runs an action reached at `moment`: the next allowed day and time, pause dates aside
    (portal time zone = the calendar's)."""
    windows = {w["day"]: w for w in flow["timeWindows"]}
    blocked = {
        dt.date(b["year"], MONTHS.index(b["month"]) + 1, b["dayOfMonth"]) for b in flow["blockedDates"]
    }
    local = moment.astimezone(calendar.tz)
    for days in range(30):
        day = local.date() + dt.timedelta(days=days)
        window = windows.get(DAY_NAMES[day.weekday()])
        if window is None or day in blocked:
            continue
        opens = dt.datetime.combine(day, dt.time(window["startTime"]["hour"], window["startTime"]["minute"]))
        closes = dt.datetime.combine(day, dt.time(window["endTime"]["hour"], window["endTime"]["minute"]))
        opens, closes = opens.replace(tzinfo=calendar.tz), closes.replace(tzinfo=calendar.tz)
        if local < closes:
            return max(local, opens)
    raise AssertionError("no working time within 30 days")


def test_escalations_run_after_the_deadline_in_working_time(flows):
    calendar = calendar_from(CALENDAR)
    for key, business_days in (("escalation-kickoff", True), ("escalation-first_touch", False)):
        flow = flows[key]
        assert {w["day"] for w in flow["timeWindows"]} == {
            "MONDAY",
            "TUESDAY",
            "WEDNESDAY",
            "THURSDAY",
            "SATURDAY",
        }
        assert len(flow["blockedDates"]) == 5
        delays = [a for a in flow["actions"] if a.get("actionTypeId") == "0-1"]
        assert delays
        for delay in delays:
            wait = dt.timedelta(minutes=int(delay["fields"]["delta"]))
            for step in range(0, 365 * 24, 13):
                close = dt.datetime(2026, 1, 1, tzinfo=UTC) + dt.timedelta(hours=step)
                fired = _held(flow, close + wait, calendar)
                assert calendar.is_business_day(fired.date())
                if business_days:
                    assert fired > calendar.day_deadline(close, 5), close
                else:
                    assert fired >= calendar.hours_deadline(close, wait_hours(delay, flow)), close


def wait_hours(delay: dict, flow: dict) -> int:
    """The segment SLA a first-touch delay stands for, from the notification text after it."""
    actions = {a["actionId"]: a for a in flow["actions"]}
    body = actions[delay["connection"]["nextActionId"]]["fields"]["body"]
    return int(body.split(" closed ")[1].split(" hours")[0])
