"""Generated Salesforce API names carry the naming prefix once: a spec key that already starts with the
prefix (handoff_call_at under prefix Handoff) does not become Handoff_Handoff_Call_At__c."""

from __future__ import annotations

import dataclasses
import re

import pytest
from helpers import EXAMPLE_SPEC, ROOT

from handrail.specs.coverage import gate_rule_name
from handrail.specs.naming import salesforce_field_name
from handrail.specs.validate import load_spec
from handrail.targets.salesforce.render import render

SPECS = sorted(
    {EXAMPLE_SPEC, *(ROOT / "specs" / "examples").glob("*.yaml"), *(ROOT / "tests" / "specs").glob("*.yaml")}
)
_API_NAME = re.compile(r"\b[A-Za-z][A-Za-z0-9_]*__c\b")


def generated_names(model) -> set[str]:
    """Every component's name and every custom field API name the output mentions."""
    active = dataclasses.replace(
        model, automation=dataclasses.replace(model.automation, flow_status="active")
    )
    desired = render(active)
    names = {r.key.split(".")[-1] for r in desired.resources}
    for data in desired.files.values():
        names |= set(_API_NAME.findall(data.decode("utf-8", "replace")))
    return names


def words(name: str) -> list[str]:
    return name.removesuffix("__c").lower().split("_")


def repeats_prefix(name: str, prefix: str) -> bool:
    """The prefix twice in a row (Handoff_Handoff_...); Handoff_Internal_Handoff_At is a real word."""
    w, p = words(name), prefix.lower()
    return any(a == b == p for a, b in zip(w, w[1:]))


@pytest.mark.parametrize("spec", SPECS, ids=lambda p: p.stem)
def test_no_generated_name_repeats_the_prefix(spec):
    model = load_spec(spec).model
    prefix = model.naming.salesforce_prefix
    names = generated_names(model)
    assert any(words(n)[0] == prefix.lower() for n in names)  # the check can see the prefix at all
    doubled = sorted(n for n in names if repeats_prefix(n, prefix))
    assert doubled == []


def test_a_key_starting_with_the_prefix_keeps_it_once():
    assert salesforce_field_name("Handoff", "handoff_call_at") == "Handoff_Call_At__c"
    assert salesforce_field_name("Handoff", "business_goals") == "Handoff_Business_Goals__c"
    assert salesforce_field_name("Handoff", "handoffs_done") == "Handoff_Handoffs_Done__c"  # another word
    assert salesforce_field_name("", "handoff_call_at") == "Handoff_Call_At__c"


def test_the_example_names_its_call_field_once():
    model = load_spec(EXAMPLE_SPEC).model
    assert model.field("handoff_call_at").salesforce_name == "Handoff_Call_At__c"


def test_a_rule_name_under_the_prefix_gate_says_gate_once():
    model = load_spec(ROOT / "tests" / "specs" / "every_gate_form.yaml").model
    assert gate_rule_name(model, "csm_from_the_start") == "Gate_Csm_From_The_Start"
    assert gate_rule_name(load_spec(EXAMPLE_SPEC).model, "closed_won") == "Handoff_Gate_Closed_Won"
