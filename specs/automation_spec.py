"""The spec's `automation:` block as the model's Automation: stage-entry and Closed Won tasks and
notifications, CSM assignment rules, escalations, and what happens when CS returns a handoff."""

from __future__ import annotations

from handrail.specs.automation import (
    Assignment,
    Automation,
    ClosedWon,
    Due,
    Escalation,
    IntakeReturn,
    Notification,
    StageEntry,
    Task,
)
from handrail.specs.clocks import stamps_of
from handrail.specs.loader import Document


def all_segments(value, segment_keys: tuple[str, ...]) -> tuple[str, ...]:
    if value is None or value == "all":
        return segment_keys
    return tuple(k for k in segment_keys if k in value)  # spec order, not list order


def _task(raw: dict, path: tuple, segment_keys, doc: Document, closed_won: bool = False) -> Task:
    ((unit, amount),) = raw["due"].items()
    return Task(
        key=raw["key"],
        subject=raw["subject"],
        description=raw.get("description", ""),
        owner=raw["owner"],
        due=Due(amount, unit),
        segments=all_segments(raw.get("segments"), segment_keys),
        tiers=tuple(raw.get("tiers") or ()),
        span=doc.span(path),
        pipelines=tuple(raw.get("pipelines") or ()),
        stamps=stamps_of(raw, closed_won),
    )


def _notification(raw: dict, path: tuple, segment_keys, doc: Document) -> Notification:
    segments, tiers = all_segments(raw.get("segments"), segment_keys), tuple(raw.get("tiers") or ())
    pipelines = tuple(raw.get("pipelines") or ())
    return Notification(
        tuple(raw["to"]), raw["title"], raw.get("body", ""), segments, tiers, doc.span(path), pipelines
    )


def automation_from(raw: dict, segment_keys, doc: Document) -> Automation:
    base = ("automation",)
    entries = []
    for i, e in enumerate(raw.get("on_stage_entry") or ()):
        p = base + ("on_stage_entry", i)
        entries.append(
            StageEntry(
                stage=e["stage"],
                notify=tuple(
                    _notification(n, p + ("notify", j), segment_keys, doc)
                    for j, n in enumerate(e.get("notify", ()))
                ),
                tasks=tuple(
                    _task(t, p + ("tasks", j), segment_keys, doc) for j, t in enumerate(e.get("tasks", ()))
                ),
                span=doc.span(p),
            )
        )
    won = raw.get("on_closed_won") or {}
    p = base + ("on_closed_won",)
    closed_won = ClosedWon(
        assign_csm=tuple(
            Assignment(
                all_segments(a["segments"], segment_keys),
                a.get("assign"),
                a.get("keep_existing", True),
                doc.span(p + ("assign_csm", j)),
                pool=tuple(a.get("pool") or ()),
                max_open=a.get("max_open"),
                when=tuple((k, tuple(v)) for k, v in (a.get("when") or {}).items()),
                account_csm=a.get("account_csm", False),
            )
            for j, a in enumerate(won.get("assign_csm", ()))
        ),
        tasks=tuple(
            _task(t, p + ("tasks", j), segment_keys, doc, closed_won=True)
            for j, t in enumerate(won.get("tasks", ()))
        ),
        notify=tuple(
            _notification(n, p + ("notify", j), segment_keys, doc)
            for j, n in enumerate(won.get("notify", ()))
        ),
        stamp_close_time=won.get("stamp_close_time", True),
        escalations=tuple(
            Escalation(e["sla"], tuple(e["to"]), e.get("message", ""), doc.span(p + ("escalations", j)))
            for j, e in enumerate(won.get("escalations", ()))
        ),
    )
    return Automation(
        on_stage_entry=tuple(entries),
        on_closed_won=closed_won,
        flow_status=raw.get("flow_status", "active"),
        on_intake_return=_intake_return(raw, segment_keys, doc),
    )


# When the spec says nothing, a returned handoff still reaches the AE and the Sales manager.
_DEFAULT_RETURN = {
    "tasks": [
        {
            "key": "returned_handoff",
            "subject": "Complete the handoff CS returned",
            "owner": "owner",
            "due": {"hours": 24},
            "description": "CS returned this handoff. Fill the fields in the missing summary, then tick "
            "Resubmit Handoff to CS.",
        },
        {
            "key": "returned_handoff_review",
            "subject": "Review the handoff CS returned",
            "owner": "owner_manager",
            "due": {"hours": 24},
        },
    ],
    "notify": [
        {
            "to": ["owner", "owner_manager"],
            "title": "Handoff returned by CS: {deal}",
            "body": "CS returned the handoff of {deal}. Missing or generic: {missing}. The AE completes it "
            "and resubmits it within 24 hours.",
        }
    ],
}


def _intake_return(raw: dict, segment_keys, doc: Document) -> IntakeReturn:
    p = ("automation", "on_intake_return")
    block = raw.get("on_intake_return")
    span = doc.span(p) if block is not None else None
    if block is None:  # the default goes with close automation; a spec without any gets none
        block, doc = (_DEFAULT_RETURN if raw.get("on_closed_won") is not None else {}), _NO_SPANS
    return IntakeReturn(
        tasks=tuple(
            _task(t, p + ("tasks", j), segment_keys, doc) for j, t in enumerate(block.get("tasks", ()))
        ),
        notify=tuple(
            _notification(n, p + ("notify", j), segment_keys, doc)
            for j, n in enumerate(block.get("notify", ()))
        ),
        span=span,
    )


class _NoSpans:
    """The built-in defaults are not in the spec file, so they have no place in it."""

    def span(self, path: tuple) -> None:
        return None


_NO_SPANS = _NoSpans()
