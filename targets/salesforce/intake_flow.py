"""The after-save intake flow: on Return, the on_intake_return tasks and notifications (the AE and the
Sales manager by default, due in 24 hours); on resubmission, the CSM is told the handoff is back.
The decision itself is recorded before the save (intake.py)."""

from __future__ import annotations

from handrail.specs.model import Model, Notification
from handrail.targets.salesforce import flow_elements as fe
from handrail.targets.salesforce.automation_flow import Actions
from handrail.targets.salesforce.intake import PENDING, RETURNED, intake_names
from handrail.targets.salesforce.managed_flow import managed_flow


def intake_flow(model: Model, status: str, api_version: str, notification_type: str) -> list | None:
    """The after-save flow: Return's tasks and notifications, and the CSM told of a resubmission."""
    returned = model.automation.on_intake_return
    flow = managed_flow(
        model,
        "Intake (After Save)",
        "When CS returns a handoff: tasks and notifications for Sales; when Sales resubmits it: the CSM is "
        "told.",
        status,
        api_version,
    )
    actions = Actions(model, flow, notification_type)
    n = intake_names(model)
    field = f"$Record.{n['intake_status']}"
    if not (returned.tasks or returned.notify):
        return None
    rules = []
    first = actions.steps(returned.tasks, returned.notify, "Returned")
    if first:
        rules.append(
            fe.rule(
                "Returned_To_Sales",
                "Returned to Sales",
                [fe.equals(field, RETURNED)],
                first,
                changed_to_meet=True,
            )
        )
    if model.csm_field:
        notice = Notification(
            to=("csm",),
            title="Handoff resubmitted: {deal}",
            body="Sales completed the handoff you returned and the Closed Won gates hold again. Accept or "
            "return it.",
            segments=tuple(s.key for s in model.segments),
        )
        step = actions.notification(notice, "Resubmitted_1", "Get_Notification_Type_Resubmitted", None)
        step = actions.with_notification_type("Resubmitted", step)
        rules.append(
            fe.rule(
                "Resubmitted",
                "Resubmitted to CS",
                [fe.equals(field, PENDING), fe.equals(f"$Record__Prior.{n['intake_status']}", RETURNED)],
                step,
            )
        )
    flow.decision(
        "Intake_Changed", "What did the intake status become?", rules, default_label="Nothing to do"
    )
    flow.start = [
        ("connector", fe.connector("Intake_Changed")),
        ("object", model.naming.salesforce_object),
        ("recordTriggerType", "Update"),
        ("triggerType", "RecordAfterSave"),
    ]
    flow.start_targets = ("Intake_Changed",)
    return flow.pairs()
