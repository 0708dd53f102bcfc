"""One validation rule per gate: the error condition, and a message that says in words what is required."""

from __future__ import annotations

from handrail.generators.rules import tree
from handrail.generators.rules.scoring import TIER_LABELS
from handrail.specs.coverage import gate_rule_name
from handrail.specs.model import Gate, Model
from handrail.targets.salesforce.components import Component
from handrail.targets.salesforce.gate_formula import gate_formula

ERROR_MESSAGE_MAX = 255
DESCRIPTION_MAX = 255


def rule_components(model: Model) -> list[Component]:
    out = []
    for gate in model.gates:
        if gate.mode == "monitor":  # flags in the before-save flow instead (gate_flags.py)
            continue
        formula = gate_formula(model, gate)
        if formula is None:
            continue
        pairs = (
            ("active", gate.active),
            ("description", description(model, gate)),
            ("errorConditionFormula", formula),
            ("errorMessage", error_message(model, gate)),
        )
        name = f"{model.naming.salesforce_object}.{gate_rule_name(model, gate.key)}"
        out.append(Component("ValidationRule", name, pairs, source=gate.span))
    return out


def description(model: Model, gate: Gate) -> str:
    stage = model.stage(gate.stage).label
    if len(gate.segments) == len(model.segments):
        who = "Deals"
    else:
        who = ", ".join(model.segment(k).label for k in gate.segments) + " deals"
    text = (
        f"Managed by Handrail (gate '{gate.key}'). {who} may not enter {stage} or a later stage "
        "until the gate's requirements hold."
    )
    if len(text) > DESCRIPTION_MAX:
        text = (
            f"Managed by Handrail (gate '{gate.key}'). Deals in {len(gate.segments)} segments "
            f"may not enter {stage} or a later stage until the gate's requirements hold."
        )
    return text


def error_message(model: Model, gate: Gate) -> str:
    """The gate's own message, then what is required, shortened to fit 255 characters.

    The message is the same for every deal, so a field only some of the gate's segments require is
    named with those segments, or folded into "the other fields the deal's segment requires".
    """
    see = f"see {model.computed_field('missing_summary').label}"
    req = gate.require
    head = ["a named CSM"] if req.csm_assigned and model.csm_field else []
    tail = []
    floor = req.effective_min_score(model.tiers)
    if floor is not None:
        tier = _tier_of(model, gate, floor)
        tail.append(f"{tree.ScoreBelow(floor).wanted()} ({tier + '; ' if tier else ''}{see})")
    explicit = [model.field(k).label for k in req.fields]
    groups = [
        (r.segments, r.fields)
        for r in tree.rules_for(model).gate(gate.key)
        if isinstance(r, tree.EmptyInSegments)
    ]
    everyone = [f.label for keys, fields in groups if len(keys) == len(gate.segments) for f in fields]
    some = any(len(keys) < len(gate.segments) for keys, _ in groups)
    segment_labels = {k: model.segment(k).label for k in gate.segments}
    qualified = explicit + [
        f.label
        if len(keys) == len(gate.segments)
        else f"{f.label} for {', '.join(segment_labels[k] for k in keys)}"
        for keys, fields in groups
        for f in fields
    ]
    pointer = "" if tail else f" ({see})"
    others = [f"the other fields the deal's segment requires{pointer}"] if some else []
    folded = explicit + everyone + others
    lead = gate.message.rstrip()
    lead = lead if lead.endswith((".", "!", "?")) else lead + "."

    def compose(fields: list[str]) -> str:
        items = head + fields + tail
        return f"{lead} Required: {'; '.join(items)}." if items else lead

    for fields in (qualified, folded):
        if len(compose(fields)) <= ERROR_MESSAGE_MAX:
            return compose(fields)
    for keep in range(len(folded) - 1, -1, -1):  # name fewer fields, and count the rest
        rest = len(folded) - keep
        text = compose(folded[:keep] + [f"{rest} more field{'s' if rest > 1 else ''}{pointer}"])
        if len(text) <= ERROR_MESSAGE_MAX:
            return text
    return lead if len(lead) <= ERROR_MESSAGE_MAX else gate.message


def _tier_of(model: Model, gate: Gate, floor: float) -> str:
    """The tier name when the threshold comes from min_tier."""
    tier = gate.require.min_tier
    if tier and floor == (model.tiers.ready if tier == "ready" else model.tiers.gaps):
        return TIER_LABELS[tier]
    return ""
