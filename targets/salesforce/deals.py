"""Opportunities read live from Salesforce, for `handrail audit --env E` and `handrail brief DEAL --env E`.

One SOQL query selects exactly what the engine needs: Id, Name, Owner.Name, the ACV and deal-type
fields the spec's `deal:` names (in an org with multiple currencies, a currency ACV field as
convertCurrency(field): in the user's currency, see currency.py), StageName, CloseDate, CreatedDate,
every handoff field (a user lookup as its user's Name) and the computed fields audits read
(generators.data.live.PROCESS_FIELDS). An
audit asks for closed-won deals (CloseDate on or after --since) and open deals in gated stages.

When a field of the spec is complete_when contacts, a second query reads the same deals' contact roles:
`SELECT OpportunityId, Role FROM OpportunityContactRole WHERE Role != null AND <the deals' filter through
Opportunity.>`, by the same API as the deals (the Bulk API takes no relationship subquery such as
`(SELECT Role FROM OpportunityContactRoles)`, but does take a filter through the parent), and each deal
gets its roles as the export column `contact_roles`, one per contact role.

A COUNT() of the same query picks the API: up to BULK_THRESHOLD rows, the REST query and queryMore
(2,000 records a page); above it, one Bulk API 2.0 query job read in CSV pages of BULK_PAGE rows,
which costs a handful of API calls whatever the size. HANDRAIL_SALESFORCE_BULK_THRESHOLD overrides
the threshold. Every call is retried by the connection (targets.salesforce.client).
"""

from __future__ import annotations

import csv
import io
import os
import re
import sys
from datetime import date
from typing import Iterator, Mapping

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
from handrail.targets.salesforce import currency

BULK_THRESHOLD = 10_000
BULK_PAGE = 10_000  # rows per Bulk API results page: bounds the memory one page takes
REST_BATCH = 2_000  # the most records a REST query page holds
THRESHOLD_VARIABLE = "HANDRAIL_SALESFORCE_BULK_THRESHOLD"
CONTACT_ROLE = "OpportunityContactRole"
_RECORD_ID = re.compile(r"^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$")


def source(env: Environment, model: Model) -> "SalesforceDeals":
    return SalesforceDeals(env, model)


