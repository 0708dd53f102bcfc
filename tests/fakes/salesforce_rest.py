"""The REST side of the fake org: SOQL query/queryMore, sObject describe and CRUD, Bulk API 2.0 query jobs.

Operation names (for `fake.inject` and `fake.calls`): versions, query, queryMore, queryAll,
describeGlobal, sobject.describe, sobject.info, sobject.create, sobject.get, sobject.update,
sobject.delete, bulk2.create, bulk2.status, bulk2.results, bulk2.abort, bulk2.delete, limits.
"""

from __future__ import annotations

import base64
import csv
import io
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from fakes import soql
from fakes.salesforce_org import now_iso
from fakes.server import Request, Response

if TYPE_CHECKING:
    from fakes.salesforce import FakeSalesforce

DEFAULT_BATCH = 2000
_VERSIONED = re.compile(r"^/services/data/v(?P<version>\d+\.\d)(?P<rest>/.*)?$")
STANDARD_FIELDS: dict[str, dict[str, str]] = {
    "Opportunity": {
        "Id": "id",
        "Name": "string",
        "AccountId": "reference",
        "Amount": "currency",
        "CloseDate": "date",
        "StageName": "picklist",
        "Probability": "percent",
        "Type": "picklist",
        "LeadSource": "picklist",
        "NextStep": "string",
        "Description": "textarea",
        "OwnerId": "reference",
        "IsClosed": "boolean",
        "IsWon": "boolean",
        "ForecastCategoryName": "picklist",
        "CreatedDate": "datetime",
        "CreatedById": "reference",
        "LastModifiedDate": "datetime",
        "LastModifiedById": "reference",
        "SystemModstamp": "datetime",
        "FiscalYear": "int",
        "FiscalQuarter": "int",
    },
    "CurrencyType": {  # only in an org with multiple currencies (FakeOrg.enable_currencies)
        "Id": "id",
        "IsoCode": "picklist",
        "ConversionRate": "double",
        "IsCorporate": "boolean",
        "IsActive": "boolean",
        "DecimalPlaces": "int",
    },
    "User": {
        "Id": "id",
        "Name": "string",
        "Username": "string",
        "Email": "email",
        "IsActive": "boolean",
        "FirstName": "string",
        "LastName": "string",
        "CreatedDate": "datetime",
        "LastModifiedDate": "datetime",
        "SystemModstamp": "datetime",
    },
    "Task": {
        "Id": "id",
        "Subject": "combobox",
        "Status": "picklist",
        "Priority": "picklist",
        "ActivityDate": "date",
        "WhatId": "reference",
        "WhoId": "reference",
        "OwnerId": "reference",
        "Description": "textarea",
        "Type": "picklist",
        "CreatedDate": "datetime",
        "LastModifiedDate": "datetime",
        "SystemModstamp": "datetime",
    },
    "Account": {
        "Id": "id",
        "Name": "string",
        "OwnerId": "reference",
        "Type": "picklist",
        "CreatedDate": "datetime",
        "LastModifiedDate": "datetime",
        "SystemModstamp": "datetime",
    },
    "PermissionSet": {"Id": "id", "Name": "string", "Label": "string"},
    "PermissionSetAssignment": {
        "Id": "id",
        "AssigneeId": "reference",
        "PermissionSetId": "reference",
        "SystemModstamp": "datetime",
    },
    "OpportunityTeamMember": {
        "Id": "id",
        "OpportunityId": "reference",
        "UserId": "reference",
        "TeamMemberRole": "picklist",
        "OpportunityAccessLevel": "picklist",
        "CreatedDate": "datetime",
        "LastModifiedDate": "datetime",
        "SystemModstamp": "datetime",
    },
    "AccountTeamMember": {
        "Id": "id",
        "AccountId": "reference",
        "UserId": "reference",
        "TeamMemberRole": "picklist",
        "AccountAccessLevel": "picklist",
        "OpportunityAccessLevel": "picklist",
        "CaseAccessLevel": "picklist",
        "ContactAccessLevel": "picklist",
        "CreatedDate": "datetime",
        "LastModifiedDate": "datetime",
        "SystemModstamp": "datetime",
    },
}
# The classic Note (SOAP API Developer Guide, Note): Title up to 80 characters, Body up to 32,000.
STANDARD_FIELDS["Note"] = {
    "Id": "id",
    "ParentId": "reference",
    "Title": "string",
    "Body": "textarea",
    "IsPrivate": "boolean",
    "OwnerId": "reference",
    "CreatedDate": "datetime",
    "LastModifiedDate": "datetime",
    "SystemModstamp": "datetime",
}
FIELD_LENGTHS = {("Note", "Title"): 80, ("Note", "Body"): 32_000}
REQUIRED_ON_CREATE = {
    "Note": ("ParentId", "Title"),
    "PermissionSetAssignment": ("AssigneeId", "PermissionSetId"),
    "OpportunityTeamMember": ("OpportunityId", "UserId"),
    "AccountTeamMember": ("AccountId", "UserId"),
}
CUSTOM_TYPES = {
    "Text": "string",
    "TextArea": "textarea",
    "LongTextArea": "textarea",
    "Html": "textarea",
    "Picklist": "picklist",
    "MultiselectPicklist": "multipicklist",
    "Number": "double",
    "Percent": "percent",
    "Currency": "currency",
    "Checkbox": "boolean",
    "Date": "date",
    "DateTime": "datetime",
    "Lookup": "reference",
    "Email": "email",
    "Url": "url",
    "Phone": "phone",
}
DELIMITERS = {"COMMA": ",", "TAB": "\t", "PIPE": "|", "SEMICOLON": ";", "CARET": "^", "BACKQUOTE": "`"}


