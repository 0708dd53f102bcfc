"""The recovery workflow: when the owner of an open handoff changes, it gets a recovery owner and a task
(playbook.ae_departure).

A handoff is open from Closed Won until CS accepts it (intake status not Accepted). The workflow is
event-based: it enrols a deal each time its owner changes (the property-changed event on
hubspot_owner_id, a UNIFIED_EVENTS branch with eventTypeId 4-655002, as the re-enrollment triggers are
written) and only while the refinement criteria hold (Closed Won, intake not Accepted). A list-based
workflow would also enrol every deal on first meeting those criteria, at close, with no owner change.

The recovery owner is a person, not a role read from the deal: HubSpot users have no manager, so
`owner_manager` (the default) is the user the environment binds to that role (`owner_manager_email`),
as for every other workflow. A deal owner deactivated in HubSpot is an archived owner; no workflow
filter sees that (CAPABILITIES.md says so), so only Salesforce's flows recover those handoffs on their own.
"""

from __future__ import annotations

from typing import Any

from handrail.generators.plan.resources import Origin
from handrail.specs.diagnostics import Diagnostic, warning
from handrail.specs.model import Model
from handrail.targets.hubspot import actions as act
from handrail.targets.hubspot import filters as flt
from handrail.targets.hubspot.flow_graph import lay_out
from handrail.targets.hubspot.flows import Flow, _flow
from handrail.targets.hubspot.stages import closed_won_stage, stage_ids
from handrail.targets.hubspot.vocabulary import OWNER_PROPERTY, STAGE_PROPERTY

KEY = "recovery-owner"


def recovery_flow(model: Model) -> Flow | None:
    departure, won = model.playbook.ae_departure, closed_won_stage(model)
    if departure is None or won is None or not won.hubspot:
        return None
    task = departure.task(tuple(s.key for s in model.segments))
    steps = []
    if act.owner_property(model, departure.recovery_owner) is None:  # a person: recorded on the deal
        recovery = model.computed_field("recovery_owner").hubspot_name
        steps.append(act.set_static(recovery, act.owner_placeholder(departure.recovery_owner)))
    steps.append(act.create_task(model, task))
    start, actions = lay_out(steps, "", {})
    return Flow(
        KEY,
        _flow(
            model,
            KEY,
            "Recovery owner when the AE changes",
            f"When the owner of a {won.label} deal changes before CS accepts the handoff, sets the "
            "recovery owner and gives them a task.",
            True,
            _enrollment(model, stage_ids(model, won)),
            start,
            actions,
        ),
        departure.span,
        Origin("flow", KEY, departure.span),
    )


def _enrollment(model: Model, won_ids: list[str]) -> dict[str, Any]:
    intake = model.computed_field("intake_status").hubspot_name
    return {
        "type": "EVENT_BASED",
        "shouldReEnroll": True,
        "eventFilterBranches": [owner_changed()],
        "listMembershipFilterBranches": [],
        "refinementCriteria": flt.either(
            [flt.branch([flt.any_of(STAGE_PROPERTY, won_ids), flt.none_of(intake, ["Accepted"])])]
        ),
    }


def owner_changed() -> dict[str, Any]:
    """The property-changed event on the deal owner, whatever the new value."""
    branch = flt.changed_to(OWNER_PROPERTY, [])
    branch["filters"] = [f for f in branch["filters"] if f["property"] == "hs_name"]
    return branch


def capability_rows(model: Model) -> list[list[str]]:
    """CAPABILITIES.md rows for the playbook's edge cases (spec feature, HubSpot, how exact)."""
    rows = []
    post, departure = model.playbook.post_sale_owner, model.playbook.ae_departure
    if post:
        stamp = model.computed_field("implementation_contact_at").hubspot_name
        rows.append(
            [
                "Playbook: post-sale owner and its contact SLA",
                f"`{model.field(post.field).hubspot_name}` is required at Closed Won in the playbook's "
                f"segments (the gate workflows); workflow `escalation-implementation_contact` waits "
                f"{post.days} days after close and e-mails the escalation unless `{stamp}` is set",
                "after the fact (gates); the wait counts calendar days, as Salesforce's path does",
            ]
        )
    if departure:
        rows.append(
            [
                "Playbook: an AE changes mid-handoff",
                f"Workflow `{KEY}` enrols on a deal owner change (event-based) while the deal is won and "
                "intake is not Accepted: sets the recovery owner and creates their task",
                "native workflow actions; the Sales manager is a role an admin binds (no manager in HubSpot)",
            ]
        )
        rows.append(
            [
                "Playbook: an AE is deactivated",
                "Not automated: a deactivated HubSpot user is an archived owner (Owners API `archived`), and "
                "no workflow filter or event sees it. Reassign the deals (Settings > Users: deactivate and "
                "reassign), which fires the owner-change workflow above",
                "by hand (Salesforce's daily flow finds inactive owners)",
            ]
        )
    return rows


def verify_first(model: Model) -> tuple[str, ...]:
    """What to check on a sandbox portal before enabling the recovery workflow."""
    if model.playbook.ae_departure is None:
        return ()
    return (
        f"Workflow `{KEY}` is EVENT_BASED: the property-changed event on `hubspot_owner_id` with refinement "
        "criteria (won, intake not Accepted); confirm that reassigning a deal in the editor enrols it once.",
    )


def check(model: Model) -> list[Diagnostic]:
    """What `validate --target hubspot` warns about the playbook: deactivated owners are not recovered."""
    departure = model.playbook.ae_departure
    if departure is None:
        return []
    return [
        warning(
            "hubspot-deactivated-owner",
            "HubSpot workflows cannot see that a deal's owner was deactivated (an archived owner), so only "
            "an owner change gives a handoff its recovery owner",
            path="playbook.ae_departure",
            span=departure.span,
            hint="when you deactivate a user in HubSpot, reassign their deals: the reassignment runs the "
            "recovery-owner workflow",
        )
    ]
