"""Salesforce with several pipelines: each gate's rule fires for the stage values of the pipelines it
applies to, and for the record types of the pipelines it names; one Path per record type."""

from __future__ import annotations

import importlib.util

import pytest
from helpers import ROOT, shared_path
from lxml import etree
from salesforce.validation_formula import Record, evaluate

from handrail.specs.validate import load_spec
from handrail.targets.salesforce.render import render, verify
from handrail.targets.salesforce.validation_rules import rule_components

SPEC = ROOT / "tests" / "specs" / "pipelines.yaml"
NS = "{http://soap.sforce.com/2006/04/metadata}"


@pytest.fixture(scope="module")
def model():
    return load_spec(SPEC).model


def rule(model, gate: str) -> str:
    name = f"Opportunity.{model.naming.salesforce_prefix}_Gate_{gate.title()}"
    return dict(next(c for c in rule_components(model) if c.name == name).pairs)["errorConditionFormula"]


def record(model, stage_name: str, record_type: str, **values) -> Record:
    base = {
        f.salesforce_name: (False if f.type == "checkbox" else None) for f in model.fields + model.computed
    }
    base.update(values, StageName=stage_name, **{"RecordType.DeveloperName": record_type})
    return Record(base, {**base, "StageName": "Qualification"})


def test_a_gate_naming_a_pipeline_fires_only_for_its_record_type(model):
    terms = rule(model, "renewal_terms")
    assert 'RecordType.DeveloperName = "Renewal"' in terms
    assert evaluate(terms, record(model, "Closed Won", "Renewal"))
    assert not evaluate(terms, record(model, "Closed Won", "New_Business"))
    assert not evaluate(terms, record(model, "Closed Won", ""))
    terms_met = record(model, "Closed Won", "Renewal", Handoff_Contract_Terms__c="3 years")
    assert not evaluate(terms, terms_met)


def test_a_new_business_gate_spares_renewals_and_keeps_records_without_a_record_type(model):
    won = rule(model, "closed_won_not_blocked")
    assert evaluate(won, record(model, "Closed Won", "New_Business"))
    assert evaluate(won, record(model, "Closed Won", ""))  # no record type: the default pipeline
    assert not evaluate(won, record(model, "Closed Won", "Renewal"))


def test_a_gate_naming_no_pipeline_fires_for_every_pipelines_stage_values(model):
    csm = rule(model, "enterprise_csm")
    seg = model.computed_field("segment").salesforce_name
    for stage, record_type in (("Negotiation/Review", "New_Business"), ("Renewal Negotiation", "Renewal")):
        assert evaluate(csm, record(model, stage, record_type, **{seg: "enterprise"})), stage
    assert "RecordType" not in csm


def test_one_path_per_record_type_with_that_pipelines_stage_values(model):
    files = render(model, {}).files
    paths = {p: etree.fromstring(data) for p, data in files.items() if p.endswith(".pathAssistant-meta.xml")}
    by_type = {
        root.findtext(f"{NS}recordTypeName"): [
            s.findtext(f"{NS}picklistValueName") for s in root.iter(f"{NS}pathAssistantSteps")
        ]
        for root in paths.values()
    }
    assert by_type == {
        "New_Business": [
            "Qualification",
            "Needs Analysis",
            "Proposal/Price Quote",
            "Negotiation/Review",
            "Commit",
        ],
        "Renewal": ["Renewal Proposal", "Renewal Negotiation"],
    }
    renewal = next(r for r in paths.values() if r.findtext(f"{NS}recordTypeName") == "Renewal")
    step = list(renewal.iter(f"{NS}pathAssistantSteps"))[-1]
    names = [f.text for f in step.findall(f"{NS}fieldNames")]
    assert "Handoff_Contract_Terms__c" in names  # the renewal gate's field, for renewals only
    assert "contract terms" in step.findtext(f"{NS}info") and "not ready" not in step.findtext(f"{NS}info")


@pytest.mark.parametrize("fmt", ["source", "mdapi"])
def test_the_build_is_valid_against_the_metadata_api_schema(model, fmt, tmp_path):
    desired = render(model, {"format": fmt})
    assert verify(desired, {"format": fmt}) == []
    script = shared_path("reference", "salesforce", "extract_xsd.py")
    spec = importlib.util.spec_from_file_location("extract_xsd", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for rel, data in desired.files.items():
        if rel.endswith((".xml", ".object", ".flow", ".pathAssistant")):
            path = tmp_path / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            assert module.validate_file(str(path)) == [], rel


def test_the_score_flow_reads_the_record_type_as_the_engine_reads_the_pipeline(model):
    import dataclasses
    import random

    from salesforce.flow_cases import compile_flow, engine_result, flow_result, normalized, random_deal

    flow = compile_flow(model)
    rng = random.Random(20261203)
    record_types = {"new_business": "New_Business", "renewals": "Renewal", None: None}
    seen = set()
    for n in range(300):
        deal, values = random_deal(rng, model, n)
        pipeline = ("new_business", "renewals", None)[n % 3]
        deal = dataclasses.replace(deal, pipeline=pipeline)
        name = record_types[pipeline]
        values["RecordType"] = {"DeveloperName": name} if name else None
        expected, actual = engine_result(model, deal), flow_result(flow, values, model)
        assert normalized(actual) == normalized(expected), (n, pipeline, deal)
        seen.add(expected["segment"])
    assert any(k.endswith("_renewal") for k in seen)


def test_stage_entry_automation_fires_on_every_pipelines_value_of_the_stage(model):
    files = render(model, {}).files
    flow = etree.fromstring(
        next(d for p, d in files.items() if p.endswith("Stage_Entry_After_Save.flow-meta.xml"))
    )
    rule = next(r for r in flow.iter(f"{NS}rules") if r.findtext(f"{NS}name") == "Entered_Negotiation")
    values = [c.findtext(f"{NS}rightValue/{NS}stringValue") for c in rule.findall(f"{NS}conditions")]
    assert values == ["Negotiation/Review", "Renewal Negotiation"]
    assert rule.findtext(f"{NS}conditionLogic") == "or"
