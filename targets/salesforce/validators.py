"""Salesforce change validators: which planned changes lose data or switch enforcement off.

Sources: Salesforce Help "Notes on Changing Custom Field Types" (lossy conversions), the Metadata API
CustomValue doc (omitted picklist values are deactivated), and the Flow metadata doc (deactivation).
"""

from __future__ import annotations

from handrail.generators.plan.diff import UPDATE, Change, Finding
from handrail.targets.salesforce.assignments import losses_kept

SAFE_TYPE_CHANGES = {("Text", "LongTextArea"), ("Text", "TextArea"), ("TextArea", "LongTextArea")}


def _update(change: Change, kind: str) -> bool:
    return change.action == UPDATE and change.kind == kind and bool(change.before) and bool(change.after)


def field_type_change(change: Change) -> list[Finding]:
    if not _update(change, "CustomField"):
        return []
    before, after = change.before.get("type"), change.after.get("type")
    if before == after or (before, after) in SAFE_TYPE_CHANGES:
        return []
    return [
        Finding(
            "error",
            "field-type-change",
            f"field type changes from {before} to {after}, which can lose data",
            destructive=True,
        )
    ]


def field_narrowed(change: Change) -> list[Finding]:
    if not _update(change, "CustomField"):
        return []
    out = []
    for attr in ("length", "precision", "scale"):
        before, after = change.before.get(attr), change.after.get(attr)
        if before is not None and after is not None and int(after) < int(before):
            out.append(
                Finding(
                    "error",
                    "field-narrowed",
                    f"{attr} shrinks from {before} to {after}; longer values can be cut or the "
                    "deploy can fail",
                    destructive=True,
                )
            )
    return out


def _values(body) -> list[str]:
    definition = (body.get("valueSet") or {}).get("valueSetDefinition") or {}
    values = definition.get("value") or []
    values = values if isinstance(values, list) else [values]
    return [v.get("fullName") for v in values if isinstance(v, dict)]


def picklist_values_removed(change: Change) -> list[Finding]:
    if not _update(change, "CustomField"):
        return []
    removed = [v for v in _values(change.before) if v not in _values(change.after)]
    if not removed:
        return []
    return [
        Finding(
            "error",
            "picklist-values-removed",
            f"picklist values {', '.join(map(repr, removed))} would be deactivated; records keep "
            "them but users can no longer choose them",
            destructive=True,
        )
    ]


def gate_deactivated(change: Change) -> list[Finding]:
    if (
        _update(change, "ValidationRule")
        and change.before.get("active") == "true"
        and change.after.get("active") == "false"
    ):
        return [
            Finding(
                "error",
                "gate-deactivated",
                "the gate's validation rule would be switched off",
                destructive=True,
            )
        ]
    return []


def flow_deactivated(change: Change) -> list[Finding]:
    if (
        _update(change, "Flow")
        and change.before.get("status") == "Active"
        and change.after.get("status") != "Active"
    ):
        return [
            Finding(
                "error",
                "flow-deactivated",
                f"the flow would go from Active to {change.after.get('status')}",
                destructive=True,
            )
        ]
    return []


CHANGE_VALIDATORS = (
    field_type_change,
    field_narrowed,
    picklist_values_removed,
    gate_deactivated,
    flow_deactivated,
    losses_kept,
)
