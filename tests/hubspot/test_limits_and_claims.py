"""Formula size, generated names, pipeline rules and what CAPABILITIES.md claims about enforcement."""

from __future__ import annotations

import json
import re

import pytest
from fakes.hubspot_formula import UNDOCUMENTED_FUNCTIONS, syntax_problem
from helpers import EXAMPLE_SPEC, SPEC_WITH_A_HUGE_PHRASE, write_spec

from handrail.specs.diagnostics import SpecError
from handrail.specs.naming import hubspot_property_name
from handrail.specs.validate import load_spec
from handrail.targets.hubspot.calculated import formulas
from handrail.targets.hubspot.formula_size import FORMULA_MAX
from handrail.targets.hubspot.limits import check_spec
from handrail.targets.hubspot.pipeline_rules import patch_body
from handrail.targets.hubspot.render import render


@pytest.fixture(scope="module")
def example():
    model = load_spec(EXAMPLE_SPEC).model
    return model, render(model, {"pipeline_rules": True})


# -- formula size
# ---------------------------------------------------------------------------------------------
# HubSpot documents no maximum for calculationFormula (properties guide, "Create calculation properties":
# https://developers.hubspot.com/docs/api-reference/crm-properties-v3/guide; the OpenAPI string has no
# maxLength), so FORMULA_MAX is Handrail's own conservative limit.


def test_the_example_formulas_fit_the_limit(example):
    model, _ = example
    lengths = {k: len(v) for k, v in formulas(model).items()}
    assert max(lengths.values()) <= FORMULA_MAX
    assert lengths["score"] > 10_000  # the example is big enough for the check to matter


def test_a_formula_over_the_limit_stops_the_build_at_its_field(tmp_path):
    path = write_spec(tmp_path, SPEC_WITH_A_HUGE_PHRASE.format(phrase="x" * 4000))
    model = load_spec(path).model
    assert max(len(v) for v in formulas(model).values()) > FORMULA_MAX
    with pytest.raises(SpecError) as caught:
        render(model, {})
    problems = caught.value.diagnostics
    assert problems and all(p.code == "hubspot-formula-length" for p in problems)
    for problem in problems:
        # the goals field
        assert (problem.span.file, problem.span.line, problem.path) == (str(path), 6, "fields[0]")
        assert f"Handrail allows {FORMULA_MAX:,}" in problem.message and "field 'goals'" in problem.message
    # validate says it too
    assert {d.code for d in check_spec(model) if d.is_error} == {"hubspot-formula-length"}


def test_the_cli_reports_it_with_its_location(tmp_path, run_cli):
    path = write_spec(tmp_path, SPEC_WITH_A_HUGE_PHRASE.format(phrase="x" * 4000))
    code, out, err = run_cli(
        "build", "--spec", str(path), "--target", "hubspot", "--out", str(tmp_path / "out")
    )
    assert code == 3
    assert f"{path}:6:5: fields[0]: the formula of the HubSpot calculated property" in err
    assert not (tmp_path / "out").exists()


def test_a_short_phrase_builds(tmp_path):
    path = write_spec(tmp_path, SPEC_WITH_A_HUGE_PHRASE.format(phrase="tbd"))
    assert render(load_spec(path).model, {}).files


# -- names
# ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "prefix, key, name",
    [
        ("handoff", "handoff_call_at", "handoff_call_at"),
        ("handoff", "call_at", "handoff_call_at"),
        ("cs_handoff", "handoff_notes", "cs_handoff_notes"),
        ("", "handoff_call_at", "handoff_call_at"),
    ],
)
def test_a_key_starting_with_the_prefix_does_not_repeat_it(prefix, key, name):
    assert hubspot_property_name(prefix, key) == name


def test_no_generated_hubspot_name_repeats_the_prefix(example):
    model, desired = example
    prefix = model.naming.hubspot_prefix
    doubled = re.compile(rf"\b{prefix}_{prefix}_")
    assert model.field("handoff_call_at").hubspot_name == "handoff_call_at"
    assert "properties/handoff_call_at.json" in desired.files
    assert not [p for p in desired.files if doubled.search(p)]
    assert not [r.key for r in desired.resources if doubled.search(r.key)]
    assert not any(doubled.search(text.decode()) for text in desired.files.values())


# -- pipeline rules
# -------------------------------------------------------------------------------------------
# Pipeline rules hold reps editing deals; HubSpot bypasses them for workflows, API calls without a user ID and
# super admins (https://knowledge.hubspot.com/object-settings/set-up-pipeline-rules).


def test_no_skipping_never_lists_a_closed_stage(example):
    model, desired = example
    listed = patch_body(model)["noSkippingStagesRule"]["pipelineStageIds"]
    closed = {s.hubspot for s in model.stages if s.closed_won or s.closed_lost}
    assert closed == {"closedwon", "closedlost"} and not closed & set(listed)
    assert listed == ["decisionmakerboughtin", "contractsent"]
    rules = json.loads(desired.files["pipeline-rules/default.json"])
    assert rules["noSkippingStagesRule"]["pipelineStageIds"] == listed


# -- CAPABILITIES.md
# ------------------------------------------------------------------------------------------


def test_capabilities_say_where_validation_rules_do_not_hold(example):
    # "validation rules are not currently enforced when setting property values via workflows or submissions
    # to
    # forms created via the legacy editor"
    # (https://knowledge.hubspot.com/properties/set-validation-rules-for-properties)
    text = example[1].files["CAPABILITIES.md"].decode()
    assert "not enforced for values set by workflows or by forms built in the legacy form editor" in text
    assert "not documented for imports" in text


def test_capabilities_tie_the_moved_back_claim_to_re_enrolment(example):
    # the gate workflows re-enrol on the stage-change event only (targets.hubspot.filters.stage_entered)
    flow = json.loads(example[1].files["flows/gate-enterprise_ready.json"])
    [trigger] = flow["enrollmentCriteria"]["reEnrollmentTriggersFilterBranches"]
    assert trigger["eventTypeId"] == "4-655002" and trigger["filters"][0]["operation"]["value"] == "dealstage"
    text = example[1].files["CAPABILITIES.md"].decode()
    assert "moved back only if the workflow has not enrolled it before" in text and "`4-655002`" in text


def test_capabilities_say_which_enforcement_each_build_uses(example):
    model, with_rules = example
    without = render(model, {}).files["CAPABILITIES.md"].decode()
    with_rules = with_rules.files["CAPABILITIES.md"].decode()
    assert "Built without `--pipeline-rules`: the gate workflows only" in without
    assert "Built with `--pipeline-rules`: the gate workflows" in with_rules
    # the example names no approvers, so neither build has the conditional approval rule
    # (PublicApprovalStageRuleRequest, crm-pipeline-rules-2026-09-beta.json) and both say how to opt in;
    # tests/hubspot/test_approval.py covers the rest
    for text in (without, with_rules):
        assert "This build gates no stage before the move" in text and "`approverUserIds`" in text
        assert "`hubspot: {approvers: [...]}`" in text


# -- undocumented functions
# -----------------------------------------------------------------------------------


@pytest.mark.parametrize("function", sorted(UNDOCUMENTED_FUNCTIONS))
def test_the_strict_grammar_accepts_undocumented_functions_only_when_allowed(function):
    formula = f"if is_present(string(dealname)) then {function}(string(dealname)) else 0"
    assert "is not a function" in syntax_problem(formula)
    assert syntax_problem(formula, allow_undocumented=True) is None


def test_the_build_uses_documented_functions_only(example):
    for text in formulas(example[0]).values():
        assert syntax_problem(text) is None
