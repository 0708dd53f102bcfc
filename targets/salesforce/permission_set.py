"""The two permission sets that make the generated fields visible: new fields get no FLS on any profile.

Sales edits the handoff fields and the resubmit tick (it sends a returned handoff back to CS) and reads
the computed ones, the intake status and the rating; CS edits
the intake status, the rating and the CS timestamps and reads the rest. Handrail owns both sets outright
and always emits their full content (deploying a permission set replaces it). Fields Handrail computes
are read-only in both; required fields are never listed, because Salesforce rejects FLS on them
(Handrail generates none).
"""

from __future__ import annotations

from handrail.specs.computed import READ_ONLY, SALES_EDITABLE
from handrail.specs.model import Model
from handrail.targets.salesforce.components import Component

LABEL_MAX = 80
DESCRIPTION_MAX = 255
ROLES = ("sales", "cs")
_WHAT = {
    "sales": "Handoff fields and the resubmit tick are editable; computed fields, intake status and rating "
    "are read-only.",
    "cs": "Intake status, rating and CS timestamps are editable; the other handoff fields are read-only.",
}


def prefix(model: Model) -> str:
    return model.naming.salesforce_prefix or "Handrail"


def permission_set_name(model: Model, role: str = "sales") -> str:
    """<prefix>_Sales_Access or <prefix>_CS_Access (or <prefix>_Gate_Bypass, gate_bypass.py); a prefix that
    is the team's word is not repeated."""
    if role == "bypass":
        return f"{prefix(model)}_Gate_Bypass"
    team = "CS" if role == "cs" else "Sales"
    head = "" if prefix(model).lower() == team.lower() else f"{prefix(model)}_"
    return f"{head}{team}_Access"


def permission_set_components(model: Model, fields: list[Component]) -> list[Component]:
    return [permission_set_component(model, fields, role) for role in ROLES]


def editable_names(model: Model, role: str) -> set[str]:
    """The API names (Object.Field__c) the role may edit."""
    obj = model.naming.salesforce_object
    if role == "sales":
        resubmit = [f for f in model.computed if f.key in SALES_EDITABLE]
        return {f"{obj}.{f.salesforce_name}" for f in (*model.fields, *resubmit)}
    return {
        f"{obj}.{f.salesforce_name}"
        for f in model.computed
        if f.key not in READ_ONLY and f.key not in SALES_EDITABLE
    }


def permission_set_component(model: Model, fields: list[Component], role: str = "sales") -> Component:
    obj = model.naming.salesforce_object
    editable = editable_names(model, role)
    grants = [
        [("editable", c.name in editable), ("field", c.name), ("readable", True)]
        for c in sorted(fields, key=lambda c: c.name)
        if not is_required(c)
    ]
    team = "CS" if role == "cs" else "Sales"
    label = f"{prefix(model).replace('_', ' ')} {team} Access"
    description = f"Managed by Handrail: {team} access to the {model.name} fields on {obj}. {_WHAT[role]}"
    if len(description) > DESCRIPTION_MAX:
        description = f"Managed by Handrail: {team} access to the handoff fields on {obj}. {_WHAT[role]}"
    pairs = (
        ("description", description),
        ("fieldPermissions", grants),
        ("hasActivationRequired", False),
        ("label", label),
    )
    return Component("PermissionSet", permission_set_name(model, role), pairs)


def is_required(field: Component) -> bool:
    return dict(field.pairs).get("required") is True
