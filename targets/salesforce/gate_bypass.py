"""The gate bypass in Salesforce: a custom permission whose holders pass every enforced gate, and the
permission set that grants it (assigned per environment: permission_sets.bypass, assignments.py).

Each enforced gate's validation rule ends with NOT($Permission.<name>) (gate_formula.py), and the
before-save flow flags the saves a holder made that the gate would have stopped (gate_flags.py), so audit
counts how often the bypass was used. Integration users (CPQ, billing sync, data loads) and admins are
whom it is for.
"""

from __future__ import annotations

from handrail.generators.plan.resources import Origin
from handrail.specs.model import Model
from handrail.targets.salesforce.components import Component
from handrail.targets.salesforce.permission_set import permission_set_name, prefix


def bypass_components(model: Model) -> list[Component]:
    bypass = model.gate_bypass
    if bypass is None:
        return []
    permission = Component(
        "CustomPermission",
        bypass.permission,
        (
            (
                "description",
                "Managed by Handrail: holders pass every Handrail gate; their saves a gate would have "
                "stopped are flagged on the deal.",
            ),
            ("isLicensed", False),
            ("label", bypass.label),
        ),
        source=bypass.span,
        origin=Origin("gate bypass", bypass.permission, bypass.span),
    )
    grants = Component(
        "PermissionSet",
        permission_set_name(model, "bypass"),
        (
            ("customPermissions", [[("enabled", True), ("name", bypass.permission)]]),
            (
                "description",
                f"Managed by Handrail: grants {bypass.permission}, which passes every Handrail gate. For "
                "integration users and admins.",
            ),
            ("hasActivationRequired", False),
            ("label", f"{prefix(model).replace('_', ' ')} Gate Bypass"),
        ),
        source=bypass.span,
        origin=Origin("gate bypass", permission_set_name(model, "bypass"), bypass.span),
    )
    return [permission, grants]
