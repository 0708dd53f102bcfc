"""CAPABILITIES.md, the gate sections: each gate's workflow, and how a gated stage is enforced (gate
workflows, the no-skipping rule, conditional approval)."""

from __future__ import annotations

from handrail.specs.model import Model
from handrail.targets.hubspot.flows import Flow, gate_requirements
from handrail.targets.hubspot.pipeline_rules import APPROVAL, RULE, approval_gates
from handrail.targets.hubspot.stages import gated_stages, revert_stage


def markdown_table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows]
    return lines + [""]


def gates_section(model: Model, flows: list[Flow], files: dict[str, str]) -> list[str]:
    out = ["## Gates", ""]
    rows = []
    for gate in model.gates:
        back = revert_stage(model, gate)
        watched = ", ".join(f"{s.label} (`{s.hubspot}`)" for s in gated_stages(model, gate))
        key = f"gate-{gate.key}"
        rows.append(
            [
                gate.key,
                ", ".join(model.segment(s).label for s in gate.segments),
                "; ".join(gate_requirements(model, gate)),
                watched,
                back.label if back else "-",
                f"`{files[key]}`" if key in files else "-",
            ]
        )
    out += markdown_table(
        ["gate", "segments", "requires", "watched stages", "moves back to", "workflow"], rows
    )
    out += [
        "A deal that reaches a watched stage without meeting the gate is enrolled, moved back and its "
        "owner receives the gate's message, what it requires and the missing summary. The deal is in the "
        "stage for a moment, so stage-entry dates and other workflows can see it; Handrail's own "
        "workflows enrol only deals that meet the gates of their stage. A deal already in the stage that "
        "later loses a required value is moved back only if the workflow has not enrolled it before: "
        "HubSpot enrols a deal once when it starts meeting the criteria, and re-enrols it only on the "
        "re-enrolment trigger, which is the deal entering a watched stage (a `UNIFIED_EVENTS` branch on "
        "event `4-655002`, property value changed, `HAS_COMPLETED`, for `dealstage`). A deal moved back "
        "once and later brought into the stage again is checked again; one that stays in the stage and "
        "loses a value after an earlier enrolment is not.",
        "",
    ]
    return out


def approval_stage_words(model: Model, pipeline_rules: dict) -> str:
    stage_id = pipeline_rules[APPROVAL]["pipelineStageId"]
    stage = next(s for s in model.stages if s.hubspot == stage_id)
    return f"{stage.label} (`{stage_id}`)"


def enforcement_section(model: Model, pipeline_rules: dict | None) -> list[str]:
    """Which mechanism this build relies on to hold deals to the gates: workflows only, + the no-skipping
    rule, + conditional approval (targets.hubspot.pipeline_rules)."""
    out = ["## How this build enforces the gates", ""]
    approval = (pipeline_rules or {}).get(APPROVAL)
    named = approval_gates(model)
    if approval:
        gates = ("gate " if len(named) == 1 else "any of the gates ") + ", ".join(f"'{g.key}'" for g in named)
        mode = "any one of" if approval["approvalMode"] == "ANY" else "all of"
        skipping = RULE in pipeline_rules
        out += [
            f"**Enforcement: gate workflows{' + no-skipping rule' if skipping else ''} + conditional "
            "approval.**",
            "",
            "Built with `--pipeline-rules` and approvers named in the spec: the gate workflows (after "
            "the fact, as above), "
            + ("the beta pipeline rule 'no skipping' on the open gated stages, " if skipping else "")
            + "and the beta conditional "
            f"approval rule (`approvalStage`) on {approval_stage_words(model, pipeline_rules)}. A rep's "
            f"move into that stage while {gates} is not met waits until {mode} HubSpot users "
            + ", ".join(f"`{u}`" for u in approval["approverUserIds"])
            + " approve it: before the move instead "
            "of reverting after it. The rule's filter (`conditionalApprovalFilterBranch`) asks for "
            "approval when any requirement of those gates fails for the deal's segment: the score below "
            "the gate's minimum (an empty score counts as below) or a required field empty.",
            "",
            "What it does not do: HubSpot bypasses pipeline rules for workflows, API calls without a "
            "user ID and super admins; it needs Sales Hub Enterprise; HubSpot allows one approval stage "
            "per pipeline, so gates on other stages, and gates on this stage that name no approvers, are "
            "held by their workflows only. An approval does not waive the gate: an approved deal enters "
            "the stage without meeting it, and the gate workflow moves it back.",
            "",
        ]
        return out
    if pipeline_rules:
        out += [
            "**Enforcement: gate workflows + no-skipping rule.**",
            "",
            "Built with `--pipeline-rules`: the gate workflows (after the fact, as above) plus the beta "
            "pipeline rule 'no skipping' on the open gated stages (before the move, for reps editing "
            "deals; HubSpot bypasses it for workflows, API calls without a user ID and super admins).",
        ]
    else:
        out += [
            "**Enforcement: gate workflows only.**",
            "",
            "Built without `--pipeline-rules`: the gate workflows only, after the fact, as above.",
        ]
    if named:
        why = (
            "its gates have no requirement a filter can express"
            if pipeline_rules
            else "the conditional approval rule is generated only with `--pipeline-rules`"
        )
        out += [
            "",
            "The spec names HubSpot approvers (gate " + ", ".join(f"'{g.key}'" for g in named) + f"), but "
            f"{why}, so this build gates no stage before the move.",
            "",
        ]
    else:
        out += [
            "",
            "Not used: the beta Pipeline Rules API's conditional approval (`approvalStage` with a "
            "`conditionalApprovalFilterBranch`), which holds a move into a gated stage for approval "
            "while the gate is not met, before the move instead of reverting after it. Its schema "
            "requires named approvers (`approverUserIds`); name them under a gate's `hubspot: "
            "{approvers: [...]}` and build with `--pipeline-rules` to generate it (one approval stage "
            "per pipeline, Sales Hub Enterprise). This build gates no stage before the move.",
            "",
        ]
    return out
