"""The record-triggered flow on Task that stamps the SLA clocks: completing a generated Closed Won task
stamps its deal's clock (the task's `stamps:`, specs/clocks.py).

    start           Task, after save, on create and update, only when the save makes it true:
                    IsClosed (any closed status) and WhatId set
    Which Clock?    one outcome per stamping task: the task's Subject is the spec's subject, exactly as the
                    Closed Won flow wrote it (a renamed task stamps nothing; `handrail` never reads it back)
    Get Deal        the deal the task is related to (WhatId), only while that clock is blank
    Update Deal     the clock := the completion time ($Flow.CurrentDateTime), and the clock's key added to
                    Clocks Stamped, filtered again on the blank clock so a value typed meanwhile is kept

A clock set by hand is never overwritten, and stays out of Clocks Stamped, so `audit` counts it as typed.
A WhatId that is not a deal finds no deal; a failed update is routed past, so it never blocks the task's
save. Record-triggered flows run in system context, so the read-only Clocks Stamped field is writable.
"""

from __future__ import annotations

from handrail.specs.clocks import CLOCKS, MARKER, SEPARATOR
from handrail.specs.model import Model, Task
from handrail.specs.naming import camel
from handrail.targets.salesforce import flow_elements as fe
from handrail.targets.salesforce import formulas as fx
from handrail.targets.salesforce.flow_elements import FlowBuilder
from handrail.targets.salesforce.managed_flow import managed_flow

OBJECT = "Task"


def stamping_tasks(model: Model) -> list[Task]:
    return [t for t in model.automation.on_closed_won.tasks if t.stamps]


def task_clock_flow(model: Model, status: str, api_version: str) -> list | None:
    tasks = stamping_tasks(model)
    if not tasks:
        return None
    flow = managed_flow(
        model,
        "Task Clocks (After Save)",
        "A generated handoff task is completed: stamps its deal's SLA clock when still blank.",
        status,
        api_version,
    )
    rules = [
        fe.rule(
            f"Completed_{_tag(t)}",
            t.subject[:255],
            [fe.equals("$Record.Subject", t.subject)],
            _stamp(model, flow, t),
        )
        for t in tasks
    ]
    flow.decision("Which_Clock", "Which clock does the task stamp?", rules, default_label="None")
    flow.start = [
        ("connector", fe.connector("Which_Clock")),
        ("doesRequireRecordChangedToMeetCriteria", True),
        ("filterLogic", "and"),
        (
            "filters",
            [
                fe.record_filter("IsClosed", "EqualTo", fe.boolean(True)),
                fe.record_filter("WhatId", "IsNull", fe.boolean(False)),
            ],
        ),
        ("object", OBJECT),
        ("recordTriggerType", "CreateAndUpdate"),
        ("triggerType", "RecordAfterSave"),
    ]
    flow.start_targets = ("Which_Clock",)
    return flow.pairs()


def _tag(task: Task) -> str:
    return camel(task.stamps)


def _stamp(model: Model, flow: FlowBuilder, task: Task) -> str:
    """Get the deal while its clock is blank, then stamp it; returns the first step."""
    tag, deal_object = _tag(task), model.naming.salesforce_object
    clock = model.computed_field(CLOCKS[task.stamps]).salesforce_name
    marker = model.computed_field(MARKER).salesforce_name
    lookup = f"Get_Deal_{tag}"
    listed = fx.merge(f"{lookup}.{marker}")
    flow.formula(
        fe.formula(
            f"Clocks_Stamped_{tag}",
            "String",
            f'IF(ISBLANK({listed}), "{task.stamps}", {listed} & "{SEPARATOR}{task.stamps}")',
            f"Clocks Stamped with {task.stamps} added.",
        )
    )
    deal_id = fe.record_filter("Id", "EqualTo", fe.reference(f"{lookup}.Id"))
    blank = fe.record_filter(clock, "IsNull", fe.boolean(True))
    fault = flow._on_fault(None)
    update = flow._add(
        "recordUpdates",
        f"Stamp_{tag}",
        f"Stamp {CLOCKS[task.stamps]}",
        [
            ("connector", None),
            ("faultConnector", fe.connector(fault)),
            ("filterLogic", "and"),
            ("filters", [deal_id, blank]),
            (
                "inputAssignments",
                [
                    fe.field_value(clock, fe.reference("$Flow.CurrentDateTime")),
                    fe.field_value(marker, fe.reference(f"Clocks_Stamped_{tag}")),
                ],
            ),
            ("object", deal_object),
        ],
        (fault,),
    )
    found = flow.decision(
        f"Clock_Blank_{tag}",
        "Deal found, clock blank?",
        [fe.rule(f"Blank_{tag}", "Blank", [fe.is_null(f"{lookup}.Id", False)], update)],
        default_label="Set already",
    )
    return flow.lookup(
        lookup,
        "Get Deal",
        deal_object,
        [fe.record_filter("Id", "EqualTo", fe.reference("$Record.WhatId")), blank],
        found,
    )
