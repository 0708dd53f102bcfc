"""The pipelines a spec names must exist in the portal, with the stage ids the spec gives them.

Read once at plan time (GET /crm/v3/pipelines/deals) when the spec has `pipelines:`: a HubSpot pipeline
id the portal lacks, or a stage id the named pipeline does not hold, is a located error at the pipeline
(the default pipeline's stage ids are the stages' own, checked per environment in
environment_stages.py, so only its id is checked here).
"""

from __future__ import annotations

from handrail.specs.diagnostics import SpecError, error
from handrail.specs.model import Model
from handrail.specs.schema_check import listing, suggest

PIPELINES_PATH = "/crm/v3/pipelines/deals"


def check_portal_pipelines(conn, model: Model) -> None:
    wanted = [p for p in model.pipelines if p.hubspot_id]
    if not wanted:
        return
    portal = {
        str(p["id"]): {str(s["id"]) for s in p.get("stages", []) if not s.get("archived")}
        for p in (conn.request("GET", PIPELINES_PATH) or {}).get("results", [])
        if not p.get("archived")
    }
    problems = []
    for p in wanted:
        where = {"path": f"pipelines.{p.key}.hubspot", "span": p.span}
        if p.hubspot_id not in portal:
            hint = suggest(p.hubspot_id, portal) or f"the portal has {listing(portal)}"
            message = f"pipeline '{p.key}': the portal has no deal pipeline '{p.hubspot_id}'"
            problems.append(error("hubspot-pipeline", message, hint=hint, **where))
            continue
        for s in p.stages if not p.default else ():
            if s.hubspot and s.hubspot not in portal[p.hubspot_id]:
                message = (
                    f"pipeline '{p.key}', stage '{s.stage}': "
                    f"pipeline '{p.hubspot_id}' has no stage '{s.hubspot}'"
                )
                hint = "known ids: " + listing(sorted(portal[p.hubspot_id]))
                problems.append(error("hubspot-stage", message, hint=hint, **where))
    if problems:
        raise SpecError(problems)
