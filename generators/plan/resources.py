"""The normal form shared by every target: what Handrail wants to exist, as resources and files."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from handrail.specs.diagnostics import Diagnostic, Span


@dataclass(frozen=True)
class Origin:
    """The spec item a resource stands for, in handoff terms: kind "field", "computed field", "gate"...

    A resource no single spec item names (a flow, the permission set) has its own kind and, on
    HubSpot, its key. Equal origins name the same item wherever they were read (the span is not compared).
    """

    kind: str
    key: str = ""
    span: Span | None = field(default=None, compare=False)

    def words(self) -> str:
        """How a reader names the item: "field 'stakeholder_map'", or the kind alone."""
        return f"{self.kind} '{self.key}'" if self.key else self.kind

    def __str__(self) -> str:  # the compact form plan JSON shows: "field:stakeholder_map"
        return f"{self.kind}:{self.key}" if self.key else self.kind


@dataclass(frozen=True)
class Resource:
    """One managed CRM component in canonical, JSON-able form; `body` is what diffs compare."""

    kind: str  # "CustomField", "ValidationRule", "Flow", "property", "flow"...
    key: str  # stable id within the kind, e.g. "Opportunity.Handoff_Score__c"
    body: Mapping[str, Any]
    source: Span | None = None  # the spec node that produced it
    origin: Origin | None = None  # the spec item it stands for; set where the resource is rendered
    facts: Mapping[str, Any] = field(default_factory=dict)  # spec values, e.g. {"min_score": 60.0}
    payload: Any = None  # JSON-able: what apply sends when that is not the body (a Salesforce component)


@dataclass(frozen=True)
class Desired:
    """A target's rendering of the model: resources for plan/diff, files for `build --out`."""

    target: str
    resources: tuple[Resource, ...] = ()
    files: Mapping[str, bytes] = field(default_factory=dict)  # relative path -> exact bytes
    warnings: tuple[Diagnostic, ...] = ()
