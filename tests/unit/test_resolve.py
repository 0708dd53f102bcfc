"""Resolution: defaults, generated names, implicit gates."""

from __future__ import annotations

from helpers import MINIMAL_SPEC

from handrail.specs.validate import load_spec_text

MINIMAL = MINIMAL_SPEC.read_text()


def test_generated_crm_names(example_model):
    f = example_model.field("business_goals")
    assert f.salesforce_name == "Handoff_Business_Goals__c"
    assert f.hubspot_name == "handoff_business_goals"
    assert example_model.computed_field("score").salesforce_name == "Handoff_Score__c"


def test_name_overrides():
    text = MINIMAL.replace(
        "    weight: 3\n", "    weight: 3\n    salesforce: {api_name: Goals__c}\n    hubspot: {name: goals}\n"
    )
    f = load_spec_text(text).model.field("goals")
    assert (f.salesforce_name, f.hubspot_name) == ("Goals__c", "goals")


def test_defaults_applied():
    model = load_spec_text(MINIMAL).model
    assert (model.tiers.ready, model.tiers.gaps) == (85, 60)
    assert model.segment("smb").sla.first_touch_hours == 48
    assert model.field("goals").length == 32768
    assert model.field("goals").section == "other"
    assert "other" in {s.key for s in model.sections}


def test_segment_sla_overrides_defaults(example_model):
    assert example_model.segment("smb_channel").sla.first_touch_hours == 72
    assert example_model.segment("smb_channel").sla.internal_handoff_hours == 24


def test_required_in_and_required_fields_merge(example_model):
    assert example_model.segment("smb_channel").required_fields == (
        "business_goals",
        "stakeholder_map",
        "products_scope",
        "partner_contact",
        "partner_support_tier",
    )
    assert example_model.segment("smb_expansion").required_fields == ("products_scope", "contract_terms")


def test_csm_required_by_adds_a_gate_unless_one_is_written():
    text = MINIMAL.replace(
        "    motion: white_glove\n", "    motion: white_glove\n    csm_required_by: commit\n"
    )
    model = load_spec_text(text).model
    implicit = [g for g in model.gates if g.key == "enterprise_csm_by_commit"]
    assert len(implicit) == 1
    assert implicit[0].segments == ("enterprise",) and implicit[0].require.csm_assigned
    assert implicit[0].message == "Enterprise deals need a named CSM before Commit."


def test_example_gates_cover_csm_requirements(example_model):
    # the example writes its own CSM gates, so no implicit duplicates appear
    assert [g.key for g in example_model.gates] == [
        "mid_market_csm",
        "enterprise_csm",
        "closed_won_not_blocked",
        "enterprise_ready",
    ]
    assert example_model.gates[2].segments == tuple(s.key for s in example_model.segments)


def test_effective_min_score(example_model):
    gate = {g.key: g for g in example_model.gates}["enterprise_ready"]
    assert gate.require.effective_min_score(example_model.tiers) == 85


def test_overlap_is_a_warning_not_an_error():
    text = MINIMAL.replace("{acv: {gte: 25000}}", "{acv: {gte: 20000}}")
    result = load_spec_text(text)
    assert [w.code for w in result.warnings] == ["segment-overlap"]
    assert "'smb' wins where both match" in result.warnings[0].message


def test_environment_secrets_are_names_only(example_model):
    env = example_model.environment("sandbox")
    assert env.target == "salesforce" and env.get("consumer_key_env") == "SF_CONSUMER_KEY"
