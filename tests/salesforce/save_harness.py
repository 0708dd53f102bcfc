"""A Salesforce save as the org runs it, for scenario tests: the before-save flow, then the validation
rules (a TRUE error condition refuses the whole save), then the after-save flows that the save starts
("Triggers and Order of Execution", Apex Developer Guide: before-save record-triggered flows run before
custom validation rules, after-save flows after the record is saved). The flows are the generated XML,
run by the flow interpreter; the rules are the generated formulas, run by the validation-formula
evaluator. The running user's custom permissions reach both ($Permission)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from helpers import SPECIFIC_HANDOFF
from salesforce.flow_interpreter import Flow, Run
from salesforce.validation_formula import Record, evaluate

from handrail.targets.salesforce import flows
from handrail.targets.salesforce.intake import rating_rule
from handrail.targets.salesforce.validation_rules import rule_components
from handrail.targets.salesforce.xml import metadata_xml

REP, BOSS, CSM = "005REP", "005BOSS", "005CSM"
GOOD = SPECIFIC_HANDOFF


class Org:
    """One Opportunity saved again and again, as Salesforce would save it."""

    def __init__(self, model):
        self.model = model
        built = {c.name: c for c in flows.components(model, {})}
        names = flows.flow_names(model)
        self.flows = {
            key: Flow.parse(metadata_xml("Flow", built[name].pairs))
            for key, name in names.items()
            if name in built
        }
        self.rules = {
            c.name.split(".", 1)[1]: dict(c.pairs) for c in [*rule_components(model), rating_rule(model)]
        }
        self.permissions = [model.gate_bypass.permission] if model.gate_bypass else []
        self.record: dict | None = None
        self.tasks: list[dict] = []
        self.notifications: list[tuple[list, str]] = []

    def save(self, now: dt.datetime, permissions: frozenset[str] = frozenset(), **changes) -> list[str]:
        """Save the deal with `changes` as a user holding `permissions`; the validation errors, [] when
        saved."""
        prior = self.record
        record = dict(prior or {}, **changes)
        score = Run(
            self.flows["score"], record, prior=prior, now=now, today=now.date(), permissions=permissions
        )
        record = score.run().record
        held = {f"$Permission.{p}": p in permissions for p in self.permissions}
        errors = [
            rule["errorMessage"]
            for rule in self.rules.values()
            if rule["active"] and evaluate(rule["errorConditionFormula"], Record({**record, **held}, prior))
        ]
        if errors:
            return errors  # the whole save is rolled back: the record stays as it was
        self.record = record
        for key in ("closed_won", "intake"):
            if key not in self.flows:
                continue
            after = Run(self.flows[key], dict(record), prior=prior, now=now, today=now.date())
            if not after.triggers():
                continue
            after.run()
            self.tasks += [values for sobject, values in after.created if sobject == "Task"]
            self.notifications += [(i["recipientIds"], i["title"]) for _, i in after.actions]
        return []


def new_deal(model) -> dict:
    f, c = model.field, model.computed_field
    record = {
        x.salesforce_name: (False if x.type == "checkbox" else None) for x in model.fields + model.computed
    }
    record.update({f(k).salesforce_name: v for k, v in GOOD.items()})
    record.update(
        {
            "Id": "006DEAL",
            "Name": "Acme",
            "OwnerId": REP,
            "Owner": {"ManagerId": BOSS},
            "StageName": "Commit",
            "Amount": Decimal(50000),
            "CloseDate": dt.date(2026, 6, 1),
            "CreatedDate": dt.datetime(2026, 1, 5, 9, tzinfo=dt.timezone.utc),
            "Type": "New Customer",
            f("csm").salesforce_name: CSM,
            "Handoff_Csm__r": {"ManagerId": "005CSMBOSS"},
        }
    )
    assert c("intake_status").salesforce_name in record
    return record
