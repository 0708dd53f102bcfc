"""Pipeline rules (HubSpot's beta Pipeline Rules API), generated only on explicit opt-in.

No skipping: with "no skipping" on every open gated stage, a deal must pass through each gate's stage in
order. Closed stages (won and lost) are never listed, so a rep can still close an early deal as lost.

Conditional approval (only when a gate names `hubspot: {approvers: [...]}`): the rule's
`conditionalApprovalFilterBranch` holds a move into the gate's stage for approval while the gate is not
met, before the move instead of after it. Its shape is `PublicApprovalStageRuleRequest` of
../shared/reference/hubspot/crm-pipeline-rules-2026-09-beta.json (components.schemas): `pipelineStageId`,
`approvalMode` (ALL | ANY), `approverUserIds` (strings) and the filter branch, an OR of AND branches of
`PublicPropertyFilter`s. The filter says when approval is needed: one AND branch per failing requirement
(a score below the gate's minimum, counting an empty score as below, or a required field that is empty),
limited to the gate's segments. The gate workflows stay: pipeline rules are bypassed (below), and an
approved move still enters the stage without meeting the gate, where the gate workflow moves it back.

The request is a PATCH of the managed rules only, so the pipeline's other rules stay as they are.
HubSpot allows one approval stage per pipeline (`PublicPipelineRules` has a single `approvalStage`), so
the gates naming approvers must share one stage and one list of approvers. Pipeline rules do not apply
to workflows, API calls without a user ID or super admins
(knowledge.hubspot.com/object-settings/set-up-pipeline-rules).
"""

from __future__ import annotations

from typing import Any

from handrail.specs.diagnostics import Diagnostic, error
from handrail.specs.model import Gate, Model
from handrail.specs.pipelines import Pipeline, gate_pipelines
from handrail.targets.hubspot import filters as flt

RULE = "noSkippingStagesRule"
APPROVAL = "approvalStage"


def gated_stage_ids(model: Model, pipeline: Pipeline | None = None) -> list[str]:
    """Ids of every open stage at or after an active gate's stage (never Closed Won or Lost), in pipeline
    order; in `pipeline`, that pipeline's ids after the gates that apply to it."""
    starts = [model.stage(g.stage).order for g in _active(model, pipeline)]
    if not starts:
        return []
    return [
        v
        for s in model.stages
        if s.order >= min(starts)
        and not s.closed_lost
        and not s.closed_won
        and (v := s.hubspot if pipeline is None else pipeline.value(s.key, "hubspot"))
    ]


def _active(model: Model, pipeline: Pipeline | None) -> list[Gate]:
    return [g for g in model.gates if g.active and (pipeline is None or pipeline in gate_pipelines(model, g))]


def approval_gates(model: Model, pipeline: Pipeline | None = None) -> list[Gate]:
    """Active gates that name HubSpot approvers (in `pipeline`: that apply to it)."""
    return [g for g in _active(model, pipeline) if g.hubspot_approval]


def _where(model: Model, gate: Gate) -> str:
    return f"gates[{model.gates.index(gate)}].hubspot"


def check_approvals(model: Model) -> list[Diagnostic]:
    """Errors at the gate's `hubspot:` block: one approval stage and one list of approvers per pipeline."""
    gates = approval_gates(model)
    if not gates:
        return []
    first = gates[0]
    out = []
    for gate in gates[1:]:
        approval = gate.hubspot_approval
        if gate.stage != first.stage:
            out.append(
                error(
                    "hubspot-one-approval-stage",
                    f"gate '{gate.key}' asks for HubSpot approval at stage '{gate.stage}', "
                    f"but gate '{first.key}' already does at '{first.stage}': "
                    "HubSpot allows one approval stage per pipeline",
                    path=_where(model, gate),
                    span=approval.span,
                    hint="name approvers on the gates of one stage only (usually the Closed Won stage)",
                )
            )
        elif (set(approval.approvers), approval.mode) != (
            set(first.hubspot_approval.approvers),
            first.hubspot_approval.mode,
        ):
            out.append(
                error(
                    "hubspot-one-approval-stage",
                    f"gate '{gate.key}' names other approvers or another approval_mode than gate "
                    f"'{first.key}' "
                    "on the same stage: HubSpot's one approval rule per pipeline has one list of approvers",
                    path=_where(model, gate),
                    span=approval.span,
                    hint="name the same approvers on both gates",
                )
            )
    return out


def approval_filter(model: Model, gates: list[Gate]) -> dict[str, Any]:
    """When approval is needed: an OR of AND branches, each one failing requirement of one gate (with the
    gate's segments when it does not hold for all of them)."""
    branches: list[dict[str, Any]] = []
    for gate in gates:
        per_filter: dict[str, tuple[list[str], flt.Filter]] = {}
        for key in gate.segments:
            for f in flt.unmet(model, flt.needs(model, gate, key)):
                per_filter.setdefault(repr(f), ([], f))[0].append(key)
        for keys, f in per_filter.values():
            segment = (
                []
                if len(keys) == len(model.segments)
                else [flt.any_of(model.computed_field("segment").hubspot_name, keys)]
            )
            branch = flt.branch([*segment, f])
            if branch not in branches:
                branches.append(branch)
    return flt.either(branches)


def approval_stage(model: Model, pipeline: Pipeline | None = None) -> dict[str, Any] | None:
    """PublicApprovalStageRuleRequest for the gates naming approvers, or None."""
    gates = approval_gates(model, pipeline)
    if not gates or check_approvals(model):
        return None
    stage, approval = model.stage(gates[0].stage), gates[0].hubspot_approval
    stage_id = stage.hubspot if pipeline is None else pipeline.value(stage.key, "hubspot")
    condition = approval_filter(model, gates)
    if not stage_id or not condition["filterBranches"]:
        return None
    return {
        "pipelineStageId": stage_id,
        "approvalMode": approval.mode.upper(),
        "approverUserIds": list(approval.approvers),
        "conditionalApprovalFilterBranch": condition,
    }


def patch_body(model: Model, pipeline: Pipeline | None = None) -> dict[str, Any] | None:
    """PATCH /crm/pipelines-rules/2026-09-beta/0-3/{pipelineId} (of `pipeline`, with that pipeline's stage
    ids and the gates that apply to it, when the spec has pipelines)."""
    ids = gated_stage_ids(model, pipeline)
    body: dict[str, Any] = {RULE: {"enabledForAllStages": False, "pipelineStageIds": ids}} if ids else {}
    approval = approval_stage(model, pipeline)
    if approval:
        body[APPROVAL] = approval
    return body or None


def normal_form(body: dict[str, Any]) -> dict[str, Any]:
    """The part of GET .../{pipelineId} this manages, as plan/diff compares it."""
    out: dict[str, Any] = {"governanceValidationRules": {RULE: body[RULE]}} if RULE in body else {}
    if APPROVAL in body:
        out[APPROVAL] = body[APPROVAL]
    return out
