"""Pipelines and stages (v3) and pipeline rules (2026-09-beta) of the fake portal."""

from __future__ import annotations

import json
from typing import Any

from fakes.hubspot_portal import OBJECT_TYPE_IDS, Portal, now_iso, object_type
from fakes.hubspot_schema_api import hs_error, not_found
from fakes.openapi import OpenApiCatalog
from fakes.server import Request, Response


def _object(params: dict) -> str | None:
    return object_type(params.get("objectType") or params.get("objectTypeId") or "")


# -- pipelines ----------------------------------------------------------------------------------------------
def _pipeline(portal: Portal, params: dict) -> dict | None:
    pipeline = portal.pipelines.get(_object(params) or "", {}).get(params["pipelineId"])
    return pipeline if pipeline and not pipeline["archived"] else None


def list_pipelines(portal: Portal, request: Request, params: dict) -> Response:
    obj = _object(params) or ""
    return Response.json(
        {"results": [_visible(p) for p in portal.pipelines.get(obj, {}).values() if not p["archived"]]}
    )


def _visible(pipeline: dict) -> dict:
    return {**pipeline, "stages": [s for s in pipeline["stages"] if not s["archived"]]}


def get_pipeline(portal: Portal, request: Request, params: dict) -> Response:
    pipeline = _pipeline(portal, params)
    return Response.json(_visible(pipeline)) if pipeline else not_found(f"Pipeline {params['pipelineId']}")


def create_pipeline(portal: Portal, request: Request, params: dict) -> Response:
    obj = _object(params)
    if obj not in portal.pipelines:
        return not_found(f"Pipelines for {params.get('objectType')}")
    data = request.json()
    problem = _stages_problem(obj, data["stages"])
    if problem:
        return problem
    return Response.json(portal.add_pipeline(obj, data), 201)


def replace_pipeline(portal: Portal, request: Request, params: dict) -> Response:
    pipeline = _pipeline(portal, params)
    if pipeline is None:
        return not_found(f"Pipeline {params['pipelineId']}")
    data = request.json()
    problem = _stages_problem(_object(params) or "", data["stages"])
    if problem:
        return problem
    pipeline.update(
        label=data["label"],
        displayOrder=data["displayOrder"],
        updatedAt=now_iso(),
        stages=[portal.stage_record(s) for s in data["stages"]],
    )
    return Response.json(_visible(pipeline))


def update_pipeline(portal: Portal, request: Request, params: dict) -> Response:
    pipeline = _pipeline(portal, params)
    if pipeline is None:
        return not_found(f"Pipeline {params['pipelineId']}")
    data = request.json()
    for key in ("label", "displayOrder", "archived"):
        if key in data:
            pipeline[key] = data[key]
    pipeline["updatedAt"] = now_iso()
    return Response.json(_visible(pipeline))


def archive_pipeline(portal: Portal, request: Request, params: dict) -> Response:
    pipeline = _pipeline(portal, params)
    if pipeline is None:
        return not_found(f"Pipeline {params['pipelineId']}")
    pipeline["archived"] = True
    return Response.empty()


def _stages_problem(obj: str, stages: list[dict]) -> Response | None:
    for stage in stages:
        if obj == "deals" and "probability" not in stage.get("metadata", {}):
            return hs_error(
                400,
                "VALIDATION_ERROR",
                f"Deal stage '{stage.get('label')}' needs metadata.probability between 0.0 and 1.0",
            )
    return None


def list_stages(portal: Portal, request: Request, params: dict) -> Response:
    pipeline = _pipeline(portal, params)
    if pipeline is None:
        return not_found(f"Pipeline {params['pipelineId']}")
    return Response.json({"results": _visible(pipeline)["stages"]})


def _stage(pipeline: dict | None, stage_id: str) -> dict | None:
    return next(
        (s for s in (pipeline or {}).get("stages", []) if s["id"] == stage_id and not s["archived"]), None
    )


def get_stage(portal: Portal, request: Request, params: dict) -> Response:
    stage = _stage(_pipeline(portal, params), params["stageId"])
    return Response.json(stage) if stage else not_found(f"Stage {params['stageId']}")


