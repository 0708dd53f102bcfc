"""Compile-time Salesforce limits: each fires with a clear message at the spec node that caused it."""

from __future__ import annotations

import dataclasses

import pytest

from handrail.specs.diagnostics import SpecError
from handrail.specs.model import Option
from handrail.specs.validate import load_spec_text
from handrail.targets.salesforce.components import Component
from handrail.targets.salesforce.fields import field_components
from handrail.targets.salesforce.limits import check
from handrail.targets.salesforce.render import check_spec, render


def spec_text(fields: list[str], gates: str = "", segments: str = "") -> str:
    """A valid spec around the given field lines; line numbers are predictable from the list."""
    return (
        "\n".join(
            [
                "version: 1",
                "deal: {csm: {field: csm}}",
                "fields:",
                "  - {key: csm, label: CSM, type: user}",
                *fields,
                "segments:",
                segments or "  - {key: everyone, label: Everyone, match: {}, motion: structured}",
                "stages:",
                "  - {key: commit, label: Commit, salesforce: Commit}",
                "  - {key: won, label: Won, salesforce: Closed Won, closed_won: true}",
                gates,
            ]
        )
        + "\n"
    )


def field_line(n: int, kind: str = "short_text", extra: str = "") -> str:
    return f"  - {{key: f{n:03d}, label: Field {n}, type: {kind}, weight: 1{extra}}}"


def failure(text: str, **options) -> list:
    return failure_of(load_spec_text(text, "limits.yaml").model, **options)


def failure_of(model, **options) -> list:
    with pytest.raises(SpecError) as caught:
        render(model, options)
    return caught.value.diagnostics


def test_too_many_fields_for_the_edition_points_at_the_first_field_that_does_not_fit():
    text = spec_text([field_line(n) for n in range(600)])
    (problem,) = failure(text)
    computed = len(load_spec_text(text, "limits.yaml").model.computed)
    total = 601 + computed  # the spec's 600 and its partner flag, and the fields Handrail computes
    assert f"{total} custom fields on Opportunity (601 from the spec + {computed} Handrail computes)" in (
        problem.message
    )
    first_over = 500 - computed - 1  # field_line numbers from 0, after the partner flag
    assert "Enterprise Edition allows 500" in problem.message and f"'f{first_over}'" in problem.message
    assert (
        problem.span.file == "limits.yaml"
        and problem.span.line == text.splitlines().index(field_line(first_over)) + 1
    )
    render(load_spec_text(text, "limits.yaml").model, {"edition": "unlimited"})  # 800 fit


def test_professional_edition_allows_100_fields():
    text = spec_text([field_line(n) for n in range(95)])
    (problem,) = failure(text, edition="professional")
    assert "Professional Edition allows 100" in problem.message
    render(load_spec_text(text, "limits.yaml").model, {"edition": "enterprise"})


def test_a_formula_over_3900_characters_points_at_its_gate():
    fields = [field_line(n) for n in range(140)]
    gates = (
        "gates:\n  - key: everything\n    stage: won\n    require: {fields: ["
        + ", ".join(f"f{n:03d}" for n in range(140))
        + "]}\n    message: Fill everything in."
    )
    text = spec_text(fields, gates)
    (problem,) = failure(text)
    assert "the validation rule formula is" in problem.message and "Salesforce allows 3900" in problem.message
    assert problem.message.startswith("Opportunity.Handoff_Gate_Everything:")
    assert problem.span.line == text.splitlines().index("  - key: everything") + 1
    assert "split the gate" in problem.hint


def test_long_text_areas_over_the_per_object_total_point_at_the_first_that_overflows():
    text = spec_text([field_line(n, "long_text") for n in range(50)])
    (problem,) = failure(text)
    # 50 spec fields of 32,768 characters, then the computed long texts: the missing summary overflows.
    computed = sum(
        f.length for f in load_spec_text(text, "limits.yaml").model.computed if f.type == "long_text"
    )
    assert (
        f"{50 * 32768 + computed:,} characters" in problem.message
        and "1,638,400 per object" in problem.message
    )
    assert "Handoff_Missing_Summary__c" in problem.message
    ok = spec_text([field_line(n, "long_text", ", length: 4000") for n in range(50)])
    render(load_spec_text(ok, "limits.yaml").model, {})


