"""Generated deals stored in the fake org or portal as each CRM holds them, and the same deals for an export.

`stored_*` reshapes generated deals into what reading them back yields (owner and CSM as people's
names, timestamps at the CRM's millisecond precision, the cycle implied by CreatedDate and CloseDate),
so an audit of the live fetch and an audit of an export of those deals must agree.
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, time, timedelta, timezone
from typing import Iterable

from audit.dealgen import EXPANSION_TYPE, random_deals
from plan.live import HUBSPOT_ENV, SALESFORCE_ENV, live_spec  # noqa: F401  (re-exported for the tests)

from handrail.generators.data.live import fetched_fields
from handrail.generators.rules.scoring import Deal
from handrail.specs.model import Model

TIMESTAMPS = ("closed_won_at", "internal_handoff_at", "first_touch_at", "kickoff_at")


def generated(model: Model, n: int, seed: int = 7) -> list[Deal]:
    """Varied deals whose timestamps have millisecond precision, as both CRMs store them."""
    deals = []
    for d in random_deals(model, n, seed=seed):
        extra = {
            k: (v.replace(microsecond=v.microsecond // 1000 * 1000) if isinstance(v, datetime) else v)
            for k, v in d.extra.items()
        }
        deals.append(dataclasses.replace(d, extra=extra))
    return deals


def people(deals: Iterable[Deal]) -> tuple[list[str], list[str]]:
    """(owners, CSMs) the deals name, in first-seen order."""
    owners, csms = {}, {}
    for d in deals:
        owners.setdefault(d.owner, None)
        if d.values.get("csm"):
            csms.setdefault(d.values["csm"], None)
    return list(owners), list(csms)


def renamed(deal: Deal, deal_id: str, owner: str, csm: dict[str, str], **values) -> Deal:
    vals = dict(deal.values)
    if vals.get("csm"):
        vals["csm"] = csm[vals["csm"]]
    vals.update(values)
    return dataclasses.replace(deal, id=deal_id, owner=owner, values=vals)


def created(deal: Deal) -> datetime:
    """When the deal was created: its sales cycle before its close date, at 09:00 UTC."""
    close = deal.extra["close_date"]
    return datetime.combine(close - timedelta(days=deal.sales_cycle_days), time(9), tzinfo=timezone.utc)


# -- Salesforce -------------------------------------------------------------------------------------------
def salesforce_time(moment: datetime) -> str:
    return (
        moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.")
        + f"{moment.microsecond // 1000:03d}+0000"
    )


def seed_salesforce(org, model: Model, deals: list[Deal]) -> list[Deal]:
    """Store `deals` as Opportunities (owners and CSMs as Users); returns the deals as they read back."""
    owners, csms = people(deals)
    owner_ids = {o: org.add_record("User", Name=f"AE {i}") for i, o in enumerate(owners)}
    csm_ids = {c: org.add_record("User", Name=f"CSM {i}") for i, c in enumerate(csms)}
    owner_names = {o: f"AE {i}" for i, o in enumerate(owners)}
    csm_names = {c: f"CSM {i}" for i, c in enumerate(csms)}
    stored, rows = [], []
    for i, d in enumerate(deals):
        deal = renamed(
            d,
            f"006{i:012d}AAA",
            owner_names[d.owner],
            csm_names,
            partner_sourced=bool(d.values.get("partner_sourced")),
        )  # a checkbox is never empty
        stored.append(deal)
        row = {f.salesforce_name: None for f in fetched_fields(model)}
        row.update(
            {
                "Id": deal.id,
                "Name": deal.name,
                "OwnerId": owner_ids[d.owner],
                "Amount": deal.acv,
                "Type": EXPANSION_TYPE if deal.deal_type == "expansion" else "New Customer",
                "StageName": model.stage(deal.stage).salesforce,
                "CloseDate": deal.extra["close_date"].isoformat(),
                "CreatedDate": salesforce_time(created(deal)),
            }
        )
        for key, value in d.values.items():
            row[model.field(key).salesforce_name] = csm_ids[value] if key == "csm" else value
        row[model.field("partner_sourced").salesforce_name] = deal.values["partner_sourced"]
        for key, value in deal.extra.items():
            if key == "close_date":
                continue
            row[model.computed_field(key).salesforce_name] = (
                salesforce_time(value)
                if isinstance(value, datetime)
                else str(value)
                if key == "csm_rating"
                else value
            )
        rows.append(row)
    org.add_records("Opportunity", rows)
    return stored


# -- HubSpot -----------------------------------------------------------------------------------------------
def hubspot_time(moment: datetime | date) -> str:
    if not isinstance(moment, datetime):
        moment = datetime.combine(moment, time(0), tzinfo=timezone.utc)
    return (
        moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    )


def define_properties(portal, model: Model) -> None:
    """The spec's deal properties, as `handrail apply` leaves them (only what reading deals needs)."""
    for f in fetched_fields(model):
        portal.properties["deals"][f.hubspot_name] = portal.property_record(
            {
                "name": f.hubspot_name,
                "label": f.label,
                "type": "string",
                "fieldType": "text",
                "groupName": "handoff",
            }
        )


def seed_hubspot(portal, model: Model, deals: list[Deal]) -> list[Deal]:
    """Store `deals` as HubSpot deals (owners and CSMs as owners); returns the deals as they read back."""
    define_properties(portal, model)
    owners, csms = people(deals)
    owner_ids = {o: portal.add_owner(o, "AE", str(i))["id"] for i, o in enumerate(owners) if o}
    csm_ids = {c: portal.add_owner(c, "CSM", str(i))["id"] for i, c in enumerate(csms)}
    owner_names = {o: f"AE {i}" for i, o in enumerate(owners) if o} | {"": ""}
    csm_names = {c: f"CSM {i}" for i, c in enumerate(csms)}
    rows = []
    for d in deals:
        row = {
            "dealname": d.name,
            "amount": d.acv,
            "dealtype": "existingbusiness" if d.deal_type == "expansion" else "newbusiness",
            "dealstage": model.stage(d.stage).hubspot,
            "closedate": hubspot_time(d.extra["close_date"]),
            "createdate": hubspot_time(created(d)),
            "hubspot_owner_id": owner_ids.get(d.owner),
        }
        for key, value in d.values.items():
            row[model.field(key).hubspot_name] = csm_ids[value] if key == "csm" else value
        for key, value in d.extra.items():
            if key != "close_date":
                row[model.computed_field(key).hubspot_name] = (
                    hubspot_time(value) if isinstance(value, datetime) else value
                )
        rows.append(row)
    ids = portal.add_deals(rows)
    return [renamed(d, deal_id, owner_names[d.owner], csm_names) for d, deal_id in zip(deals, ids)]
