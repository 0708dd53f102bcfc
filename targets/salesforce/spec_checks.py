"""What the spec asks for that Salesforce cannot enforce as written: warnings, each at its spec node."""

from __future__ import annotations

from handrail.specs.diagnostics import Diagnostic, warning
from handrail.specs.model import Model
from handrail.targets.salesforce.gate_formula import gate_formula, gated_stage_names


def spec_warnings(model: Model) -> list[Diagnostic]:
    return unmapped_stages(model) + unenforceable_gates(model)


def unenforceable_gates(model: Model) -> list[Diagnostic]:
    """Gates that produce no validation rule, and why."""
    out = []
    for gate in model.gates:
        if gate_formula(model, gate) is not None:
            continue
        if not gated_stage_names(model, gate):
            why, hint = (
                f"no stage from '{gate.stage}' on has a Salesforce StageName",
                ("add salesforce: <StageName>"),
            )
        else:
            why, hint = "its segments require no field", "list fields under require, or drop the gate"
        out.append(
            warning(
                "salesforce-gate",
                f"gate '{gate.key}' is not enforced in Salesforce: {why}",
                path="gates",
                span=gate.span,
                hint=hint,
            )
        )
    return out


def unmapped_stages(model: Model) -> list[Diagnostic]:
    """Stages the process reacts to that have no StageName, so Salesforce never sees a deal enter them."""
    uses: dict[str, list[str]] = {}
    for gate in model.gates:
        uses.setdefault(gate.stage, []).append(f"gate '{gate.key}'")
    for entry in model.automation.on_stage_entry:
        uses.setdefault(entry.stage, []).append("on_stage_entry automation")
    for stage in model.stages:
        if stage.closed_won:
            uses.setdefault(stage.key, []).append("the close automation and SLA timestamps")
    out = []
    for stage in model.stages:
        if stage.key in uses and not stage.salesforce:
            out.append(
                warning(
                    "salesforce-stage",
                    f"stage '{stage.key}' has no Salesforce StageName, but "
                    f"{', '.join(uses[stage.key])} "
                    f"depend{'s' if len(uses[stage.key]) == 1 else ''} on it",
                    path="stages",
                    span=stage.span,
                    hint="add salesforce: <StageName> to the stage",
                )
            )
    return out
