"""The playbook's edge cases in Salesforce, run through the flow interpreter on the generated flow XML:
the 14-day implementation-owner contact escalation (a scheduled path of the Closed Won flow), the post-sale
owner required at Closed Won, and the recovery owner of a handoff whose AE leaves (owner change, deactivated
owner), with the task the recovery owner gets.

Scheduled paths run at their offset from the record field they name ("Schedule-triggered and scheduled
paths", Salesforce Help: https://help.salesforce.com/s/articleView?id=sf.flow_concepts_trigger_record.htm),
so the test evaluates the path with the record as it is at close + 14 days.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from playbook.spec import PLAYBOOK, write_playbook_spec
from salesforce.flow_interpreter import NS, Flow, Run
from salesforce.validation_formula import Record, evaluate

from handrail.specs.coverage import gate_rule_name
from handrail.specs.validate import load_spec
from handrail.targets.salesforce import flows
from handrail.targets.salesforce.schema import validate_xml
from handrail.targets.salesforce.validation_rules import rule_components
from handrail.targets.salesforce.xml import metadata_xml

CLOSED = dt.datetime(2026, 3, 2, 9, tzinfo=dt.timezone.utc)  # a Monday
REP, PEER, BOSS, PEER_BOSS, CSM, CSM_BOSS = (
    "005REP",
    "005PEER",
    "005BOSS",
    "005PEERBOSS",
    "005CSM",
    "005CSMBOSS",
)
USERS = [
    {"Id": REP, "ManagerId": BOSS},
    {"Id": PEER, "ManagerId": PEER_BOSS},
    {"Id": "005LONE", "ManagerId": None},
]


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    return load_spec(write_playbook_spec(tmp_path_factory.mktemp("spec"))).model


def built(model) -> dict[str, bytes]:
    return {c.name: metadata_xml(c.type, c.pairs) for c in flows.components(model, {}) if c.type == "Flow"}


@pytest.fixture(scope="module")
def compiled(model) -> dict[str, Flow]:
    return {name: Flow.parse(xml) for name, xml in built(model).items()}


def deal(model, **values) -> dict:
    """A won Enterprise deal, as the flows see it after the close."""
    c, f = model.computed_field, model.field
    record = {
        "Id": "006DEAL",
        "Name": "Acme",
        "OwnerId": REP,
        "Owner": {"ManagerId": BOSS, "IsActive": True},
        "StageName": "Closed Won",
        "Amount": Decimal(250000),
        f("csm").salesforce_name: CSM,
        "Handoff_Csm__r": {"ManagerId": CSM_BOSS},
        c("segment").salesforce_name: "enterprise",
        c("closed_won_at").salesforce_name: CLOSED,
        c("implementation_contact_at").salesforce_name: None,
        c("intake_status").salesforce_name: "Pending",
        c("recovery_owner").salesforce_name: None,
    }
    record.update(values)
    return record


def test_the_new_flows_are_schema_valid(model):
    files = built(model)
    assert {
        "Handoff_Recovery_Before_Save",
        "Handoff_Recovery_After_Save",
        "Handoff_Recovery_Inactive_Owner",
    } <= set(files)
    for name, data in files.items():
        assert validate_xml(f"{name}.Flow", data) == [], name


# --- the post-sale owner at Closed Won ------------------------------------------------------------------


def test_an_enterprise_deal_needs_its_post_sale_owner_to_close(model):
    rules = {c.name.split(".", 1)[1]: dict(c.pairs) for c in rule_components(model)}
    rule = rules[gate_rule_name(model, "closed_won_not_blocked")]["errorConditionFormula"]
    c, f = model.computed_field, model.field
    filled = {
        fl.salesforce_name: "A specific, long enough answer for the handoff record " * 2
        for fl in model.fields
    }
    filled.update(
        {
            f("communication_prefs").salesforce_name: "Weekly call",
            f("partner_sourced").salesforce_name: False,
            c("score").salesforce_name: Decimal(100),
            c("tier").salesforce_name: "Ready",
        }
    )

    def blocked(segment: str, owner: str | None) -> bool:
        values = {
            **filled,
            c("segment").salesforce_name: segment,
            f("post_sale_owner").salesforce_name: owner,
        }
        return evaluate(
            rule, Record({**values, "StageName": "Closed Won"}, {**values, "StageName": "Commit"})
        )

    assert blocked("enterprise", None) and not blocked("enterprise", "Dana Lee, VP Operations")
    assert not blocked("mid_market", None)  # only the playbook's segments require it


# --- the 14-day contact escalation ---------------------------------------------------------------------


def contact_path(flow: Flow) -> dict:
    paths = [
        {c.tag[len(NS) :]: (c.findtext(NS + "targetReference") if len(c) else c.text) for c in p}
        for p in flow.start.findall(NS + "scheduledPaths")
    ]
    (path,) = [p for p in paths if "Implementation" in p["name"]]
    return path


def test_the_contact_path_waits_14_days_from_the_close_stamp(model, compiled):
    path = contact_path(compiled["Handoff_Closed_Won_After_Save"])
    assert (path["offsetNumber"], path["offsetUnit"], path["timeSource"]) == ("14", "Days", "RecordField")
    assert path["recordField"] == model.computed_field("closed_won_at").salesforce_name


@pytest.mark.parametrize(
    "segment, contact_day, escalates",
    [
        ("enterprise", None, True),  # no contact after 14 days
        ("enterprise", 10, False),  # reached on day 10
        ("enterprise", 15, True),  # reached, but after the path ran
        ("enterprise_channel", None, True),
        ("mid_market", None, False),  # not a playbook segment
    ],
)
def test_a_missed_contact_escalates_to_the_csm_manager(model, compiled, segment, contact_day, escalates):
    flow = compiled["Handoff_Closed_Won_After_Save"]
    path = contact_path(flow)
    runs_at = CLOSED + dt.timedelta(days=int(path["offsetNumber"]))
    contact = None if contact_day is None else CLOSED + dt.timedelta(days=contact_day)
    stamp = model.computed_field("implementation_contact_at").salesforce_name
    segment_field = model.computed_field("segment").salesforce_name
    record = deal(
        model, **{segment_field: segment, stamp: contact if contact and contact <= runs_at else None}
    )
    run = Run(flow, record, now=runs_at, today=runs_at.date()).go(path["connector"])
    if not escalates:
        assert run.actions == [] and run.created == []
        return
    assert [i["recipientIds"] for _, i in run.actions] == [[CSM_BOSS]]
    assert [(v["Subject"], v["OwnerId"], v["ActivityDate"]) for _, v in run.created] == [
        ("No contact with the implementation owner within 14 days of close.", CSM_BOSS, runs_at.date())
    ]


# --- an AE who leaves mid-handoff ----------------------------------------------------------------------


def save(flow: Flow, record: dict, prior: dict, **kw) -> Run | None:
    """The flow's run for this save, or None when its start conditions leave it out."""
    run = Run(flow, record, prior=prior, records={"User": list(USERS)}, **kw)
    return run.run() if run.triggers() else None


