"""The flows that give an open handoff a recovery owner when its AE leaves (playbook.ae_departure).

A handoff is open from Closed Won until CS accepts it (intake status not Accepted).

    <prefix>_Recovery_Before_Save     the owner of an open handoff changes: the recovery owner is set on
                                      the same save (the former owner's manager by default, read from the
                                      former owner's User record)
    <prefix>_Recovery_Inactive_Owner  daily, for open handoffs without a recovery owner: when the owner's
                                      user is deactivated, the recovery owner is set (their manager by
                                      default); a flow cannot start on a User's deactivation for another
                                      object's records, so a schedule looks for them
    <prefix>_Recovery_After_Save      the recovery owner is set or changes (by either flow, or by hand): a
                                      task for them, due as the spec says (7 days by default)

Flows only, no Apex. A recovery owner the flows cannot find (a username that is not an active user, a
manager field that is blank) falls back to the deal's current owner on an owner change, and leaves the
deal for the next day's run when the owner is inactive.
"""

from __future__ import annotations

from handrail.specs.model import Model
from handrail.specs.playbook import AeDeparture
from handrail.targets.salesforce import flow_elements as fe
from handrail.targets.salesforce import formulas as fx
from handrail.targets.salesforce.automation_flow import Actions, slug
from handrail.targets.salesforce.flow_elements import FlowBuilder
from handrail.targets.salesforce.managed_flow import managed_flow
from handrail.targets.salesforce.pipeline_stages import start_filters
from handrail.targets.salesforce.score_flow import closed_won_stage
from handrail.targets.salesforce.sla_paths import ROLE_LABELS

SCHEDULE_START = ("2026-01-01", "06:00:00.000Z")  # daily, at 06:00 UTC
FORMER_OWNER = "Get_Former_Owner"
RECOVERY = "Recovery_Owner"


def recovery_flows(model: Model, status: str, api_version: str) -> dict[str, list]:
    """Flow name suffix -> the flow's pairs; none without playbook.ae_departure or a Closed Won stage."""
    departure, won = model.playbook.ae_departure, closed_won_stage(model)
    if departure is None or won is None:
        return {}
    return {
        "Recovery_Before_Save": _owner_change(model, departure, status, api_version),
        "Recovery_Inactive_Owner": _inactive_owner(model, departure, status, api_version),
        "Recovery_After_Save": _recovery_task(model, departure, status, api_version),
    }


def _field(model: Model, key: str) -> str:
    return model.computed_field(key).salesforce_name


def _recovery_ref(model: Model, flow: FlowBuilder, who: str, manager: str, then: str) -> tuple[str, str]:
    """(a reference to the recovery owner's user Id, the first step that reads it before `then`)."""
    if who == "owner_manager":
        return manager, then
    if who in ROLE_LABELS:  # owner, csm, csm_manager: read from the deal as notifications read them
        return Actions(model, flow, "").refs.get(who, "$Record.OwnerId"), then
    lookup = f"Get_User_{slug(who)}"[: fe.API_NAME_MAX]
    filters = [
        fe.record_filter("Username", "EqualTo", fe.string(who)),
        fe.record_filter("IsActive", "EqualTo", fe.boolean(True)),
    ]
    return f"{lookup}.Id", flow.lookup(lookup, f"Get {who}", "User", filters, then)


def _owner_change(model: Model, departure: AeDeparture, status: str, api_version: str) -> list:
    flow = managed_flow(
        model,
        "Recovery (Before Save)",
        "When the owner of an open handoff changes, sets its recovery owner.",
        status,
        api_version,
    )
    recovery = _field(model, "recovery_owner")
    # the former owner's manager, else the new owner's, else the new owner
    manager = f"{FORMER_OWNER}.ManagerId"
    fallback = "BLANKVALUE({!$Record.Owner.ManagerId}, {!$Record.OwnerId})"
    assign = flow.assignment(
        "Set_Recovery_Owner",
        "Set the Recovery Owner",
        [fe.assign(f"$Record.{recovery}", fe.reference(RECOVERY))],
        None,
    )
    ref, first = _recovery_ref(model, flow, departure.recovery_owner, manager, assign)
    flow.formula(
        fe.formula(
            RECOVERY,
            "String",
            f"BLANKVALUE({fx.merge(ref)}, {fallback})",
            f"{ROLE_LABELS.get(departure.recovery_owner, departure.recovery_owner)} of the handoff, else the "
            "deal owner's manager, else the deal owner.",
        )
    )
    former = flow.lookup(
        FORMER_OWNER,
        "Get the Former Owner",
        "User",
        [fe.record_filter("Id", "EqualTo", fe.reference("$Record__Prior.OwnerId"))],
        first,
    )
    intake = _field(model, "intake_status")
    flow.decision(
        "Owner_Changed",
        "Owner changed mid-handoff?",
        [
            fe.rule(
                "Owner_Changed_Mid_Handoff",
                "Changed",
                [
                    fe.condition("$Record.OwnerId", "NotEqualTo", fe.reference("$Record__Prior.OwnerId")),
                    fe.condition(f"$Record.{intake}", "NotEqualTo", fe.string("Accepted")),
                ],
                former,
            )
        ],
        default_label="No",
    )
    won = closed_won_stage(model)
    flow.start = [
        ("connector", fe.connector("Owner_Changed")),
        *start_filters(model, won),
        ("object", model.naming.salesforce_object),
        ("recordTriggerType", "Update"),
        ("triggerType", "RecordBeforeSave"),
    ]
    flow.start_targets = ("Owner_Changed",)
    return flow.pairs()


