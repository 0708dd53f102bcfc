"""Deals read live from HubSpot, for `handrail audit --env E` and `handrail brief DEAL --env E`.

Through the CRM search API (POST /crm/v3/objects/deals/search), 200 deals a page paged with `after`,
asking for the spec's handoff properties, the computed properties audits read and the deal's own
(dealname, amount, dealtype, dealstage, closedate, createdate, hubspot_owner_id; the ACV and deal-type
properties the spec's `deal:` names). An audit asks for closed-won deals (closedate on or after
--since) and open deals in gated stages.

HubSpot pages through at most the first 10,000 results of a search. When a search matches more, the
fetch splits it into createdate windows, halving a window while it holds more than 10,000 deals, and
pages each window on its own. Windows are half-open [from, to) in epoch milliseconds and run from
the earliest matching createdate to the latest; every deal has a createdate, so every deal is fetched
exactly once. Every search is sorted by hs_object_id (HubSpot applies one sort to a search), which
keeps the pages of a window stable.

When a field of the spec is complete_when contacts, each deal's contacts are read with their association
labels through the associations v4 batch read (POST /crm/v4/associations/deals/contacts/batch/read, one
call per ASSOCIATION_BATCH deals, a deal's next page asked for with its `after`): every label of a contact
is one contact role, as a contact holding two Opportunity Contact Roles is in Salesforce, and a contact
without a label has none. Deals without contacts come back as that call's errors (207).

The owner and user-type properties hold owner ids: they are shown by name, from one read of the
portal's owners (ids stay when the app lacks the owners scope). Search has a rate limit of its own,
a few requests a second per token: searches are paced to SEARCH_RATE a second
(HANDRAIL_HUBSPOT_SEARCH_RATE overrides it; 0 turns pacing off). Calls are retried by the connection.
"""

from __future__ import annotations

import os
import time
from datetime import date, datetime, timedelta, timezone
from datetime import time as day_start
from typing import Any, Iterator, Mapping

from handrail.generators.data.live import (
    LiveDeals,
    MissingFieldsError,
    OnTotal,
    audited_stages,
    fetched_fields,
)
from handrail.generators.rules.scoring import Deal
from handrail.specs.diagnostics import HandrailError, InputError
from handrail.specs.model import Environment, Model
from handrail.specs.pipelines import stage_values
from handrail.targets.errors import TargetError

SEARCH_PATH = "/crm/v3/objects/deals/search"
PROPERTIES_PATH = "/crm/v3/properties/deals/batch/read"
OWNERS_PATH = "/crm/v3/owners"
ASSOCIATIONS_PATH = "/crm/v4/associations/deals/contacts/batch/read"
ASSOCIATION_BATCH = 200  # deals per batch read (HubSpot takes up to 1,000): one search page
PAGE = 200  # the most a search page holds
SEARCH_CAP = 10_000  # HubSpot refuses to page past this many results of one search
SEARCH_RATE = 4.0  # searches a second
RATE_VARIABLE = "HANDRAIL_HUBSPOT_SEARCH_RATE"
DEAL_PROPERTIES = ("dealname", "dealstage", "closedate", "createdate", "hubspot_owner_id")
WINDOW = "createdate"
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
MILLISECOND = timedelta(milliseconds=1)


def source(env: Environment, model: Model) -> "HubSpotDeals":
    return HubSpotDeals(env, model)


