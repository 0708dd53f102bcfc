"""The SLA stop-clocks a Closed Won task stamps when it is completed (`stamps:` on a task).

Clock -> the computed timestamp it stops. A Closed Won task keyed internal_handoff, welcome or kickoff
stamps its clock unless it says otherwise (`stamps: none` turns that off); one task per clock.
`clocks_stamped` (a computed field) lists, `;`-separated, the clocks automation stamped, so `audit`
counts every other set clock as entered by hand.
"""

from __future__ import annotations

CLOCKS = {"internal_handoff": "internal_handoff_at", "first_touch": "first_touch_at", "kickoff": "kickoff_at"}
DEFAULT_BY_KEY = {"internal_handoff": "internal_handoff", "welcome": "first_touch", "kickoff": "kickoff"}
MARKER = "clocks_stamped"
SEPARATOR = ";"


def stamps_of(raw: dict, closed_won: bool) -> str | None:
    """The clock a task's completion stamps: what it says, else its key's default (Closed Won tasks only)."""
    said = raw.get("stamps")
    if said == "none":
        return None
    if said is not None:
        return said
    return DEFAULT_BY_KEY.get(raw.get("key")) if closed_won else None


def stamped_by_automation(marker: str | None, clock: str) -> bool:
    """Whether a deal's `clocks_stamped` value lists `clock`."""
    return clock in (marker or "").split(SEPARATOR)


def check(c, auto: dict) -> None:
    """`stamps:` only on Closed Won tasks, and one task per clock; errors are located at the task."""
    for block in ("on_stage_entry", "on_intake_return"):
        parts = auto.get(block)
        entries = parts if isinstance(parts, list) else [parts] if isinstance(parts, dict) else []
        for i, entry in enumerate(entries):
            base = ("automation", block, i) if block == "on_stage_entry" else ("automation", block)
            for j, task in enumerate((entry or {}).get("tasks") or []):
                if isinstance(task, dict) and task.get("stamps") not in (None, "none"):
                    c.err(
                        "stamps-outside-closed-won",
                        "only a Closed Won task can stamp an SLA clock",
                        base + ("tasks", j, "stamps"),
                        "move the task to automation.on_closed_won.tasks, or remove stamps:",
                    )
    won = auto.get("on_closed_won")
    tasks = won.get("tasks") if isinstance(won, dict) else None
    seen: dict[str, str] = {}
    for j, task in enumerate(tasks if isinstance(tasks, list) else []):
        if not isinstance(task, dict):
            continue
        clock = stamps_of(task, closed_won=True)
        if clock is None:
            continue
        if clock in seen:
            c.err(
                "duplicate-clock",
                f"task '{task.get('key')}' stamps {clock}, which task '{seen[clock]}' already stamps",
                ("automation", "on_closed_won", "tasks", j, "stamps" if "stamps" in task else "key"),
                "one task per clock: give the other task `stamps: none` or another clock",
            )
        else:
            seen[clock] = str(task.get("key"))
