"""Record-triggered flows: the before-save scoring flow and the after-save automation flow."""
from __future__ import annotations

from handrail.specs.model import Model
from handrail.targets.salesforce.components import Component


def components(model: Model, options: dict) -> list[Component]:
    """Flows, the custom notification type and the Apex test class that covers the flows."""
    return []
