"""The playbook's edge cases (`playbook:`): the Enterprise post-sale owner, and an AE who leaves mid-handoff.

    playbook:
      post_sale_owner:
        field: post_sale_owner          # a text or user field: who owns the account after the sale
        segments: [enterprise]          # the field is required in these at Closed Won
        contact_within: {days: 14}      # the CSM reaches that person within 14 days of close...
        escalate_to: [csm_manager]      # ...else this goes out
      ae_departure:
        recovery_owner: owner_manager   # the former owner's manager (default), or a username
        due: {days: 7}                  # the recovery task's due date

specs.playbook_rules resolves it, folding the first into the machinery that exists: the field joins the
segments' required fields (a Closed Won gate requires it unless a written one already requires each
segment's fields), the segments' SLA gets `implementation_contact_days`, and an `implementation_contact`
escalation joins on_closed_won's, stopped by the `implementation_contact_at` timestamp. The second adds
`recovery_owner` (a user), which the targets set, with a task, when a deal's owner changes while its
handoff is open (Closed Won, intake not Accepted) or, in Salesforce, when the owner is deactivated.
"""

from __future__ import annotations

from handrail.specs.automation import Due, Task
from handrail.specs.diagnostics import Span
from handrail.specs.record import record

CONTACT_AT, RECOVERY_OWNER = "implementation_contact_at", "recovery_owner"
RESERVED = frozenset({CONTACT_AT, RECOVERY_OWNER})
SLA_KEY = "implementation_contact"
RECIPIENT_TYPES = frozenset({"short_text", "long_text", "user"})


@record
class PostSaleOwner:
    """The playbook's post-sale owner: required at Closed Won for `segments`, contacted within `days`."""

    field: str  # spec field key
    segments: tuple[str, ...]
    days: int
    escalate_to: tuple[str, ...]
    message: str = ""
    span: Span | None = None


@record
class AeDeparture:
    """Who takes over a handoff whose deal owner leaves, and when their task falls due."""

    recovery_owner: str = "owner_manager"  # a role or a username
    due: Due = Due(7, "days")
    span: Span | None = None

    def task(self, segments: tuple[str, ...]) -> Task:
        """The task the recovery owner gets."""
        return Task(
            key="recovery",
            subject="Recover the handoff: {deal}",
            description="The deal's owner changed or left while its handoff was open. Make sure the handoff "
            "reaches CS: complete the missing fields, or hand the deal to a peer AE.",
            owner=self.recovery_owner,
            due=self.due,
            segments=segments,
            span=self.span,
        )


@record
class Playbook:
    """The spec's `playbook:` block of edge cases."""

    post_sale_owner: PostSaleOwner | None = None
    ae_departure: AeDeparture | None = None
