"""The after-save flows: what happens when a deal enters a stage, reaches Closed Won, or misses an SLA.

Stage entry   runs on every save; one decision outcome per stage with on_stage_entry, taken only on the
              save that moves the deal into that stage (or creates it there): tasks, then notifications.
Closed Won    runs only on the save that moves the deal to the closed-won stage: the CSM's team access
              (team_access.py), tasks, then notifications.
              Its scheduled paths escalate missed SLAs: one path per SLA and distinct SLA length (segments
              differ, e.g. 48 h against 72 h for partner deals), each checking on arrival that the deal is
              in one of that length's segments, still Closed Won, and still has no timestamp for the SLA.

Scheduled paths need the "only when updated to meet the conditions" start, and a deal can move from one
automated stage straight to another, so the two flows are separate. The CSM and the close time were set
by the before-save flow, so both are already on the record here. Recipients that are blank (no CSM, no
manager, a username that is not an active user) are skipped; a task falls back to the deal owner. Task
and notification failures are routed past, so they never roll back the rep's save.

Due dates without a `calendar:` in the spec: hours -> today + ceil(hours / 24) days; days -> today + days;
business days skip Saturdays and Sundays: from a weekend day counting starts on the Friday before, then
    due = start + n + 2 * FLOOR((WEEKDAY(start) - 2 + n) / 5)
With one, calendar_formulas.py counts in its time zone, working days, holidays and working hours.

A task or notification limited by `segments:`, `tiers:` or `pipelines:` sits behind one decision
(action_filter.py); other deals go straight on.
"""

from __future__ import annotations

import re

from handrail.specs.model import Due, Escalation, Model, Notification, Task
from handrail.specs.naming import camel
from handrail.targets.salesforce import flow_elements as fe
from handrail.targets.salesforce import formulas as fx
from handrail.targets.salesforce.action_filter import only_for
from handrail.targets.salesforce.calendar_formulas import CalendarFormulas
from handrail.targets.salesforce.flow_elements import FlowBuilder
from handrail.targets.salesforce.managed_flow import managed_flow
from handrail.targets.salesforce.pipeline_stages import stage_entered, start_filters
from handrail.targets.salesforce.score_flow import closed_won_stage
from handrail.targets.salesforce.sla_paths import (
    ROLE_LABELS,
    SLA_LABELS,
    SLA_TIMESTAMPS,
    SLA_UNITS,
    sla_groups,
    sla_offset,
)
from handrail.targets.salesforce.team_access import csm_team_steps, team_object

BUSINESS_DAY_START = "Business_Day_Start"