def test_relationship_names_must_not_collide(example_model):
    csm = next(c for c in field_components(example_model) if c.name == "Opportunity.Handoff_Csm__c")
    twin = dataclasses.replace(
        csm, name="Opportunity.Handoff_Csm_Backup__c", source=example_model.field("seats").span
    )
    (problem,) = check(example_model, [csm, twin], "enterprise")
    assert problem.message == (
        "Opportunity.Handoff_Csm_Backup__c: relationship name Handoff_Csm is also "
        "used by Opportunity.Handoff_Csm__c"
    )
    assert problem.span == example_model.field("seats").span


def test_validation_rule_names_must_not_collide():
    gates = (
        "gates:\n"
        "  - {key: won_ready, stage: won, require: {min_score: 50}, message: Not yet.}\n"
        "  - {key: won__ready, stage: won, require: {min_score: 60}, message: Not yet.}"
    )
    text = spec_text([field_line(0)], gates)
    (problem,) = failure(text)
    assert "ValidationRule API name collides with Opportunity.Handoff_Gate_Won_Ready" in problem.message
    assert (
        problem.span.line
        == text.splitlines().index(
            "  - {key: won__ready, stage: won, require: {min_score: 60}, message: Not yet.}"
        )
        + 1
    )


def test_segment_labels_become_picklist_labels_and_are_limited():
    label = "A" * 256
    segments = f"  - {{key: everyone, label: {label}, match: {{}}, motion: structured}}"
    (problem,) = failure(spec_text([field_line(0)], segments=segments))
    assert problem.message.startswith("Opportunity.Handoff_Segment__c: picklist label 'AAAA")
    assert "is 256 characters; Salesforce allows 255" in problem.message


def test_picklist_value_count_and_duplicates(example_model):
    field = example_model.field("communication_prefs")
    many = dataclasses.replace(field, options=tuple(Option(f"v{i}", f"v{i}") for i in range(1001)))
    twice = dataclasses.replace(
        example_model.field("competitors"), options=(Option("A", "A"), Option("a", "a"), Option("x;y", "x;y"))
    )
    fields = tuple(
        many if f.key == field.key else twice if f.key == "competitors" else f for f in example_model.fields
    )
    with pytest.raises(SpecError) as caught:
        render(dataclasses.replace(example_model, fields=fields), {})
    messages = [d.message for d in caught.value.diagnostics]
    assert (
        "Opportunity.Handoff_Communication_Prefs__c: 1001 picklist values; "
        "Salesforce allows 1000 for Picklist"
    ) in messages
    assert "Opportunity.Handoff_Competitors__c: picklist value 'a' appears twice" in messages
    assert any("'x;y' contains ';'" in m for m in messages)
    assert all(d.span == field.span or d.span == twice.span for d in caught.value.diagnostics)


def test_field_labels_help_and_shapes(example_model):
    long_label = dataclasses.replace(
        example_model.field("seats"), label="Seats purchased across every product line", precision=19, scale=2
    )
    fields = tuple(long_label if f.key == "seats" else f for f in example_model.fields)
    with pytest.raises(SpecError) as caught:
        render(dataclasses.replace(example_model, fields=fields), {})
    messages = [d.message for d in caught.value.diagnostics]
    assert "Opportunity.Handoff_Seats__c: label is 41 characters; Salesforce allows 40" in messages
    assert "Opportunity.Handoff_Seats__c: precision 19 is outside 1 to 18" in messages