def _inactive_owner(model: Model, departure: AeDeparture, status: str, api_version: str) -> list:
    flow = managed_flow(
        model,
        "Recovery (Inactive Owner, Daily)",
        "Every day: open handoffs whose owner was deactivated get a recovery owner.",
        status,
        api_version,
    )
    recovery = _field(model, "recovery_owner")
    update = flow.update_record(
        "Save_Recovery_Owner",
        "Save the Recovery Owner",
        [fe.field_value(recovery, fe.reference(RECOVERY))],
        None,
    )
    ref, first = _recovery_ref(
        model, flow, departure.recovery_owner, "$Record.Owner.ManagerId", "Inactive_Owner"
    )
    flow.formula(
        fe.formula(
            RECOVERY,
            "String",
            fx.merge(ref),
            f"{ROLE_LABELS.get(departure.recovery_owner, departure.recovery_owner)} of the handoff.",
        )
    )
    flow.decision(
        "Inactive_Owner",
        "Owner deactivated?",
        [
            fe.rule(
                "Owner_Inactive",
                "Inactive",
                [
                    fe.condition("$Record.Owner.IsActive", "EqualTo", fe.boolean(False)),
                    fe.is_null(RECOVERY, False),
                ],
                update,
            )
        ],
        default_label="Active",
    )
    won = closed_won_stage(model)
    stage_logic, stage_filters = (value for _, value in start_filters(model, won))
    count = len(stage_filters)
    stages = f"({' OR '.join(str(i) for i in range(1, count + 1))})" if count > 1 else "1"
    date, time = SCHEDULE_START
    flow.start = [
        ("connector", fe.connector(first)),
        ("filterLogic", f"{stages} AND {count + 1} AND {count + 2}"),
        (
            "filters",
            [
                *stage_filters,
                fe.record_filter(_field(model, "intake_status"), "NotEqualTo", fe.string("Accepted")),
                fe.record_filter(recovery, "IsNull", fe.boolean(True)),
            ],
        ),
        ("object", model.naming.salesforce_object),
        ("schedule", [("frequency", "Daily"), ("startDate", date), ("startTime", time)]),
        ("triggerType", "Scheduled"),
    ]
    flow.start_targets = (first,)
    return flow.pairs()


def _recovery_task(model: Model, departure: AeDeparture, status: str, api_version: str) -> list:
    flow = managed_flow(
        model,
        "Recovery (After Save)",
        "When a handoff gets a recovery owner, creates their task.",
        status,
        api_version,
    )
    field = _field(model, "recovery_owner")
    recovery = f"$Record.{field}"
    task = departure.task(())
    actions = Actions(model, flow, "")
    subject = flow.formula(
        fe.formula(
            "Task_Subject", "String", '"Recover the handoff: " & {!$Record.Name}', "The task's subject."
        )
    )
    due = flow.formula(
        fe.formula("Task_Due", "Date", actions.due_expression(task), f"Due {task.due.describe()} from today.")
    )
    create = flow.create(
        "Create_Recovery_Task",
        "Create the Recovery Task",
        "Task",
        [
            fe.field_value("ActivityDate", fe.reference(due)),
            fe.field_value("Description", fe.string(task.description)),
            fe.field_value("OwnerId", fe.reference(recovery)),
            fe.field_value("Subject", fe.reference(subject)),
            fe.field_value("WhatId", fe.reference("$Record.Id")),
        ],
        None,
        description=f"Owner: the recovery owner; due {task.due.describe()}.",
    )
    flow.decision(
        "Recovery_Owner_Set",
        "Recovery owner newly set?",
        [
            fe.rule(
                "New_Recovery_Owner",
                "Set",
                [
                    fe.is_null(recovery, False),
                    fe.condition(recovery, "NotEqualTo", fe.reference(f"$Record__Prior.{field}")),
                ],
                create,
            )
        ],
        default_label="No",
    )
    flow.start = [
        ("connector", fe.connector("Recovery_Owner_Set")),
        ("object", model.naming.salesforce_object),
        ("recordTriggerType", "Update"),
        ("triggerType", "RecordAfterSave"),
    ]
    flow.start_targets = ("Recovery_Owner_Set",)
    return flow.pairs()
