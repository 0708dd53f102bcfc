"""The label and description of every flow Handrail generates: the spec that manages it, what it does,
and that it is changed through the spec, not in Flow Builder."""

from __future__ import annotations

from handrail.specs.model import Model
from handrail.targets.salesforce.flow_elements import FlowBuilder

LABEL_MAX = 255  # Flow.label


def managed_label(model: Model, label: str) -> str:
    return f"{model.name} {label}"[:LABEL_MAX]


def managed_description(model: Model, what: str) -> str:
    """Whole, never cut: a flow's description is kept past 255 characters (FlowDefinitionView describes
    its Description as 255 long, yet deploys keep up to 65,535: jongpie/NebulaLogger pull request 200)."""
    return f"Managed by Handrail from '{model.name}'. {what} Change the spec and rebuild instead of editing."


def managed_flow(model: Model, label: str, what: str, status: str, api_version: str) -> FlowBuilder:
    return FlowBuilder(
        label=managed_label(model, label),
        description=managed_description(model, what),
        status=status,
        api_version=api_version,
    )
