"""Pipelines in the spec: the default keeps today's stage values, another maps its own, and mistakes
are located errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from handrail.specs.diagnostics import SpecError
from handrail.specs.pipelines import deal_pipeline, gate_pipelines, pipelines_of, stage_of, stage_values
from handrail.specs.validate import load_spec, load_spec_text

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "tests" / "specs" / "pipelines.yaml"
EXAMPLE = ROOT / "specs" / "examples" / "handoff.yaml"


@pytest.fixture(scope="module")
def model():
    return load_spec(SPEC).model


def test_the_default_pipeline_carries_the_stages_own_values(model):
    new, renewals = model.pipelines
    assert (new.key, new.default, new.record_type, new.hubspot_id) == (
        "new_business",
        True,
        "New_Business",
        "default",
    )
    assert [s.stage for s in new.stages] == [s.key for s in model.stages]
    assert new.value("negotiation", "salesforce") == "Negotiation/Review"
    assert (renewals.record_type, renewals.business_process, renewals.hubspot_id) == (
        "Renewal",
        "Renewal Process",
        "renewals",
    )
    assert [s.stage for s in renewals.stages] == ["proposal", "negotiation", "closed_won", "closed_lost"]
    assert renewals.value("negotiation", "hubspot") == "renewal_negotiation"
    assert renewals.value("commit", "salesforce") is None


def test_gates_apply_to_the_pipelines_they_name_or_that_have_their_stage(model):
    gates = {g.key: g for g in model.gates}
    keys = {k: [p.key for p in gate_pipelines(model, g)] for k, g in gates.items()}
    assert keys["renewal_terms"] == ["renewals"]
    assert keys["closed_won_not_blocked"] == ["new_business"]
    assert keys["mid_market_csm"] == ["new_business"]  # renewals has no commit stage
    assert keys["enterprise_csm"] == ["new_business", "renewals"]
    assert stage_values(model, ["negotiation"], "salesforce") == ["Negotiation/Review", "Renewal Negotiation"]


def test_a_deal_stage_reads_through_its_pipeline(model):
    assert stage_of(model, "renewal_won", "hubspot", "renewals") == "closed_won"
    assert stage_of(model, "closedwon", "hubspot", "default") == "closed_won"
    assert stage_of(model, "renewal_won", "hubspot", "default") is None
    assert stage_of(model, "Renewal Negotiation", "salesforce", "Renewal") == "negotiation"
    assert deal_pipeline(model, None, "salesforce").key == "new_business"


def test_motions_carry_their_pipelines_into_their_segments(model):
    renewal = [s for s in model.segments if s.key.endswith("_renewal")]
    assert renewal and all(s.pipelines == ("renewals",) for s in renewal)
    assert all(s.pipelines == () for s in model.segments if not s.key.endswith("_renewal"))


def test_a_spec_without_pipelines_is_one_implicit_default():
    model = load_spec(EXAMPLE).model
    assert model.pipelines == ()
    (only,) = pipelines_of(model)
    assert only.default and only.record_type is None and only.hubspot_id is None
    assert all(g.pipelines == () for g in model.gates)
    assert stage_of(model, "Closed Won", "salesforce", "Anything") == "closed_won"


@pytest.mark.parametrize(
    "old, new, words",
    [
        ("  - new_business\n", "  - new_busines\n", "unknown pipeline 'new_busines'"),
        ("    closed_lost:\n", "    closed_lots:\n", "unknown stage 'closed_lots'"),
        ("  label: Renewals\n", "  label: Renewals\n  default: true\n", "is already the default"),
        ("  default: true\n", "", "none is the default"),
        (
            "    record_type: Renewal\n",
            "    record_type: New_Business\n",
            "record type 'New_Business' is already used",
        ),
        ("  hubspot:\n    id: renewals\n", "", "needs hubspot.id"),
    ],
)
def test_mistakes_are_located_errors(old, new, words):
    text = SPEC.read_text()
    assert old in text
    with pytest.raises(SpecError) as caught:
        load_spec_text(text.replace(old, new, 1), "spec.yaml")
    assert words in str(caught.value) and "spec.yaml:" in str(caught.value)


def test_the_default_maps_no_stages_of_its_own():
    text = SPEC.read_text().replace(
        "  hubspot:\n    id: default\n",
        "  hubspot:\n    id: default\n  stages:\n    commit: {hubspot: x}\n",
        1,
    )
    with pytest.raises(SpecError, match="stages' own"):
        load_spec_text(text, "spec.yaml")


def test_a_gate_whose_pipelines_lack_its_stage():
    text = SPEC.read_text().replace(
        "stage: closed_won\n  pipelines:\n  - renewals", "stage: commit\n  pipelines:\n  - renewals"
    )
    with pytest.raises(SpecError, match="none of the gate's pipelines has stage 'commit'"):
        load_spec_text(text, "spec.yaml")


def test_naming_pipelines_without_declaring_them():
    text = EXAMPLE.read_text().replace(
        "  - key: enterprise_ready\n", "  - key: enterprise_ready\n    pipelines: [renewals]\n", 1
    )
    assert text != EXAMPLE.read_text()
    with pytest.raises(SpecError, match="declares none"):
        load_spec_text(text, "spec.yaml")
