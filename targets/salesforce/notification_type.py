"""The custom notification type the handoff flows send their bell and mobile notifications with."""

from __future__ import annotations

from handrail.specs.model import Model
from handrail.targets.salesforce.components import Component


def notification_type_name(model: Model) -> str:
    prefix = model.naming.salesforce_prefix
    return f"{prefix}_Alert" if prefix else "Handoff_Alert"


def notification_type_component(model: Model) -> Component:
    label = notification_type_name(model).replace("_", " ")
    pairs = (
        ("customNotifTypeName", label),
        (
            "description",
            f"Managed by Handrail from '{model.name}': handoff notifications and SLA escalations "
            "for CSMs, deal owners and managers."[:255],
        ),
        ("desktop", True),
        ("masterLabel", label),
        ("mobile", True),
    )
    return Component("CustomNotificationType", notification_type_name(model), pairs)
