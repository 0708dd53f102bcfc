"""What happens at stage changes and at Closed Won, as the spec's `automation:` says (part of the model)."""

from __future__ import annotations

from dataclasses import field
from typing import Literal

from handrail.specs.diagnostics import Span
from handrail.specs.record import record


@record
class Due:
    """When a task falls due: an amount of hours, days or business days (the spec's calendar)."""

    amount: int
    unit: Literal["hours", "days", "business_days"]

    def describe(self) -> str:
        unit = self.unit.replace("_", " ")
        return f"{self.amount} {unit[:-1] if self.amount == 1 else unit}"


@record
class Task:
    """A task Handrail creates for a role or user when its event happens."""

    key: str
    subject: str
    description: str
    owner: str  # recipient
    due: Due
    segments: tuple[str, ...]
    tiers: tuple[str, ...] = ()  # tier keys (ready, gaps, blocked); none: any tier
    span: Span | None = None
    pipelines: tuple[str, ...] = ()  # pipeline keys; none: deals of any pipeline
    stamps: str | None = None  # the SLA clock its completion stamps (specs.clocks)


@record
class Notification:
    """A message to roles or users when its event happens, for deals of `segments` (all when empty)."""

    to: tuple[str, ...]
    title: str
    body: str
    segments: tuple[str, ...]
    tiers: tuple[str, ...] = ()
    span: Span | None = None
    pipelines: tuple[str, ...] = ()


@record
class Assignment:
    """One `assign_csm` rule. It applies to a deal of one of `segments` whose fields match every `when`
    entry (a field reference, specs.csm_rules, and its values); the first rule that applies and finds a
    CSM decides. Round-robin over `pool` skips inactive members and, with `max_open`, members with that many
    open onboardings; `account_csm` takes the account's CSM. A rule that finds nobody passes to the next."""

    segments: tuple[str, ...]
    assign: str | None  # username
    keep_existing: bool = True
    span: Span | None = None
    pool: tuple[str, ...] = ()  # usernames, in rotation order
    max_open: int | None = None  # open onboardings (won, no kickoff yet) a pool member may hold
    when: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (field reference, values): all must match
    account_csm: bool = False

    @property
    def people(self) -> tuple[str, ...]:
        return ((self.assign,) if self.assign else ()) + self.pool


@record
class Escalation:
    """Who is told, and what, when one of the handoff SLA clocks runs out."""

    sla: Literal["internal_handoff", "first_touch", "kickoff", "implementation_contact"]
    to: tuple[str, ...]
    message: str
    span: Span | None = None


@record
class StageEntry:
    """The tasks and notifications when a deal enters `stage`."""

    stage: str
    notify: tuple[Notification, ...] = ()
    tasks: tuple[Task, ...] = ()
    span: Span | None = None


@record
class ClosedWon:
    """What happens at Closed Won: CSM assignment, tasks, notifications, and the close time stamp."""

    assign_csm: tuple[Assignment, ...] = ()
    tasks: tuple[Task, ...] = ()
    notify: tuple[Notification, ...] = ()
    stamp_close_time: bool = True
    escalations: tuple[Escalation, ...] = ()


@record
class IntakeReturn:
    """What happens when CS returns a handoff to Sales (intake status Returned): the deal stays won, the
    tasks and notifications go out, and the handoff goes back to CS only through the Closed Won gates."""

    tasks: tuple[Task, ...] = ()
    notify: tuple[Notification, ...] = ()
    span: Span | None = None


@record
class Automation:
    """The spec's `automation:` block: what happens on stage entry, at Closed Won and on an intake return."""

    on_stage_entry: tuple[StageEntry, ...] = ()
    on_closed_won: ClosedWon = field(default_factory=ClosedWon)
    flow_status: Literal["active", "draft"] = "active"
    on_intake_return: IntakeReturn = field(default_factory=IntakeReturn)
