"""Pipeline rules (HubSpot's beta Pipeline Rules API), generated only on explicit opt-in.

Pipeline rules cannot test property values (only approval rules can, on Sales Hub Enterprise, with
named approvers the spec does not have). What they can do for gates is stop reps skipping stages:
with "no skipping" on every open gated stage, a deal must pass through each gate's stage in order.
Closed stages (won and lost) are never listed, so a rep can still close an early deal as lost; Closed
Won stays guarded by the gate workflows, which move a deal that reaches it without its gates back.
The request is a PATCH of that one rule, so the pipeline's other rules stay as they are. HubSpot does
not apply pipeline rules to workflow, integration-without-user or super-admin changes
(knowledge.hubspot.com/object-settings/set-up-pipeline-rules).
"""
from __future__ import annotations

from typing import Any

from handrail.specs.model import Model

RULE = "noSkippingStagesRule"


def gated_stage_ids(model: Model) -> list[str]:
    """Ids of every open stage at or after an active gate's stage (never Closed Won or Lost), in pipeline order."""
    starts = [model.stage(g.stage).order for g in model.gates if g.active]
    if not starts:
        return []
    return [s.hubspot for s in model.stages if s.order >= min(starts) and s.hubspot and not s.closed_lost
            and not s.closed_won]


def patch_body(model: Model) -> dict[str, Any] | None:
    """PATCH /crm/pipelines-rules/2026-09-beta/0-3/{pipelineId}."""
    ids = gated_stage_ids(model)
    return {RULE: {"enabledForAllStages": False, "pipelineStageIds": ids}} if ids else None


def normal_form(body: dict[str, Any]) -> dict[str, Any]:
    """The part of GET .../{pipelineId} this manages, as plan/diff compares it."""
    return {"governanceValidationRules": {RULE: body[RULE]}}