class SalesforceDeals:
    def __init__(
        self, env: Environment, model: Model, *, environ: Mapping[str, str] = os.environ, connection=None
    ):
        self.env, self.model, self.environ = env, model, environ
        self.sobject = model.naming.salesforce_object
        self.bulk_threshold = _bulk_threshold(environ)
        self._conn = connection
        self._query: tuple[list[str], dict[str, str]] | None = None

    @property
    def conn(self):
        if self._conn is None:
            from handrail.targets.salesforce.client import connect

            self._conn = connect(self.env, environ=self.environ)
        return self._conn

    def deals(self, since: date | None = None, on_total: OnTotal | None = None) -> Iterator[Deal]:
        """Closed-won deals (closed since `since`) and open deals in gated stages."""
        where = self._audit_filter(since)
        self._columns()  # the fields exist, before anything is counted
        total = self.conn.count(f"SELECT COUNT() FROM {self.sobject} WHERE {where}")
        if on_total:
            on_total(total)
        bulk = total > self.bulk_threshold
        records = self._bulk(where) if bulk else self._rest(where)
        if self._reads_roles:
            records = _with_roles(
                records, self._contact_roles(self._audit_filter(since, "Opportunity."), bulk)
            )
        return LiveDeals(self.model, records, self._where)

    def brief_notes(self):
        from handrail.targets.salesforce.brief_notes import SalesforceBriefNotes

        return SalesforceBriefNotes(self.conn)

    def matching(self, reference: str) -> Iterator[Deal]:
        """Deals named `reference` (Salesforce compares names ignoring case), or with that record id."""
        text = reference.strip()
        conditions = [f"Name = {quote(text)}"]
        if _RECORD_ID.match(text):
            conditions.append(f"Id = {quote(text)}")
        records = self._rest(" OR ".join(conditions))
        if self._reads_roles:
            parent = [f"Opportunity.{c}" for c in conditions]
            records = _with_roles(records, self._contact_roles(" OR ".join(parent), bulk=False))
        return LiveDeals(self.model, records, self._where)

    # -- contact roles --------------------------------------------------------------------------------
    @property
    def _reads_roles(self) -> bool:
        """Only a spec with a contact rule reads contact roles, and only from Opportunities."""
        return self.sobject == "Opportunity" and any(f.contacts for f in self.model.fields)

    def _contact_roles(self, deals_filter: str, bulk: bool) -> dict[str, list[str]]:
        """Opportunity Id -> the Role of each of its contact roles that has one."""
        soql = f"SELECT OpportunityId, Role FROM {CONTACT_ROLE} WHERE Role != null AND ({deals_filter})"
        if bulk:
            rows = (
                row
                for page in self.conn.bulk_query(CONTACT_ROLE, soql, page_size=BULK_PAGE)
                for row in csv.DictReader(io.StringIO(page))
            )
        else:
            rows = (row for page in self.conn.query_pages(soql, batch_size=REST_BATCH) for row in page)
        roles: dict[str, list[str]] = {}
        for row in rows:
            roles.setdefault(str(row.get("OpportunityId"))[:15], []).append(row.get("Role") or "")
        return roles

    # -- the query ----------------------------------------------------------------------------------
    def _audit_filter(self, since: date | None, via: str = "") -> str:
        """The deals an audit reads; `via` prefixes each field (a filter through a lookup to the deal)."""
        won, gated = audited_stages(self.model)
        won_values = stage_values(self.model, [s.key for s in won], "salesforce")  # in every pipeline
        gated_values = stage_values(self.model, [s.key for s in gated], "salesforce")
        if not won_values:
            raise HandrailError(
                f"environment '{self.env.name}': no closed-won stage of the spec names its "
                "Salesforce stage (`salesforce:` under stages)"
            )
        closed_won = f"{via}StageName IN ({', '.join(map(quote, won_values))})"
        if since is not None:
            closed_won += f" AND {via}CloseDate >= {since.isoformat()}"
        if not gated_values:
            return closed_won
        return f"({closed_won}) OR {via}StageName IN ({', '.join(map(quote, gated_values))})"

    def _columns(self) -> tuple[list[str], dict[str, str]]:
        """(SOQL select list, select path -> column for paths through a lookup); checks the fields exist."""
        if self._query is not None:
            return self._query
        describe = self.conn.describe(self.sobject)
        described = {f["name"].lower(): f for f in describe["fields"]}
        deal = self.model.deal
        fields = fetched_fields(self.model)
        wanted = [deal.acv_salesforce, deal.deal_type_salesforce, *(f.salesforce_name for f in fields)]
        missing = [name for name in dict.fromkeys(wanted) if name.lower() not in described]
        if missing:
            raise MissingFieldsError(self.env.name, f"Salesforce's {self.sobject} object", missing)
        columns = [
            "Id",
            "Name",
            "Owner.Name",
            f"convertCurrency({deal.acv_salesforce})"
            if currency.converted(describe, deal.acv_salesforce)
            else deal.acv_salesforce,
            deal.deal_type_salesforce,
            "StageName",
            "CloseDate",
            "CreatedDate",
        ]
        paths = {"Owner.Name": "Owner"}
        if self.model.pipelines:  # the deal's pipeline: its record type
            columns.append("RecordType.DeveloperName")
            paths["RecordType.DeveloperName"] = "RecordType"
        for f in fields:
            if f.type == "user":  # a User lookup: read the user's name, not the id
                relation = (
                    described[f.salesforce_name.lower()].get("relationshipName")
                    or f.salesforce_name.removesuffix("__c") + "__r"
                )
                paths[f"{relation}.Name"] = f.salesforce_name
                columns.append(f"{relation}.Name")
            else:
                columns.append(f.salesforce_name)
        seen: set[str] = set()
        unique = [c for c in columns if not (c.lower() in seen or seen.add(c.lower()))]
        self._query = (unique, paths)
        return self._query

    def _soql(self, where: str) -> str:
        return f"SELECT {', '.join(self._columns()[0])} FROM {self.sobject} WHERE {where}"

    def _rest(self, where: str) -> Iterator[dict]:
        soql = self._soql(where)
        relations = {path.split(".", 1)[0]: column for path, column in self._columns()[1].items()}
        for page in self.conn.query_pages(soql, batch_size=REST_BATCH):
            for record in page:
                yield _flatten(record, relations)

    def _bulk(self, where: str) -> Iterator[dict]:
        soql = self._soql(where)
        paths = self._columns()[1]
        csv.field_size_limit(min(sys.maxsize, 2**31 - 1))  # long text areas hold up to 131,072 characters
        for page in self.conn.bulk_query(self.sobject, soql, page_size=BULK_PAGE):
            for row in csv.DictReader(io.StringIO(page)):
                yield {paths.get(k, k): v for k, v in row.items()}

    def _where(self, record: dict) -> str:
        return f"environment '{self.env.name}': {self.sobject} {record.get('Id')}"


def _with_roles(records: Iterator[dict], roles: dict[str, list[str]]) -> Iterator[dict]:
    """Each deal with its contact roles (ids compared on their 15 case-sensitive characters)."""
    for record in records:
        record["contact_roles"] = roles.get(str(record.get("Id"))[:15], [])
        yield record


def _flatten(record: dict, relations: dict[str, str]) -> dict:
    """A REST record as export columns: no `attributes`, a lookup's {"Name": ...} as the name."""
    out = {}
    for key, value in record.items():
        if key == "attributes":
            continue
        if key in relations:
            out[relations[key]] = (
                value.get("Name", value.get("DeveloperName")) if isinstance(value, dict) else None
            )
        else:
            out[key] = value
    return out


def quote(text: str) -> str:
    """A SOQL string literal."""
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _bulk_threshold(environ: Mapping[str, str]) -> int:
    value = environ.get(THRESHOLD_VARIABLE)
    if not value:
        return BULK_THRESHOLD
    try:
        return int(value)
    except ValueError:
        raise InputError(f"{THRESHOLD_VARIABLE}={value!r} is not a whole number of rows") from None
