"""A deal in a portal that runs every generated workflow the way HubSpot enrols deals in list-based
workflows: a deal enrols when it first meets a workflow's criteria, and again only when a change fires one
of its re-enrollment triggers (developers.hubspot.com/docs/api-reference/automation-automation-v4-v4/guide,
"reEnrollmentTriggersFilterBranches"; the property-changed event branch shape is the one the reference
README's Corrections give). Property changes a workflow makes can enrol the deal in other workflows."""

from __future__ import annotations

from hubspot_records import HubSpotDeal
from workflow_run import enrolled_on_change, enrolls, reenrolled_by, run

from handrail.targets.hubspot.flows import flows

NOW = "1772641800000"  # 2026-03-04 16:30 UTC, the time a workflow stamps


class Portal:
    def __init__(self, model, record: dict):
        self.model = model
        self.flows = {f.key: f.body for f in flows(model)}
        self.record = HubSpotDeal(model, record).record
        self.enrolled: set[str] = set()
        self.tasks: list[dict] = []
        self.emails: list[dict] = []
        self.ran: list[str] = []

    def edit(self, **changes) -> None:
        """A person's edit, then every workflow it enrols the deal in, until nothing more happens."""
        pending = list(changes.items())
        self._apply(changes)
        for _ in range(20):
            if not pending:
                return
            changed, pending = pending, []
            for key, flow in self.flows.items():
                values = [(p, str(v).lower() if isinstance(v, bool) else str(v)) for p, v in changed]
                if flow["enrollmentCriteria"]["type"] == "EVENT_BASED":  # enrols on each event
                    if not any(enrolled_on_change(flow, self.record, p, v) for p, v in values):
                        continue
                elif not enrolls(flow, self.record):
                    continue
                elif key in self.enrolled and not any(reenrolled_by(flow, p, v) for p, v in values):
                    continue
                self.enrolled.add(key)
                self.ran.append(key)
                for action, fields in run(flow, self.record):
                    if action == "0-5":
                        value = fields["value"]
                        new = value["staticValue"] if value["type"] == "STATIC_VALUE" else NOW
                        self._apply({fields["property_name"]: new})
                        pending.append((fields["property_name"], new))
                    elif action == "0-3":
                        self.tasks.append(fields)
                    elif action == "0-8":
                        self.emails.append(fields)
        raise AssertionError("the workflows never settle")

    def _apply(self, changes: dict) -> None:
        self.record = HubSpotDeal(self.model, {**self.record, **changes}).record


def deal_record(model, values: dict, amount: str) -> dict:
    """A new-business deal in Contract sent (`values` by spec field key), with a CSM and an owner."""
    f = model.field
    record = {f(k).hubspot_name: v for k, v in values.items()}
    record.update(
        {
            "amount_in_home_currency": amount,
            "dealtype": "newbusiness",
            "createdate": "1767225600000",
            "closedate": "1772582400000",
            f("partner_sourced").hubspot_name: "false",
            f("csm").hubspot_name: "7001",
            "hubspot_owner_id": "7002",
            "dealstage": "contractsent",
        }
    )
    return record