def slug(text: str) -> str:
    return camel(re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")) or "X"


class Actions:
    """Builds task and notification steps into a flow, each step given the name of the step after it."""

    def __init__(self, model: Model, flow: FlowBuilder, notification_type: str):
        self.model, self.flow, self.notification_type = model, flow, notification_type
        csm = model.csm_field
        self.refs = {"owner": "$Record.OwnerId", "owner_manager": "$Record.Owner.ManagerId"}
        if csm:
            self.refs["csm"] = f"$Record.{csm.salesforce_name}"
            self.refs["csm_manager"] = f"$Record.{csm.salesforce_name.removesuffix('__c')}__r.ManagerId"

    # Recipients ---------------------------------------------------------------------------------
    def _ref(self, who: str, tag: str) -> str:
        return self.refs.get(who) or f"{self._user_lookup_name(who, tag)}.Id"

    def _user_lookup_name(self, username: str, tag: str) -> str:
        return f"Get_User_{slug(username)}_{tag}"[: fe.API_NAME_MAX]

    def _with_user_lookups(self, people: tuple[str, ...], tag: str, then: str) -> str:
        """Look up the usernames among `people` (active users only) before `then`."""
        for who in reversed([p for p in people if p not in ROLE_LABELS]):
            then = self.flow.lookup(
                self._user_lookup_name(who, tag),
                f"Get {who}",
                "User",
                [
                    fe.record_filter("Username", "EqualTo", fe.string(who)),
                    fe.record_filter("IsActive", "EqualTo", fe.boolean(True)),
                ],
                then,
            )
        return then

    def _label(self, who: str) -> str:
        return ROLE_LABELS.get(who, who)

    # Tasks --------------------------------------------------------------------------------------
    def task(
        self, task: Task, tag: str, then: str | None, subject: str | None = None, due: str | None = None
    ) -> str:
        flow = self.flow
        due_name = flow.formula(
            fe.formula(
                f"Due_{tag}",
                "Date",
                due or self.due_expression(task),
                f"Due date: {task.due.describe()} from today.",
            )
        )
        owner = "$Record.OwnerId"
        if task.owner != "owner":
            owner = flow.formula(
                fe.formula(
                    f"Task_Owner_{tag}",
                    "String",
                    f"BLANKVALUE({fx.merge(self._ref(task.owner, tag))}, {fx.merge('$Record.OwnerId')})",
                    f"{self._label(task.owner)}, or the deal owner when blank.",
                )
            )
        values = [fe.field_value("ActivityDate", fe.reference(due_name))]
        if task.description:
            values.append(fe.field_value("Description", fe.string(task.description)))
        values += [
            fe.field_value("OwnerId", fe.reference(owner)),
            fe.field_value("Subject", fe.string(subject or task.subject)),
            fe.field_value("WhatId", fe.reference("$Record.Id")),
        ]
        create = flow.create(
            f"Create_Task_{tag}",
            f"Create Task: {subject or task.subject}"[:255],
            "Task",
            values,
            then,
            description=f"Owner: {self._label(task.owner)}; due {task.due.describe()}.",
        )
        first = self._with_user_lookups((task.owner,), tag, create)
        return only_for(self.flow, self.model, tag, first, then, task.segments, task.tiers, task.pipelines)

    def due_expression(self, task: Task) -> str:
        amount, unit = task.due.amount, task.due.unit
        if not self.model.calendar.is_default:  # the spec's calendar, compiled (calendar_formulas.py)
            return CalendarFormulas(self.flow, self.model.calendar).due(amount, unit)
        if amount == 0:
            return "TODAY()"
        if unit == "hours":
            return f"TODAY() + CEILING({amount} / 24)"
        if unit == "days":
            return f"TODAY() + {amount}"
        start = fx.merge(self._business_day_start())
        return f"{start} + {amount} + 2 * FLOOR((WEEKDAY({start}) - 2 + {amount}) / 5)"

    def _business_day_start(self) -> str:
        if not self.flow.has(BUSINESS_DAY_START):
            self.flow.formula(
                fe.formula(
                    BUSINESS_DAY_START,
                    "Date",
                    "TODAY() - CASE(WEEKDAY(TODAY()), 7, 1, 1, 2, 0)",
                    "Today, or the Friday before when today is a Saturday or Sunday: business days "
                    "count from here.",
                )
            )
        return BUSINESS_DAY_START

    # Notifications ------------------------------------------------------------------------------
    def notification(self, n: Notification, tag: str, type_lookup: str, then: str | None) -> str:
        flow = self.flow
        recipients = flow.variable(fe.collection_variable(f"Recipients_{tag}"))
        title = flow.text_template(fe.text_template(f"Title_{tag}", _merge_deal(n.title)))
        body = flow.text_template(fe.text_template(f"Body_{tag}", _merge_deal(n.body or n.title)))
        inputs = [
            fe.parameter("customNotifTypeId", fe.reference(f"{type_lookup}.Id")),
            fe.parameter("recipientIds", fe.reference(recipients)),
            fe.parameter("title", fe.reference(title)),
            fe.parameter("body", fe.reference(body)),
            fe.parameter("targetId", fe.reference("$Record.Id")),
        ]
        to = ", ".join(self._label(p) for p in n.to)
        step = flow.action(f"Notify_{tag}", f"Notify {to}"[:255], "customNotificationAction", inputs, then)
        if len(n.to) > 1:
            step = flow.decision(
                f"Has_Recipients_{tag}",
                "Anyone to notify?",
                [
                    fe.rule(
                        f"Recipients_Found_{tag}",
                        "Yes",
                        [fe.condition(recipients, "IsEmpty", fe.boolean(False))],
                        step,
                    )
                ],
                default=then,
                default_label="No one",
            )
        for who in reversed(n.to):
            after = step
            role = slug(who) if who not in ROLE_LABELS else camel(who)
            ref = self._ref(who, tag)
            add = flow.assignment(
                f"Add_{role}_{tag}"[: fe.API_NAME_MAX],
                f"Add {self._label(who)}",
                [fe.assign(recipients, fe.reference(ref), "Add")],
                after,
            )
            if who == "owner":
                step = add
            else:
                skip = then if len(n.to) == 1 else after
                step = flow.decision(
                    f"Has_{role}_{tag}"[: fe.API_NAME_MAX],
                    f"{self._label(who)} known?"[:255],
                    [
                        fe.rule(
                            f"Known_{role}_{tag}"[: fe.API_NAME_MAX], "Known", [fe.is_null(ref, False)], add
                        )
                    ],
                    default=skip,
                    default_label="Blank",
                )
        first = self._with_user_lookups(n.to, tag, step)
        return only_for(self.flow, self.model, tag, first, then, n.segments, n.tiers, n.pipelines)

    def with_notification_type(self, tag: str, first: str) -> str:
        """Look up the custom notification type's Id (notifications need it), then `first`."""
        return self.flow.lookup(
            f"Get_Notification_Type_{tag}",
            "Get Notification Type",
            "CustomNotificationType",
            [fe.record_filter("DeveloperName", "EqualTo", fe.string(self.notification_type))],
            first,
        )

    def steps(
        self,
        tasks: tuple[Task, ...],
        notifications: tuple[Notification, ...],
        tag: str,
        then: str | None = None,
    ) -> str | None:
        """Tasks, then notifications, for one path."""
        step = then
        for i, n in reversed(list(enumerate(notifications, 1))):
            step = self.notification(n, f"{tag}_{i}", f"Get_Notification_Type_{tag}", step)
        if notifications:
            step = self.with_notification_type(tag, step)
        for t in reversed(tasks):
            step = self.task(t, f"{tag}_{camel(t.key)}", step)
        return step


def _merge_deal(text: str) -> str:
    return text.replace("{deal}", "{!$Record.Name}")


def stage_entry_flow(model: Model, status: str, api_version: str, notification_type: str) -> list | None:
    entries: dict[str, tuple[list, list]] = {}
    for entry in model.automation.on_stage_entry:
        tasks, notes = entries.setdefault(entry.stage, ([], []))
        tasks += entry.tasks
        notes += entry.notify
    stages = [s for s in model.stages if s.key in entries and s.salesforce and any(entries[s.key])]
    if not stages:
        return None
    flow = managed_flow(
        model,
        "Stage Entry (After Save)",
        "Creates tasks and sends notifications when a deal enters a stage (on the save that moves it there).",
        status,
        api_version,
    )
    actions = Actions(model, flow, notification_type)
    rules = []
    for stage in stages:
        tasks, notes = entries[stage.key]
        tag = camel(stage.key)
        first = actions.steps(tuple(tasks), tuple(notes), tag)
        rules.append(
            fe.rule(
                f"Entered_{tag}",
                f"Entered {stage.label}",
                target=first,
                changed_to_meet=True,
                **stage_entered(model, stage),
            )
        )
    flow.decision("Which_Stage_Entered", "Which stage was entered?", rules, default_label="None")
    flow.start = [
        ("connector", fe.connector("Which_Stage_Entered")),
        ("object", model.naming.salesforce_object),
        ("recordTriggerType", "CreateAndUpdate"),
        ("triggerType", "RecordAfterSave"),
    ]
    flow.start_targets = ("Which_Stage_Entered",)
    return flow.pairs()


def closed_won_flow(model: Model, status: str, api_version: str, notification_type: str) -> list | None:
    won = model.automation.on_closed_won
    stage = closed_won_stage(model)
    if stage is None or not (won.tasks or won.notify or won.escalations or team_object(model)):
        return None
    flow = managed_flow(
        model,
        "Closed Won (After Save)",
        f"When a deal reaches {stage.label}: the handoff tasks and notifications, and escalations when an "
        "SLA passes unmet.",
        status,
        api_version,
    )
    actions = Actions(model, flow, notification_type)
    first = csm_team_steps(model, flow, actions.steps(won.tasks, won.notify, "Closed_Won"))
    paths = []
    for i, escalation in enumerate(won.escalations, 1):
        paths += _escalation_paths(model, actions, escalation, i, stage.salesforce)
    flow.start = [
        ("connector", fe.connector(first)),
        ("doesRequireRecordChangedToMeetCriteria", True),
        *start_filters(model, stage),
        ("object", model.naming.salesforce_object),
        ("recordTriggerType", "CreateAndUpdate"),
        ("scheduledPaths", paths or None),
        ("triggerType", "RecordAfterSave"),
    ]
    flow.start_targets = tuple(t for t in (first, *(dict(p)["connector"][0][1] for p in paths)) if t)
    return flow.pairs()


def _escalation_paths(
    model: Model, actions: Actions, escalation: Escalation, number: int, won_stage: str
) -> list:
    anchor = (
        model.computed_field("closed_won_at").salesforce_name
        if model.automation.on_closed_won.stamp_close_time
        else None
    )
    timestamp = f"$Record.{model.computed_field(SLA_TIMESTAMPS[escalation.sla]).salesforce_name}"
    segment = f"$Record.{model.computed_field('segment').salesforce_name}"
    what = SLA_LABELS[escalation.sla]
    unit_word = SLA_UNITS.get(escalation.sla, "hours")
    everyone = tuple(s.key for s in model.segments)  # the path's own decision checks the segment
    paths = []
    groups = sla_groups(model, escalation.sla)
    every_segment = sum(len(keys) for _, keys in groups) == len(model.segments)
    for value, keys in groups:
        tag = f"Escalation_{number}_{camel(escalation.sla)}_{value}"
        message = escalation.message or f"{what} SLA of {value} {unit_word} missed."
        notice = Notification(to=escalation.to, title="SLA missed: {deal}", body=message, segments=everyone)
        step = actions.notification(notice, tag, f"Get_Notification_Type_{tag}", None)
        step = actions.with_notification_type(tag, step)
        task = Task(
            key=tag,
            subject=message[:255],
            description=f"{what} SLA: {value} {unit_word} after Closed Won.",
            owner=escalation.to[0],
            due=Due(0, "days"),
            segments=everyone,
        )
        step = actions.task(task, f"{tag}_Task", step)
        conditions = [fe.equals("$Record.StageName", won_stage), fe.is_null(timestamp)]
        logic = "and"
        if len(groups) > 1 or not every_segment:
            conditions += [fe.equals(segment, k) for k in keys]
            logic = fe.any_of_logic(len(keys), before=2)
        check = actions.flow.decision(
            f"Sla_Missed_{tag}",
            f"{what} still missing?",
            [fe.rule(f"Missed_{tag}", "Missed", conditions, step, logic=logic)],
            default_label="Met",
        )
        offset, unit = sla_offset(escalation.sla, value, model.calendar)
        paths.append(
            fe.scheduled_path(
                f"After_{tag}", f"{what} SLA: {value} {unit_word}"[:255], check, offset, unit, anchor
            )
        )
    return paths
