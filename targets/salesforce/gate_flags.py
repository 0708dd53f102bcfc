"""Gates that flag instead of blocking, in the before-save flow: monitor-mode gates, and enforced gates
that a holder of the gate bypass passed (their validation rule lets the holder through, gate_bypass.py).

For each such gate a Boolean formula holds the gate's error condition printed for flows (gate_formula.py,
FLOW_FORMULA: {!$Record...} for fields, {!$Record__Prior...} for what changed); an enforced gate's also
asks {!$Permission.<bypass>}. When any holds, the save goes through and the deal records which gates
would have stopped it (Gate Flags, "enterprise_ready (monitor); closed_won_not_blocked (bypassed)") and
when (Gate Flagged At); audit counts them. A save no gate would have stopped leaves both as they were.
"""

from __future__ import annotations

import dataclasses

from handrail.specs.model import Gate, Model
from handrail.specs.naming import camel
from handrail.targets.salesforce import flow_elements as fe
from handrail.targets.salesforce.flow_elements import FlowBuilder
from handrail.targets.salesforce.gate_formula import FLOW_FORMULA, gate_formula, literal

FLAGS = "Gate_Flags_Now"


def flagged_gates(model: Model) -> list[Gate]:
    """Active gates a save can pass while failing: monitor ones, and every enforced one when there is a
    bypass."""
    return [g for g in model.gates if g.active and (g.mode == "monitor" or model.gate_bypass)]


def flag_label(gate: Gate) -> str:
    return f"{gate.key} ({'monitor' if gate.mode == 'monitor' else 'bypassed'})"


def flag_last(model: Model, flow: FlowBuilder) -> None:
    """Make the flag steps the flow's last: every path that ends now goes on to them, so they see the
    record as the validation rules will (the CSM the Closed Won steps assigned included)."""
    before = list(flow.nodes)
    first = flag_steps(model, flow, None)
    if first is not None:
        for name in before:
            _end_at(flow, name, first)


def _end_at(flow: FlowBuilder, name: str, target: str) -> None:
    """Point the element's open ends (a connector that leads nowhere) at `target`."""
    node = flow.nodes[name]
    if node.group == "decisions":
        body = [
            ("rules", [_connected(r, "connector", target) for r in value]) if key == "rules" else (key, value)
            for key, value in node.body
        ]
        body = _connected(body, "defaultConnector", target)
    elif node.group in ("assignments", "recordLookups"):
        body = _connected(node.body, "connector", target)
    else:  # steps with fault paths are after-save only
        raise ValueError(f"{node.group} {name} in a before-save flow")
    if body != node.body:
        flow.nodes[name] = dataclasses.replace(node, body=body, targets=(*node.targets, target))


def _connected(pairs: list, key: str, target: str) -> list:
    return [(k, fe.connector(target) if k == key and v is None else v) for k, v in pairs]


def flag_steps(model: Model, flow: FlowBuilder, then: str | None) -> str | None:
    """The flag decision and assignment before `then`; `then` itself when no gate can flag."""
    terms = []
    for gate in flagged_gates(model):
        condition = gate_formula(model, gate, FLOW_FORMULA)
        if condition is None:
            continue
        if gate.mode != "monitor":
            condition = f"AND({{!$Permission.{model.gate_bypass.permission}}}, {condition})"
        name = f"Gate_{camel(gate.key)}_Would_Stop"[: fe.API_NAME_MAX]
        flow.formula(
            fe.formula(
                name,
                "Boolean",
                condition,
                f"Gate '{gate.key}' would stop this save: {flag_label(gate)}."[:255],
            )
        )
        terms.append(f'IF({{!{name}}}, {literal("; " + flag_label(gate))}, "")')
    if not terms:
        return then
    flow.formula(
        fe.formula(
            FLAGS,
            "String",
            f"MID({' & '.join(terms)}, 3, 32000)",
            "The gates this save passes while failing them, separated by '; '.",
        )
    )
    fields = {k: model.computed_field(k).salesforce_name for k in ("gate_flags", "gate_flagged_at")}
    flag = flow.assignment(
        "Flag_Gates",
        "Flag the gates that would have stopped the save",
        [
            fe.assign(f"$Record.{fields['gate_flags']}", fe.reference(FLAGS)),
            fe.assign(f"$Record.{fields['gate_flagged_at']}", fe.reference("$Flow.CurrentDateTime")),
        ],
        then,
    )
    return flow.decision(
        "Gate_Would_Stop",
        "Would a gate have stopped this save?",
        [fe.rule("Gate_Flagged", "Flagged", [fe.is_null(FLAGS, False)], flag)],
        default=then,
        default_label="No",
    )
