"""Per-platform settings of a spec that belong to no handoff concept, e.g. the Salesforce page layouts.

    salesforce:
      layouts: [Opportunity Layout, Enterprise Opportunity]
      csm_access: opportunity_team     # or account_team, or none

`layouts` names the Opportunity page layouts that get Handrail's "Handoff: ..." sections (merged into
the org's layout at plan time, see targets/salesforce/layouts.py). Each name keeps the spec location
it came from, so a layout the org does not have is reported at the line that names it.
`csm_access` says how the CSM the flow assigns or keeps gets edit access to the deal: as an
Opportunity Team member (role "Customer Success Manager", the default), an Account Team member, or
not at all (the org's sharing model decides).
"""

from __future__ import annotations

from handrail.specs.diagnostics import Span
from handrail.specs.record import record


@record
class LayoutName:
    """A Salesforce page layout the spec names, with where it names it."""

    name: str
    span: Span | None = None


@record
class SalesforceSettings:
    """The spec's `salesforce:` block: layouts to extend and how the CSM gets access."""

    layouts: tuple[LayoutName, ...] = ()
    csm_access: str = "opportunity_team"  # opportunity_team | account_team | none
    csm_access_span: Span | None = None


def salesforce_settings(doc) -> SalesforceSettings:
    """The validated top-level `salesforce:` mapping of a Document as SalesforceSettings."""
    raw = (doc.data or {}).get("salesforce") or {}
    names = raw.get("layouts") or ()
    return SalesforceSettings(
        tuple(
            LayoutName(str(n).strip(), doc.span(("salesforce", "layouts", i))) for i, n in enumerate(names)
        ),
        raw.get("csm_access", "opportunity_team"),
        doc.span(("salesforce", "csm_access")) if "csm_access" in raw else None,
    )


@record
class Assignee:
    """A username an environment's `permission_sets:` lists, with the spec location that names it."""

    username: str
    span: Span | None = None


def permission_set_users(doc, env_name: str) -> tuple[tuple[str, tuple[Assignee, ...]], ...]:
    """An environment's `permission_sets: {sales: [...], cs: [...]}` as (role, assignees) pairs."""
    raw = ((doc.data or {}).get("environments") or {}).get(env_name, {}).get("permission_sets") or {}
    return tuple(
        (
            role,
            tuple(
                Assignee(str(u).strip(), doc.span(("environments", env_name, "permission_sets", role, i)))
                for i, u in enumerate(raw[role])
            ),
        )
        for role in ("sales", "cs", "bypass")
        if role in raw
    )
