"""The one generic diff: desired resources against live ones, in the same normal form.

A plan never deletes what the spec does not name: a live resource that is not desired is planned for
deletion only when the spec retires it (a tombstone); anything else is left alone.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from handrail.generators.plan.resources import Desired, Origin, Resource
from handrail.specs.diagnostics import Span

CREATE, UPDATE, DELETE, UNCHANGED = "create", "update", "delete", "unchanged"
Key = tuple[str, str]  # (kind, key)


def ident(key: Key) -> str:
    """A component as messages and apply results name it: "CustomField:Opportunity.Handoff_Score__c"."""
    return f"{key[0]}:{key[1]}"


@dataclass(frozen=True)
class Difference:
    path: str  # e.g. "options[2].label", "formula"
    before: Any
    after: Any


@dataclass(frozen=True)
class Finding:
    """What a change validator says about a change."""

    severity: str  # "error" (refused unless allowed), "warning", "info"
    code: str  # e.g. "field-type-change"
    message: str
    destructive: bool = False


@dataclass(frozen=True)
class Change:
    action: str
    kind: str
    key: str
    before: Mapping[str, Any] | None
    after: Mapping[str, Any] | None
    differences: tuple[Difference, ...] = ()
    findings: tuple[Finding, ...] = ()
    source: Span | None = None
    origin: Origin | None = None  # see Resource.origin
    facts: Mapping[str, Any] = field(default_factory=dict)  # the desired resource's facts

    @property
    def destructive(self) -> bool:
        return any(f.destructive for f in self.findings)

    @property
    def ident(self) -> str:
        return ident((self.kind, self.key))


@dataclass(frozen=True)
class Plan:
    target: str
    environment: str
    changes: tuple[Change, ...]
    fingerprints: Mapping[Key, str | None] = field(default_factory=dict)  # live fingerprint (None: absent)
    unmanaged: tuple[str, ...] = ()  # live idents in our namespace that the spec does not mention
    unverifiable: tuple[str, ...] = ()  # desired items no API can read back (manual steps)
    # what the spec assumes of the org that no longer holds, in handoff terms (diff only: plan refuses)
    assumptions: tuple[str, ...] = ()
    notes: tuple = ()  # impact.Note: deals a gate would stop, records a field no longer fits, dependencies
    desired: Desired | None = field(default=None, compare=False, repr=False)  # what apply sends

    @property
    def pending(self) -> tuple[Change, ...]:
        return tuple(c for c in self.changes if c.action != UNCHANGED)

    @property
    def destructive(self) -> tuple[Change, ...]:
        return tuple(c for c in self.pending if c.destructive)

    def counts(self) -> dict[str, int]:
        out = {CREATE: 0, UPDATE: 0, DELETE: 0, UNCHANGED: 0}
        for c in self.changes:
            out[c.action] += 1
        return out


def canonical(body: Any) -> str:
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def fingerprint(body: Mapping[str, Any] | None) -> str | None:
    return None if body is None else hashlib.sha256(canonical(body).encode("utf-8")).hexdigest()


def differences(before: Any, after: Any, path: str = "") -> list[Difference]:
    """Leaf-level differences; lists compare by position (element order is meaningful in metadata)."""
    if isinstance(before, Mapping) and isinstance(after, Mapping):
        out: list[Difference] = []
        for k in sorted(set(before) | set(after)):
            sub = f"{path}.{k}" if path else str(k)
            if k not in before:
                out.append(Difference(sub, None, after[k]))
            elif k not in after:
                out.append(Difference(sub, before[k], None))
            else:
                out.extend(differences(before[k], after[k], sub))
        return out
    if isinstance(before, list) and isinstance(after, list):
        out = []
        for i in range(max(len(before), len(after))):
            sub = f"{path}[{i}]"
            if i >= len(before):
                out.append(Difference(sub, None, after[i]))
            elif i >= len(after):
                out.append(Difference(sub, before[i], None))
            else:
                out.extend(differences(before[i], after[i], sub))
        return out
    return [] if before == after else [Difference(path, before, after)]


def diff(
    target: str,
    environment: str,
    desired: Iterable[Resource],
    live: Mapping[Key, Resource],
    retired: Mapping[Key, Origin] | Iterable[Key] = (),
    managed_live: Iterable[Key] = (),
) -> Plan:
    """Plan the changes that make `live` match `desired`. Validators run afterwards (see plan_checks)."""
    changes: list[Change] = []
    wanted = {(r.kind, r.key): r for r in desired}
    for k, resource in wanted.items():
        meaning = {"source": resource.source, "origin": resource.origin, "facts": resource.facts}
        current = live.get(k)
        if current is None:
            changes.append(Change(CREATE, *k, None, resource.body, **meaning))
            continue
        diffs = tuple(differences(current.body, resource.body))
        action = UPDATE if diffs else UNCHANGED
        changes.append(Change(action, *k, current.body, resource.body, diffs, **meaning))
    retired = dict(retired) if isinstance(retired, Mapping) else {k: None for k in retired}  # key -> origin
    for k in sorted(retired):
        if k in live and k not in wanted:
            changes.append(Change(DELETE, *k, live[k].body, None, origin=retired[k]))
    mentioned = set(wanted) | set(retired)
    unmanaged = tuple(sorted(ident(k) for k in managed_live if tuple(k) not in mentioned))
    prints = {k: fingerprint(live[k].body if k in live else None) for k in sorted(mentioned)}
    return Plan(target, environment, tuple(changes), prints, unmanaged)
