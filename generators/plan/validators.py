"""Change validators: small pure functions that judge one planned change.

Each takes a Change and returns Findings. Targets add their own (field type changes, picklist value
removal...) through their module's CHANGE_VALIDATORS list; `check_plan` runs the generic ones and the
target's, and attaches the findings to the changes.
"""

from __future__ import annotations

import dataclasses
from typing import Callable, Iterable

from handrail.generators.plan.diff import DELETE, Change, Finding, Plan

Validator = Callable[[Change], list[Finding]]


def deletion(change: Change) -> list[Finding]:
    if change.action != DELETE:
        return []
    return [Finding("error", "delete", f"{change.kind} {change.key} will be deleted", destructive=True)]


GENERIC: tuple[Validator, ...] = (deletion,)


def check_plan(plan: Plan, target_validators: Iterable[Validator] = ()) -> Plan:
    validators = (*GENERIC, *target_validators)
    changes = []
    for change in plan.changes:
        findings = tuple(f for v in validators for f in v(change))
        changes.append(dataclasses.replace(change, findings=change.findings + findings))
    return dataclasses.replace(plan, changes=tuple(changes))


def refusals(plan: Plan, allow_destructive: bool, allowed_origins: set[str]) -> list[str]:
    """Why apply must refuse this plan ([] when it may proceed).

    A destructive change needs both the spec's consent for its item (a tombstone or allow_destructive)
    and the command's --allow-destructive.
    """
    out = []
    for change in plan.destructive:
        why = "" if change.origin in allowed_origins else " (the spec does not allow it for this item)"
        if why or not allow_destructive:
            out += [f"{change.ident}: {f.message}{why}" for f in change.findings if f.destructive]
    return out
