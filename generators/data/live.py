"""Deals read live from a CRM, for `handrail audit --env E` and `handrail brief DEAL --env E`.

`LiveFeed` is the DealFeed of an environment: it resolves the environment once the spec is known and
hands fetching to the deal source `connect` gives it (the CLI passes handrail.targets.deal_source, which
asks the target), which imports its API client only when it connects. Records become engine Deals through the
same DealReader that reads export files, so a live audit and an audit of an export of the same deals
agree figure for figure.

What is fetched: closed-won deals (closed since `since`, when given) and open deals in stages a gate
applies to; for each, the deal attributes segments match on, the spec's handoff fields and the
computed fields audits and briefs read (PROCESS_FIELDS).
"""

from __future__ import annotations

from datetime import date
from typing import Any, Callable, Iterable, Iterator

from handrail.generators.data.reader import DealReader
from handrail.generators.plan.environments import environment
from handrail.generators.rules.gates import is_gated_stage
from handrail.generators.rules.scoring import Deal
from handrail.specs.diagnostics import HandrailError
from handrail.specs.model import Environment, Field, Model, Stage

# Computed fields the audit and the brief read; score, tier and the rest are recomputed by the engine.
PROCESS_FIELDS = (
    "score",
    "closed_won_at",
    "internal_handoff_at",
    "first_touch_at",
    "kickoff_at",
    "csm_rating",
    "intake_status",
    "gate_flags",
    "clocks_stamped",
)
OnTotal = Callable[[int], None]
# a CRM environment -> its deal source (handrail.targets.deal_source)
Connect = Callable[[Environment, Model], Any]


class LiveFeed:
    """The deals of one environment of the spec; connects when deals are first asked for."""

    def __init__(self, env_name: str, connect: Connect):
        self.env_name = env_name
        self.connect = connect
        self.description = f"environment '{env_name}'"
        self.expected: int | None = None  # how many deals the CRM said it will send, once known

    def deals(self, model: Model, since: date | None = None) -> Iterator[Deal]:
        return self._source(model).deals(since, self._expect)

    def matching(self, model: Model, reference: str) -> Iterator[Deal]:
        """Deals whose id or name is `reference` (the candidates find_deal chooses from)."""
        return self._source(model).matching(reference)

    def notes(self, model: Model):
        """The environment's note writer, which attaches delivered briefs to their deals."""
        return self._source(model).brief_notes()

    def _expect(self, total: int) -> None:
        self.expected = total

    def _source(self, model: Model):
        """One source (one login) for every call of the run."""
        if getattr(self, "_connected", None) is None:
            self._connected = self.connect(environment(model, self.env_name), model)
        return self._connected


class MissingFieldsError(HandrailError):
    """The CRM lacks fields the spec names: the spec has not been applied there (yet)."""

    def __init__(self, env_name: str, where: str, names: list[str]):
        shown = ", ".join(names[:12]) + (f" and {len(names) - 12} more" if len(names) > 12 else "")
        super().__init__(
            f"environment '{env_name}': {where} lacks {len(names)} field(s) the spec names: "
            f"{shown}\n  hint: apply the spec there first: handrail plan --env {env_name}, then "
            f"handrail apply --env {env_name}"
        )


def fetched_fields(model: Model) -> list[Field]:
    """The spec's handoff fields, then the computed fields audits and briefs read."""
    playbook = [f for f in model.computed if f.key == "implementation_contact_at"]  # specs.playbook
    return [*model.fields, *(model.computed_field(k) for k in PROCESS_FIELDS), *playbook]


def audited_stages(model: Model) -> tuple[list[Stage], list[Stage]]:
    """(closed-won stages, open stages some gate applies at): the deals an audit looks at."""
    won = [s for s in model.stages if s.closed_won]
    gated = [
        s for s in model.stages if not s.closed_won and not s.closed_lost and is_gated_stage(model, s.key)
    ]
    return won, gated


class LiveDeals:
    """Records (column -> value, as in an export) as Deals with process data, mapped like export files,
    as they are iterated. `records` and `where` stay open to a consumer that reads the records itself:
    the live audit on DuckDB (generators.audit.live_duck)."""

    def __init__(self, model: Model, records: Iterable[dict[str, Any]], where: Callable[[dict], str]):
        self.model, self.records, self.where = model, records, where
        self._deals: Iterator[Deal] | None = None

    def __iter__(self) -> Iterator[Deal]:
        return self

    def __next__(self) -> Deal:
        if self._deals is None:
            self._deals = to_deals(self.model, self.records, self.where)
        return next(self._deals)


def to_deals(model: Model, records: Iterable[dict[str, Any]], where: Callable[[dict], str]) -> Iterator[Deal]:
    """Records (column -> value, as in an export) as Deals with process data, mapped like export files."""
    reader = DealReader(model, process_fields=True)
    for record in records:
        reader.bind(list(record))
        yield reader.deal(record, where(record))
