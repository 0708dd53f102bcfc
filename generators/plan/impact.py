"""What a plan does beyond the metadata, in business terms: the open deals a gate created or changed would
stop, the records a narrowed field no longer fits, and what else in the CRM reads a changed field.

The targets work the figures out against the live org (targets/<crm>/impact.py); this module holds what
they share: which changes to look at, the counted deals as words, and the `Note` a plan carries beside
the change it is about (text, Markdown and JSON plans print it).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

from handrail.generators.plan.diff import CREATE, DELETE, UPDATE, Change, Plan
from handrail.generators.rules.tree import Empty, rules_for
from handrail.specs.model import Field, Gate, Model

SHOWN = 5  # owners, stages and record ids named in one line; the JSON plan lists all


@dataclass(frozen=True)
class Note:
    ident: str  # the change it is about ("ValidationRule:Opportunity.X"); "" for the plan as a whole
    kind: str  # "impact" (a gate's stopped deals), "narrowing" (records that no longer fit), "dependency"
    text: str  # one line in handoff terms
    data: Mapping[str, Any] = field(default_factory=dict)  # the figures, for the JSON plan


@dataclass(frozen=True)
class Stopped:
    """Open deals a gate would stop, `count` of them at one stage, in one segment, of one owner."""

    stage: str  # the stage's label
    segment: str | None  # the segment's label; None when not yet resolved
    owner: str
    count: int = 1


def gate_changes(model: Model, plan: Plan) -> list[tuple[Change, Gate]]:
    """Pending changes that create or change a gate's rule or workflow, with the gate; the first change of
    each gate (a CRM may carry one gate in several components)."""
    gates = {g.key: g for g in model.gates if g.active}
    out: dict[str, tuple[Change, Gate]] = {}
    for c in plan.pending:
        if c.action in (CREATE, UPDATE) and c.origin and c.origin.kind == "gate" and c.origin.key in gates:
            out.setdefault(c.origin.key, (c, gates[c.origin.key]))
    return list(out.values())


def fields_read(model: Model, gate: Gate) -> list[Field]:
    """What counting a gate's deals reads: the segment, the score, then every field a requirement names."""
    requirements = rules_for(model).gate(gate.key)
    named = [
        f for r in requirements for f in ((r.field,) if isinstance(r, Empty) else getattr(r, "fields", ()))
    ]
    return [model.computed_field("segment"), model.computed_field("score"), *named]


def field_changes(plan: Plan, kinds: Iterable[str]) -> list[Change]:
    """Pending updates and deletions of the CRM's fields (`kinds`) that belong to a spec field."""
    kinds = set(kinds)
    return [
        c
        for c in plan.pending
        if c.kind in kinds and c.action in (UPDATE, DELETE) and c.origin and "field" in c.origin.kind
    ]


def verb(change: Change, was: float | None, gate: Gate) -> str:
    """ "creates gate 'x'", "raises gate 'x' 70 → 85" (`was`: the live minimum score), "changes gate 'x'"."""
    now = change.facts.get("min_score")
    if change.action == CREATE:
        return f"creates gate '{gate.key}'"
    if was is not None and now is not None and was != now:
        return f"{'raises' if now > was else 'lowers'} gate '{gate.key}' {was:g} → {now:g}"
    return f"changes gate '{gate.key}'"


def _top(counts: Counter) -> str:
    shown = [f"{name} ({n})" for name, n in counts.most_common(SHOWN)]
    more = len(counts) - SHOWN
    return ", ".join(shown) + (f" and {more} more" if more > 0 else "")


def gate_note(model: Model, change: Change, what: str, deals: list[Stopped], how: str = "") -> Note:
    """ "raises gate 'x' 70 → 85: 23 open deals would be stopped moving into Closed Won or later (segments
    Enterprise (23)); by stage: Negotiation (20), Commit (3); owners: Ann (12), Bo (11)". A deal counts
    when it fails the gate now, wherever it is; the stage tells how close it is to the gate."""
    gate = next(g for g in model.gates if g.key == change.origin.key)
    stages, segments, owners = Counter(), Counter(), Counter()
    for d in deals:
        stages[d.stage] += d.count
        segments[d.segment or "no segment yet"] += d.count
        owners[d.owner or "no owner"] += d.count
    total = sum(d.count for d in deals)
    entering = model.stage(gate.stage).label
    deals_words = f"{total} open deal{'s' if total != 1 else ''}"
    head = f"{what}: {deals_words} would be stopped moving into {entering} or later"
    text = head + (
        f" (segments {_top(segments)}); by stage: {_top(stages)}; owners: {_top(owners)}" if total else ""
    )
    data = {
        "gate": gate.key,
        "open_deals": total,
        "by_stage": dict(stages),
        "by_segment": dict(segments),
        "by_owner": dict(owners),
        "how": how,
    }
    return Note(change.ident, "impact", text + (f" [{how}]" if how else ""), data)


def narrowing_note(change: Change, why: str, ids: list[str]) -> Note:
    """The records holding values the changed field no longer fits."""
    shown = ", ".join(ids[:SHOWN]) + (f" and {len(ids) - SHOWN} more" if len(ids) > SHOWN else "")
    held = f"{len(ids)} records hold" if len(ids) != 1 else "1 record holds"
    text = f"{held} values that would not fit ({why})"
    return Note(change.ident, "narrowing", text + (f": {shown}" if ids else ""), {"why": why, "ids": ids})


def dependency_note(change: Change, users: list[str]) -> Note:
    """What else reads or writes the field (plans note only fields something else uses)."""
    return Note(change.ident, "dependency", "used by " + ", ".join(users), {"used_by": users})
