"""HubSpot with several pipelines: gate workflows per pipeline, each watching that pipeline's stage ids
and moving a deal back within it; stage filters over every pipeline's ids; pipeline rules per pipeline;
every request valid against the OpenAPI documents."""

from __future__ import annotations

import json

import pytest
from helpers import ROOT
from openapi_requests import body_errors
from workflow_run import enrolls, reenrolled_by, run

from handrail.specs.diagnostics import SpecError
from handrail.specs.validate import load_spec, load_spec_text
from handrail.targets.hubspot.render import render

SPEC = ROOT / "tests" / "specs" / "pipelines.yaml"


@pytest.fixture(scope="module")
def model():
    return load_spec(SPEC).model


@pytest.fixture(scope="module")
def built(model):
    desired = render(model, {"pipeline_rules": True})
    return {path: json.loads(data) for path, data in desired.files.items() if path.endswith(".json")}


def flow(built, key):
    return built[f"flows/{key}.json"]


def deal(model, stage_id, pipeline, **values):
    names = {f.key: f.hubspot_name for f in model.fields + model.computed}
    record = {
        "dealstage": stage_id,
        "pipeline": pipeline,
        names["segment"]: "smb_renewal",
        names["score"]: 90,
    }
    record.update({names[k]: v for k, v in values.items()})
    return record


def test_every_request_body_matches_its_operation(built):
    for request in built["requests.json"]["requests"]:
        assert body_errors(request["method"], request["path"], built[request["file"]]) == [], request["file"]


def test_a_renewal_is_gated_by_the_renewal_gate_and_not_by_a_new_business_gate(model, built):
    renewal = deal(model, "renewal_won", "renewals")
    assert enrolls(flow(built, "gate-renewal_terms-renewals"), renewal)
    assert not enrolls(flow(built, "gate-closed_won_not_blocked"), renewal)
    moved = [a for t, a in run(flow(built, "gate-renewal_terms-renewals"), renewal) if t == "0-5"]
    assert moved[0]["value"]["staticValue"] == "renewal_negotiation"  # back within its own pipeline
    assert reenrolled_by(flow(built, "gate-renewal_terms-renewals"), "dealstage", "renewal_won")
    assert not reenrolled_by(flow(built, "gate-renewal_terms-renewals"), "dealstage", "closedwon")
    met = deal(model, "renewal_won", "renewals", contract_terms="3 years, auto-renew")
    assert not enrolls(flow(built, "gate-renewal_terms-renewals"), met)


def test_a_new_business_deal_is_not_gated_by_the_renewal_gate(model, built):
    new = deal(model, "closedwon", "default", segment="smb", score=10)
    assert enrolls(flow(built, "gate-closed_won_not_blocked"), new)
    assert not enrolls(flow(built, "gate-renewal_terms-renewals"), new)


def test_a_gate_on_both_pipelines_has_a_workflow_in_each(model, built):
    default = flow(built, "gate-enterprise_ready")
    renewals = flow(built, "gate-enterprise_ready-renewals")
    record = deal(model, "renewal_won", "renewals", segment="enterprise", score=50)
    assert enrolls(renewals, record) and not enrolls(default, record)
    moved = [a for t, a in run(renewals, record) if t == "0-5"]
    assert moved[0]["value"]["staticValue"] == "renewal_negotiation"


def test_the_closed_won_handoff_runs_in_every_pipeline(model, built):
    handoff = flow(built, "closed-won-handoff")
    assert reenrolled_by(handoff, "dealstage", "closedwon") and reenrolled_by(
        handoff, "dealstage", "renewal_won"
    )
    assert enrolls(handoff, deal(model, "renewal_won", "renewals", contract_terms="x"))


def test_pipeline_rules_per_pipeline_with_its_own_stage_ids(built):
    assert built["pipeline-rules/renewals.json"]["noSkippingStagesRule"]["pipelineStageIds"] == [
        "renewal_negotiation"  # the earliest gated stage of the renewals pipeline, and on
    ]
    assert (
        "renewal_negotiation"
        not in built["pipeline-rules/default.json"]["noSkippingStagesRule"]["pipelineStageIds"]
    )


def test_a_gate_with_no_stage_to_move_back_to_in_a_pipeline_is_an_error():
    text = SPEC.read_text().replace(
        "    proposal:\n      salesforce: Renewal Proposal\n      hubspot: renewal_proposal\n", ""
    )
    model = load_spec_text(text, "spec.yaml").model
    with pytest.raises(SpecError, match="pipeline 'renewals' has no earlier stage"):
        render(model, {})


def test_the_segment_formula_reads_the_pipeline_as_the_engine_does(model):
    from dataclasses import replace

    from deal_samples import samples, without_min_length
    from hubspot_records import HubSpotDeal

    from handrail.generators.rules.scoring import score_deal

    engine_model = without_min_length(model)
    seen = set()
    for i, s in enumerate(samples(model, 300, seed=20261203)):
        pipeline = ("new_business", "renewals", None)[i % 3]
        hubspot_id = {"new_business": "default", "renewals": "renewals", None: None}[pipeline]
        expected = score_deal(engine_model, replace(s.deal, pipeline=pipeline)).segment
        assert HubSpotDeal(model, {**s.record, "pipeline": hubspot_id})["segment"] == expected, (pipeline, s)
        seen.add(expected)
    assert any(k.endswith("_renewal") for k in seen) and "enterprise" in seen
