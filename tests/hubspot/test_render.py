"""What the HubSpot build contains: properties per field type, validation rules, resources, manual steps,
capabilities, warnings, and the offline verification."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from helpers import EXAMPLE_SPEC

from handrail.generators.plan.resources import Desired
from handrail.specs.validate import load_spec
from handrail.targets.hubspot.render import check_spec, render, verify

EVERY_TYPE = Path(__file__).parent / "specs" / "every_type.yaml"
EXPECTED_TYPES = {
    "short_text": ("string", "text", None),
    "long_text": ("string", "textarea", None),
    "picklist": ("enumeration", "select", None),
    "multi_select": ("enumeration", "checkbox", None),
    "number": ("number", "number", "formatted"),
    "currency": ("number", "number", "currency"),
    "percent": ("number", "number", "percentage"),
    "date": ("date", "date", None),
    "datetime": ("datetime", "date", None),
    "checkbox": ("bool", "booleancheckbox", None),
    "user": ("enumeration", "select", None),
}


@pytest.fixture(scope="module")
def every_type():
    model = load_spec(EVERY_TYPE).model
    return model, render(model, {"pipeline_rules": True})


def _json(desired: Desired, path: str):
    return json.loads(desired.files[path])


def test_each_field_type_becomes_the_matching_property(every_type):
    model, desired = every_type
    for f in model.fields:
        body = _json(desired, f"properties/{f.hubspot_name}.json")
        assert (body["type"], body["fieldType"], body.get("numberDisplayHint")) == EXPECTED_TYPES[f.type], (
            f.key
        )
        assert body["groupName"] == "cs_handoff" and body["label"] == f.label
        assert body["description"].endswith("Managed by Handrail: edit the spec, not this property.")
        if f.type == "user":
            assert (body["referencedObjectType"], body["externalOptions"], body["options"]) == (
                "OWNER",
                True,
                [],
            )
        elif f.type == "checkbox":
            assert [(o["value"], o["label"]) for o in body["options"]] == [("true", "Yes"), ("false", "No")]
        elif f.options:
            assert [o["value"] for o in body["options"]] == [o.value for o in f.options]
            assert [o["displayOrder"] for o in body["options"]] == list(range(len(f.options)))
        else:
            assert "options" not in body


def test_computed_properties_are_calculated_or_plain_as_they_should_be(every_type):
    model, desired = every_type
    kinds = {f.key: _json(desired, f"properties/{f.hubspot_name}.json") for f in model.computed}
    assert {k: (b["type"], b["fieldType"]) for k, b in kinds.items()} == {
        "score": ("number", "calculation_equation"),
        "completeness": ("number", "calculation_equation"),
        "tier": ("enumeration", "calculation_equation"),
        "segment": ("enumeration", "calculation_equation"),
        "missing_summary": ("string", "calculation_equation"),
        "closed_won_at": ("datetime", "date"),
        "internal_handoff_at": ("datetime", "date"),
        "first_touch_at": ("datetime", "date"),
        "kickoff_at": ("datetime", "date"),
        "csm_rating": ("enumeration", "select"),
        "intake_status": ("enumeration", "select"),
        "intake_decided_at": ("datetime", "date"),
        "intake_resubmit": ("bool", "booleancheckbox"),
        "clocks_stamped": ("string", "text"),
        "gate_flags": ("string", "textarea"),
        "gate_flagged_at": ("datetime", "date"),
    }
    assert [o["value"] for o in kinds["segment"]["options"]] == [s.key for s in model.segments]
    assert [o["value"] for o in kinds["tier"]["options"]] == ["Ready", "Gaps", "Blocked"]
    assert "cs_score" in kinds["tier"]["calculationFormula"]  # the tier reads the score


def test_calculated_properties_come_after_what_they_read(every_type):
    _, desired = every_type
    order = [r["key"] for r in _json(desired, "requests.json")["requests"] if r["kind"] == "property"]
    assert order.index("cs_score") < order.index("cs_tier")
    assert order[-5:] == ["cs_segment", "cs_score", "cs_completeness", "cs_missing_summary", "cs_tier"]


def test_text_fields_get_length_validation_rules(every_type):
    model, desired = every_type
    rules = {
        r["key"]: _json(desired, r["file"])
        for r in _json(desired, "requests.json")["requests"]
        if r["kind"] == "property_validation"
    }
    assert rules["cs_summary/MIN_LENGTH"] == {"ruleArguments": ["12"], "shouldApplyNormalization": False}
    assert rules["cs_goals/MIN_LENGTH"]["ruleArguments"] == ["25"]
    assert rules["cs_summary/MAX_LENGTH"]["ruleArguments"] == ["255"]
    assert "cs_notes/MIN_LENGTH" not in rules  # quality: false


def test_resources_mirror_the_files_and_point_at_the_spec(every_type):
    model, desired = every_type
    by_file = {r["key"]: r["file"] for r in _json(desired, "requests.json")["requests"]}
    kinds = {}
    for resource in desired.resources:
        kinds.setdefault(resource.kind, []).append(resource.key)
        if resource.kind != "manual_step":
            assert json.loads(desired.files[by_file[resource.key]]) == resource.body
    assert set(kinds) == {
        "property_group",
        "property",
        "property_validation",
        "flow",
        "pipeline_rules",
        "manual_step",
    }
    assert len(set(kinds["flow"])) == len(kinds["flow"])
    spans = {r.key: r.source for r in desired.resources if r.kind == "property"}
    assert spans["cs_goals"] == model.field("goals").span
    gate_flow = next(r for r in desired.resources if r.key == "gate-won_floor")
    assert gate_flow.source == next(g for g in model.gates if g.key == "won_floor").span
    assert gate_flow.body["customProperties"] == {"handrail_key": "gate-won_floor"}


def test_pipeline_rules_only_on_request_and_only_no_skipping(every_type):
    model, desired = every_type
    assert _json(desired, "pipeline-rules/default.json") == {
        "noSkippingStagesRule": {"enabledForAllStages": False, "pipelineStageIds": ["stage_two", "3001"]}
    }
    assert not any(p.startswith("pipeline-rules/") for p in render(model, {}).files)


def test_output_is_deterministic_and_canonical(every_type):
    model, desired = every_type
    again = render(load_spec(EVERY_TYPE).model, {"pipeline_rules": True})
    assert again.files == desired.files and list(again.files) == sorted(again.files)
    for path, data in desired.files.items():
        assert data.endswith(b"\n") and not data.endswith(b"\n\n"), path
        if path.endswith(".json"):
            assert (
                data.decode()
                == json.dumps(json.loads(data), sort_keys=True, indent=2, ensure_ascii=False) + "\n"
            )


def test_manual_steps_list_what_only_the_settings_page_can_require(every_type):
    model, desired = every_type
    steps = {s["id"]: s for s in _json(desired, "manual-steps.json")["steps"]}
    won = steps["conditional-stage-properties-won"]
    assert won["verifiable"] is False and won["stage"] == {
        "key": "won",
        "label": "Won",
        "hubspot": "closedwon",
    }
    # goals and security_review are needed by every segment from stage three on; the CSM only by some.
    assert [p["label"] for p in won["require"]] == ["Goals", "Security review"]
    assert {p["label"]: p["segments"] for p in won["segment_only"]}["CSM"] == ["partner", "large"]
    assert {s["kind"] for s in steps.values()} == {
        "conditional_stage_properties",
        "record_layout",
        "property_edit_access",
        "bind_role",
        "report",
    }
    bindings = {b["placeholder"]: b["resolved_by"] for b in _json(desired, "manual-steps.json")["bindings"]}
    assert bindings == {
        "${owner:lead@example.com}": "apply",
        "${owner:pool@example.com}": "apply",
        "${owner:reviewer@example.com}": "apply",
        "${user:csm_manager}": "admin",
        "${user:owner_manager}": "admin",
        "${owner:owner_manager}": "admin",  # the Sales manager's task when CS returns a handoff
    }


def test_capabilities_says_what_is_approximate(every_type):
    model, desired = every_type
    text = desired.files["CAPABILITIES.md"].decode()
    for words in (
        "no string length function",
        "MIN_LENGTH",
        "case-sensitive",
        "not rounded",
        "84.95",
        "conditional stage properties",
        "not verifiable",
        "`${user:csm_manager}`",
        "elapsed days",
        "business days become calendar days",
        "Pipeline rule 'no skipping'",
    ):
        assert words in text, words
    for gate in model.gates:
        assert f"| {gate.key} |" in text


def test_check_spec_points_at_the_fields_hubspot_cannot_score_exactly():
    model = load_spec(EXAMPLE_SPEC).model
    found = check_spec(model)
    assert not [d for d in found if d.is_error]
    short = {d.span: d for d in found if d.code == "hubspot-min-length"}
    expected = {
        f.span for f in model.fields if f.quality.min_length and f.type in ("short_text", "long_text")
    }
    assert set(short) == expected
    assert "40 characters" in short[model.field("business_goals").span].message
    codes = {d.code for d in found}
    assert codes >= {
        "hubspot-phrase-case",
        "hubspot-rounding",
        "hubspot-sales-cycle",
        "hubspot-gate-after-the-fact",
        "hubspot-manager",
    }


def test_check_spec_flags_phrases_a_formula_cannot_quote():
    model = load_spec(EXAMPLE_SPEC).model
    goals = model.field("business_goals")
    odd = dataclasses.replace(
        goals,
        label="""Goals ("why" it's bought)""",
        quality=dataclasses.replace(goals.quality, filler_phrases=("""it's "fine\"""",)),
    )
    model = dataclasses.replace(model, fields=(odd,) + model.fields[1:])
    phrase, label = [d for d in check_spec(model) if d.code == "hubspot-formula-literal"]
    assert phrase.span == label.span == goals.span and "the label" in label.message
    files = render(model, {}).files
    assert "it's" not in json.loads(files["properties/handoff_score.json"])["calculationFormula"]
    summary = json.loads(files["properties/handoff_missing_summary.json"])["calculationFormula"]
    assert "\"Goals ('why' it's bought) (missing); \"" in summary


