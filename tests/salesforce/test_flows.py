"""The generated flows: schema validity, retrieve order, status, and what they do when run."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest
from helpers import EXAMPLE_SPEC, ROOT, shared_path
from lxml import etree
from playbook.spec import write_playbook_spec
from salesforce.flow_interpreter import NS, Flow, Run

from handrail.specs.model import Automation, ClosedWon, Due, Escalation, Notification, Sla, StageEntry, Task
from handrail.specs.validate import load_spec
from handrail.targets.salesforce import flows
from handrail.targets.salesforce.schema import validate_xml
from handrail.targets.salesforce.xml import metadata_xml

SPECS = [EXAMPLE_SPEC] + sorted((ROOT / "tests" / "specs").glob("*.yaml"))
NOW = dt.datetime(2026, 3, 4, 15, 30, tzinfo=dt.timezone.utc)
POOL, MANAGER, REP, CSM, BOSS = "005POOL", "005MANAGER", "005REP", "005CSM", "005BOSS"
USERS = {"cs-pool@example.com": POOL, "cs-manager@example.com": MANAGER}


def built(model, **options) -> dict[str, tuple[str, bytes]]:
    """{component name: (type, XML bytes)}; an ApexClass gives its -meta.xml."""
    return {c.name: (c.type, metadata_xml(c.type, c.pairs)) for c in flows.components(model, options)}


def flow(model, name: str) -> Flow:
    return Flow.parse(built(model)[name][1])


@pytest.fixture(scope="module")
def example():
    return load_spec(EXAMPLE_SPEC).model


def deal(example, **fields) -> dict:
    """A ready Mid-Market deal in Commit, as the after-save flows see it."""
    f = example.field
    c = example.computed_field
    record = {
        "Id": "006DEAL",
        "Name": "Acme",
        "OwnerId": REP,
        "Owner": {"ManagerId": BOSS},
        "StageName": "Commit",
        "Amount": Decimal(50000),
        "CloseDate": dt.date(2026, 3, 4),
        "CreatedDate": NOW,
        "Type": None,
        f("partner_sourced").salesforce_name: False,
        f("csm").salesforce_name: CSM,
        "Handoff_Csm__r": {"ManagerId": "005CSMBOSS"},
        c("segment").salesforce_name: "mid_market",
    }
    record.update(fields)
    return record


# --- schema, order, status ------------------------------------------------------------------------


@pytest.mark.parametrize("spec", SPECS, ids=lambda p: p.stem)
def test_every_flow_file_is_schema_valid(spec):
    model = load_spec(spec).model
    files = built(model)
    assert any(t == "Flow" for t, _ in files.values())
    for name, (mtype, data) in files.items():
        assert validate_xml(f"{name}.{mtype}", data) == [], name


@pytest.mark.parametrize(
    "spec",
    [*SPECS, ROOT / "tests" / "specs" / "offline" / "contact_roles.yaml", "playbook"],
    ids=lambda p: getattr(p, "stem", p),
)
def test_a_long_spec_name_keeps_every_flow_description_whole(spec, tmp_path):
    """A flow's description is not cut at 255 characters: deploys keep far longer ones (FlowDefinitionView
    describes Description as 255 long, yet Salesforce stores up to 65,535: jongpie/NebulaLogger pull
    request 200), so each says whole which spec manages it and how to change it."""
    name = "Acme Corporation North America Enterprise Customer Success Handoff Program 2026."
    assert len(name) == 80  # the spec schema's longest name
    if spec == "playbook":  # the AE-departure recovery flows
        spec = write_playbook_spec(tmp_path)
    model = dataclasses.replace(load_spec(spec).model, name=name)
    flows_built = {n: data for n, (t, data) in built(model).items() if t == "Flow"}
    assert flows_built
    for flow_name, data in flows_built.items():
        root = etree.fromstring(data)
        description = root.findtext(f"{NS}description")
        label = root.findtext(f"{NS}label")
        assert description.startswith(f"Managed by Handrail from '{name}'. "), flow_name
        assert description.endswith(" Change the spec and rebuild instead of editing."), flow_name
        assert label.startswith(name) and len(label) <= 255, flow_name
        assert validate_xml(f"{flow_name}.Flow", data) == [], flow_name


def test_the_reference_validator_agrees(example, tmp_path):
    import importlib.util

    script = shared_path("reference", "salesforce", "extract_xsd.py")
    module_spec = importlib.util.spec_from_file_location("extract_xsd", script)
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    for name, (_, data) in built(example).items():
        path = tmp_path / f"{name}.xml"
        path.write_bytes(data)
        assert module.validate_file(str(path)) == [], name


def test_the_example_builds_four_flows_a_notification_type_and_a_test_class(example):
    kinds = {name: mtype for name, (mtype, _) in built(example).items()}
    assert kinds == {
        "Handoff_Score_Before_Save": "Flow",
        "Handoff_Stage_Entry_After_Save": "Flow",
        "Handoff_Closed_Won_After_Save": "Flow",
        "Handoff_Intake_After_Save": "Flow",
        "Handoff_Task_Clocks_After_Save": "Flow",
        "Handoff_Alert": "CustomNotificationType",
        "Handoff_Flows_Test": "ApexClass",
    }


def test_the_same_spec_gives_the_same_bytes(example):
    again = load_spec(EXAMPLE_SPEC).model
    first = [(c.name, metadata_xml(c.type, c.pairs), c.content) for c in flows.components(example, {})]
    second = [(c.name, metadata_xml(c.type, c.pairs), c.content) for c in flows.components(again, {})]
    assert first == second


def test_elements_of_a_kind_are_sorted_by_name_as_salesforce_retrieves_them(example):
    for name, (mtype, data) in built(example).items():
        if mtype != "Flow":
            continue
        root = etree.fromstring(data)
        groups: dict[str, list[str]] = {}
        for child in root:
            element = child.find(NS + "name")
            if element is not None:
                groups.setdefault(child.tag, []).append(element.text)
        for tag, names in groups.items():
            assert names == sorted(names), (name, tag)


def test_draft_status_deploys_every_flow_as_draft_without_the_test_class(example):
    draft = dataclasses.replace(
        example, automation=dataclasses.replace(example.automation, flow_status="draft")
    )
    files = built(draft)
    statuses = {
        name: etree.fromstring(data).findtext(NS + "status")
        for name, (mtype, data) in files.items()
        if mtype == "Flow"
    }
    assert set(statuses.values()) == {"Draft"} and len(statuses) == 5
    assert not any(mtype == "ApexClass" for mtype, _ in files.values())
    active = {
        etree.fromstring(data).findtext(NS + "status")
        for mtype, data in built(example).values()
        if mtype == "Flow"
    }
    assert active == {"Active"}


def test_the_api_version_comes_from_the_options(example):
    for mtype, data in built(example, api_version="61.0").values():
        if mtype in ("Flow", "ApexClass"):
            assert etree.fromstring(data).findtext(NS + "apiVersion") == "61.0"


def test_the_notification_type_is_a_desktop_and_mobile_alert(example):
    _, data = built(example)["Handoff_Alert"]
    root = etree.fromstring(data)
    assert [c.tag[len(NS) :] for c in root] == [
        "customNotifTypeName",
        "description",
        "desktop",
        "masterLabel",
        "mobile",
    ]
    assert root.findtext(NS + "customNotifTypeName") == "Handoff Alert"
    assert root.findtext(NS + "desktop") == root.findtext(NS + "mobile") == "true"


def test_record_triggers(example):
    def start(name):
        element = flow(example, name).start
        return {c.tag[len(NS) :]: c.text for c in element if len(c) == 0}

    before = start("Handoff_Score_Before_Save")
    assert (before["object"], before["recordTriggerType"], before["triggerType"]) == (
        "Opportunity",
        "CreateAndUpdate",
        "RecordBeforeSave",
    )
    assert start("Handoff_Stage_Entry_After_Save")["triggerType"] == "RecordAfterSave"
    won = start("Handoff_Closed_Won_After_Save")
    assert won["triggerType"] == "RecordAfterSave" and won["doesRequireRecordChangedToMeetCriteria"] == "true"


# --- before save: Closed Won --------------------------------------------------------------------------


def close(example, prior_stage="Commit", users=USERS, **fields) -> dict:
    record = deal(example, StageName="Closed Won", **fields)
    record.pop("Handoff_Csm__r")
    prior = dict(record, StageName=prior_stage)
    return (
        Run(flow(example, "Handoff_Score_Before_Save"), record, prior=prior, now=NOW, users=users)
        .run()
        .record
    )


def test_reaching_closed_won_stamps_the_time_once(example):
    stamp = example.computed_field("closed_won_at").salesforce_name
    assert close(example)[stamp] == NOW
    assert close(example, prior_stage="Closed Won").get(stamp) is None  # a later save of a won deal


@pytest.mark.parametrize(
    "amount, existing, users, expected",
    [
        (Decimal(10000), None, USERS, POOL),  # SMB: the pool
        (Decimal(10000), CSM, USERS, CSM),  # keep_existing keeps a named CSM
        (Decimal(10000), None, {}, None),  # the pool user does not exist (or is inactive): left blank
        (Decimal(50000), None, USERS, MANAGER),  # Mid-Market falls to the catch-all rule
        (Decimal(500000), CSM, USERS, CSM),
    ],
)
def test_closed_won_assigns_the_csm_by_the_first_matching_rule(example, amount, existing, users, expected):
    csm = example.field("csm").salesforce_name
    fields = {"Amount": amount, "CloseDate": dt.date(2026, 6, 1), csm: existing}
    assert close(example, users=users, **fields)[csm] == expected


def test_expansion_deals_keep_their_csm_and_never_get_the_catch_all(example):
    csm = example.field("csm").salesforce_name
    upgrade = {"Type": "Existing Customer - Upgrade", "Amount": Decimal(50000)}
    assert close(example, **upgrade, **{csm: CSM})[csm] == CSM
    assert close(example, **upgrade, **{csm: None})[csm] is None


def test_the_csm_is_not_reassigned_on_later_saves(example):
    csm = example.field("csm").salesforce_name
    assert close(example, prior_stage="Closed Won", Amount=Decimal(10000), **{csm: None})[csm] is None


# --- after save ------------------------------------------------------------------------------------


def run_after(example, name: str, record: dict, prior: dict | None, users=USERS) -> Run:
    return Run(flow(example, name), record, prior=prior, now=NOW, users=users).run()


def test_entering_negotiation_notifies_the_csm(example):
    record = deal(example, StageName="Negotiation/Review")
    run = run_after(
        example, "Handoff_Stage_Entry_After_Save", record, dict(record, StageName="Proposal/Price Quote")
    )
    assert [(a, i["recipientIds"], i["title"], i["targetId"]) for a, i in run.actions] == [
        ("customNotificationAction", [CSM], "Pre-close introduction: Acme", "006DEAL")
    ]
    assert run.actions[0][1]["customNotifTypeId"]
    assert run.created == []


def test_stage_entry_runs_only_on_the_save_that_enters_the_stage(example):
    record = deal(example, StageName="Negotiation/Review")
    assert run_after(example, "Handoff_Stage_Entry_After_Save", record, dict(record)).actions == []
    created = run_after(example, "Handoff_Stage_Entry_After_Save", record, None)  # created in Negotiation
    assert len(created.actions) == 1


def test_a_notification_without_a_known_recipient_is_skipped(example):
    record = deal(example, StageName="Negotiation/Review", **{example.field("csm").salesforce_name: None})
    run = run_after(example, "Handoff_Stage_Entry_After_Save", record, dict(record, StageName="Commit"))
    assert run.actions == []


def test_closed_won_creates_the_tasks_and_notifies_the_csm(example):
    record = deal(example, StageName="Closed Won")
    run = run_after(example, "Handoff_Closed_Won_After_Save", record, dict(record, StageName="Commit"))
    tasks = {values["Subject"]: values for sobject, values in run.created if sobject == "Task"}
    today = run.today  # 2026-03-04, a Wednesday
    assert tasks["Internal handoff meeting"]["OwnerId"] == REP
    assert tasks["Send a personalised welcome"]["OwnerId"] == CSM
    assert tasks["Hold the kickoff call"]["OwnerId"] == CSM
    assert tasks["Internal handoff meeting"]["ActivityDate"] == today + dt.timedelta(days=1)
    assert tasks["Hold the kickoff call"]["ActivityDate"] == dt.date(2026, 3, 11)  # 5 business days
    assert all(t["WhatId"] == "006DEAL" for t in tasks.values())
    assert [(i["recipientIds"], i["title"]) for _, i in run.actions] == [
        ([CSM], "New customer handed off: Acme")
    ]


def test_the_kickoff_task_is_not_created_for_expansion_deals(example):
    record = deal(
        example, StageName="Closed Won", **{example.computed_field("segment").salesforce_name: "expansion"}
    )
    run = run_after(example, "Handoff_Closed_Won_After_Save", record, dict(record, StageName="Commit"))
    assert sorted(v["Subject"] for sobject, v in run.created if sobject == "Task") == [
        "Internal handoff meeting",
        "Send a personalised welcome",
    ]


def test_a_csm_task_without_a_csm_goes_to_the_deal_owner(example):
    record = deal(example, StageName="Closed Won", **{example.field("csm").salesforce_name: None})
    run = run_after(example, "Handoff_Closed_Won_After_Save", record, dict(record, StageName="Commit"))
    assert {v["Subject"]: v["OwnerId"] for _, v in run.created}["Send a personalised welcome"] == REP
    assert run.actions == []


# --- SLA escalation ---------------------------------------------------------------------------------


def scheduled_paths(model, name="Handoff_Closed_Won_After_Save") -> dict[str, dict]:
    start = flow(model, name).start
    return {
        p.findtext(NS + "name"): {
            c.tag[len(NS) :]: (c.findtext(NS + "targetReference") if len(c) else c.text) for c in p
        }
        for p in start.findall(NS + "scheduledPaths")
    }


def test_one_scheduled_path_per_distinct_first_touch_sla(example):
    paths = scheduled_paths(example)
    assert {
        (p["offsetNumber"], p["offsetUnit"], p["recordField"], p["timeSource"]) for p in paths.values()
    } == {
        ("48", "Hours", "Handoff_Closed_Won_At__c", "RecordField"),
        ("72", "Hours", "Handoff_Closed_Won_At__c", "RecordField"),
    }


@pytest.mark.parametrize(
    "segment, path_hours, first_touch, escalates",
    [
        ("enterprise_channel", 72, None, True),
        ("enterprise_channel", 48, None, False),  # the 48 h path is not the channel's SLA
        ("mid_market", 48, None, True),
        ("mid_market", 48, NOW, False),  # touched in time
    ],
)
def test_the_escalation_checks_segment_and_first_touch_when_the_path_runs(
    example, segment, path_hours, first_touch, escalates
):
    c = example.computed_field
    record = deal(
        example,
        StageName="Closed Won",
        **{c("segment").salesforce_name: segment, c("first_touch_at").salesforce_name: first_touch},
    )
    target = next(
        p["connector"] for p in scheduled_paths(example).values() if p["offsetNumber"] == str(path_hours)
    )
    run = Run(flow(example, "Handoff_Closed_Won_After_Save"), record, now=NOW, users=USERS).go(target)
    if escalates:
        assert [i["recipientIds"] for _, i in run.actions] == [["005CSMBOSS"]]
        assert run.actions[0][1]["title"] == "SLA missed: Acme"
        assert [(v["Subject"], v["OwnerId"]) for _, v in run.created] == [
            ("No first CS touch within the SLA.", "005CSMBOSS")
        ]
    else:
        assert run.actions == [] and run.created == []


def test_a_reopened_deal_is_not_escalated(example):
    record = deal(example, StageName="Commit")
    target = next(iter(scheduled_paths(example).values()))["connector"]
    run = Run(flow(example, "Handoff_Closed_Won_After_Save"), record, now=NOW).go(target)
    assert run.actions == []


def test_kickoff_escalations_wait_whole_weeks_of_business_days(example):
    won = dataclasses.replace(
        example.automation.on_closed_won,
        escalations=(
            Escalation("kickoff", ("owner_manager",), "Kickoff overdue"),
            Escalation("internal_handoff", ("owner",), ""),
        ),
    )
    model = dataclasses.replace(
        example, automation=dataclasses.replace(example.automation, on_closed_won=won)
    )
    paths = {(p["offsetNumber"], p["offsetUnit"]) for p in scheduled_paths(model).values()}
    assert paths == {("7", "Days"), ("24", "Hours")}


def test_without_a_close_stamp_paths_count_from_the_triggering_save(example):
    won = dataclasses.replace(example.automation.on_closed_won, stamp_close_time=False)
    model = dataclasses.replace(
        example, automation=dataclasses.replace(example.automation, on_closed_won=won)
    )
    assert {p["timeSource"] for p in scheduled_paths(model).values()} == {"RecordTriggerEvent"}
    assert all("recordField" not in p for p in scheduled_paths(model).values())


# --- due dates ---------------------------------------------------------------------------------------


def business_days_after(day: dt.date, n: int) -> dt.date:
    while n > 0:
        day += dt.timedelta(days=1)
        n -= day.weekday() < 5
    return day


@pytest.mark.parametrize(
    "unit, amounts", [("business_days", range(0, 13)), ("hours", (0, 1, 24, 25, 48, 72)), ("days", (0, 1, 7))]
)
def test_due_dates(example, unit, amounts):
    tasks = tuple(
        Task(f"t{n}", f"Task {n}", "", "owner", Due(n, unit), tuple(s.key for s in example.segments))
        for n in amounts
    )
    won = ClosedWon(tasks=tasks, stamp_close_time=False)
    model = dataclasses.replace(example, automation=Automation(on_closed_won=won))
    compiled = flow(model, "Handoff_Closed_Won_After_Save")
    for today in (dt.date(2026, 3, 2) + dt.timedelta(days=d) for d in range(7)):  # Monday to Sunday
        run = Run(compiled, deal(example, StageName="Closed Won"), today=today).run()
        due = {v["Subject"]: v["ActivityDate"] for _, v in run.created}
        for n in amounts:
            if unit == "business_days":
                expected = business_days_after(today, n)
            else:
                expected = today + dt.timedelta(days=-(-n // 24) if unit == "hours" else n)
            assert due[f"Task {n}"] == expected, (today, n)


# --- recipients --------------------------------------------------------------------------------------


def test_every_kind_of_recipient(example):
    note = Notification(
        to=("csm", "owner", "owner_manager", "csm_manager", "cs-pool@example.com", "nobody@example.com"),
        title="Hi {deal}",
        body="",
        segments=("mid_market",),
    )
    entry = StageEntry(
        stage="proposal",
        notify=(note,),
        tasks=(
            Task("by_name", "For the pool", "", "cs-pool@example.com", Due(1, "days"), ("mid_market",)),
            Task("unknown", "For nobody", "", "nobody@example.com", Due(1, "days"), ("mid_market",)),
            Task("boss", "For the boss", "", "owner_manager", Due(1, "days"), ("mid_market",)),
        ),
    )
    model = dataclasses.replace(example, automation=Automation(on_stage_entry=(entry,)))
    record = deal(example, StageName="Proposal/Price Quote")
    run = run_after(model, "Handoff_Stage_Entry_After_Save", record, dict(record, StageName="Needs Analysis"))
    assert run.actions[0][1]["recipientIds"] == [CSM, REP, BOSS, "005CSMBOSS", POOL]
    assert run.actions[0][1]["title"] == run.actions[0][1]["body"] == "Hi Acme"
    assert {v["Subject"]: v["OwnerId"] for _, v in run.created} == {
        "For the pool": POOL,
        "For nobody": REP,
        "For the boss": BOSS,
    }
    other = deal(
        example,
        StageName="Proposal/Price Quote",
        **{example.computed_field("segment").salesforce_name: "smb"},
    )
    skipped = run_after(
        model, "Handoff_Stage_Entry_After_Save", other, dict(other, StageName="Needs Analysis")
    )
    assert skipped.actions == [] and skipped.created == []


def test_no_automation_means_only_the_scoring_flow(example):
    model = dataclasses.replace(
        example, automation=Automation(on_closed_won=ClosedWon(stamp_close_time=False))
    )
    kinds = {name: mtype for name, (mtype, _) in built(model).items()}
    assert kinds == {"Handoff_Score_Before_Save": "Flow", "Handoff_Flows_Test": "ApexClass"}


def test_segments_with_different_slas_are_grouped(example):
    segments = tuple(
        dataclasses.replace(s, sla=Sla(first_touch_hours=24 if s.key in ("smb", "smb_rapid_close") else 48))
        for s in example.segments
    )
    model = dataclasses.replace(example, segments=segments)
    decisions = flow(model, "Handoff_Closed_Won_After_Save").nodes
    rule = decisions["Sla_Missed_Escalation_1_First_Touch_24"].find(NS + "rules")
    values = [c.findtext(f"{NS}rightValue/{NS}stringValue") for c in rule.findall(NS + "conditions")]
    assert values == ["Closed Won", None, "smb_rapid_close", "smb"]
    assert rule.findtext(NS + "conditionLogic") == "1 AND 2 AND (3 OR 4)"
