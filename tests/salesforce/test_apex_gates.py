"""Every save the generated Apex test class makes passes every gate's validation rule.

A validation rule that fires fails the insert or update with a DmlException, which fails the test, which
fails a production deploy that runs tests (flows deploy active to production only with Apex tests that
cover them). Each insert and update of the class is replayed here: the before-save flow runs in the flow
interpreter (no active users, as in a test org: assignment rules find no one), then every active rule's
error condition is evaluated on the result with the validation-rule evaluator. None may fire.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest
from helpers import EXAMPLE_SPEC, ROOT
from salesforce.flow_cases import type_value
from salesforce.flow_interpreter import Flow, Run
from salesforce.validation_formula import Record, evaluate

from handrail.specs.model import NUMBER_TYPES
from handrail.specs.validate import load_spec
from handrail.targets.salesforce.apex_scenarios import NOW, RUNNING_USER, TODAY, needs
from handrail.targets.salesforce.apex_test import ApexTestWriter, Save
from handrail.targets.salesforce.score_flow import score_flow
from handrail.targets.salesforce.validation_rules import rule_components
from handrail.targets.salesforce.xml import metadata_xml

SPECS = [EXAMPLE_SPEC] + sorted((ROOT / "tests" / "specs").glob("*.yaml"))
DAY = dt.date(2026, 3, 4)
PLACEHOLDERS = {
    TODAY: DAY,
    NOW: dt.datetime(2026, 3, 4, 12, tzinfo=dt.timezone.utc),
    RUNNING_USER: "005RUNNING",
}


def active(model):
    return dataclasses.replace(model, automation=dataclasses.replace(model.automation, flow_status="active"))


def written(model) -> ApexTestWriter:
    writer = ApexTestWriter(model, "Checked_Test", [])
    writer.source()
    return writer


def salesforce_value(f, value):
    value = PLACEHOLDERS.get(value, value) if isinstance(value, str) else value
    if f.type == "checkbox":
        return bool(value)
    if f.type in NUMBER_TYPES and value is not None:
        return Decimal(str(value))
    return value


def record_of(model, save: Save, before: dict | None) -> dict:
    """The Opportunity as the class saves it: the last saved state, with the class's changes."""
    record = (
        dict(before)
        if before
        else {
            f.salesforce_name: (False if f.type == "checkbox" else None)
            for f in model.fields + model.computed
        }
    )
    record.update(
        {
            "Amount": Decimal(str(save.attrs.acv)),
            "StageName": save.stage,
            "OwnerId": "005OWNER",
            "Type": type_value(model, save.attrs.deal_type),
            "CloseDate": DAY + dt.timedelta(days=save.attrs.cycle_days),
            "CreatedDate": None if before is None else dt.datetime(2026, 3, 4, 9, tzinfo=dt.timezone.utc),
            "RecordType.DeveloperName": "",  # the class's deals have no record type: the default pipeline
        }
    )
    for f in model.fields:
        record[f.salesforce_name] = salesforce_value(f, save.values.get(f.key))
    return record


def replay(model, saves: list[Save]):
    """Yield (save, record after the before-save flow, record before the save or None, fired rules)."""
    flow = Flow.parse(metadata_xml("Flow", score_flow(model, "Active", "63.0")[0]))
    rules = [(c.name, dict(c.pairs)) for c in rule_components(model)]
    saved: dict[tuple[str, str], dict] = {}
    for save in saves:
        prior = saved.get((save.method, save.deal))
        record = Run(flow, record_of(model, save, prior), prior=prior, today=DAY, users={}).run().record
        fired = [
            name
            for name, rule in rules
            if rule["active"] and evaluate(rule["errorConditionFormula"], Record(record, prior))
        ]
        saved[(save.method, save.deal)] = record
        yield save, record, prior, fired


@pytest.mark.parametrize("spec", SPECS, ids=lambda p: p.stem)
def test_no_save_of_the_apex_test_class_fires_a_gate(spec):
    model = active(load_spec(spec).model)
    writer = written(model)
    assert {s.method for s in writer.saves} == set(
        __import__("re").findall(r"static void (\w+)\(\)", writer.source())
    ) - {""}
    for save, _, prior, fired in replay(model, writer.saves):
        what = f"{save.method}: {'update' if prior else 'insert'} into {save.stage}"
        assert fired == [], f"{what} fails on {fired}"


def test_the_gated_spec_exercises_every_field_type_through_its_gates():
    """Saves that enter gates requiring each field type, the partner checkbox and the CSM among them."""
    model = active(load_spec(ROOT / "tests" / "specs" / "every_gated_type.yaml").model)
    writer = written(model)
    required: set[str] = set()
    for save, record, prior, fired in replay(model, writer.saves):
        if prior is None or prior["StageName"] != save.stage:
            segment = record[model.computed_field("segment").salesforce_name]
            required |= needs(model, segment, [save.stage]).fields
    types = {model.field(k).type for k in required}
    assert types == {
        "short_text",
        "long_text",
        "picklist",
        "multi_select",
        "number",
        "currency",
        "percent",
        "date",
        "datetime",
        "checkbox",
        "user",
    }
    assert {"partner_sourced", "csm"} <= required
    methods = {s.method for s in writer.saves}
    assert {"closesWonSmall", "closesWonLarge", "entersStageNegotiation"} <= methods


def test_a_deal_the_gates_stop_would_be_caught():
    """The check can fail: the Closed Won save of a deal with the partner box unticked fires the gate."""
    model = active(load_spec(ROOT / "tests" / "specs" / "every_gated_type.yaml").model)
    saves = [s for s in written(model).saves if s.method == "closesWonSmall"]
    unticked = [dataclasses.replace(s, values={**s.values, "partner_sourced": False}) for s in saves]
    fired = [f for *_, f in replay(model, unticked)]
    assert fired[-1] == ["Opportunity.Gt_Gate_Proposal_Complete"]
