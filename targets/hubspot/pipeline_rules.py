"""Pipeline rules (HubSpot's beta Pipeline Rules API), generated only on explicit opt-in.

Pipeline rules cannot test property values (only approval rules can, on Sales Hub Enterprise, with
named approvers the spec does not have). What they can do for gates is stop reps skipping stages:
with "no skipping" on every gated stage, a deal must pass through each gate's stage in order. The
request is a PATCH of that one rule, so the pipeline's other rules stay as they are. HubSpot does not
apply pipeline rules to workflow, integration-without-user or super-admin changes.
"""
from __future__ import annotations

from typing import Any

from handrail.specs.model import Model

RULE = "noSkippingStagesRule"


def gated_stage_ids(model: Model) -> list[str]:
    """Ids of every stage at or after an active gate's stage (not Closed Lost), in pipeline order."""
    starts = [model.stage(g.stage).order for g in model.gates if g.active]
    if not starts:
        return []
    return [s.hubspot for s in model.stages if s.order >= min(starts) and s.hubspot and not s.closed_lost]


def patch_body(model: Model) -> dict[str, Any] | None:
    """PATCH /crm/pipelines-rules/2026-09-beta/0-3/{pipelineId}."""
    ids = gated_stage_ids(model)
    return {RULE: {"enabledForAllStages": False, "pipelineStageIds": ids}} if ids else None


def normal_form(body: dict[str, Any]) -> dict[str, Any]:
    """The part of GET .../{pipelineId} this manages, as plan/diff compares it."""
    return {"governanceValidationRules": {RULE: body[RULE]}}
