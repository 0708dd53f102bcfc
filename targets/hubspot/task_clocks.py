"""The SLA clocks that stamp themselves, as far as HubSpot's documented workflow API goes.

Salesforce stamps each clock when its generated task is completed (task_clock_flow.py). The Automation v4
API documents deal workflows (objectTypeId 0-3) with set-property actions on the enrolled deal; it
documents no task-completion trigger that updates the task's deal, so HubSpot stamps one clock:

    first_touch   workflow `clock-first-touch`, event-based: the deal's Last Contacted
                  (`notes_last_contacted`, which HubSpot sets when a call, sales email or meeting is logged
                  for a contact of the deal) changes while the deal is won and First CS Touch At is blank:
                  First CS Touch At := the time the workflow runs, and Clocks Stamped := first_touch

It runs only when a Closed Won task stamps first_touch (the spec asks for that clock). Internal handoff
and kickoff stay typed by hand in HubSpot, and `audit` counts them as such; CAPABILITIES.md says so.
"""

from __future__ import annotations

from typing import Any

from handrail.generators.plan.resources import Origin
from handrail.specs.clocks import CLOCKS, MARKER
from handrail.specs.diagnostics import Diagnostic, warning
from handrail.specs.model import Model
from handrail.targets.hubspot import actions as act
from handrail.targets.hubspot import filters as flt
from handrail.targets.hubspot.flow_graph import lay_out
from handrail.targets.hubspot.flows import Flow, _flow
from handrail.targets.hubspot.stages import closed_won_stage, stage_ids
from handrail.targets.hubspot.vocabulary import STAGE_PROPERTY

KEY = "clock-first-touch"
LAST_CONTACTED = "notes_last_contacted"  # HubSpot's deal property (Last Contacted)


def first_touch_task(model: Model):
    return next((t for t in model.automation.on_closed_won.tasks if t.stamps == "first_touch"), None)


def clock_flows(model: Model) -> list[Flow]:
    task, won = first_touch_task(model), closed_won_stage(model)
    if task is None or won is None or not won.hubspot:
        return []
    clock = model.computed_field(CLOCKS["first_touch"]).hubspot_name
    marker = model.computed_field(MARKER).hubspot_name
    start, actions = lay_out([act.stamp(clock), act.set_static(marker, "first_touch")], "", {})
    return [
        Flow(
            KEY,
            _flow(
                model,
                KEY,
                "First CS touch from logged activity",
                f"Stamps the first CS touch of a {won.label} deal when the first call, e-mail or meeting "
                "is logged for its contacts after close (the deal's Last Contacted changes).",
                True,
                _enrollment(model, stage_ids(model, won), clock),
                start,
                actions,
            ),
            task.span,
            Origin("flow", KEY, task.span),
        )
    ]


def _enrollment(model: Model, won_ids: list[str], clock: str) -> dict[str, Any]:
    contacted = flt.changed_to(LAST_CONTACTED, [])
    contacted["filters"] = [f for f in contacted["filters"] if f["property"] == "hs_name"]  # any new value
    return {
        "type": "EVENT_BASED",
        "shouldReEnroll": True,
        "eventFilterBranches": [contacted],
        "listMembershipFilterBranches": [],
        "refinementCriteria": flt.either(
            [flt.branch([flt.any_of(STAGE_PROPERTY, won_ids), flt.unknown(clock)])]
        ),
    }


def check(model: Model) -> list[Diagnostic]:
    """`validate --target hubspot`: a task whose completion HubSpot cannot turn into its clock."""
    return [
        warning(
            "hubspot-task-clock",
            f"HubSpot workflows cannot stamp {CLOCKS[t.stamps]} when task '{t.key}' is completed: CS "
            "types it (audit counts it as entered by hand)"
            + (
                "; the clock is stamped when the won deal's first contact activity is logged instead"
                if t.stamps == "first_touch"
                else ""
            ),
            path=f"automation.on_closed_won.tasks[{i}]",
            span=t.span,
            hint="Salesforce stamps it on completion; see CAPABILITIES.md",
        )
        for i, t in enumerate(model.automation.on_closed_won.tasks)
        if t.stamps
    ]


def capability_rows(model: Model) -> list[list[str]]:
    """CAPABILITIES.md rows for the clocks (spec feature, HubSpot, how exact)."""
    stamping = [t for t in model.automation.on_closed_won.tasks if t.stamps]
    if not stamping:
        return []
    marker = model.computed_field(MARKER).hubspot_name
    typed = [
        f"`{model.computed_field(CLOCKS[t.stamps]).hubspot_name}`"
        for t in stamping
        if t.stamps != "first_touch"
    ]
    rows = []
    if first_touch_task(model):
        rows.append(
            [
                "SLA clocks: first CS touch",
                f"Workflow `{KEY}` stamps it when the won deal's Last Contacted (`{LAST_CONTACTED}`) changes "
                f"while it is blank (a call, sales e-mail or meeting logged for the deal's contacts), and "
                f"records it in `{marker}`; completing the welcome task does not stamp it",
                "approximate: the first logged contact activity after close, not the task's completion",
            ]
        )
    if typed:
        rows.append(
            [
                "SLA clocks: internal handoff, kickoff",
                f"Not stamped: workflows cannot enrol on a task's completion and update its deal through the "
                f"documented v4 API; CS types {', '.join(typed)} and `audit` counts them as entered by hand",
                "by hand (Salesforce's Task flow stamps them on completion)",
            ]
        )
    return rows