def owner_change(model, compiled, prior_owner: str, new_owner: str, **values) -> tuple[dict, Run | None]:
    """Before-save then after-save of a save that moves the deal from one owner to another."""
    prior = deal(model, OwnerId=prior_owner, **values)
    record = deal(model, OwnerId=new_owner, Owner={"ManagerId": PEER_BOSS, "IsActive": True}, **values)
    save(compiled["Handoff_Recovery_Before_Save"], record, prior)
    return record, save(compiled["Handoff_Recovery_After_Save"], record, prior, today=dt.date(2026, 3, 10))


def test_an_owner_change_on_a_pending_handoff_gives_the_former_managers_recovery_task(model, compiled):
    recovery = model.computed_field("recovery_owner").salesforce_name
    record, after = owner_change(model, compiled, REP, PEER)
    assert record[recovery] == BOSS  # the former owner's manager
    assert after.created == [
        (
            "Task",
            {
                "ActivityDate": dt.date(2026, 3, 17),  # 7 days
                "Description": model.playbook.ae_departure.task(()).description,
                "OwnerId": BOSS,
                "Subject": "Recover the handoff: Acme",
                "WhatId": "006DEAL",
            },
        )
    ]


def test_without_a_former_manager_the_new_owners_manager_recovers(model, compiled):
    record, _ = owner_change(model, compiled, "005LONE", PEER)
    assert record[model.computed_field("recovery_owner").salesforce_name] == PEER_BOSS


@pytest.mark.parametrize(
    "values",
    [
        {"Handoff_Intake_Status__c": "Accepted"},  # CS took the handoff over: not open any more
        {"StageName": "Commit"},  # not won: no handoff yet
    ],
)
def test_no_recovery_outside_the_handoff_window(model, compiled, values):
    record, after = owner_change(model, compiled, REP, PEER, **values)
    assert record[model.computed_field("recovery_owner").salesforce_name] is None
    assert after is None or after.created == []


