"""The CS intake as a process in Salesforce: close -> Pending -> Return (a rating required) -> tasks for the
AE and the Sales manager -> resubmission through the Closed Won gates -> Accept with a rating.

Each save runs what Salesforce runs, in its order of execution: the before-save flow, then the validation
rules (a TRUE error condition refuses the whole save), then the after-save flows ("Triggers and Order of
Execution", Apex Developer Guide: before-save record-triggered flows run before custom validation rules,
after-save flows after the record is saved). The flows are the generated XML, run by the flow interpreter;
the rules are the generated formulas, run by the validation-formula evaluator.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from helpers import EXAMPLE_SPEC
from salesforce.save_harness import BOSS, CSM, GOOD, REP, Org, new_deal

from handrail.specs.validate import load_spec

CLOSE_TIME = dt.datetime(2026, 3, 4, 15, 30, tzinfo=dt.timezone.utc)


@pytest.fixture()
def model():
    return load_spec(EXAMPLE_SPEC).model


def test_close_return_resubmit_accept(model):
    c = model.computed_field
    intake, rating = c("intake_status").salesforce_name, c("csm_rating").salesforce_name
    decided, tick = c("intake_decided_at").salesforce_name, c("intake_resubmit").salesforce_name
    org = Org(model)
    assert org.save(CLOSE_TIME - dt.timedelta(days=1), **new_deal(model)) == []  # created in Commit
    assert org.record[c("tier").salesforce_name] == "Ready"

    # Closed Won: the handoff waits for CS
    assert org.save(CLOSE_TIME, StageName="Closed Won") == []
    assert org.record[intake] == "Pending" and org.record[decided] is None
    closing_tasks = len(org.tasks)

    # CS returns it without a rating: refused, nothing changes
    returned_at = CLOSE_TIME + dt.timedelta(hours=5)
    errors = org.save(returned_at, **{intake: "Returned"})
    assert errors == [
        "Rate the handoff (CSM Handoff Rating, 1 to 5) before you accept it or return it to Sales."
    ]
    assert org.record[intake] == "Pending" and len(org.tasks) == closing_tasks

    # with a rating: returned, the decision time stamped, the AE and the Sales manager get a task due in
    # 24 hours and a notification; the deal stays won
    assert org.save(returned_at, **{intake: "Returned", rating: "2"}) == []
    assert org.record[intake] == "Returned" and org.record[decided] == returned_at
    assert org.record["StageName"] == "Closed Won"
    new = org.tasks[closing_tasks:]
    assert sorted((t["Subject"], t["OwnerId"], t["ActivityDate"]) for t in new) == [
        ("Complete the handoff CS returned", REP, dt.date(2026, 3, 5)),
        ("Review the handoff CS returned", BOSS, dt.date(2026, 3, 5)),
    ]
    assert (sorted([REP, BOSS]), "Handoff returned by CS: Acme") in [
        (sorted(r), t) for r, t in org.notifications
    ]

    # the AE empties the goals and resubmits: the Closed Won gate refuses it, the handoff stays returned
    goals = model.field("business_goals").salesforce_name
    edited = CLOSE_TIME + dt.timedelta(hours=20)
    errors = org.save(edited, **{goals: None, tick: True})
    assert len(errors) == 1 and errors[0].startswith("The handoff is not ready for Closed Won.")
    assert org.record[intake] == "Returned" and org.record[goals] == GOOD["business_goals"]

    # saving edits without resubmitting is not gated (the AE can work on it)
    emptied = {
        model.field(k).salesforce_name: None
        for k in ("business_goals", "stakeholder_map", "success_criteria")
    }
    assert org.save(edited, **emptied) == []
    assert org.record[intake] == "Returned" and org.record[c("tier").salesforce_name] == "Blocked"

    # completed and resubmitted: back to Pending, the tick cleared, the CSM told
    notified = len(org.notifications)
    filled = {
        model.field(k).salesforce_name: GOOD[k]
        for k in ("business_goals", "stakeholder_map", "success_criteria")
    }
    assert org.save(edited, **filled, **{tick: True}) == []
    assert org.record[intake] == "Pending" and org.record[tick] is False
    assert org.notifications[notified:] == [([CSM], "Handoff resubmitted: Acme")]
    assert org.record[decided] == returned_at  # not a decision

    # CS accepts with a rating: the decision time moves to the acceptance
    accepted_at = edited + dt.timedelta(hours=3)
    assert org.save(accepted_at, **{intake: "Accepted", rating: "4"}) == []
    assert org.record[intake] == "Accepted" and org.record[decided] == accepted_at
    assert org.record["StageName"] == "Closed Won"


def test_ticking_resubmit_on_a_handoff_that_was_not_returned_only_clears_the_tick(model):
    c = model.computed_field
    org = Org(model)
    org.save(CLOSE_TIME - dt.timedelta(days=1), **new_deal(model))
    org.save(CLOSE_TIME, StageName="Closed Won")
    assert org.save(CLOSE_TIME, **{c("intake_resubmit").salesforce_name: True}) == []
    assert org.record[c("intake_status").salesforce_name] == "Pending"
    assert org.record[c("intake_resubmit").salesforce_name] is False


def test_the_return_tasks_come_from_the_spec(model, tmp_path):
    from handrail.specs.model import Due, IntakeReturn, Task

    everyone = tuple(s.key for s in model.segments)
    own = IntakeReturn(tasks=(Task("fix", "Fix the handoff today", "", "owner", Due(4, "hours"), everyone),))
    model = dataclasses.replace(model, automation=dataclasses.replace(model.automation, on_intake_return=own))
    c = model.computed_field
    org = Org(model)
    org.save(CLOSE_TIME - dt.timedelta(days=1), **new_deal(model))
    org.save(CLOSE_TIME, StageName="Closed Won")
    before = len(org.tasks)
    org.save(
        CLOSE_TIME, **{c("intake_status").salesforce_name: "Returned", c("csm_rating").salesforce_name: "1"}
    )
    assert [(t["Subject"], t["OwnerId"]) for t in org.tasks[before:]] == [("Fix the handoff today", REP)]