def test_verify_accepts_the_build_and_catches_broken_output(every_type):
    _, desired = every_type
    assert verify(desired, {}) == []
    files = dict(desired.files)
    files["properties/cs_goals.json"] = b"{"
    files["flows/closed-won-handoff.json"] = json.dumps(
        {**_json(desired, "flows/closed-won-handoff.json"), "startActionId": "99"}
    ).encode()
    files["properties/cs_plan.json"] = json.dumps(
        {**_json(desired, "properties/cs_plan.json"), "fieldType": "textarea"}
    ).encode()
    files["stray.json"] = b"{}"
    score = _json(desired, "properties/cs_score.json")
    unbalanced = {**score, "calculationFormula": score["calculationFormula"] + " + (1"}
    files["properties/cs_score.json"] = json.dumps(unbalanced).encode()
    problems = {(d.path, d.message) for d in verify(Desired("hubspot", (), files), {})}
    messages = " | ".join(f"{p}: {m}" for p, m in sorted(problems))
    for words in (
        "properties/cs_goals.json: not valid JSON",
        "startActionId 99 is not an action",
        "type enumeration does not take fieldType textarea",
        "stray.json: not listed in requests.json",
        "properties/cs_score.json: calculationFormula is unbalanced",
    ):
        assert words in messages, messages


def test_build_files_are_made_when_first_read():
    from handrail.targets.hubspot.render import Files

    made = []
    files = Files({"b.json": lambda: made.append("b") or b"B", "a.json": lambda: made.append("a") or b"A"})
    assert list(files) == ["a.json", "b.json"] and len(files) == 2 and "a.json" in files and made == []
    assert files["b.json"] == b"B" and files["b.json"] == b"B" and made == ["b"]
    assert dict(files) == {"a.json": b"A", "b.json": b"B"} and made == ["b", "a"]
