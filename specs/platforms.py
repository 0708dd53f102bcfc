"""Per-platform settings of a spec that belong to no handoff concept, e.g. the Salesforce page layouts.

    salesforce:
      layouts: [Opportunity Layout, Enterprise Opportunity]

`layouts` names the Opportunity page layouts that get Handrail's "Handoff: ..." sections (merged into
the org's layout at plan time, see targets/salesforce/layouts.py). Each name keeps the spec location
it came from, so a layout the org does not have is reported at the line that names it.
"""

from __future__ import annotations

from dataclasses import dataclass

from handrail.specs.diagnostics import Span


@dataclass(frozen=True)
class LayoutName:
    name: str
    span: Span | None = None


@dataclass(frozen=True)
class SalesforceSettings:
    layouts: tuple[LayoutName, ...] = ()


def salesforce_settings(doc) -> SalesforceSettings:
    """The validated top-level `salesforce:` mapping of a Document as SalesforceSettings."""
    raw = (doc.data or {}).get("salesforce") or {}
    names = raw.get("layouts") or ()
    return SalesforceSettings(
        tuple(LayoutName(str(n).strip(), doc.span(("salesforce", "layouts", i))) for i, n in enumerate(names))
    )