@dataclass
class Cursor:
    query: soql.Query
    rows: list[dict]
    batch: int = DEFAULT_BATCH


@dataclass
class BulkJob:
    id: str
    operation: str
    sobject: str
    query: soql.Query
    rows: list[dict]
    line_ending: str
    delimiter: str
    polls_left: int
    created: str = field(default_factory=now_iso)
    state: str = "UploadComplete"


def field_id(org, full_name: str) -> str:
    """The custom field's id ("00N..."), the same for the field as long as the org lives."""
    ids = org.__dict__.setdefault("field_ids", {})
    return ids.setdefault(full_name, f"00N{len(ids):012d}AAA")


def error(status: int, code: str, message: str) -> Response:
    return Response.json([{"message": message, "errorCode": code}], status)


class RestApi:
    def __init__(self, fake: "FakeSalesforce"):
        self.fake = fake
        self.cursors: dict[str, Cursor] = {}
        self.jobs: dict[str, BulkJob] = {}

    @property
    def org(self):
        return self.fake.org

    def operation_of(self, request: Request) -> str:
        match = _VERSIONED.match(request.path)
        if not match:
            return "versions"
        parts = [p for p in (match.group("rest") or "/").split("/") if p]
        head = parts[0] if parts else ""
        if head in ("query", "queryAll"):
            return "queryMore" if len(parts) > 1 else head
        if parts[:2] == ["tooling", "query"]:
            return "tooling.query"
        if head == "sobjects":
            if len(parts) == 1:
                return "describeGlobal"
            if len(parts) == 2:
                return "sobject.create" if request.method == "POST" else "sobject.info"
            if parts[2] == "describe":
                return "sobject.describe"
            return {"GET": "sobject.get", "PATCH": "sobject.update", "DELETE": "sobject.delete"}.get(
                request.method, "sobject"
            )
        if head == "jobs":
            if len(parts) == 2:
                return "bulk2.create"
            if len(parts) == 4 and parts[3] == "results":
                return "bulk2.results"
            return {"GET": "bulk2.status", "PATCH": "bulk2.abort", "DELETE": "bulk2.delete"}.get(
                request.method, "bulk2"
            )
        return head or "resources"

    def handle(self, request: Request, operation: str) -> Response:
        if operation == "versions":
            return Response.json(
                [
                    {
                        "label": "Spring '25",
                        "url": f"/services/data/v{self.fake.api_version}",
                        "version": self.fake.api_version,
                    }
                ]
            )
        match = _VERSIONED.match(request.path)
        parts = [p for p in (match.group("rest") or "/").split("/") if p]
        with self.fake.lock:
            self.version = match.group("version")
            try:
                if operation in ("query", "queryAll"):
                    return self._query(request)
                if operation == "queryMore":
                    return self._query_more(parts[1])
                if operation == "tooling.query":
                    return self._tooling_query(request)
                if operation.startswith("sobject") or operation == "describeGlobal":
                    return self._sobject(request, operation, parts)
                if operation.startswith("bulk2"):
                    return self._bulk(request, operation, parts)
                if operation == "limits":
                    return Response.json({"DailyApiRequests": {"Max": 15000, "Remaining": 14000}})
            except soql.SoqlError as exc:
                return error(400, exc.code, str(exc))
        return error(404, "NOT_FOUND", "The requested resource does not exist")

    # -- SOQL ------------------------------------------------------------------------------------------
    def lookup(self, record: dict, name: str) -> Any:
        if "." in name:
            relation, rest = name.split(".", 1)
            key = relation[:-3] + "__c" if relation.endswith("__r") else relation + "Id"
            related = self.org.record(self.lookup(record, key) or "")
            return self.lookup(related[1], rest) if related else None
        if name in record:
            return record[name]
        lowered = name.lower()
        return next((v for k, v in record.items() if k.lower() == lowered), None)

    def known_fields(self, sobject: str) -> dict[str, str]:
        fields = dict(STANDARD_FIELDS.get(sobject, {"Id": "id"}))
        if self.org.corporate_currency and sobject == "Opportunity":
            fields["CurrencyIsoCode"] = "picklist"  # the record's currency, in a multi-currency org only
        for component in self.org.custom_fields_of(sobject):
            fields[component.full_name.split(".", 1)[1]] = CUSTOM_TYPES.get(
                component.get("type") or "", "string"
            )
        for name in self.org.record_fields.get(sobject, ()):
            fields.setdefault(name, "string")
        return fields

    def compile(self, text: str) -> tuple[soql.Query, list[dict]]:
        query = soql.parse(text, self.lookup)
        if query.sobject not in self.org.records:
            raise soql.SoqlError("INVALID_TYPE", f"sObject type '{query.sobject}' is not supported.")
        known = {name.lower() for name in self.known_fields(query.sobject)}
        for name in query.fields:
            base = name.split(".", 1)[0]
            relation_key = (base[:-3] + "__c") if base.endswith("__r") else base + "Id"
            if ("." in name and relation_key.lower() not in known) or (
                "." not in name and name.lower() not in known
            ):
                raise soql.SoqlError(
                    "INVALID_FIELD",
                    f"No such column '{name}' on entity '{query.sobject}'. If you are "
                    "attempting to use a custom field, be sure to append the '__c' after "
                    "the custom field name.",
                )
        types = {name.lower(): kind for name, kind in self.known_fields(query.sobject).items()}
        long_text = {
            c.full_name.split(".", 1)[1].lower()
            for c in self.org.custom_fields_of(query.sobject)
            if c.get("type") in ("LongTextArea", "Html")
        }
        for name in query.filtered:  # long and rich text areas are not filterable (describe: filterable)
            if name.lower() in long_text:
                raise soql.SoqlError("INVALID_FIELD", f"field '{name}' can not be filtered in a query call")
        for name in query.converted:
            if self.org.corporate_currency is None:
                raise soql.SoqlError(
                    "INVALID_FIELD", "convertCurrency() requires an organization with multiple currencies"
                )
            if types.get(name.lower()) != "currency":
                raise soql.SoqlError(
                    "INVALID_FIELD", f"convertCurrency() needs a currency field, not '{name}'"
                )
        return query, soql.run(query, self.org.records[query.sobject].values(), self.lookup)

    def value(self, record: dict, name: str, query: soql.Query) -> Any:
        """A selected field's value; convertCurrency(name) converts it to the running user's currency."""
        value = self.lookup(record, name)
        if name not in query.converted:
            return value
        user = self.org.records["User"].get(self.org.user_id) or {}
        return self.org.convert_currency(
            value, record.get("CurrencyIsoCode"), user.get("DefaultCurrencyIsoCode")
        )

    def _query(self, request: Request) -> Response:
        text = request.arg("q")
        if not text:
            return error(400, "MALFORMED_QUERY", "A query string is required (q=...)")
        query, rows = self.compile(text)
        if query.count_only:
            return Response.json({"totalSize": len(rows), "done": True, "records": []})
        if query.aggregate:
            results = [
                {"attributes": {"type": "AggregateResult"}, **r}
                for r in soql.aggregate(query, rows, self.lookup)
            ]
            return Response.json({"totalSize": len(results), "done": True, "records": results})
        batch = _batch_size(request.headers.get("Sforce-Query-Options", ""))
        cursor_id = self.org.ids.new("query")
        self.cursors[cursor_id] = Cursor(query, rows)
        return self._page(cursor_id, 0, batch)

    def _tooling_query(self, request: Request) -> Response:
        """Tooling API SOQL over CustomField (Id, DeveloperName, TableEnumOrId) and
        MetadataComponentDependency (org.dependencies: rows of its fields; org.dependency_api = False
        answers as an org without the beta does: INVALID_TYPE). MetadataComponentDependency has no
        COUNT(), ORDER BY or queryMore and returns at most 2,000 rows (Tooling API reference,
        MetadataComponentDependency, Limitations)."""
        query = soql.parse(request.arg("q") or "", self.lookup)
        if query.sobject == "CustomField":
            rows = []
            for c in self.org.fields.values():
                table, _, name = c.full_name.partition(".")
                rows.append(
                    {
                        "Id": field_id(self.org, c.full_name),
                        "DeveloperName": name.removesuffix("__c"),
                        "TableEnumOrId": table,
                    }
                )
        elif query.sobject == "MetadataComponentDependency" and getattr(self.org, "dependency_api", True):
            if query.count_only or query.order:
                raise soql.SoqlError("MALFORMED_QUERY", "COUNT() and ORDER BY are not supported")
            rows = list(getattr(self.org, "dependencies", []))
        else:
            raise soql.SoqlError("INVALID_TYPE", f"sObject type '{query.sobject}' is not supported.")
        found = soql.run(query, rows, self.lookup)[:2000]
        records = [
            {"attributes": {"type": query.sobject}, **{f: self.lookup(r, f) for f in query.fields}}
            for r in found
        ]
        return Response.json(
            {"size": len(records), "totalSize": len(records), "done": True, "records": records}
        )

    def _query_more(self, locator: str) -> Response:
        cursor_id, _, position = locator.partition("-")
        if cursor_id not in self.cursors or not position.isdigit():
            return error(400, "INVALID_QUERY_LOCATOR", "invalid query locator")
        start = int(position)
        return self._page(cursor_id, start, self.cursors[cursor_id].batch)

    def _page(self, cursor_id: str, start: int, batch: int) -> Response:
        cursor = self.cursors[cursor_id]
        cursor.batch = batch
        chunk = cursor.rows[start : start + batch]
        end = start + len(chunk)
        body: dict[str, Any] = {
            "totalSize": len(cursor.rows),
            "done": end >= len(cursor.rows),
            "records": [
                self.format(cursor.query.sobject, r, cursor.query.fields, cursor.query) for r in chunk
            ],
        }
        if not body["done"]:
            body["nextRecordsUrl"] = f"/services/data/v{self.version}/query/{cursor_id}-{end}"
        else:
            self.cursors.pop(cursor_id, None)
        return Response.json(body)

    def format(self, sobject: str, record: dict, fields: list[str], query: soql.Query | None = None) -> dict:
        out: dict[str, Any] = {"attributes": self._attributes(sobject, record)}
        for name in fields:
            if "." in name:
                relation, rest = name.split(".", 1)
                key = relation[:-3] + "__c" if relation.endswith("__r") else relation + "Id"
                related = self.org.record(self.lookup(record, key) or "")
                if related is None:
                    out[relation] = None
                else:
                    nested = out.get(relation) or {"attributes": self._attributes(*related)}
                    nested.update(
                        {
                            k: v
                            for k, v in self.format(related[0], related[1], [rest]).items()
                            if k != "attributes"
                        }
                    )
                    out[relation] = nested
            elif query is not None and name in query.converted:
                out[self._canonical(record, name)] = self.value(record, name, query)
            else:
                out[self._canonical(record, name)] = self.lookup(record, name)
        return out

    def _attributes(self, sobject: str, record: dict) -> dict:
        return {"type": sobject, "url": f"/services/data/v{self.version}/sobjects/{sobject}/{record['Id']}"}

    @staticmethod
    def _canonical(record: dict, name: str) -> str:
        lowered = name.lower()
        return next((k for k in record if k.lower() == lowered), name)

    # -- sObjects ---------------------------------------------------------------------------------------
    def _sobject(self, request: Request, operation: str, parts: list[str]) -> Response:
        if operation == "describeGlobal":
            return Response.json(
                {
                    "encoding": "UTF-8",
                    "maxBatchSize": 200,
                    "sobjects": [
                        {
                            "name": name,
                            "label": name,
                            "custom": False,
                            "queryable": True,
                            "createable": True,
                            "urls": {"sobject": f"/services/data/v{self.version}/sobjects/{name}"},
                        }
                        for name in sorted(self.org.records)
                    ],
                }
            )
        sobject = parts[1]
        if sobject not in self.org.records:
            return error(404, "NOT_FOUND", f"The requested resource does not exist: sObject type '{sobject}'")
        if operation == "sobject.describe":
            return Response.json(self._describe(sobject))
        if operation == "sobject.info":
            return Response.json(
                {"objectDescribe": {"name": sobject, "label": sobject, "queryable": True}, "recentItems": []}
            )
        if operation == "sobject.create":
            values = request.json() or {}
            unknown = [k for k in values if k.lower() not in {n.lower() for n in self.known_fields(sobject)}]
            if unknown:
                return error(
                    400, "INVALID_FIELD", f"No such column '{unknown[0]}' on sobject of type {sobject}"
                )
            missing = [k for k in REQUIRED_ON_CREATE.get(sobject, ()) if not values.get(k)]
            if missing:
                return error(400, "REQUIRED_FIELD_MISSING", f"Required fields are missing: [{missing[0]}]")
            if too_long := _too_long(sobject, values):
                return too_long
            if sobject == "PermissionSetAssignment" and any(
                r["AssigneeId"] == values["AssigneeId"] and r["PermissionSetId"] == values["PermissionSetId"]
                for r in self.org.records[sobject].values()
            ):
                return error(400, "DUPLICATE_VALUE", "Duplicate PermissionSetAssignment")
            record_id = self.org.add_record(sobject, **values)
            return Response.json({"id": record_id, "success": True, "errors": []}, 201)
        record_id = parts[2]
        found = self.org.records[sobject].get(record_id)
        if found is None:
            return error(404, "NOT_FOUND", "The requested resource does not exist")
        if operation == "sobject.get":
            return Response.json(self.format(sobject, found, list(found)))
        if operation == "sobject.update":
            if too_long := _too_long(sobject, request.json() or {}):
                return too_long
            found.update(request.json() or {})
            found["LastModifiedDate"] = found["SystemModstamp"] = now_iso()
            return Response.empty()
        if operation == "sobject.delete":
            del self.org.records[sobject][record_id]
            return Response.empty()
        return error(405, "METHOD_NOT_ALLOWED", "HTTP method not allowed")

    def _describe(self, sobject: str) -> dict:
        fields = []
        for name, kind in self.known_fields(sobject).items():
            custom = name.endswith("__c")
            component = self.org.find("CustomField", f"{sobject}.{name}") if custom else None
            fields.append(
                {
                    "name": name,
                    "label": (component.get("label") if component else None) or name,
                    "type": kind,
                    "custom": custom,
                    "nillable": name != "Id",
                    "length": int((component.get("length") if component else None) or 0),
                    "updateable": name not in ("Id", "CreatedDate", "LastModifiedDate", "SystemModstamp"),
                    "referenceTo": [component.get("referenceTo")]
                    if component and component.get("referenceTo")
                    else [],
                }
            )
        return {"name": sobject, "label": sobject, "custom": False, "queryable": True, "fields": fields}

    # -- Bulk API 2.0 query jobs --------------------------------------------------------------------------
    def _bulk(self, request: Request, operation: str, parts: list[str]) -> Response:
        if parts[1] != "query":
            return error(404, "NOT_FOUND", "only query jobs are supported by this fake")
        if operation == "bulk2.create":
            return self._bulk_create(request)
        job = self.jobs.get(parts[2])
        if job is None:
            return error(404, "NOT_FOUND", "Job not found")
        if operation == "bulk2.status":
            if job.state in ("UploadComplete", "InProgress"):
                if job.polls_left > 0:
                    job.polls_left -= 1
                    job.state = "InProgress"
                else:
                    job.state = "JobComplete"
            return Response.json(self._job_info(job))
        if operation == "bulk2.abort":
            job.state = "Aborted"
            return Response.json(self._job_info(job))
        if operation == "bulk2.delete":
            del self.jobs[job.id]
            return Response.empty()
        if job.state != "JobComplete":
            return error(400, "JOB_NOT_COMPLETE", f"Job {job.id} is in state {job.state}")
        return self._bulk_results(request, job)

    def _bulk_create(self, request: Request) -> Response:
        body = request.json() or {}
        if body.get("operation") not in ("query", "queryAll") or not body.get("query"):
            return error(400, "INVALIDJOB", "A query job needs operation query|queryAll and a query")
        if body.get("contentType", "CSV") != "CSV":
            return error(400, "INVALIDJOB", "contentType must be CSV")
        delimiter = body.get("columnDelimiter", "COMMA")
        if delimiter not in DELIMITERS or body.get("lineEnding", "LF") not in ("LF", "CRLF"):
            return error(400, "INVALIDJOB", "unsupported columnDelimiter or lineEnding")
        query, rows = self.compile(body["query"])
        job = BulkJob(
            self.org.ids.new("bulk"),
            body["operation"],
            query.sobject,
            query,
            rows,
            "\r\n" if body.get("lineEnding") == "CRLF" else "\n",
            DELIMITERS[delimiter],
            self.fake.bulk_polls,
        )
        self.jobs[job.id] = job
        return Response.json(self._job_info(job))

    def _job_info(self, job: BulkJob) -> dict:
        info = {
            "id": job.id,
            "operation": job.operation,
            "object": job.sobject,
            "createdById": self.org.user_id,
            "createdDate": job.created,
            "systemModstamp": now_iso(),
            "state": job.state,
            "concurrencyMode": "Parallel",
            "contentType": "CSV",
            "apiVersion": float(self.version),
            "lineEnding": "CRLF" if job.line_ending == "\r\n" else "LF",
            "columnDelimiter": next(k for k, v in DELIMITERS.items() if v == job.delimiter),
        }
        if job.state == "JobComplete":
            info.update({"numberRecordsProcessed": len(job.rows), "retries": 0, "totalProcessingTime": 10})
        return info

    def _bulk_results(self, request: Request, job: BulkJob) -> Response:
        start = _decode_locator(request.arg("locator") or "")
        size = int(request.arg("maxRecords") or 50000)
        chunk = job.rows[start : start + size]
        end = start + len(chunk)
        buffer = io.StringIO()
        writer = csv.writer(
            buffer, delimiter=job.delimiter, quoting=csv.QUOTE_ALL, lineterminator=job.line_ending
        )
        writer.writerow(job.query.fields)
        for row in chunk:
            writer.writerow([_csv_value(self.value(row, name, job.query)) for name in job.query.fields])
        locator = _encode_locator(end) if end < len(job.rows) else "null"
        return Response(
            200,
            buffer.getvalue().encode(),
            {
                "Content-Type": "text/csv",
                "Sforce-Locator": locator,
                "Sforce-NumberOfRecords": str(len(chunk)),
            },
        )


def _too_long(sobject: str, values: dict) -> Response | None:
    for (kind, name), limit in FIELD_LENGTHS.items():
        value = values.get(name)
        if kind == sobject and isinstance(value, str) and len(value) > limit:
            return error(
                400, "STRING_TOO_LONG", f"{name}: data value too large: {value[:20]}... (max length={limit})"
            )
    return None


def _batch_size(options: str) -> int:
    match = re.search(r"batchSize=(\d+)", options)
    return max(200, min(DEFAULT_BATCH, int(match.group(1)))) if match else DEFAULT_BATCH


def _encode_locator(position: int) -> str:
    return base64.b64encode(str(position).encode()).decode().rstrip("=")


def _decode_locator(locator: str) -> int:
    if not locator:
        return 0
    return int(base64.b64decode(locator + "=" * (-len(locator) % 4)).decode())


def _csv_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value)) if abs(value) < 1e15 else str(value)
    return str(value)