def test_a_save_that_keeps_the_owner_sets_nothing(model, compiled):
    prior = deal(model)
    record = deal(model)
    run = save(compiled["Handoff_Recovery_Before_Save"], record, prior)
    assert record[model.computed_field("recovery_owner").salesforce_name] is None
    assert run is not None and "Set_Recovery_Owner" not in run.visited


def test_a_named_recovery_owner_per_spec(tmp_path):
    named = PLAYBOOK.replace("recovery_owner: owner_manager", "recovery_owner: revops@example.com")
    model = load_spec(write_playbook_spec(tmp_path, named)).model
    compiled = {name: Flow.parse(xml) for name, xml in built(model).items()}
    prior, record = deal(model), deal(model, OwnerId=PEER)
    flow = compiled["Handoff_Recovery_Before_Save"]
    Run(flow, record, prior=prior, users={"revops@example.com": "005REVOPS"}, records={"User": USERS}).run()
    assert record[model.computed_field("recovery_owner").salesforce_name] == "005REVOPS"


def test_a_deactivated_owner_is_found_by_the_daily_flow(model, compiled):
    flow = compiled["Handoff_Recovery_Inactive_Owner"]
    recovery = model.computed_field("recovery_owner").salesforce_name
    gone = deal(model, Owner={"ManagerId": BOSS, "IsActive": False})
    assert Run(flow, gone).scheduled_for()
    run = Run(flow, gone).run()
    assert gone[recovery] == BOSS and run.updated == [{"Id": "006DEAL", recovery: BOSS}]
    # the update is a save: the after-save flow gives the recovery owner the task
    after = save(compiled["Handoff_Recovery_After_Save"], gone, deal(model), today=dt.date(2026, 3, 10))
    assert [(v["OwnerId"], v["ActivityDate"]) for _, v in after.created] == [(BOSS, dt.date(2026, 3, 17))]


@pytest.mark.parametrize(
    "values, selected",
    [
        ({"Handoff_Intake_Status__c": "Accepted"}, False),
        ({"Handoff_Intake_Status__c": None}, True),  # SOQL's != keeps blanks
        ({"Handoff_Recovery_Owner__c": BOSS}, False),  # recovered already
        ({"StageName": "Closed Lost"}, False),
    ],
)
def test_the_daily_flow_selects_open_handoffs_without_a_recovery_owner(model, compiled, values, selected):
    record = deal(model, Owner={"ManagerId": BOSS, "IsActive": False}, **values)
    assert Run(compiled["Handoff_Recovery_Inactive_Owner"], record).scheduled_for() == selected


def test_an_active_owner_or_no_manager_leaves_the_deal_alone(model, compiled):
    flow = compiled["Handoff_Recovery_Inactive_Owner"]
    recovery = model.computed_field("recovery_owner").salesforce_name
    for owner in ({"ManagerId": BOSS, "IsActive": True}, {"ManagerId": None, "IsActive": False}):
        record = deal(model, Owner=owner)
        run = Run(flow, record).run()
        assert record[recovery] is None and run.updated == []


# --- the Apex test class ----------------------------------------------------------------------------


def test_the_apex_class_runs_an_owner_change_and_parses(model, tmp_path):
    import shutil
    import subprocess

    from helpers import ROOT

    component = next(c for c in flows.components(model, {}) if c.type == "ApexClass")
    source = component.content.decode()
    method = source[source.index("static void recoversAHandoffWhoseOwnerChanges") :].split("\n    }\n")[0]
    timed = method[method.index("Test.startTest();") :]
    assert timed.startswith("Test.startTest();\n        update deal;\n        Test.stopTest();")
    assert "deal.OwnerId = peer.Id;" in method and "'recovery owner'" in timed and "dueIn('days', 7)" in timed
    node, tools = shutil.which("node"), ROOT / "tests" / "apex"
    if node is None or not (tools / "node_modules" / "@apexdevtools" / "apex-parser").is_dir():
        pytest.skip("the Apex parser (Node.js, tests/apex) is not installed")
    path = tmp_path / f"{component.name}.cls"
    path.write_bytes(component.content)
    result = subprocess.run(
        [node, str(tools / "check_apex.cjs"), str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tools,
    )
    assert result.returncode == 0 and result.stdout == "", result.stdout + result.stderr


def test_the_cs_section_of_the_layout_holds_the_contact_stamp_and_the_recovery_owner(model):
    from handrail.targets.salesforce.layouts import CS_TITLE, model_sections

    (cs,) = [s for s in model_sections(model) if s.title == CS_TITLE]
    c = model.computed_field
    assert {c("implementation_contact_at").salesforce_name, c("recovery_owner").salesforce_name} <= set(
        cs.fields
    )
