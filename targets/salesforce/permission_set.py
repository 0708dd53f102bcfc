"""The permission set that makes every generated field visible: new fields get no FLS on any profile.

Handrail owns this permission set outright and always emits its full content (deploying a permission
set replaces it). Computed fields are read-only; required fields are never listed, because Salesforce
rejects FLS on them (Handrail generates none).
"""

from __future__ import annotations

from handrail.specs.computed import READ_ONLY
from handrail.specs.model import Model
from handrail.targets.salesforce.components import Component

LABEL_MAX = 80
DESCRIPTION_MAX = 255


def permission_set_name(model: Model) -> str:
    return f"{model.naming.salesforce_prefix or 'Handrail'}_Field_Access"


def permission_set_component(model: Model, fields: list[Component]) -> Component:
    obj = model.naming.salesforce_object
    read_only = {f"{obj}.{f.salesforce_name}" for f in model.computed if f.key in READ_ONLY}
    grants = [
        [("editable", c.name not in read_only), ("field", c.name), ("readable", True)]
        for c in sorted(fields, key=lambda c: c.name)
        if not is_required(c)
    ]
    label = f"{(model.naming.salesforce_prefix or 'Handrail').replace('_', ' ')} Field Access"
    description = (
        f"Managed by Handrail: field-level security for the {model.name} fields on {obj}. "
        "Handoff fields are editable; computed fields are read-only."
    )
    if len(description) > DESCRIPTION_MAX:
        description = (
            f"Managed by Handrail: field-level security for the handoff fields on {obj}. "
            "Handoff fields are editable; computed fields are read-only."
        )
    pairs = (
        ("description", description),
        ("fieldPermissions", grants),
        ("hasActivationRequired", False),
        ("label", label),
    )
    return Component("PermissionSet", permission_set_name(model), pairs)


def is_required(field: Component) -> bool:
    return dict(field.pairs).get("required") is True
