"""Workflow actions: set a property, create a task, e-mail people, wait; and who the people are.

HubSpot identifies people by owner id (owner properties, task owners) or user id (notification
recipients); the spec names them by role or username. Roles that live on the deal (its owner, its CSM)
become owner properties. Usernames become placeholders, `${owner:EMAIL}` and `${user:EMAIL}`, that
apply resolves through the Owners API. HubSpot users have no manager, so `csm_manager` and
`owner_manager` become role placeholders an admin binds to a user (see manual-steps.json).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any

from handrail.generators.rules.scoring import TIER_LABELS
from handrail.specs.calendar import BusinessCalendar
from handrail.specs.model import Due, Model, Task
from handrail.specs.pipelines import pipelines_of
from handrail.targets.hubspot.calendar_timing import task_due
from handrail.targets.hubspot.vocabulary import (
    CREATE_TASK,
    DEAL_NAME_PROPERTY,
    DELAY,
    INTERNAL_EMAIL,
    OWNER_PROPERTY,
    PIPELINE_PROPERTY,
    SET_PROPERTY,
    TASK_TO_DEAL_ASSOCIATION,
)

MANAGER_ROLES = ("csm_manager", "owner_manager")
_TOKEN = re.compile(r"\{(deal|score|tier|segment|missing)\}")


@dataclass(frozen=True)
class Step:
    """One built-in action: its type id and fields."""

    action_type: str
    fields: dict[str, Any]


@dataclass(frozen=True)
class IfEmpty:
    """Run `then` only while `prop` has no value (a LIST_BRANCH), then carry on."""

    prop: str
    then: tuple[Step, ...]
    label: str


@dataclass(frozen=True)
class IfAnyOf:
    """Run `then` only while `prop` has one of `values` (a STATIC_BRANCH on it, as on the segment), then
    carry on; any other value, or none, goes straight on by the default branch."""

    prop: str
    values: tuple[str, ...]
    then: tuple[Step, ...]
    label: str  # the default branch's name


@dataclass(frozen=True)
class Choose:
    """A LIST_BRANCH: `then` for deals matching `when` (an OR of AND filter branches), else `otherwise`;
    both paths carry on to what follows."""

    when: dict[str, Any]
    then: tuple[Any, ...]
    otherwise: tuple[Any, ...]
    label: str


def for_tiers(model: Model, tiers: tuple[str, ...], step: Step) -> Step | IfAnyOf:
    """`step` for deals whose handoff tier (the calculated property, read when the step is reached) is one
    of `tiers`; the bare step when there are none or they cover every tier."""
    if not tiers or set(tiers) >= set(TIER_LABELS):
        return step
    labels = tuple(label for key, label in TIER_LABELS.items() if key in tiers)
    return IfAnyOf(model.computed_field("tier").hubspot_name, labels, (step,), "Other tier")


def for_pipelines(model: Model, keys: tuple[str, ...], step: Step | IfAnyOf) -> Step | IfAnyOf:
    """`step` for deals of the pipelines `keys` (a STATIC_BRANCH on the deal's `pipeline`); the bare step
    when there are none or they cover every pipeline. A default pipeline the spec gives no HubSpot id is
    the portal's built-in one, whose id is "default"."""
    every = pipelines_of(model)
    chosen = [p for p in every if p.key in keys]
    if not keys or len(chosen) == len(every):
        return step
    # A pipeline with no HubSpot id is not in the portal: its key matches no deal.
    ids = tuple(p.hubspot_id or ("default" if p.default else p.key) for p in chosen)
    return IfAnyOf(PIPELINE_PROPERTY, ids, (step,), "Other pipeline")


def owner_placeholder(who: str) -> str:
    return "${owner:" + who + "}"


def user_placeholder(who: str) -> str:
    return "${user:" + who + "}"


def owner_property(model: Model, who: str) -> str | None:
    """The deal property holding this person, when the spec names a role that lives on the deal."""
    if who == "owner":
        return OWNER_PROPERTY
    if who == "csm" and model.csm_field:
        return model.csm_field.hubspot_name
    return None


def placeholders(model: Model) -> list[tuple[str, str]]:
    """Every (placeholder, person) the generated workflows use, in a stable order."""
    won = model.automation.on_closed_won
    returned = model.automation.on_intake_return
    tasks = list(won.tasks) + [t for e in model.automation.on_stage_entry for t in e.tasks]
    tasks += returned.tasks
    if model.playbook.ae_departure:  # the recovery task (targets.hubspot.recovery)
        tasks.append(model.playbook.ae_departure.task(()))
    notes = [n.to for n in won.notify] + [n.to for e in model.automation.on_stage_entry for n in e.notify]
    notes += [n.to for n in returned.notify]
    notes += [e.to for e in won.escalations]
    owners = {a.assign for a in won.assign_csm if a.assign} | {t.owner for t in tasks}
    users = {who for group in notes for who in group} | {who for a in won.assign_csm for who in a.pool}
    return [(owner_placeholder(w), w) for w in sorted(owners) if owner_property(model, w) is None] + [
        (user_placeholder(w), w) for w in sorted(users) if owner_property(model, w) is None
    ]


def text(model: Model, template: str) -> str:
    """Spec text with {deal}, {score}, {tier}, {segment}, {missing} as HubSpot personalisation tokens."""
    names = {
        "deal": DEAL_NAME_PROPERTY,
        "score": model.computed_field("score").hubspot_name,
        "tier": model.computed_field("tier").hubspot_name,
        "segment": model.computed_field("segment").hubspot_name,
        "missing": model.computed_field("missing_summary").hubspot_name,
    }
    return _TOKEN.sub(lambda m: "{{ enrolled_object." + names[m.group(1)] + " }}", template)


def paragraphs(model: Model, *parts: str) -> str:
    """HTML body: spec text is escaped, then tokens are substituted."""
    return "".join(f"<p>{text(model, html.escape(p, quote=False))}</p>" for p in parts if p)


def set_value(prop: str, value: dict[str, Any]) -> Step:
    return Step(SET_PROPERTY, {"property_name": prop, "value": value})


def set_static(prop: str, value: str) -> Step:
    return set_value(prop, {"type": "STATIC_VALUE", "staticValue": value})


def stamp(prop: str) -> Step:
    return set_value(prop, {"type": "TIMESTAMP", "timestampType": "EXECUTION_TIME"})


def delay(minutes: int) -> Step:
    return Step(DELAY, {"delta": str(minutes), "time_unit": "MINUTES"})


def calendar_days(business_days: int) -> int:
    """Business days as calendar days: exact for multiples of five started on a weekday, else up to 2 days
    late."""
    return business_days + 2 * -(-business_days // 5)


def due_time(due: Due, calendar: BusinessCalendar = BusinessCalendar()) -> dict[str, Any]:
    if not calendar.is_default:
        return task_due(due, calendar)
    if due.unit == "hours":
        return {"delta": due.amount, "timeUnit": "HOURS"}
    days = due.amount if due.unit == "days" else calendar_days(due.amount)
    return {"delta": days, "timeUnit": "DAYS"}


def assignee(model: Model, who: str) -> dict[str, Any]:
    prop = owner_property(model, who)
    if prop:
        return {"type": "CUSTOM", "value": {"type": "OBJECT_PROPERTY", "propertyName": prop}}
    return {"type": "CUSTOM", "value": {"type": "STATIC_VALUE", "staticValue": owner_placeholder(who)}}


def create_task(model: Model, task: Task) -> Step:
    return Step(
        CREATE_TASK,
        {
            "task_type": "TODO",
            "subject": text(model, task.subject),
            "body": paragraphs(
                model, task.description, f"Due {task.due.describe()} after the trigger. Created by Handrail."
            ),
            "priority": "HIGH" if task.due.unit == "hours" else "MEDIUM",
            "associations": [
                {
                    "target": {
                        "associationCategory": "HUBSPOT_DEFINED",
                        "associationTypeId": TASK_TO_DEAL_ASSOCIATION,
                    },
                    "value": {"type": "ENROLLED_OBJECT"},
                }
            ],
            "use_explicit_associations": "true",
            "owner_assignment": assignee(model, task.owner),
            "due_time": due_time(task.due, model.calendar),
        },
    )


def notify(model: Model, recipients: tuple[str, ...], subject: str, body: str) -> Step:
    fields: dict[str, Any] = {"subject": text(model, subject), "body": body}
    props = [p for p in (owner_property(model, who) for who in recipients) if p]
    users = [user_placeholder(who) for who in recipients if owner_property(model, who) is None]
    if props:
        fields["owner_properties"] = props
    if users:
        fields["user_ids"] = users
    return Step(INTERNAL_EMAIL, fields)
