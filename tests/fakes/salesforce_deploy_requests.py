"""DeployRequest, as the Tooling API query resource answers it: one row per Metadata API deploy the org
has received (what Setup > Deployment Status lists), whether or not its submitter got the reply.

Fields (Tooling API reference, DeployRequest): Id, Status (Pending, InProgress, Succeeded,
SucceededPartial, Failed, Canceling, Canceled), CheckOnly, CreatedDate, StartDate, CompletedDate,
CreatedById and the CreatedBy relationship (User: Name).

    GET /services/data/v63.0/tooling/query?q=SELECT Id, Status FROM DeployRequest ORDER BY CreatedDate DESC
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fakes import soql
from fakes.salesforce_org import INTEGRATION_USER
from fakes.salesforce_rest import error
from fakes.server import Request, Response

if TYPE_CHECKING:
    from fakes.salesforce import FakeSalesforce


def is_deploy_request_query(request: Request) -> bool:
    try:
        return soql.parse(request.arg("q") or "", _lookup).sobject == "DeployRequest"
    except soql.SoqlError:
        return False


def answer(fake: "FakeSalesforce", request: Request, version: str) -> Response:
    query = soql.parse(request.arg("q") or "", _lookup)
    known = {"id", "status", "checkonly", "createddate", "startdate", "completeddate", "createdbyid"}
    for name in query.fields:
        if name.lower() not in known and name.lower() != "createdby.name":
            return error(400, "INVALID_FIELD", f"No such column '{name}' on entity 'DeployRequest'")
    with fake.lock:
        rows = [_row(fake, job) for job in reversed(list(fake.metadata.deploys.values()))]  # newest first
    found = soql.run(query, rows, _lookup)
    records = [_record(row, query.fields, version) for row in found]
    return Response.json(
        {
            "size": len(records),
            "totalSize": len(records),
            "done": True,
            "queryLocator": None,
            "entityTypeName": "DeployRequest",
            "records": records,
        }
    )


def _row(fake: "FakeSalesforce", job) -> dict[str, Any]:
    return {
        "Id": job.id,
        "Status": job.status,
        "CheckOnly": job.options.get("checkOnly") == "true",
        "CreatedDate": _stamp(job.created),
        "StartDate": _stamp(job.created),
        "CompletedDate": _stamp(job.completed),
        "CreatedById": fake.org.user_id,
        "CreatedBy": {"Name": INTEGRATION_USER, "Id": fake.org.user_id},
    }


def _stamp(value: str | None) -> str | None:
    return value.replace("Z", "+0000") if value else None


def _lookup(row: dict, name: str) -> Any:
    value: Any = row
    for part in name.split("."):
        value = next((v for k, v in value.items() if k.lower() == part.lower()), None)
        if not isinstance(value, dict):
            return value
    return value


def _record(row: dict, fields: list[str], version: str) -> dict:
    record: dict[str, Any] = {
        "attributes": {
            "type": "DeployRequest",
            "url": f"/services/data/v{version}/tooling/sobjects/DeployRequest/{row['Id']}",
        }
    }
    for name in fields:
        if "." in name:
            relation, field = name.split(".", 1)
            parent = record.setdefault(relation, {"attributes": {"type": "User"}})
            parent[field] = _lookup(row, name)
        else:
            record[name] = _lookup(row, name)
    return record
