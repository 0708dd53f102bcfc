"""Tier-driven automation (`tiers:` on tasks and notifications), in both targets, on the example spec.

The domain's tiers: Gaps (60-84) means the AE follows up within 24 h; Blocked (< 60) means the handoff
goes back to Sales and the Sales manager hears of it; Ready means CS proceeds, so neither. Salesforce:
the compiled Closed Won flow, its decisions read, then run by the flow interpreter. HubSpot: the compiled
Closed Won workflow, its tier branch read, then run by the workflow runner.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest
from helpers import EXAMPLE_SPEC
from salesforce.flow_interpreter import NS, Flow, Run
from workflow_run import run as run_workflow

from handrail.specs.model import Task
from handrail.specs.validate import load_spec
from handrail.targets.hubspot.flows import closed_won_flow, stage_entry_flow
from handrail.targets.salesforce import flows as salesforce_flows
from handrail.targets.salesforce.schema import validate_xml
from handrail.targets.salesforce.xml import metadata_xml

FOLLOW_UP = "Follow up on handoff gaps"
BLOCKED = "Handoff blocked: Acme"
REP, BOSS, CSM = "005REP", "005BOSS", "005CSM"
NOW = dt.datetime(2026, 3, 4, 15, 30, tzinfo=dt.timezone.utc)

# tier on the deal at close -> (AE follow-up task, manager escalation)
TABLE = [
    ("Ready", False, False),
    ("Gaps", True, False),
    ("Blocked", False, True),
    (None, False, False),  # no tier (no score): nothing tier-bound happens
]


@pytest.fixture(scope="module")
def model():
    return load_spec(EXAMPLE_SPEC).model


def test_the_example_spec_declares_the_tier_bound_actions(model):
    won = model.automation.on_closed_won
    task = next(t for t in won.tasks if t.subject == FOLLOW_UP)
    assert (task.owner, task.due.amount, task.due.unit, task.tiers) == ("owner", 24, "hours", ("gaps",))
    note = next(n for n in won.notify if n.title == "Handoff blocked: {deal}")
    assert note.to == ("owner_manager",) and note.tiers == ("blocked",) and "returned to Sales" in note.body
    assert all(not t.tiers for t in won.tasks if t is not task)


# --- Salesforce ---------------------------------------------------------------------------------------


def salesforce_files(model) -> dict[str, tuple[str, bytes]]:
    return {c.name: (c.type, metadata_xml(c.type, c.pairs)) for c in salesforce_flows.components(model, {})}


def salesforce_record(model, tier: str | None, segment: str | None = None) -> dict:
    f, c = model.field, model.computed_field
    segment = segment or model.segments[-1].key
    return {
        "Id": "006DEAL",
        "Name": "Acme",
        "OwnerId": REP,
        "Owner": {"ManagerId": BOSS},
        "StageName": "Closed Won",
        "Amount": Decimal(50000),
        "CloseDate": dt.date(2026, 3, 4),
        "CreatedDate": NOW,
        "Type": None,
        f("partner_sourced").salesforce_name: False,
        f("csm").salesforce_name: CSM,
        "Handoff_Csm__r": {"ManagerId": "005CSMBOSS"},
        c("segment").salesforce_name: segment,
        c("tier").salesforce_name: tier,
    }


def close_in_salesforce(model, record: dict) -> Run:
    flow = Flow.parse(salesforce_files(model)["Handoff_Closed_Won_After_Save"][1])
    return Run(flow, record, prior=dict(record, StageName="Commit"), now=NOW).run()


def tier_decisions(model, name: str = "Handoff_Closed_Won_After_Save") -> dict[str, tuple[list, str, str]]:
    """{decision: ([(field, value), ...] of its rule, its condition logic, where the rule leads)} for every
    decision that reads the tier field."""
    flow = Flow.parse(salesforce_files(model)[name][1])
    field = "$Record." + model.computed_field("tier").salesforce_name
    out = {}
    for node in flow.root.findall(NS + "decisions"):
        rule = node.find(NS + "rules")
        conditions = [
            (c.findtext(NS + "leftValueReference"), c.findtext(f"{NS}rightValue/{NS}stringValue"))
            for c in rule.findall(NS + "conditions")
        ]
        if any(left == field for left, _ in conditions):
            target = rule.findtext(f"{NS}connector/{NS}targetReference")
            out[node.findtext(NS + "name")] = (conditions, rule.findtext(NS + "conditionLogic"), target)
    return out


def test_salesforce_decides_on_the_tier_field_with_the_tier_labels(model):
    field = "$Record." + model.computed_field("tier").salesforce_name
    decisions = tier_decisions(model)
    assert decisions == {
        "Applies_Closed_Won_Gaps_Follow_Up": (
            [(field, "Gaps")],
            "and",
            "Create_Task_Closed_Won_Gaps_Follow_Up",
        ),
        "Applies_Closed_Won_2": ([(field, "Blocked")], "and", "Has_Owner_Manager_Closed_Won_2"),
    }
    assert not tier_decisions(model, "Handoff_Stage_Entry_After_Save")  # no tiers on stage entry


@pytest.mark.parametrize("tier, follow_up, escalated", TABLE)
def test_salesforce_closed_won_by_tier(model, tier, follow_up, escalated):
    run = close_in_salesforce(model, salesforce_record(model, tier))
    tasks = {v["Subject"]: v for sobject, v in run.created if sobject == "Task"}
    assert (FOLLOW_UP in tasks) == follow_up
    if follow_up:
        assert tasks[FOLLOW_UP]["OwnerId"] == REP
        assert tasks[FOLLOW_UP]["ActivityDate"] == run.today + dt.timedelta(days=1)  # 24 h
    notes = [(i["recipientIds"], i["title"]) for _, i in run.actions]
    assert (([BOSS], BLOCKED) in notes) == escalated
    assert ([CSM], "New customer handed off: Acme") in notes  # untouched by the tier
    assert {"Internal handoff meeting", "Send a personalised welcome"} <= set(tasks)


def combined(model):
    """The spec with one Closed Won action: a task for the first two segments only, Gaps or Blocked."""
    won = model.automation.on_closed_won
    inside = tuple(s.key for s in model.segments[:2])
    task = Task("combo", "Combined", "", "owner", won.tasks[0].due, inside, tiers=("blocked", "gaps"))
    return dataclasses.replace(
        model,
        automation=dataclasses.replace(
            model.automation, on_closed_won=dataclasses.replace(won, tasks=(task,), notify=())
        ),
    )


# the deal's segment (by position: the task is for the first two), its tier, whether the task is created
COMBINED = [
    (0, "Gaps", True),
    (1, "Blocked", True),
    (1, "Ready", False),
    (-1, "Gaps", False),
    (-1, None, False),
]


@pytest.mark.parametrize("position, tier, created", COMBINED)
def test_salesforce_segments_and_tiers_combine(model, position, tier, created):
    both = combined(model)
    first, second = (s.key for s in model.segments[:2])
    segment = model.segments[position].key
    decisions = tier_decisions(both)
    seg, tier_field = ("$Record." + model.computed_field(k).salesforce_name for k in ("segment", "tier"))
    assert list(decisions.values())[0][:2] == (
        [(seg, first), (seg, second), (tier_field, "Gaps"), (tier_field, "Blocked")],
        "(1 OR 2) AND (3 OR 4)",
    )
    run = close_in_salesforce(both, salesforce_record(both, tier, segment))
    assert [v["Subject"] for sobject, v in run.created if sobject == "Task"] == (
        ["Combined"] if created else []
    )


def test_salesforce_flows_with_tiers_stay_schema_valid(model):
    for candidate in (model, combined(model)):
        for name, (mtype, data) in salesforce_files(candidate).items():
            assert validate_xml(f"{name}.{mtype}", data) == [], name


def test_the_apex_tests_expect_no_tier_bound_task_for_their_ready_deals(model):
    from handrail.targets.salesforce.apex_test import ApexTestWriter

    source = ApexTestWriter(model, "T", []).source()
    assert "Internal handoff meeting" in source and FOLLOW_UP not in source


# --- HubSpot ------------------------------------------------------------------------------------------


def hubspot_record(model, tier: str | None, segment: str) -> dict:
    c = model.computed_field
    return {
        "dealname": "Acme",
        "dealstage": next(s.hubspot for s in model.stages if s.closed_won),
        "hubspot_owner_id": "1",
        model.csm_field.hubspot_name: "2",
        c("segment").hubspot_name: segment,
        c("tier").hubspot_name: tier,
    }


def tier_branches(model, body: dict) -> list[tuple[list[str], dict]]:
    """([branch values], the action the first value leads to) for each STATIC_BRANCH on the tier."""
    actions = {a["actionId"]: a for a in body["actions"]}
    prop = model.computed_field("tier").hubspot_name
    out = []
    for a in body["actions"]:
        if a["type"] == "STATIC_BRANCH" and a["inputValue"] == {
            "type": "OBJECT_PROPERTY",
            "propertyName": prop,
        }:
            targets = {b["connection"]["nextActionId"] for b in a["staticBranches"]}
            assert len(targets) == 1 and a["defaultBranchName"] == "Other tier"
            out.append(([b["branchValue"] for b in a["staticBranches"]], actions[targets.pop()]))
    return out


def test_hubspot_branches_on_the_tier_property_with_the_tier_labels(model):
    body = closed_won_flow(model).body
    found = {
        (tuple(values), a["actionTypeId"], a["fields"]["subject"]) for values, a in tier_branches(model, body)
    }
    assert found == {
        (("Gaps",), "0-3", FOLLOW_UP),
        (("Blocked",), "0-8", "Handoff blocked: {{ enrolled_object.dealname }}"),
    }
    gaps = next(a for values, a in tier_branches(model, body) if values == ["Gaps"])
    assert gaps["fields"]["owner_assignment"]["value"] == {
        "type": "OBJECT_PROPERTY",
        "propertyName": "hubspot_owner_id",
    }
    assert gaps["fields"]["due_time"] == {"delta": 24, "timeUnit": "HOURS"}
    blocked = next(a for values, a in tier_branches(model, body) if values == ["Blocked"])
    assert blocked["fields"]["user_ids"] == ["${user:owner_manager}"]
    assert "returned to Sales" in blocked["fields"]["body"]
    for entry in model.automation.on_stage_entry:
        flow = stage_entry_flow(model, entry)
        assert flow is None or not tier_branches(model, flow.body)


def _did(model, body: dict, record: dict) -> list[tuple[str, str]]:
    return [
        (kind, fields.get("subject", ""))
        for kind, fields in run_workflow(body, record)
        if kind in ("0-3", "0-8")
    ]


@pytest.mark.parametrize("tier, follow_up, escalated", TABLE)
def test_hubspot_closed_won_by_tier(model, tier, follow_up, escalated):
    body = closed_won_flow(model).body
    for segment in (s.key for s in model.segments):  # every segment's chain has both tier branches
        did = _did(model, body, hubspot_record(model, tier, segment))
        assert (("0-3", FOLLOW_UP) in did) == follow_up, segment
        assert (("0-8", "Handoff blocked: {{ enrolled_object.dealname }}") in did) == escalated, segment
        assert ("0-8", "New customer handed off: {{ enrolled_object.dealname }}") in did, segment  # any tier
        assert ("0-3", "Internal handoff meeting") in did, segment


@pytest.mark.parametrize("position, tier, created", COMBINED)
def test_hubspot_segments_and_tiers_combine(model, position, tier, created):
    segment = model.segments[position].key
    body = closed_won_flow(combined(model)).body
    branches = tier_branches(model, body)  # one per distinct segment chain
    assert branches and all(values == ["Gaps", "Blocked"] for values, _ in branches)
    did = _did(model, body, hubspot_record(model, tier, segment))
    assert (("0-3", "Combined") in did) == created
