"""The normal form shared by every target: what Handrail wants to exist, as resources and files."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from handrail.specs.diagnostics import Diagnostic, Span


@dataclass(frozen=True)
class Resource:
    """One managed CRM component in canonical, JSON-able form; `body` is what diffs compare."""

    kind: str  # "CustomField", "ValidationRule", "Flow", "property", "flow"...
    key: str  # stable id within the kind, e.g. "Opportunity.Handoff_Score__c"
    body: Mapping[str, Any]
    source: Span | None = None  # the spec node that produced it
    origin: str = ""  # the spec item in handoff terms: "field:stakeholder_map", "gate:closed_won", "flow:score"


@dataclass(frozen=True)
class Desired:
    """A target's rendering of the model: resources for plan/diff, files for `build --out`."""

    target: str
    resources: tuple[Resource, ...] = ()
    files: Mapping[str, bytes] = field(default_factory=dict)  # relative path -> exact bytes
    warnings: tuple[Diagnostic, ...] = ()