def create_stage(portal: Portal, request: Request, params: dict) -> Response:
    pipeline = _pipeline(portal, params)
    if pipeline is None:
        return not_found(f"Pipeline {params['pipelineId']}")
    data = request.json()
    problem = _stages_problem(_object(params) or "", [data])
    if problem:
        return problem
    stage = portal.stage_record(data)
    pipeline["stages"].append(stage)
    return Response.json(stage, 201)


def replace_stage(portal: Portal, request: Request, params: dict) -> Response:
    pipeline = _pipeline(portal, params)
    stage = _stage(pipeline, params["stageId"])
    if stage is None:
        return not_found(f"Stage {params['stageId']}")
    data = request.json()
    fresh = portal.stage_record({**data, "stageId": stage["id"]})
    stage.update({k: v for k, v in fresh.items() if k != "createdAt"})
    return Response.json(stage)


def update_stage(portal: Portal, request: Request, params: dict) -> Response:
    stage = _stage(_pipeline(portal, params), params["stageId"])
    if stage is None:
        return not_found(f"Stage {params['stageId']}")
    data = request.json()
    for key in ("label", "displayOrder", "archived"):
        if key in data:
            stage[key] = data[key]
    stage["metadata"].update({k: str(v) for k, v in data.get("metadata", {}).items()})
    stage["updatedAt"] = now_iso()
    return Response.json(stage)


def archive_stage(portal: Portal, request: Request, params: dict) -> Response:
    stage = _stage(_pipeline(portal, params), params["stageId"])
    if stage is None:
        return not_found(f"Stage {params['stageId']}")
    stage["archived"] = True
    return Response.empty()


# -- pipeline rules (2026-09-beta)
# ----------------------------------------------------------------------------
def _rules_key(params: dict) -> tuple[str, str]:
    obj = _object(params) or ""
    return OBJECT_TYPE_IDS.get(obj, params["objectTypeId"]), params["pipelineId"]


def get_rules(portal: Portal, request: Request, params: dict) -> Response:
    if _pipeline(portal, {"objectType": params["objectTypeId"], "pipelineId": params["pipelineId"]}) is None:
        return not_found(f"Pipeline {params['pipelineId']}")
    return Response.json(_rules(portal, params))


def _rules(portal: Portal, params: dict) -> dict:
    key = _rules_key(params)
    if key not in portal.pipeline_rules:
        stamp = now_iso()
        portal.pipeline_rules[key] = {
            "id": portal.new_id(),
            "objectTypeId": key[0],
            "pipelineId": key[1],
            "createdAt": stamp,
            "updatedAt": stamp,
            "governanceValidationRules": {
                "noBackwardsMovementRule": {"enabledForAllStages": False, "pipelineStageIds": []},
                "noSkippingStagesRule": {"enabledForAllStages": False, "pipelineStageIds": []},
                "objectCreationRule": {"pipelineStageIds": []},
            },
        }
    return portal.pipeline_rules[key]


def put_rules(portal: Portal, request: Request, params: dict) -> Response:
    pipeline = _pipeline(portal, {"objectType": params["objectTypeId"], "pipelineId": params["pipelineId"]})
    if pipeline is None:
        return not_found(f"Pipeline {params['pipelineId']}")
    data = request.json()
    members = {
        **data["governanceValidationRules"],
        **({APPROVAL: data[APPROVAL]} if APPROVAL in data else {}),
    }
    problem = _members_problem(pipeline, members)
    if problem:
        return problem
    rules = _rules(portal, params)
    rules["governanceValidationRules"] = data["governanceValidationRules"]
    rules.pop(APPROVAL, None)
    if APPROVAL in data:
        rules[APPROVAL] = data[APPROVAL]
    rules["updatedAt"] = now_iso()
    return Response.json(rules)


