"""The CS intake as a process in HubSpot: close -> Pending -> Return (a rating required) -> tasks for the
AE and the Sales manager -> resubmission through the Closed Won gates -> Accept with a rating.

HubSpot cannot refuse a save, so the generated workflows undo what Salesforce's validation rules refuse.
The portal below runs every generated workflow the way HubSpot enrols deals in list-based workflows: a
deal enrols when it first meets a workflow's criteria, and again only when a change fires one of its
re-enrollment triggers (developers.hubspot.com/docs/api-reference/automation-automation-v4-v4/guide,
"reEnrollmentTriggersFilterBranches"; the property-changed event branch shape is the one the reference
README's Corrections give). Property changes a workflow makes can enrol the deal in other workflows.
"""

from __future__ import annotations

import pytest
from helpers import EXAMPLE_SPEC, SPECIFIC_HANDOFF
from portal_run import NOW, Portal, deal_record

from handrail.specs.validate import load_spec

GOOD = SPECIFIC_HANDOFF


@pytest.fixture()
def model():
    return load_spec(EXAMPLE_SPEC).model


def won_deal(model) -> Portal:
    record = deal_record(model, GOOD, "50000")
    portal = Portal(model, record)
    portal.edit(dealstage="closedwon")
    return portal


def test_close_return_resubmit_accept(model):
    name = {
        k: model.computed_field(k).hubspot_name
        for k in ("intake_status", "csm_rating", "intake_decided_at", "intake_resubmit", "tier")
    }
    portal = won_deal(model)
    assert portal.record[name["intake_status"]] == "Pending"
    assert portal.record[name["tier"]] == "Ready"
    closing_tasks = len(portal.tasks)

    # CS returns it without a rating: undone, and the CSM is asked for one
    portal.edit(**{name["intake_status"]: "Returned"})
    assert portal.record[name["intake_status"]] == "Pending"
    assert portal.record.get(name["intake_decided_at"]) is None
    assert portal.emails[-1]["subject"].startswith("Rate the handoff first")
    assert portal.emails[-1]["owner_properties"] == [model.csm_field.hubspot_name]
    assert len(portal.tasks) == closing_tasks

    # with a rating: the decision stamped; tasks for the AE and the Sales manager, due in 24 hours
    portal.edit(**{name["csm_rating"]: "2", name["intake_status"]: "Returned"})
    assert portal.record[name["intake_status"]] == "Returned"
    assert portal.record[name["intake_decided_at"]] == NOW
    assert portal.record["dealstage"] == "closedwon"  # the deal stays won
    new = portal.tasks[closing_tasks:]
    assert [(t["subject"], t["owner_assignment"]["value"], t["due_time"]) for t in new] == [
        (
            "Complete the handoff CS returned",
            {"type": "OBJECT_PROPERTY", "propertyName": "hubspot_owner_id"},
            {"delta": 24, "timeUnit": "HOURS"},
        ),
        (
            "Review the handoff CS returned",
            {"type": "STATIC_VALUE", "staticValue": "${owner:owner_manager}"},
            {"delta": 24, "timeUnit": "HOURS"},
        ),
    ]
    assert portal.emails[-1]["subject"] == "Handoff returned by CS: {{ enrolled_object.dealname }}"

    # the AE empties the goals and resubmits: refused by the Closed Won gate, the tick cleared
    goals = model.field("business_goals").hubspot_name
    portal.edit(**{goals: "", name["intake_resubmit"]: "true"})
    assert portal.record[name["intake_status"]] == "Returned"
    assert portal.record[name["intake_resubmit"]] == "false"
    assert portal.emails[-1]["subject"] == "Handoff not resubmitted: {{ enrolled_object.dealname }}"
    assert "Required: " in portal.emails[-1]["body"] and "Business Goals" in portal.emails[-1]["body"]
    assert portal.record["dealstage"] == "closedwon"  # the handoff reopened, never the deal
    assert "gate-closed_won_not_blocked" not in portal.ran

    # completed and resubmitted: back to Pending, the CSM told
    portal.edit(**{goals: GOOD["business_goals"], name["intake_resubmit"]: "true"})
    assert portal.record[name["intake_status"]] == "Pending"
    assert portal.record[name["intake_resubmit"]] == "false"
    assert portal.emails[-1]["subject"] == "Handoff resubmitted: {{ enrolled_object.dealname }}"
    assert portal.emails[-1]["owner_properties"] == [model.csm_field.hubspot_name]

    # CS accepts with a rating: stamped again, no tasks for Sales this time
    tasks = len(portal.tasks)
    portal.edit(**{name["csm_rating"]: "4", name["intake_status"]: "Accepted"})
    assert portal.record[name["intake_status"]] == "Accepted"
    assert portal.ran[-1] == "intake-decision"
    assert len(portal.tasks) == tasks


def test_a_tick_on_a_handoff_that_was_not_returned_is_only_cleared(model):
    tick = model.computed_field("intake_resubmit").hubspot_name
    portal = won_deal(model)
    emails = len(portal.emails)
    portal.edit(**{tick: "true"})
    assert portal.record[tick] == "false"
    assert portal.record[model.computed_field("intake_status").hubspot_name] == "Pending"
    assert len(portal.emails) == emails
