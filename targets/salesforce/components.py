"""A Salesforce metadata component before it is laid out as a file (source or mdapi format)."""
from __future__ import annotations

from dataclasses import dataclass

from handrail.specs.diagnostics import Span


@dataclass(frozen=True)
class Component:
    type: str  # Metadata API type: CustomField, ValidationRule, Flow, PermissionSet, CustomNotificationType, ApexClass
    name: str  # fullName as package.xml lists it, e.g. "Opportunity.Handoff_Score__c", "Handoff_Score"
    pairs: tuple  # the XML body in retrieve order, without the root element and without fullName
    content: bytes | None = None  # the code body of an ApexClass; pairs then hold its -meta.xml
    source: Span | None = None  # the spec node it came from, for compile and deploy errors
