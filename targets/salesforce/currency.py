"""Which amount a Salesforce org compares with the segments' ACV thresholds.

`deal.acv.salesforce` (default `Amount`) names the field the score flow, the validation rules and live
audits read. In an org with multiple currencies (its Opportunity has `CurrencyIsoCode`) every currency
field holds the amount in the record's own currency: a EUR 90,000 deal has Amount 90000, and the flow,
which has no conversion, compares 90000 with thresholds written in the corporate currency. So:

- plan warns when a segment's `acv` range reads a currency field there, naming a field that holds the
  converted or annual amount (a number field) as the way to compare like with like;
- live audits and briefs read the field as `convertCurrency(field)` (SOQL's conversion to the running
  user's currency, at the org's rates; with advanced currency management, the dated rate for the
  deal's close date), so the audit puts each deal in the segment of its converted amount.
"""

from __future__ import annotations

from handrail.specs.diagnostics import Diagnostic, warning
from handrail.specs.model import Model

CURRENCY_FIELD = "CurrencyIsoCode"


def multi_currency(described: dict) -> bool:
    """The org has multiple currencies on: the object's describe lists CurrencyIsoCode."""
    return any(f["name"].lower() == CURRENCY_FIELD.lower() for f in described.get("fields", ()))


def field_type(described: dict, name: str) -> str | None:
    return next(
        (f.get("type") for f in described.get("fields", ()) if f["name"].lower() == name.lower()), None
    )


def converted(described: dict, name: str) -> bool:
    """SOQL should read `name` as convertCurrency(name): a currency field of a multi-currency org."""
    return multi_currency(described) and field_type(described, name) == "currency"


def unconverted_thresholds(model: Model, described: dict, env_name: str) -> list[Diagnostic]:
    """A warning when the segments' ACV thresholds would compare an amount in each deal's currency."""
    acv = model.deal.acv_salesforce
    ranged = [s for s in model.segments if s.match.acv is not None]
    if not ranged or not converted(described, acv):
        return []
    names = ", ".join(s.key for s in ranged[:3]) + (", ..." if len(ranged) > 3 else "")
    return [
        warning(
            "salesforce.currency.unconverted",
            f"the org of environment '{env_name}' has multiple currencies, so {acv} holds each deal's "
            f"amount in the deal's own currency, while the ACV thresholds of {len(ranged)} segment(s) "
            f"({names}) are in the corporate currency: a deal in another currency can land in the wrong "
            "segment",
            path="deal.acv.salesforce",
            span=ranged[0].span,
            hint="name a number field that holds the converted (or annual) amount in deal.acv.salesforce; "
            "audits already read convertCurrency(" + acv + ")",
        )
    ]


def plan_warnings(conn, model: Model, env_name: str) -> list[Diagnostic]:
    """unconverted_thresholds for a live org: one describe of the deal object, only when a segment has
    an ACV range."""
    if not any(s.match.acv is not None for s in model.segments):
        return []
    return unconverted_thresholds(model, conn.describe(model.naming.salesforce_object), env_name)
