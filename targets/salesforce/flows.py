"""Record-triggered flows: the before-save scoring flow and the after-save automation flows.

    <prefix>_Score_Before_Save         segment, score, completeness, tier, missing summary; Closed Won stamp
                                       and CSM
    <prefix>_Stage_Entry_After_Save    on_stage_entry tasks and notifications (only when the spec has some)
    <prefix>_Closed_Won_After_Save     the CSM's team access (team_access.py), on_closed_won tasks,
                                       notifications and SLA escalations (scheduled paths)
    <prefix>_Intake_After_Save         when CS returns a handoff: the on_intake_return tasks and
                                       notifications;
                                       when Sales resubmits it: the CSM is told (intake_flow.py)
    <prefix>_Contact_Roles_After_Save  on OpportunityContactRole: a contact role added or changed saves its
                                       deal again, so the score follows (only when a field is
                                       complete_when contacts; contact_roles_flow.py)
    <prefix>_Task_Clocks_After_Save    on Task: completing a generated Closed Won task stamps its deal's SLA
                                       clock (task_clock_flow.py)
    <prefix>_Recovery_*                an AE who leaves mid-handoff: the recovery owner and their task
                                       (only with playbook.ae_departure; recovery_flow.py)

plus the CustomNotificationType they notify with, and (when the flows deploy active) the Apex test
class that runs every flow path, which production orgs need to deploy flows as active (and, with the
contact-role flow, <prefix>_Contact_Roles_Test, which runs that one: apex_contact_roles.py).
"""

from __future__ import annotations

from handrail.specs.diagnostics import SpecError, error
from handrail.specs.model import Model
from handrail.targets.salesforce.apex_contact_roles import contact_roles_test_component
from handrail.targets.salesforce.apex_test import apex_test_component, open_stage
from handrail.targets.salesforce.automation_flow import closed_won_flow, stage_entry_flow
from handrail.targets.salesforce.components import Component
from handrail.targets.salesforce.contact_roles_flow import contact_fields, rescore_flow
from handrail.targets.salesforce.intake_flow import intake_flow
from handrail.targets.salesforce.notification_type import notification_type_component
from handrail.targets.salesforce.recovery_flow import recovery_flows
from handrail.targets.salesforce.score_flow import considered_fields, score_flow
from handrail.targets.salesforce.task_clock_flow import task_clock_flow

DEFAULT_API_VERSION = "63.0"
APEX_CLASS_MAX = 1_000_000  # characters in one Apex class
STATUS = {"active": "Active", "draft": "Draft"}


def flow_names(model: Model) -> dict[str, str]:
    prefix = model.naming.salesforce_prefix
    stem = f"{prefix}_" if prefix else "Handoff_"
    return {
        "score": f"{stem}Score_Before_Save",
        "stage_entry": f"{stem}Stage_Entry_After_Save",
        "closed_won": f"{stem}Closed_Won_After_Save",
        "contact_roles": f"{stem}Contact_Roles_After_Save",
        "intake": f"{stem}Intake_After_Save",
        "task_clocks": f"{stem}Task_Clocks_After_Save",
    }


def components(model: Model, options: dict) -> list[Component]:
    """Flows, the custom notification type and the Apex test class that covers the flows."""
    api_version = str(options.get("api_version") or DEFAULT_API_VERSION)
    status = STATUS[model.automation.flow_status]
    names = flow_names(model)
    notification = notification_type_component(model)
    score, problems = score_flow(model, status, api_version)
    if problems:
        raise SpecError(problems)
    flows = [Component("Flow", names["score"], tuple(score), source=None)]
    contacts = bool(contact_fields(model, considered_fields(model)))
    if contacts:
        rescore = rescore_flow(model, status, api_version)
        flows.append(Component("Flow", names["contact_roles"], tuple(rescore)))
    entry = stage_entry_flow(model, status, api_version, notification.name)
    if entry:
        flows.append(Component("Flow", names["stage_entry"], tuple(entry)))
    won = closed_won_flow(model, status, api_version, notification.name)
    if won:
        flows.append(Component("Flow", names["closed_won"], tuple(won)))
    intake = intake_flow(model, status, api_version, notification.name)
    if intake:
        flows.append(Component("Flow", names["intake"], tuple(intake)))
    clocks = task_clock_flow(model, status, api_version)
    if clocks:
        flows.append(Component("Flow", names["task_clocks"], tuple(clocks)))
    stem = names["score"].removesuffix("Score_Before_Save")
    for suffix, pairs in recovery_flows(model, status, api_version).items():  # playbook.ae_departure
        flows.append(Component("Flow", stem + suffix, tuple(pairs)))
    out = [*flows]
    if entry or won or intake:
        out.append(notification)
    if model.automation.flow_status == "active":
        test_class = apex_test_component(model, api_version, [c.name for c in flows])
        if len(test_class.content) > APEX_CLASS_MAX:
            raise SpecError(
                [
                    error(
                        "salesforce-limit",
                        f"the Apex test class for the flows would be {len(test_class.content):,} "
                        f"characters; Salesforce allows {APEX_CLASS_MAX:,} per class",
                        path="automation.flow_status",
                        span=model.fields[0].span if model.fields else None,
                        hint="deploy the flows as drafts (automation: {flow_status: draft}) and activate "
                        "them in Setup",
                    )
                ]
            )
        out.append(test_class)
        if contacts:  # the contact-role flow's own test
            out.append(
                contact_roles_test_component(model, api_version, open_stage(model), names["contact_roles"])
            )
    return out
