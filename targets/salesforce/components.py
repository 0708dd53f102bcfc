"""A Salesforce metadata component before it is laid out as a file (source or mdapi format).

A component travels in a saved plan as its payload (`as_payload` / `from_payload`): JSON that keeps
what the XML writer tells apart, a child element (a list of name-value pairs) from a repeated one (a
list of such lists), so the deploy built from a saved plan is byte for byte the one planned.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any, Mapping

from handrail.generators.plan.resources import Origin
from handrail.specs.diagnostics import Span


@dataclass(frozen=True)
class Component:
    # Metadata API type: CustomField, ValidationRule, Flow, PermissionSet, CustomNotificationType, ApexClass
    type: str
    name: str  # fullName as package.xml lists it, e.g. "Opportunity.Handoff_Score__c", "Handoff_Score"
    pairs: tuple  # the XML body in retrieve order, without the root element and without fullName
    content: bytes | None = None  # the code body of an ApexClass; pairs then hold its -meta.xml
    source: Span | None = None  # the spec node it came from, for compile and deploy errors
    origin: Origin | None = None  # the spec item it stands for
    facts: Mapping[str, Any] = field(default_factory=dict)  # spec values, e.g. a gate's min_score


def root_element(c: Component) -> str:
    """The file's root element: the type, except for org settings ("Settings" member "PathAssistant"
    is a PathAssistantSettings file)."""
    return f"{c.name}Settings" if c.type == "Settings" else c.type


def as_payload(c: Component) -> dict[str, Any]:
    """The component as JSON-able data, enough to lay it out again in either format."""
    content = None if c.content is None else base64.b64encode(c.content).decode("ascii")
    return {"type": c.type, "name": c.name, "pairs": _pairs(c.pairs), "content": content}


def from_payload(data: Mapping[str, Any], source: Span | None = None) -> Component:
    content = None if data["content"] is None else base64.b64decode(data["content"])
    return Component(data["type"], data["name"], tuple(_read_pairs(data["pairs"])), content, source)


def _repeated(value: Any) -> bool:
    """The XML writer's test: a non-empty list of lists that are not themselves (name, value) tuples."""
    return (
        isinstance(value, list)
        and bool(value)
        and all(isinstance(v, list) for v in value)
        and not all(isinstance(v, tuple) and len(v) == 2 for v in value)
    )


def _pairs(pairs) -> list:
    return [[name, _value(value)] for name, value in pairs]


def _value(value: Any) -> Any:
    if _repeated(value):
        return {"each": [_pairs(item) for item in value]}
    if isinstance(value, list):
        return {"pairs": _pairs(value)}
    return value


def _read_pairs(data: list) -> list[tuple[str, Any]]:
    return [(name, _read_value(value)) for name, value in data]


def _read_value(value: Any) -> Any:
    if isinstance(value, dict) and "each" in value:
        return [_read_pairs(item) for item in value["each"]]
    if isinstance(value, dict):
        return _read_pairs(value["pairs"])
    return value
