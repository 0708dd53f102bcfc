"""The spec's business calendar in HubSpot workflows, as far as the v4 API lets a workflow follow it.

A create-task action's due time and a delay count calendar time from the moment the action runs; neither
can skip holidays or count working hours. So with a calendar:
  task due     n business days -> the longest calendar span n business days take from any start date
               (calendar_spans.py); n hours with `hour_slas: business` -> the longest span of n working
               hours. Never earlier than the calendar's due date, later by up to the stated bound.
  escalations  the delay is the longest wait any close can need (never early), and the workflow's own
               timing settings hold the notification until working time: `timeWindows` (the calendar's
               working days and hours) and `blockedDates` (its holidays), which HubSpot applies in the
               portal's time zone to every action after a delay (knowledge.hubspot.com/workflows/
               manage-your-workflow-settings, "Timing").
Without a calendar in the spec nothing changes: business days are n + 2 * ceil(n / 5) calendar days.
"""

from __future__ import annotations

from typing import Any

from handrail.specs.calendar import BusinessCalendar
from handrail.specs.model import Due, Model
from handrail.targets.calendar_spans import day_spans, hour_spans, longest_day_hours, longest_hours

DAY_NAMES = ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY")
MONTHS = (
    "JANUARY",
    "FEBRUARY",
    "MARCH",
    "APRIL",
    "MAY",
    "JUNE",
    "JULY",
    "AUGUST",
    "SEPTEMBER",
    "OCTOBER",
    "NOVEMBER",
    "DECEMBER",
)


def task_due(due: Due, calendar: BusinessCalendar) -> dict[str, Any]:
    """A create-task action's `due_time` for a calendar of the spec's own."""
    if due.unit == "business_days":
        return {"delta": day_spans(calendar, due.amount)[1], "timeUnit": "DAYS"}
    if due.unit == "hours":
        return {"delta": longest_hours(calendar, due.amount), "timeUnit": "HOURS"}
    return {"delta": due.amount, "timeUnit": "DAYS"}


def sla_wait_minutes(calendar: BusinessCalendar, amount: int, unit: str) -> int:
    """An escalation's delay: the longest time from a close to the end of its SLA."""
    if unit == "business_days":
        return longest_day_hours(calendar, amount) * 60
    return longest_hours(calendar, amount) * 60


def execution_timing(calendar: BusinessCalendar) -> dict[str, list]:
    """The workflow timing settings that keep actions to the calendar's working time."""

    def clock(moment) -> dict[str, int]:
        return {"hour": moment.hour, "minute": moment.minute}

    return {
        "timeWindows": [
            {"day": DAY_NAMES[d], "startTime": clock(calendar.start), "endTime": clock(calendar.end)}
            for d in calendar.working_days
        ],
        "blockedDates": [
            {"dayOfMonth": h.day, "month": MONTHS[h.month - 1], "year": h.year}
            for h in sorted(calendar.holidays)
        ],
    }


def capability_rows(model: Model) -> list[list[str]]:
    """CAPABILITIES.md rows: how the workflows approximate the spec's calendar, and by how much."""
    calendar = model.calendar
    if calendar.is_default:  # the "SLA escalations" row says how weekdays are approximated
        return []
    rows = []
    for due in sorted(set(_dues(model)), key=lambda d: (d.unit, d.amount)):
        if due.unit == "business_days":
            shortest, longest = day_spans(calendar, due.amount)
            rows.append(
                [
                    f"Task due in {due.describe()}",
                    f"due {longest} days after the task is created: the longest span {due.describe()} take",
                    f"approximate: never early, up to {longest - shortest} days late",
                ]
            )
        elif due.unit == "hours" and calendar.business_hours and due.amount:
            shortest, longest = hour_spans(calendar, due.amount)
            rows.append(
                [
                    f"Task due in {due.describe()} (working hours)",
                    f"due {longest} hours after the task is created: the longest span they take",
                    f"approximate: never early, up to {longest - shortest} hours late",
                ]
            )
    last = max(calendar.holidays).isoformat() if calendar.holidays else "none listed"
    rows += [
        [
            "Business calendar: escalations",
            "each waits the longest time any close needs, then the workflow's timing settings hold the "
            f"notification to working days and hours ({calendar.start:%H:%M}-{calendar.end:%H:%M}) and past "
            "the holidays (pause dates); HubSpot applies them in the portal's time zone: set it to "
            f"{calendar.time_zone}",
            "approximate: never early, late by the spread of the SLA's span plus the wait for working time",
        ],
        [
            "Business calendar: holidays",
            f"known through the last one listed ({last}): list the next year's and apply again yearly",
            "manual step",
        ],
    ]
    return rows


def _dues(model: Model) -> list[Due]:
    auto = model.automation
    tasks = list(auto.on_closed_won.tasks) + list(auto.on_intake_return.tasks)
    tasks += [t for e in auto.on_stage_entry for t in e.tasks]
    return [t.due for t in tasks]