class HubSpotDeals:
    def __init__(
        self, env: Environment, model: Model, *, environ: Mapping[str, str] = os.environ, connection=None
    ):
        self.env, self.model, self.environ = env, model, environ
        self.rate = _search_rate(environ)
        self._conn = connection
        self._owners: dict[str, str] | None = None
        self._checked = False
        self._last_search = 0.0
        deal = model.deal
        fields = fetched_fields(model)
        self.user_properties = [f.hubspot_name for f in fields if f.type == "user"]
        self.properties = list(
            dict.fromkeys(
                [
                    *DEAL_PROPERTIES,
                    deal.acv_hubspot,
                    deal.deal_type_hubspot,
                    *(f.hubspot_name for f in fields),
                    *(["pipeline"] if model.pipelines else []),  # the deal's pipeline id
                ]
            )
        )

    @property
    def conn(self):
        if self._conn is None:
            from handrail.targets.hubspot.client import connect

            self._conn = connect(self.env, environ=self.environ)
        return self._conn

    def deals(self, since: date | None = None, on_total: OnTotal | None = None) -> Iterator[Deal]:
        """Closed-won deals (closed since `since`) and open deals in gated stages."""
        self._check_properties()
        return self._read(self._audit_groups(since), on_total)

    def in_stages(self, stage_ids: list[str]) -> Iterator[Deal]:
        """Deals at any of these stages (ids), e.g. the open deals a gate would stop (plan's impact)."""
        return self._read(
            [{"filters": [{"propertyName": "dealstage", "operator": "IN", "values": stage_ids}]}]
        )

    def _read(self, groups: list[dict], on_total: OnTotal | None = None) -> Iterator[Deal]:
        self._check_properties()
        first = self._search(groups)
        if on_total:
            on_total(first["total"])
        if first["total"] <= SEARCH_CAP:
            records = self._pages(groups, first)
        else:
            start, end = self._edge(groups, "createdate"), self._edge(groups, "-createdate") + 1
            records = self._split(groups, start, end, first["total"])
        return LiveDeals(self.model, self._with_roles(self._record(r) for r in records), self._where)

    def brief_notes(self):
        from handrail.targets.hubspot.brief_notes import HubSpotBriefNotes

        return HubSpotBriefNotes(self.conn)

    def matching(self, reference: str) -> Iterator[Deal]:
        """Deals named `reference`, or with that record id."""
        text = reference.strip()
        groups = [{"filters": [{"propertyName": "dealname", "operator": "EQ", "value": text}]}]
        if text.isdigit():
            groups.append({"filters": [{"propertyName": "hs_object_id", "operator": "EQ", "value": text}]})
        self._check_properties()
        records = self._pages(groups, self._search(groups))
        return LiveDeals(self.model, self._with_roles(self._record(r) for r in records), self._where)

    # -- contact roles ------------------------------------------------------------------------------
    def _with_roles(self, records: Iterator[dict]) -> Iterator[dict]:
        """The records, each with its contact roles when the spec has a contact rule."""
        if not any(f.contacts for f in self.model.fields):
            yield from records
            return
        batch: list[dict] = []
        for record in records:
            batch.append(record)
            if len(batch) == ASSOCIATION_BATCH:
                yield from self._attach_roles(batch)
                batch = []
        yield from self._attach_roles(batch)

    def _attach_roles(self, batch: list[dict]) -> Iterator[dict]:
        roles = self._contact_roles([str(r["id"]) for r in batch]) if batch else {}
        for record in batch:
            record["contact_roles"] = roles.get(str(record["id"]), [])
            yield record

    def _contact_roles(self, deal_ids: list[str]) -> dict[str, list[str]]:
        """Deal id -> one role per label of each associated contact ('' for a contact with no label)."""
        roles: dict[str, list[str]] = {i: [] for i in deal_ids}
        inputs: list[dict] = [{"id": i} for i in deal_ids]
        while inputs:
            answer = self.conn.request("POST", ASSOCIATIONS_PATH, body={"inputs": inputs}, idempotent=True)
            inputs = []
            for result in (answer or {}).get("results", []):
                deal = str(result["from"]["id"])
                for contact in result.get("to", []):
                    labels = [t["label"] for t in contact.get("associationTypes", []) if t.get("label")]
                    roles.setdefault(deal, []).extend(labels or [""])
                after = ((result.get("paging") or {}).get("next") or {}).get("after")
                if after:
                    inputs.append({"id": deal, "after": after})
        return roles

    # -- searching ----------------------------------------------------------------------------------
    def _audit_groups(self, since: date | None) -> list[dict]:
        won, gated = audited_stages(self.model)
        won_ids = stage_values(self.model, [s.key for s in won], "hubspot")  # in every pipeline
        gated_ids = stage_values(self.model, [s.key for s in gated], "hubspot")
        if not won_ids:
            raise HandrailError(
                f"environment '{self.env.name}': no closed-won stage of the spec names its "
                "HubSpot stage id (`hubspot:` under stages)"
            )
        closed_won = [{"propertyName": "dealstage", "operator": "IN", "values": won_ids}]
        if since is not None:
            closed_won.append(
                {"propertyName": "closedate", "operator": "GTE", "value": str(_epoch_ms(since))}
            )
        groups = [{"filters": closed_won}]
        if gated_ids:
            groups.append({"filters": [{"propertyName": "dealstage", "operator": "IN", "values": gated_ids}]})
        return groups

    def _window(self, groups: list[dict], start: int, end: int) -> Iterator[dict]:
        """Every deal the groups match with createdate in [start, end), in windows of at most SEARCH_CAP."""
        bounded = [
            {
                "filters": [
                    *g["filters"],
                    {"propertyName": WINDOW, "operator": "GTE", "value": str(start)},
                    {"propertyName": WINDOW, "operator": "LT", "value": str(end)},
                ]
            }
            for g in groups
        ]
        first = self._search(bounded)
        if first["total"] <= SEARCH_CAP:
            yield from self._pages(bounded, first)
        else:
            yield from self._split(groups, start, end, first["total"])

    def _split(self, groups: list[dict], start: int, end: int, total: int) -> Iterator[dict]:
        """[start, end) holds `total` (> SEARCH_CAP) deals: read its two halves."""
        if end - start < 2:
            raise HandrailError(
                f"environment '{self.env.name}': {total:,} deals share one createdate "
                f"millisecond; HubSpot search cannot page past {SEARCH_CAP:,} of them"
            )
        middle = (start + end) // 2
        yield from self._window(groups, start, middle)
        yield from self._window(groups, middle, end)

    def _pages(self, groups: list[dict], first: dict) -> Iterator[dict]:
        page, fetched = first, 0
        while True:
            yield from page["results"]
            fetched += len(page["results"])
            after = ((page.get("paging") or {}).get("next") or {}).get("after")
            if not after:
                return
            if fetched >= SEARCH_CAP:  # the window grew past the cap while it was paged
                raise HandrailError(
                    f"environment '{self.env.name}': deals were added while they were read; "
                    "run the command again"
                )
            page = self._search(groups, after)

    def _edge(self, groups: list[dict], sort: str) -> int:
        """The earliest (sort "createdate") or latest ("-createdate") createdate the groups match, in ms."""
        page = self._search(groups, sorts=[sort], limit=1, properties=["createdate"])
        return _ms(page["results"][0]["properties"]["createdate"])

    def _search(
        self,
        groups: list[dict],
        after: str | None = None,
        *,
        sorts: list[str] | None = None,
        limit: int = PAGE,
        properties: list[str] | None = None,
    ) -> dict:
        body: dict[str, Any] = {
            "filterGroups": groups,
            "sorts": sorts or ["hs_object_id"],
            "properties": properties or self.properties,
            "limit": limit,
        }
        if after:
            body["after"] = after
        self._pace()
        return self.conn.request("POST", SEARCH_PATH, body=body, idempotent=True)

    def _pace(self) -> None:
        if self.rate > 0:
            wait = self._last_search + 1 / self.rate - time.monotonic()
            if wait > 0:
                time.sleep(wait)
        self._last_search = time.monotonic()

    # -- records ------------------------------------------------------------------------------------
    def _record(self, result: dict) -> dict:
        """A search result as export columns, owner ids as names."""
        record = {"id": result["id"], **result["properties"]}
        owner = record.get("hubspot_owner_id")
        record["owner"] = self._owner_name(owner) if owner else ""
        for name in self.user_properties:
            if record.get(name):
                record[name] = self._owner_name(record[name])
        return record

    def _owner_name(self, owner_id: str) -> str:
        if self._owners is None:
            self._owners = self._read_owners()
        return self._owners.get(str(owner_id), str(owner_id))

    def _read_owners(self) -> dict[str, str]:
        names: dict[str, str] = {}
        query: dict[str, Any] = {"limit": 500}
        try:
            while True:
                page = self.conn.request("GET", OWNERS_PATH, query=query)
                for owner in page.get("results", []):
                    full = f"{owner.get('firstName') or ''} {owner.get('lastName') or ''}".strip()
                    names[str(owner["id"])] = full or owner.get("email") or str(owner["id"])
                query["after"] = ((page.get("paging") or {}).get("next") or {}).get("after")
                if not query["after"]:
                    return names
        except TargetError as exc:
            if exc.status == 403:  # no owners scope: owners stay ids
                return {}
            raise

    def _check_properties(self) -> None:
        if self._checked:
            return
        answer = self.conn.request(
            "POST",
            PROPERTIES_PATH,
            idempotent=True,
            body={"archived": False, "inputs": [{"name": name} for name in self.properties]},
        )
        found = {p["name"] for p in answer.get("results", [])}
        missing = [name for name in self.properties if name not in found]
        if missing:
            raise MissingFieldsError(self.env.name, "the HubSpot portal's deals", missing)
        self._checked = True

    def _where(self, record: dict) -> str:
        return f"environment '{self.env.name}': deal {record.get('id')}"


def _epoch_ms(day: date) -> int:
    return (datetime.combine(day, day_start(0), tzinfo=timezone.utc) - EPOCH) // MILLISECOND


def _ms(value: str) -> int:
    """A HubSpot datetime value (ISO 8601 or epoch milliseconds) in epoch milliseconds."""
    text = str(value).strip()
    if text.isdigit():
        return int(text)
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    moment = moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
    return (moment - EPOCH) // MILLISECOND


def _search_rate(environ: Mapping[str, str]) -> float:
    value = environ.get(RATE_VARIABLE)
    if not value:
        return SEARCH_RATE
    try:
        return float(value)
    except ValueError:
        raise InputError(f"{RATE_VARIABLE}={value!r} is not a number of searches a second") from None