def test_rule_message_and_description_limits(example_model):
    rule = Component(
        "ValidationRule",
        "Opportunity.Handoff_Gate_X",
        (
            ("active", True),
            ("description", "d" * 256),
            ("errorConditionFormula", "TRUE"),
            ("errorMessage", "m" * 256),
        ),
        source=example_model.gates[0].span,
    )
    messages = [d.message for d in check(example_model, [rule], "enterprise")]
    assert messages == [
        "Opportunity.Handoff_Gate_X: error message is 256 characters; Salesforce allows 255",
        "Opportunity.Handoff_Gate_X: description is 256 characters; Salesforce allows 255",
    ]


def test_component_names_must_be_legal_api_names(example_model):
    flow = Component("Flow", "Handoff Score Flow", (("label", "x"),))
    apex = Component("ApexClass", "A" * 41, (), content=b"")
    messages = [d.message for d in check(example_model, [flow, apex], "enterprise")]
    assert any(
        m.startswith("Handoff Score Flow: Flow API name") and "single underscores" in m for m in messages
    )
    assert any("is 41 characters; Salesforce allows 40" in m for m in messages)


def test_generated_messages_and_descriptions_always_fit():
    model = load_spec_text(
        spec_text(
            [field_line(n) for n in range(60)],
            "gates:\n  - key: g\n    stage: won\n    require: {fields: ["
            + ", ".join(f"f{n:03d}" for n in range(60))
            + "], csm_assigned: true, min_score: 70}\n"
            "    message: " + "Blocked. " * 27,
        ),
        "limits.yaml",
    ).model
    desired = render(model, {})
    rule = next(r for r in desired.resources if r.kind == "ValidationRule")
    assert len(rule.body["errorMessage"]) <= 255 and rule.body["errorMessage"].startswith("Blocked.")


def test_check_spec_reports_limits_without_raising():
    text = spec_text([field_line(n) for n in range(600)])
    diagnostics = check_spec(load_spec_text(text, "limits.yaml").model)
    assert [d.code for d in diagnostics] == ["salesforce-limit"] and diagnostics[0].is_error


def test_the_example_and_test_specs_are_within_every_limit(example_model):
    assert check_spec(example_model) == []


def test_control_characters_are_refused_at_their_field():
    """The spec loader refuses them at their line; the Salesforce check stays as a second line of defence for
    text that reaches the model another way."""
    clean = spec_text(['  - {key: f000, label: Field 0, type: short_text, weight: 1, help: "Bell here"}'])
    with pytest.raises(SpecError) as caught:
        load_spec_text(clean.replace("Bell here", "Bell\\x07 here"), "limits.yaml")
    (loaded,) = caught.value.diagnostics
    assert loaded.message == "control character U+0007 in text" and loaded.span.line == 5
    model = load_spec_text(clean, "limits.yaml").model
    fields = tuple(
        dataclasses.replace(f, help="Bell\x07 here") if f.key == "f000" else f for f in model.fields
    )
    (problem,) = failure_of(dataclasses.replace(model, fields=fields))
    assert problem.message == (
        "Opportunity.Handoff_F000__c: inlineHelpText contains the control character "
        "U+0007, which metadata XML cannot hold"
    )
    assert problem.span.line == 5


def test_flow_and_permission_set_names_collide_case_insensitively(example_model):
    flows = [
        Component("Flow", "Handoff_Score_Before_Save", (("label", "a"),)),
        Component("Flow", "handoff_score_before_save", (("label", "b"),)),
    ]
    permission_sets = [
        Component("PermissionSet", "Handoff_Field_Access", (("label", "a"),)),
        Component("PermissionSet", "HANDOFF_FIELD_ACCESS", (("label", "b"),)),
    ]
    messages = [d.message for d in check(example_model, flows + permission_sets, "enterprise")]
    assert messages == [
        "handoff_score_before_save: Flow API name collides with Handoff_Score_Before_Save "
        "(Salesforce names ignore case)",
        "HANDOFF_FIELD_ACCESS: PermissionSet API name collides with Handoff_Field_Access "
        "(Salesforce names ignore case)",
    ]
    # types have separate namespaces
    assert check(example_model, [flows[0], permission_sets[0]], "enterprise") == []
