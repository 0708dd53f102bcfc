"""The CS intake decision in Salesforce: Pending at Closed Won, then Accept or Return by the CSM.

    <prefix>_Intake_Rating          validation rule: accepting or returning a handoff needs a 1-5 rating
    before-save steps (score flow)  a decision stamps Intake Decided At (time to decision counts from
                                    Closed Won At); ticking Resubmit Handoff to CS on a returned handoff
                                    sets it back to Pending and clears the tick
    gates (gate_formula.py)         that resubmission is gated like entering Closed Won: a deal won but
                                    returned goes back to CS only when the Closed Won gates hold
    <prefix>_Intake_After_Save      intake_flow.py: Return's tasks and notifications, the CSM told of a
                                    resubmission

The deal stays Closed Won throughout; only the handoff is reopened. Validation rules run after
before-save flows, so the gates see the intake status the flow set from the tick.
"""

from __future__ import annotations

from handrail.generators.plan.resources import Origin
from handrail.specs.model import Model
from handrail.specs.naming import prefixed
from handrail.targets.salesforce import flow_elements as fe
from handrail.targets.salesforce.components import Component
from handrail.targets.salesforce.flow_elements import FlowBuilder
from handrail.targets.salesforce.gate_formula import literal

PENDING, ACCEPTED, RETURNED = "Pending", "Accepted", "Returned"


def intake_names(model: Model) -> dict[str, str]:
    return {
        k: model.computed_field(k).salesforce_name
        for k in ("intake_status", "csm_rating", "intake_decided_at", "intake_resubmit")
    }


def rating_rule_name(model: Model) -> str:
    return prefixed(model.naming.salesforce_prefix or "Handoff", "Intake", "Rating")


def rating_rule(model: Model) -> Component:
    """Accepting or returning a handoff (a change of the intake status to either) needs a rating."""
    n = intake_names(model)
    status = n["intake_status"]
    decided = f"OR(ISPICKVAL({status}, {literal(ACCEPTED)}), ISPICKVAL({status}, {literal(RETURNED)}))"
    formula = f'AND(\n  ISCHANGED({n["intake_status"]}),\n  {decided},\n  ISPICKVAL({n["csm_rating"]}, "")\n)'
    label = model.computed_field("csm_rating").label
    pairs = (
        ("active", True),
        (
            "description",
            "Managed by Handrail. CS rates the handoff (1-5) when it accepts it or returns it to Sales.",
        ),
        ("errorConditionFormula", formula),
        ("errorDisplayField", n["csm_rating"]),
        ("errorMessage", f"Rate the handoff ({label}, 1 to 5) before you accept it or return it to Sales."),
    )
    name = f"{model.naming.salesforce_object}.{rating_rule_name(model)}"
    return Component("ValidationRule", name, pairs, origin=Origin("intake", "rating"))


def before_save_steps(model: Model, flow: FlowBuilder, then: str | None) -> str:
    """Resubmission first (a tick on a returned handoff), then the decision stamp; both go on to `then`."""
    n = intake_names(model)
    status, tick = f"$Record.{n['intake_status']}", f"$Record.{n['intake_resubmit']}"
    stamp = flow.assignment(
        "Stamp_Intake_Decided_At",
        "Stamp Intake Decided At",
        [fe.assign(f"$Record.{n['intake_decided_at']}", fe.reference("$Flow.CurrentDateTime"))],
        then,
    )
    decided = flow.decision(
        "Intake_Decided",
        "CS accepted or returned the handoff?",
        [
            fe.rule(
                "Accepted_Now", "Accepted now", [fe.equals(status, ACCEPTED)], stamp, changed_to_meet=True
            ),
            fe.rule(
                "Returned_Now", "Returned now", [fe.equals(status, RETURNED)], stamp, changed_to_meet=True
            ),
        ],
        default=then,
        default_label="No decision",
    )
    reopen = flow.assignment(
        "Resubmit_To_Cs",
        "Send the handoff back to CS",
        [fe.assign(status, fe.string(PENDING)), fe.assign(tick, fe.boolean(False))],
        decided,
    )
    untick = flow.assignment(
        "Clear_Resubmit", "Clear the resubmit tick", [fe.assign(tick, fe.boolean(False))], decided
    )
    return flow.decision(
        "Intake_Resubmitted",
        "Resubmitted to CS?",
        [
            fe.rule(
                "Resubmit_Returned",
                "Returned and resubmitted",
                [fe.is_true(tick), fe.equals(status, RETURNED)],
                reopen,
            ),
            fe.rule("Resubmit_Other", "Ticked, not returned", [fe.is_true(tick)], untick),
        ],
        default=decided,
        default_label="Not ticked",
    )
