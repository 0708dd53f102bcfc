"""The spec's `deal:` mapping (which CRM fields say amount, deal type, partner, CSM) and its
`environments:` entries, as model values."""

from __future__ import annotations

from handrail.specs.loader import Document
from handrail.specs.model import DealSource, Environment
from handrail.specs.platforms import permission_set_users

# Per-environment values with fields of their own (specs.people, targets.hubspot.environment_stages,
# specs.environment_ids).
PER_ENVIRONMENT = ("people", "username_suffix", "hubspot_stages", "hubspot_pipelines")


def deal_source(raw: dict, doc: Document | None = None) -> DealSource:
    base = DealSource()
    acv, dtype = raw.get("acv") or {}, raw.get("deal_type") or {}
    expansion = dtype.get("expansion_values") or {}
    renewal = dtype.get("renewal_values") or {}
    return DealSource(
        acv_salesforce=acv.get("salesforce", base.acv_salesforce),
        acv_hubspot=acv.get("hubspot", base.acv_hubspot),
        deal_type_salesforce=dtype.get("salesforce", base.deal_type_salesforce),
        deal_type_hubspot=dtype.get("hubspot", base.deal_type_hubspot),
        expansion_values_salesforce=tuple(expansion.get("salesforce", base.expansion_values_salesforce)),
        expansion_values_hubspot=tuple(expansion.get("hubspot", base.expansion_values_hubspot)),
        renewal_values_salesforce=tuple(renewal.get("salesforce", ())),
        renewal_values_hubspot=tuple(renewal.get("hubspot", ())),
        partner_field=(raw.get("partner_sourced") or {}).get("field"),
        csm_field=(raw.get("csm") or {}).get("field"),
        account_csm_salesforce=((raw.get("csm") or {}).get("account_field") or {}).get("salesforce"),
        account_csm_hubspot=((raw.get("csm") or {}).get("account_field") or {}).get("hubspot"),
        spans=_spans(raw, doc) if doc is not None else (),
    )


def _spans(raw: dict, doc: Document) -> tuple:
    """Where deal: writes each value, for errors about what the org holds (generators.plan.assumptions)."""
    out = [("", doc.span(("deal",)))]
    for part in ("acv", "deal_type"):
        for crm in ("salesforce", "hubspot"):
            out.append((f"{part}.{crm}", doc.span(("deal", part, crm))))
    for part in ("expansion_values", "renewal_values"):
        for crm in ("salesforce", "hubspot"):
            values = ((raw.get("deal_type") or {}).get(part) or {}).get(crm) or ()
            out.append((f"{part}.{crm}", doc.span(("deal", "deal_type", part, crm))))
            out += [
                (f"{part}.{crm}[{i}]", doc.span(("deal", "deal_type", part, crm, i)))
                for i in range(len(values))
            ]
    for crm in ("salesforce", "hubspot"):
        out.append((f"account_field.{crm}", doc.span(("deal", "csm", "account_field", crm))))
    return tuple(out)


def environment(name: str, raw: dict, doc: Document) -> Environment:
    settings = tuple(
        sorted(
            (k, v)
            for k, v in raw.items()
            if k not in ("target", "production", "permission_sets", *PER_ENVIRONMENT)
        )
    )
    return Environment(
        name=name,
        target=raw["target"],
        settings=settings,
        production=raw.get("production", False),
        span=doc.span(("environments", name)),
        permission_sets=permission_set_users(doc, name),
        people=tuple(sorted((raw.get("people") or {}).items())),
        username_suffix=raw.get("username_suffix"),
        hubspot_stages=tuple(sorted((raw.get("hubspot_stages") or {}).items())),
        hubspot_pipelines=tuple(
            (key, ids.get("id"), tuple(sorted((ids.get("stages") or {}).items())))
            for key, ids in sorted((raw.get("hubspot_pipelines") or {}).items())
        ),
    )