def patch_rules(portal: Portal, request: Request, params: dict) -> Response:
    pipeline = _pipeline(portal, {"objectType": params["objectTypeId"], "pipelineId": params["pipelineId"]})
    if pipeline is None:
        return not_found(f"Pipeline {params['pipelineId']}")
    data = request.json()
    problem = _members_problem(pipeline, data)
    if problem:
        return problem
    rules = _rules(portal, params)
    for key, value in data.items():
        if key == APPROVAL:
            rules[APPROVAL] = value
        else:
            rules["governanceValidationRules"][key] = value
    rules["updatedAt"] = now_iso()
    return Response.json(rules)


# The PATCH request schema (PublicPipelineRulesPatchRequest) types its members as "any object" and names the
# schema each one follows in its description; a real portal parses them into those types. The fake checks each
# member against that schema strictly: the schema itself, and no member the schema does not declare, at any
# depth (oneOf picks the branch the value matches). Source: ../shared/reference/hubspot/
# crm-pipeline-rules-2026-09-beta.json, components.schemas.PublicPipelineRulesPatchRequest and
# PublicApprovalStageRuleRequest.
DOCUMENT = "crm-pipeline-rules-2026-09-beta.json"
APPROVAL = "approvalStage"
MEMBER_SCHEMAS = {
    "noBackwardsMovementRule": "PublicSequenceValidationRule",
    "noSkippingStagesRule": "PublicSequenceValidationRule",
    "objectCreationRule": "PublicObjectCreationRule",
    APPROVAL: "PublicApprovalStageRuleRequest",
}


def member_errors(name: str, value: Any) -> list[str]:
    """What is wrong with one rules member, by the OpenAPI schema its description names (none: valid)."""
    if name not in MEMBER_SCHEMAS:
        return [f"{name}: unknown member (expected one of {', '.join(MEMBER_SCHEMAS)})"]
    catalog = OpenApiCatalog.load()
    if catalog is None:
        return []
    schema = {"$ref": f"#/components/schemas/{MEMBER_SCHEMAS[name]}"}
    errors = [f"{name}.{e}" for e in catalog._errors(DOCUMENT, schema, value)]
    return errors or [f"{name}{e}" for e in _undeclared(catalog, schema, value, "")]


def _undeclared(catalog: OpenApiCatalog, schema: dict, value: Any, where: str) -> list[str]:
    schema = catalog._resolve(DOCUMENT, schema)
    if "oneOf" in schema:
        matching = [s for s in schema["oneOf"] if not catalog._errors(DOCUMENT, s, value)]
        return _undeclared(catalog, matching[0], value, where) if len(matching) == 1 else []
    if isinstance(value, dict) and "properties" in schema:
        declared = schema["properties"]
        title = schema.get("title") or "the schema"
        out = [f"{where}.{k}: not a member of {title}" for k in value if k not in declared]
        for k, v in value.items():
            if k in declared:
                out += _undeclared(catalog, declared[k], v, f"{where}.{k}")
        return out
    if isinstance(value, list) and "items" in schema:
        return [
            e for i, v in enumerate(value) for e in _undeclared(catalog, schema["items"], v, f"{where}[{i}]")
        ]
    return []


def _short(problem: str) -> str:
    """Where and what, without the whole offending value jsonschema quotes."""
    where, _, what = problem.partition(": ")
    return problem if len(problem) <= 300 else f"{where}: ...{what[-120:]}"


def _members_problem(pipeline: dict, members: dict) -> Response | None:
    problems = [_short(e) for name, value in members.items() for e in member_errors(name, value)]
    stage_ids = {s["id"] for s in pipeline["stages"] if not s["archived"]}
    for name, value in members.items():
        if problems:
            break
        wanted = [value["pipelineStageId"]] if name == APPROVAL else value["pipelineStageIds"]
        problems += [
            f"{name}: stage '{i}' is not a stage of pipeline {pipeline['id']}"
            for i in wanted
            if i not in stage_ids
        ]
    if not problems:
        return None
    body = json.loads(
        hs_error(400, "VALIDATION_ERROR", "Invalid input JSON: " + "; ".join(problems[:3])).body
    )
    return Response.json({**body, "errors": [{"message": p} for p in problems[:10]]}, 400)


def delete_rules(portal: Portal, request: Request, params: dict) -> Response:
    portal.pipeline_rules.pop(_rules_key(params), None)
    return Response.empty()
