"""Salesforce: completing the generated Closed Won tasks stamps the deal's SLA clocks.

Close -> the Closed Won flow creates the tasks -> completing each one runs the Task Clocks flow (the
generated XML, run by the flow interpreter) against the deal. A record-triggered flow on Task starts on
the save that makes its entry conditions true ("Only when a record is updated to meet the condition
requirements"), and an after-save flow's Update Records can update records other than the triggering one
by conditions ("Update Records element", Salesforce Help:
https://help.salesforce.com/s/articleView?id=sf.flow_ref_elements_data_update.htm).
"""

from __future__ import annotations

import datetime as dt

import pytest
from helpers import EXAMPLE_SPEC
from salesforce.flow_interpreter import Flow, Run
from salesforce.save_harness import Org, new_deal

from handrail.specs.validate import load_spec, load_spec_text
from handrail.targets.salesforce import flows
from handrail.targets.salesforce.render import render, verify
from handrail.targets.salesforce.xml import metadata_xml

CLOSE = dt.datetime(2026, 3, 4, 15, 30, tzinfo=dt.timezone.utc)


@pytest.fixture(scope="module")
def model():
    return load_spec(EXAMPLE_SPEC).model


@pytest.fixture(scope="module")
def clock_flow(model):
    built = {c.name: c for c in flows.components(model, {})}
    return Flow.parse(metadata_xml("Flow", built[flows.flow_names(model)["task_clocks"]].pairs))


def _closed(model) -> Org:
    org = Org(model)
    assert org.save(CLOSE - dt.timedelta(days=1), **new_deal(model)) == []
    assert org.save(CLOSE, StageName="Closed Won") == []
    for i, task in enumerate(org.tasks):
        task.update(Id=f"00T{i}", Status="Not Started", IsClosed=False)
    return org


def _complete(org: Org, flow: Flow, subject: str, now: dt.datetime, **changes) -> Run:
    """Save the deal's open task with `subject` as Completed; the Task Clocks flow runs when it triggers."""
    task = next(t for t in org.tasks if t["Subject"] == subject and not t["IsClosed"])
    prior = dict(task)
    task.update(Status="Completed", IsClosed=True, **changes)
    run = Run(flow, dict(task), prior=prior, now=now, today=now.date(), records={"Opportunity": [org.record]})
    return run.run() if run.triggers() else run


def _clock(model, org: Org, key: str):
    return org.record[model.computed_field(key).salesforce_name]


def test_completing_each_generated_task_stamps_its_clock(model, clock_flow):
    org = _closed(model)
    marker = model.computed_field("clocks_stamped").salesforce_name
    assert {"Internal handoff meeting", "Send a personalised welcome", "Hold the kickoff call"} <= {
        t["Subject"] for t in org.tasks
    }
    assert _clock(model, org, "internal_handoff_at") is None and org.record[marker] is None

    handoff = CLOSE + dt.timedelta(hours=3)
    _complete(org, clock_flow, "Internal handoff meeting", handoff)
    assert _clock(model, org, "internal_handoff_at") == handoff
    assert _clock(model, org, "first_touch_at") is None
    assert org.record[marker] == "internal_handoff"

    welcome = CLOSE + dt.timedelta(hours=20)
    _complete(org, clock_flow, "Send a personalised welcome", welcome)
    assert _clock(model, org, "first_touch_at") == welcome

    kickoff = CLOSE + dt.timedelta(days=4)
    _complete(org, clock_flow, "Hold the kickoff call", kickoff)
    assert _clock(model, org, "kickoff_at") == kickoff
    assert org.record[marker] == "internal_handoff;first_touch;kickoff"
    assert _clock(model, org, "internal_handoff_at") == handoff  # earlier clocks untouched


def test_a_clock_typed_by_hand_is_not_overwritten(model, clock_flow):
    org = _closed(model)
    typed = CLOSE + dt.timedelta(days=2)
    kickoff_at = model.computed_field("kickoff_at").salesforce_name
    assert org.save(typed, **{kickoff_at: typed}) == []  # CS types the kickoff time by hand
    run = _complete(org, clock_flow, "Hold the kickoff call", CLOSE + dt.timedelta(days=5))
    assert "Get_Deal_Kickoff" in run.visited and run.updated == []
    assert org.record[kickoff_at] == typed
    assert org.record[model.computed_field("clocks_stamped").salesforce_name] is None


def test_other_tasks_and_other_saves_stamp_nothing(model, clock_flow):
    org = _closed(model)
    # a task of the deal with another subject
    org.tasks.append({"Id": "00TX", "Subject": "Call about invoices", "WhatId": "006DEAL", "IsClosed": False})
    run = _complete(org, clock_flow, "Call about invoices", CLOSE + dt.timedelta(hours=1))
    assert run.visited == ["Which_Clock"] and run.updated == []
    # the same subject on a task related to another record (an account): no deal found
    org.tasks.append(
        {"Id": "00TY", "Subject": "Hold the kickoff call", "WhatId": "001ACME", "IsClosed": False}
    )
    other = next(t for t in org.tasks if t["Id"] == "00TY")
    other_prior = dict(other)
    other.update(Status="Completed", IsClosed=True)
    run = Run(clock_flow, dict(other), prior=other_prior, now=CLOSE, records={"Opportunity": [org.record]})
    assert run.triggers() and run.run().updated == []
    # a completed task saved again (an edit after completion) does not start the flow
    done = next(t for t in org.tasks if t["Id"] == "00TY")
    assert not Run(clock_flow, dict(done, Description="notes"), prior=dict(done)).triggers()
    # a still-open task does not either
    kickoff = next(t for t in org.tasks if t["Subject"] == "Hold the kickoff call")
    assert not Run(clock_flow, dict(kickoff, Priority="High"), prior=dict(kickoff)).triggers()
    assert _clock(model, org, "kickoff_at") is None


def test_a_task_logged_already_completed_stamps_on_create(model, clock_flow):
    org = _closed(model)
    task = {"Id": "00TN", "Subject": "Send a personalised welcome", "WhatId": "006DEAL", "IsClosed": True}
    now = CLOSE + dt.timedelta(hours=2)
    run = Run(clock_flow, task, prior=None, now=now, records={"Opportunity": [org.record]})
    assert run.triggers()
    run.run()
    assert _clock(model, org, "first_touch_at") == now


def test_the_flow_is_valid_metadata_and_absent_without_stamping_tasks(model):
    desired = render(model)
    assert any(p.endswith("Handoff_Task_Clocks_After_Save.flow-meta.xml") for p in desired.files)
    assert verify(desired) == []
    text = EXAMPLE_SPEC.read_text()
    for key in ("internal_handoff", "welcome", "kickoff"):
        text = text.replace(f"      - key: {key}\n", f"      - key: {key}\n        stamps: none\n")
    bare = load_spec_text(text, "handoff.yaml").model
    assert not any("Task_Clocks" in c.name for c in flows.components(bare, {}))
