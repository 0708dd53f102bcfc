"""The SLA clocks of the after-save flows: which timestamp stops each clock, and how long each segment
waits before escalating, as scheduled-path offsets."""

from __future__ import annotations

import math

from handrail.specs.calendar import BusinessCalendar
from handrail.specs.model import Model
from handrail.targets.calendar_spans import longest_day_hours, longest_hours

SLA_TIMESTAMPS = {
    "internal_handoff": "internal_handoff_at",
    "first_touch": "first_touch_at",
    "kickoff": "kickoff_at",
    "implementation_contact": "implementation_contact_at",  # the playbook's (specs.playbook)
}
SLA_LABELS = {
    "internal_handoff": "Internal handoff",
    "first_touch": "First CS touch",
    "kickoff": "Kickoff",
    "implementation_contact": "Implementation owner contact",
}
SLA_UNITS = {"kickoff": "business days", "implementation_contact": "days"}  # others: hours
ROLE_LABELS = {
    "csm": "CSM",
    "owner": "Deal Owner",
    "owner_manager": "Owner's Manager",
    "csm_manager": "CSM's Manager",
}


def sla_offset(sla: str, value: int, calendar: BusinessCalendar = BusinessCalendar()) -> tuple[int, str]:
    """A scheduled-path offset for an SLA length. Paths count calendar time, so n business days wait
    n + 2 * ceil(n / 5) days: exact for whole weeks, otherwise up to two days late. With the spec's
    calendar the wait is the longest any close can need (calendar_spans.py): never early."""
    if not calendar.is_default and sla == "kickoff":
        return longest_day_hours(calendar, value), "Hours"
    if not calendar.is_default and sla != "implementation_contact":
        return longest_hours(calendar, value), "Hours"
    if sla == "kickoff":
        return value + 2 * math.ceil(value / 5), "Days"
    return value, "Days" if sla == "implementation_contact" else "Hours"


def sla_value(segment, sla: str) -> int | None:
    """The segment's limit; None when the SLA does not apply to it."""
    if sla == "kickoff":
        return segment.sla.kickoff_business_days
    if sla == "implementation_contact":
        return segment.sla.implementation_contact_days
    return getattr(segment.sla, f"{sla}_hours")


def sla_groups(model: Model, sla: str) -> list[tuple[int, tuple[str, ...]]]:
    """(SLA length, segments with that length), in order of first appearance; segments the SLA does not
    apply to are in none."""
    groups: dict[int, list[str]] = {}
    for s in model.segments:
        if sla_value(s, sla) is not None:
            groups.setdefault(sla_value(s, sla), []).append(s.key)
    return [(value, tuple(keys)) for value, keys in groups.items()]
