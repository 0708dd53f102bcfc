"""The SLA clocks of the after-save flows: which timestamp stops each clock, and how long each segment
waits before escalating, as scheduled-path offsets."""

from __future__ import annotations

import math

from handrail.specs.model import Model

SLA_TIMESTAMPS = {
    "internal_handoff": "internal_handoff_at",
    "first_touch": "first_touch_at",
    "kickoff": "kickoff_at",
}
SLA_LABELS = {"internal_handoff": "Internal handoff", "first_touch": "First CS touch", "kickoff": "Kickoff"}
ROLE_LABELS = {
    "csm": "CSM",
    "owner": "Deal Owner",
    "owner_manager": "Owner's Manager",
    "csm_manager": "CSM's Manager",
}


def sla_offset(sla: str, value: int) -> tuple[int, str]:
    """A scheduled-path offset for an SLA length. Paths count calendar time, so n business days wait
    n + 2 * ceil(n / 5) days: exact for whole weeks, otherwise up to two days late, never early."""
    if sla == "kickoff":
        return value + 2 * math.ceil(value / 5), "Days"
    return value, "Hours"


def sla_value(segment, sla: str) -> int:
    return segment.sla.kickoff_business_days if sla == "kickoff" else getattr(segment.sla, f"{sla}_hours")


def sla_groups(model: Model, sla: str) -> list[tuple[int, tuple[str, ...]]]:
    """(SLA length, segments with that length), in order of first appearance."""
    groups: dict[int, list[str]] = {}
    for s in model.segments:
        groups.setdefault(sla_value(s, sla), []).append(s.key)
    return [(value, tuple(keys)) for value, keys in groups.items()]
