"""What else in the org reads or writes the fields a plan changes or retires: the Tooling API's
MetadataComponentDependency (beta; at most 2,000 rows a query, no queryMore; reports are not included)
https://developer.salesforce.com/docs/platform/api-tooling/references/tooling-objects/tooling-metadatacomponentdependency.html

Two Tooling queries in all: the changed fields' ids (CustomField by object), then every component that
references one of them. Handrail's own components (its flows, rules, layouts) are left out: the plan
already changes them with the field. An org that refuses the query (the beta is not enabled everywhere)
gives one plan note saying so; the plan goes on.
"""

from __future__ import annotations

from handrail.generators.plan import impact
from handrail.generators.plan.diff import Plan
from handrail.targets.errors import TargetError
from handrail.targets.salesforce.impact_soql import quote


def tooling_query(conn, soql: str) -> list[dict]:
    """One Tooling API query (its first 2,000 rows; MetadataComponentDependency pages no further)."""
    call = lambda: conn.sf.toolingexecute("query/", params={"q": soql})  # noqa: E731
    return conn._call("tooling query", call, idempotent=True).get("records", [])


def dependency_notes(conn, plan: Plan) -> list[impact.Note]:
    changes = impact.field_changes(plan, ["CustomField"])
    if not changes:
        return []
    ours = {r.key.rsplit(".", 1)[-1] for r in (plan.desired.resources if plan.desired else ())}
    ours |= {c.key.rsplit(".", 1)[-1] for c in plan.changes}
    try:
        ids = {}
        for sobject in sorted({c.key.split(".", 1)[0] for c in changes}):
            rows = tooling_query(
                conn, f"SELECT Id, DeveloperName FROM CustomField WHERE TableEnumOrId = {quote(sobject)}"
            )
            ids.update({f"{sobject}.{r['DeveloperName']}__c": r["Id"] for r in rows})
        wanted = ", ".join(quote(ids[c.key]) for c in changes if c.key in ids)
        rows = (
            tooling_query(
                conn,
                "SELECT MetadataComponentName, MetadataComponentType, RefMetadataComponentId FROM "
                f"MetadataComponentDependency WHERE RefMetadataComponentId IN ({wanted})",
            )
            if wanted
            else []
        )
    except TargetError as exc:
        refused = f"the org refused the MetadataComponentDependency query (a Tooling API beta): {exc.body}"
        return [impact.Note("", "dependency", f"dependencies not known: {refused}", {"refused": refused})]
    out = []
    for change in changes:
        users = sorted(
            {
                f"{r['MetadataComponentType']} {r['MetadataComponentName']}"
                for r in rows
                if r["RefMetadataComponentId"] == ids.get(change.key)
                and r["MetadataComponentName"] not in ours
            }
        )
        if users:
            out.append(impact.dependency_note(change, users))
    return out
