"""The CS intake decision in HubSpot: Accept or Return with a rating, Return's tasks, resubmission.

HubSpot cannot refuse a save, so what Salesforce's validation rules refuse is undone after the fact, as
the gates are (flows.py):

    intake-rating            an Accept or Return without a rating goes back to Pending, and the CSM is
                             asked to rate the handoff first
    intake-decision          an Accept or Return with a rating: stamps Intake Decided At; on Return, the
                             on_intake_return tasks and notifications (the AE and the Sales manager)
    intake-resubmit          Sales ticked Resubmit on a returned handoff that meets the Closed Won gates:
                             back to Pending, the tick cleared, the CSM told
    intake-resubmit-refused  the same tick on a handoff that does not meet them (or was not returned): the
                             tick cleared and the owner told what is missing

Each enrols on its list criteria and re-enrols when the intake status (or the tick) changes to the value
it watches (a UNIFIED_EVENTS branch on the property-changed event, filters.changed_to).
"""

from __future__ import annotations

from handrail.generators.plan.resources import Origin
from handrail.specs.model import Model
from handrail.targets.hubspot import actions as act
from handrail.targets.hubspot import filters as flt
from handrail.targets.hubspot.flow_graph import lay_out
from handrail.targets.hubspot.flows import (
    Flow,
    _flow,
    _items,
    _segment_filter,
    applicable_gates,
    entered,
    gate_requirements,
)
from handrail.targets.hubspot.stages import closed_won_stage, stage_ids
from handrail.targets.hubspot.vocabulary import STAGE_PROPERTY

PENDING, ACCEPTED, RETURNED = "Pending", "Accepted", "Returned"


def intake_flows(model: Model) -> list[Flow]:
    won = closed_won_stage(model)
    if won is None or not won.hubspot:
        return []
    return [
        _rating_flow(model),
        _decision_flow(model),
        *[f for f in (_resubmit_flow(model, won), _refused_flow(model, won)) if f],
    ]


def _name(model: Model, key: str) -> str:
    return model.computed_field(key).hubspot_name


def _enrollment(branches: list[dict], prop: str, values: list[str]) -> dict:
    return {
        "type": "LIST_BASED",
        "shouldReEnroll": True,
        "unEnrollObjectsNotMeetingCriteria": False,
        "listFilterBranch": flt.either(branches),
        "reEnrollmentTriggersFilterBranches": [flt.changed_to(prop, values)],
    }


def _make(model: Model, key: str, name: str, purpose: str, enrollment: dict, steps: list) -> Flow:
    start, actions = lay_out(steps, "", {})
    span = model.automation.on_intake_return.span
    return Flow(
        key,
        _flow(model, key, name, purpose, True, enrollment, start, actions),
        span,
        Origin("flow", key, span),
    )


def _rating_flow(model: Model) -> Flow:
    status, rating = _name(model, "intake_status"), _name(model, "csm_rating")
    branch = flt.branch([flt.any_of(status, [ACCEPTED, RETURNED]), flt.unknown(rating)])
    rating_label = model.computed_field("csm_rating").label
    body = act.paragraphs(
        model,
        f"{{deal}}: an intake decision needs a rating. Set {rating_label} (1 to 5), then accept the "
        "handoff or return it to Sales again. Handrail set the intake status back to Pending.",
    )
    to = ("csm",) if model.csm_field else ("owner",)
    steps = [act.set_static(status, PENDING), act.notify(model, to, "Rate the handoff first: {deal}", body)]
    return _make(
        model,
        "intake-rating",
        "Intake: a rating is required",
        "Sets an intake decision made without a rating back to Pending and asks the CSM to rate the handoff.",
        _enrollment([branch], status, [ACCEPTED, RETURNED]),
        steps,
    )


def _decision_flow(model: Model) -> Flow:
    status, rating = _name(model, "intake_status"), _name(model, "csm_rating")
    returned = model.automation.on_intake_return
    branch = flt.branch([flt.any_of(status, [ACCEPTED, RETURNED]), flt.known(rating)])
    on_return = tuple(step for _, step in _items(model, returned.tasks, returned.notify))
    steps: list = [act.stamp(_name(model, "intake_decided_at"))]
    if on_return:
        steps.append(act.IfAnyOf(status, (RETURNED,), on_return, "Accepted"))
    return _make(
        model,
        "intake-decision",
        "Intake: accepted or returned",
        "Stamps when CS decided; on Return, the tasks and notifications for Sales.",
        _enrollment([branch], status, [ACCEPTED, RETURNED]),
        steps,
    )


def _resubmit_flow(model: Model, won) -> Flow | None:
    status, tick = _name(model, "intake_status"), _name(model, "intake_resubmit")
    branches = entered(model, won, [flt.ticked(tick, True), flt.any_of(status, [RETURNED])])
    if not branches:
        return None
    steps = [act.set_static(status, PENDING), act.set_static(tick, "false")]
    if model.csm_field:
        body = act.paragraphs(
            model,
            "Sales completed the handoff of {deal} that you returned, and it meets the Closed Won gates "
            "again. Accept it or return it.",
        )
        steps.append(act.notify(model, ("csm",), "Handoff resubmitted: {deal}", body))
    return _make(
        model,
        "intake-resubmit",
        "Intake: resubmitted to CS",
        "Sends a returned handoff back to CS (Pending) when Sales resubmits it and the Closed Won gates "
        "hold.",
        _enrollment(branches, tick, ["true"]),
        steps,
    )


def _refused_flow(model: Model, won) -> Flow | None:
    """A tick the resubmit workflow does not take: the handoff misses a Closed Won gate, or was not
    returned. One branch per unmet requirement, as the gate workflows enrol."""
    status, tick = _name(model, "intake_status"), _name(model, "intake_resubmit")
    ids = stage_ids(model, won)
    branches = [
        flt.branch([flt.ticked(tick, True), flt.any_of(status, [PENDING, ACCEPTED])]),
        flt.branch([flt.ticked(tick, True), flt.unknown(status)]),
    ]
    reasons: list[str] = []
    for gate in applicable_gates(model, won):
        per_filter: dict[str, tuple[list[str], flt.Filter]] = {}  # segments sharing a requirement: one branch
        for key in gate.segments:
            for f in flt.unmet(model, flt.needs(model, gate, key)):
                per_filter.setdefault(repr(f), ([], f))[0].append(key)
        for keys, f in per_filter.values():
            fixed = [flt.ticked(tick, True), flt.any_of(status, [RETURNED]), flt.any_of(STAGE_PROPERTY, ids)]
            branch = flt.branch([*fixed, *_segment_filter(model, keys), f])
            if branch not in branches:
                branches.append(branch)
        reasons += gate_requirements(model, gate)
    missing = _name(model, "missing_summary")
    body = act.paragraphs(
        model,
        "{deal} was not sent back to CS: a handoff goes back only when CS returned it and it meets the "
        f"{won.label} gates again.",
        ("Required: " + "; ".join(dict.fromkeys(reasons)) + ".") if reasons else "",
    )
    body += "<p>Missing or generic right now: {{ enrolled_object." + missing + " }}</p>"
    steps = [
        act.set_static(tick, "false"),
        act.IfAnyOf(
            status,
            (RETURNED,),
            (act.notify(model, ("owner",), "Handoff not resubmitted: {deal}", body),),
            "Not returned",
        ),
    ]
    return _make(
        model,
        "intake-resubmit-refused",
        "Intake: resubmission refused",
        f"Clears a resubmit tick the handoff cannot take yet and tells the owner what the {won.label} "
        "gates still require.",
        _enrollment(branches, tick, ["true"]),
        steps,
    )
