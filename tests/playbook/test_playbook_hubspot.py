"""The playbook's edge cases in HubSpot, run with tests/hubspot/workflow_run.py on the generated workflows:
the 14-day implementation-owner contact escalation, the post-sale owner under the Closed Won gate, and the
recovery-owner workflow on a deal owner change.

The recovery workflow is EVENT_BASED (the OpenAPI's ApiEventBasedEnrollmentCriteria: eventFilterBranches
of UNIFIED_EVENTS, refinementCriteria on the deal; enrollment types of the v4 API:
https://developers.hubspot.com/docs/api-reference/automation-automation-v4-v4/action-enrollment-reference),
so only an owner change enrols a deal. The escalation is list-based with unEnrollObjectsNotMeetingCriteria:
a deal whose contact timestamp is set during the 14-day delay no longer meets the criteria and leaves.
"""

from __future__ import annotations

import pytest
from playbook.spec import write_playbook_spec
from workflow_run import enrolled_on_change, enrolls, run

from handrail.specs.validate import load_spec
from handrail.targets.hubspot.flows import flows
from handrail.targets.hubspot.target import render
from handrail.targets.hubspot.verify import verify

WON, EMAIL, TASK, SET, DELAY = "closedwon", "0-8", "0-3", "0-5", "0-1"


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    return load_spec(write_playbook_spec(tmp_path_factory.mktemp("spec"))).model


@pytest.fixture(scope="module")
def workflows(model) -> dict[str, dict]:
    return {f.key: f.body for f in flows(model)}


def deal(model, **values) -> dict:
    """A won Enterprise deal whose handoff meets every gate, as HubSpot's properties hold it."""
    c = model.computed_field
    record = {
        f.hubspot_name: "A specific answer, long enough to count in full for this field" for f in model.fields
    }
    record.update(
        {
            "dealname": "Acme",
            "dealstage": WON,
            "hubspot_owner_id": "101",
            model.field("communication_prefs").hubspot_name: "Weekly call",
            model.field("partner_sourced").hubspot_name: "false",
            model.field("csm").hubspot_name: "202",
            c("segment").hubspot_name: "enterprise",
            c("score").hubspot_name: "95",
            c("tier").hubspot_name: "Ready",
            c("intake_status").hubspot_name: "Pending",
            c("closed_won_at").hubspot_name: "2026-03-02T09:00:00Z",
        }
    )
    for key, value in values.items():
        record[c(key).hubspot_name if key in {f.key for f in model.computed} else key] = value
    return record


def test_the_build_passes_the_offline_checks(model, workflows):
    assert {"escalation-implementation_contact", "recovery-owner"} <= set(workflows)
    assert verify(render(model)) == []


# --- the 14-day contact escalation ---------------------------------------------------------------------


def test_an_enterprise_deal_without_contact_is_escalated_after_14_days(model, workflows):
    flow = workflows["escalation-implementation_contact"]
    record = deal(model)
    assert enrolls(flow, record)
    steps = run(flow, record)
    assert [t for t, _ in steps] == [DELAY, EMAIL]
    assert steps[0][1]["delta"] == str(14 * 24 * 60) and steps[0][1]["time_unit"] == "MINUTES"
    assert steps[1][1]["user_ids"] == ["${user:csm_manager}"]
    assert "contact with the implementation owner" in steps[1][1]["subject"]


def test_a_contact_on_day_10_takes_the_deal_out_before_the_delay_ends(model, workflows):
    flow = workflows["escalation-implementation_contact"]
    contacted = deal(model, implementation_contact_at="2026-03-12T09:00:00Z")
    assert flow["enrollmentCriteria"]["unEnrollObjectsNotMeetingCriteria"] is True
    assert not enrolls(flow, contacted)


def test_other_segments_run_no_contact_clock(model, workflows):
    flow = workflows["escalation-implementation_contact"]
    assert not enrolls(flow, deal(model, segment="mid_market"))
    assert run(flow, deal(model, segment="mid_market")) == []


# --- the post-sale owner under the Closed Won gate --------------------------------------------------------


def test_an_enterprise_deal_without_its_post_sale_owner_is_moved_back(model, workflows):
    gate = workflows["gate-closed_won_not_blocked"]
    owner = model.field("post_sale_owner").hubspot_name
    reached = {"intake_status": None}  # just moved to Closed Won: before CS intake
    assert not enrolls(gate, deal(model, **reached))
    assert enrolls(gate, deal(model, **reached, **{owner: None}))
    assert not enrolls(gate, deal(model, segment="mid_market", **reached, **{owner: None}))


# --- the recovery owner -----------------------------------------------------------------------------------


def test_an_owner_change_on_a_pending_handoff_gives_a_recovery_owner_and_a_task(model, workflows):
    flow = workflows["recovery-owner"]
    record = deal(model, hubspot_owner_id="303")
    assert enrolled_on_change(flow, record, "hubspot_owner_id", "303")
    (set_owner, task) = run(flow, record)
    recovery = model.computed_field("recovery_owner").hubspot_name
    assert set_owner == (
        SET,
        {
            "property_name": recovery,
            "value": {"type": "STATIC_VALUE", "staticValue": "${owner:owner_manager}"},
        },
    )
    assert task[0] == TASK
    assert task[1]["owner_assignment"]["value"]["staticValue"] == "${owner:owner_manager}"
    assert task[1]["due_time"] == {"delta": 7, "timeUnit": "DAYS"}
    assert task[1]["subject"] == "Recover the handoff: {{ enrolled_object.dealname }}"


@pytest.mark.parametrize(
    "values, change",
    [
        ({"intake_status": "Accepted"}, ("hubspot_owner_id", "303")),  # CS took it over
        ({"dealstage": "contractsent"}, ("hubspot_owner_id", "303")),  # not won yet
        ({}, ("dealstage", WON)),  # another property changed
    ],
)
def test_no_recovery_outside_the_handoff_window(model, workflows, values, change):
    assert not enrolled_on_change(workflows["recovery-owner"], deal(model, **values), *change)


def test_a_deal_without_an_intake_status_is_still_an_open_handoff(model, workflows):
    assert enrolled_on_change(
        workflows["recovery-owner"], deal(model, intake_status=None), "hubspot_owner_id", "9"
    )


def test_validate_for_hubspot_warns_that_deactivated_owners_are_not_recovered(tmp_path, run_cli):
    spec = write_playbook_spec(tmp_path)
    code, out, err = run_cli("validate", str(spec), "--target", "hubspot")
    assert code == 0, err
    line = spec.read_text().splitlines().index("  ae_departure:") + 2  # the block's first key
    assert f"handoff.yaml:{line}:5: warning: playbook.ae_departure: HubSpot workflows cannot see" in out + err
