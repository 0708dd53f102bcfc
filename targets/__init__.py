"""The explicit registry of targets. Each is a module exposing:

    render(model: Model, options: dict) -> Desired        pure; raises SpecError pointing at the spec
    check_spec(model: Model) -> list[Diagnostic]          target-specific warnings for `validate --target`

Modules are imported on first use so that offline commands stay fast.
"""
from __future__ import annotations

from importlib import import_module
from types import ModuleType

TARGETS = {
    "salesforce": "handrail.targets.salesforce.target",
    "hubspot": "handrail.targets.hubspot.target",
}


def load_target(name: str) -> ModuleType:
    return import_module(TARGETS[name])
