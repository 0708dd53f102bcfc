"""HubSpot change validators: which planned changes can lose data or switch enforcement off.

HubSpot documents no data-preserving path for a property type change or for removed options, and an
internal name is immutable; treat those as destructive. A disabled workflow stops enforcing a gate.
"""

from __future__ import annotations

from handrail.generators.plan.diff import UPDATE, Change, Finding


def _update(change: Change, kind: str) -> bool:
    return change.action == UPDATE and change.kind == kind and bool(change.before) and bool(change.after)


def property_type_change(change: Change) -> list[Finding]:
    if not _update(change, "property"):
        return []
    was = (change.before.get("type"), change.before.get("fieldType"))
    now = (change.after.get("type"), change.after.get("fieldType"))
    if was == now or was[0] == now[0] == "string":  # text <-> textarea keeps every value
        return []
    return [
        Finding(
            "error",
            "property-type-change",
            f"property type changes from {'/'.join(map(str, was))} to {'/'.join(map(str, now))}, "
            "which can lose values",
            destructive=True,
        )
    ]


def options_removed(change: Change) -> list[Finding]:
    if not _update(change, "property"):
        return []

    def values(body) -> list:
        return [o.get("value") for o in body.get("options") or [] if isinstance(o, dict)]

    removed = [v for v in values(change.before) if v not in values(change.after)]
    if not removed or change.after.get("fieldType") == "calculation_equation":
        return []
    return [
        Finding(
            "error",
            "options-removed",
            f"options {', '.join(map(repr, removed))} would be removed; deals holding them lose a "
            "valid value",
            destructive=True,
        )
    ]


def workflow_disabled(change: Change) -> list[Finding]:
    if (
        _update(change, "flow")
        and change.before.get("isEnabled") is True
        and change.after.get("isEnabled") is False
    ):
        return [Finding("error", "workflow-disabled", "the workflow would be switched off", destructive=True)]
    return []


CHANGE_VALIDATORS = (property_type_change, options_removed, workflow_disabled)
