"""What the spec asks for that Salesforce cannot enforce as written: warnings, each at its spec node."""

from __future__ import annotations

import math

from handrail.specs.diagnostics import Diagnostic, warning
from handrail.specs.model import Model
from handrail.targets.calendar_spans import day_spans, hour_spans
from handrail.targets.salesforce.gate_formula import gate_formula, gated_stage_names
from handrail.targets.salesforce.sla_paths import SLA_LABELS, sla_groups, sla_offset


def spec_warnings(model: Model) -> list[Diagnostic]:
    return unmapped_stages(model) + unenforceable_gates(model) + calendar_approximations(model)


def calendar_approximations(model: Model) -> list[Diagnostic]:
    """Task due dates follow the calendar exactly (calendar_formulas.py); escalations wait a fixed time,
    and the flows know holidays and daylight-saving changes only through the last holiday listed."""
    calendar = model.calendar
    if calendar.is_default:
        return []
    waits = []
    for escalation in model.automation.on_closed_won.escalations:
        if escalation.sla == "implementation_contact":
            continue
        for value, _ in sla_groups(model, escalation.sla):
            offset, _unit = sla_offset(escalation.sla, value, calendar)
            if escalation.sla == "kickoff":
                shortest, longest = day_spans(calendar, value)
                late = f"up to {math.ceil(offset / 24) - shortest} days late"
                what = f"{value} business days"
            else:
                late = f"up to {offset - hour_spans(calendar, value)[0]} hours late"
                what = f"{value} {'working ' if calendar.business_hours else ''}hours"
            waits.append(f"{SLA_LABELS[escalation.sla]} {what}: {offset} hours, {late}")
    last = max(calendar.holidays) if calendar.holidays else None
    known = (
        f"its holidays and daylight-saving changes through the last holiday listed ({last})"
        if last  # without holidays there is no horizon: the zone's 1 January offset (calendar_spans.py)
        else "no holidays, and its time zone's 1 January UTC offset all year (list holidays to get its DST)"
    )
    message = "the business calendar: task due dates follow it exactly in the flows, in its time zone; "
    message += f"the flows know {known}"
    if waits:
        message += "; escalations wait the longest time any close needs, never early: " + "; ".join(waits)
    hint = "list the next year's holidays and apply again before the last one passes"
    return [warning("salesforce-calendar", message, path="calendar", span=calendar.span, hint=hint)]


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
