"""Briefs delivered where people work: each deal won in a window gets its brief attached in the CRM.

`handrail brief --env NAME --closed-since 1d --deliver` renders the brief of every deal won since the
window opened and hands them to the environment's note writer (targets/*/brief_notes.py), which keeps one
brief per deal: created the first time, updated in place after that, never duplicated. Without
`--deliver` it lists what it would deliver.

A deal counts as won in the window by its Closed Won At stamp (the time the flow or workflow recorded),
or, for a deal without one, by its close date.
"""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta, timezone
from pathlib import Path
from typing import Iterable, Iterator, Protocol

from handrail.generators.audit.period import RELATIVE, parse_since
from handrail.generators.brief.document import render_brief
from handrail.generators.output.brief_note import Brief
from handrail.generators.rules.scoring import Deal
from handrail.specs.model import Model


class NoteWriter(Protocol):
    def deliver(self, briefs: list[Brief]) -> list[str]:
        """Attach each brief to its deal; per brief "created", "updated" or "unchanged"."""
        ...


_HOURS = re.compile(r"^\s*(\d+)\s*h\s*$", re.IGNORECASE)


def won_since(model: Model, deals: Iterable[Deal], since: datetime) -> Iterator[Deal]:
    """The closed-won deals won at or after `since` (UTC)."""
    won = {s.key for s in model.stages if s.closed_won}
    for deal in deals:
        if deal.stage not in won:
            continue
        stamp = deal.extra.get("closed_won_at")
        if stamp is not None:
            if stamp >= since:
                yield deal
        elif (closed := deal.extra.get("close_date")) is not None and closed >= since.date():
            yield deal


def window_start(text: str, now: datetime) -> datetime:
    """When the window opens: a relative period ('2h', '1d', '2w') counts back from `now` to the minute,
    an ISO date starts at its midnight UTC. Raises ValueError for anything else."""
    if hours := _HOURS.match(text):
        return now - timedelta(hours=int(hours.group(1)))
    day = parse_since(text, now.date())
    if RELATIVE.match(text):
        return now - (now.date() - day)
    return datetime.combine(day, time(0), tzinfo=timezone.utc)


def briefs_for(
    model: Model, deals: Iterable[Deal], role: str, templates: Path | None, now: datetime
) -> list[Brief]:
    return [
        Brief(d.id, d.name, render_brief(model, d, role, "md", templates, now=now))
        for d in sorted(deals, key=lambda d: d.id)
    ]
