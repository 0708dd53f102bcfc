"""Adopted fields: which are adopted, what the spec states of them, and a filled body deploys as it reads."""

from __future__ import annotations

import dataclasses

from helpers import EXAMPLE_SPEC

from handrail.generators.plan.resources import Resource
from handrail.specs.validate import load_spec
from handrail.targets.salesforce.adoption import (
    adopt,
    adopted_fields,
    keep_org_values,
    pairs_from_body,
    stated,
    value_set,
)
from handrail.targets.salesforce.components import Component, from_payload
from handrail.targets.salesforce.normal_form import component_body
from handrail.targets.salesforce.render import render
from handrail.targets.salesforce.xml import metadata_xml

LOOKUP = {
    "businessOwnerGroup": "Sales_Ops",
    "deleteConstraint": "Restrict",
    "description": "The CSM the AE chose",
    "label": "CSM",
    "lookupFilter": {
        "active": "true",
        "booleanFilter": "1 AND 2",
        "filterItems": [
            {"field": "User.IsActive", "operation": "equals", "value": "True"},
            {"field": "User.Department", "operation": "equals", "value": "Customer Success"},
        ],
        "isOptional": "false",
    },
    "referenceTo": "User",
    "relationshipLabel": "Handoffs",
    "relationshipName": "Handoffs",
    "required": "false",
    "trackHistory": "true",
    "type": "Lookup",
}


def _model(tmp_path, text_edits: dict[str, str]):
    spec = tmp_path / "handoff.yaml"
    text = EXAMPLE_SPEC.read_text()
    for old, new in text_edits.items():
        assert old in text
        text = text.replace(old, new, 1)
    spec.write_text(text)
    return load_spec(spec).model


def test_a_body_read_back_from_its_pairs_is_the_same_body():
    component = Component("CustomField", "Opportunity.CSM__c", tuple(pairs_from_body(LOOKUP, "CustomField")))
    assert component_body(component) == LOOKUP
    assert b"<filterItems>" in metadata_xml("CustomField", component.pairs)


def test_only_fields_named_apart_from_the_derived_name_are_adopted(tmp_path):
    model = _model(
        tmp_path,
        {
            "  - key: seats\n": "  - key: seats\n    salesforce: {api_name: Seat_Count__c}\n",
            "  - key: discount\n": "  - key: discount\n    salesforce: {api_name: Handoff_Discount__c}\n",
        },
    )
    assert list(adopted_fields(model)) == ["Opportunity.Seat_Count__c"]
    seats = adopted_fields(model)["Opportunity.Seat_Count__c"]
    assert "inlineHelpText" not in stated(seats) and "description" not in stated(seats)
    goals = model.field("business_goals")
    assert "inlineHelpText" in stated(goals)


def test_unstated_attributes_take_the_org_value_and_absence(tmp_path):
    spec = {
        "description": "Handrail's",
        "label": "CSM",
        "referenceTo": "User",
        "trackHistory": "false",
        "type": "Lookup",
    }
    org = {k: v for k, v in LOOKUP.items() if k != "label"}
    body = keep_org_values(spec, org, frozenset({"label", "type", "referenceTo"}))
    assert body == {**LOOKUP, "label": "CSM"}
    assert list(body) == sorted(body)  # the schema's sequence, alphabetical for CustomField
    # a new type: what only some types carry follows the spec, the rest stays the org's
    text = {"label": "X", "length": "80", "type": "Text"}
    retyped = keep_org_values(text, LOOKUP, frozenset({"label", "type", "length", "referenceTo"}))
    assert set(retyped) == {"businessOwnerGroup", "description", "label", "length", "trackHistory", "type"}


def test_adopt_fills_the_payload_apply_deploys(tmp_path):
    model = _model(
        tmp_path, {"  - key: seats\n": "  - key: seats\n    salesforce: {api_name: Seat_Count__c}\n"}
    )
    desired = render(model)
    key = ("CustomField", "Opportunity.Seat_Count__c")
    mine = next(r for r in desired.resources if (r.kind, r.key) == key)
    live_body = {**mine.body, "label": "Seat Count", "trackHistory": "true", "complianceGroup": "GDPR"}
    live = {key: Resource(*key, live_body)}
    filled = next(r for r in adopt(model, desired, live).resources if (r.kind, r.key) == key)
    assert filled.body == {**live_body, "label": mine.body["label"]}
    assert component_body(from_payload(filled.payload)) == filled.body
    untouched = [r for r in adopt(model, desired, live).resources if (r.kind, r.key) != key]
    assert untouched == [r for r in desired.resources if (r.kind, r.key) != key]
    assert adopt(model, desired, {}) == dataclasses.replace(desired)


def test_a_picklist_takes_the_spec_values_and_keeps_the_rest_of_the_org_value_set():
    spec = {
        "restricted": "true",
        "valueSetDefinition": {
            "sorted": "false",
            "value": [
                {"fullName": "B", "default": "false", "label": "Bee"},
                {"fullName": "C", "default": "false", "label": "C"},
            ],
        },
    }
    org = {
        "controllingField": "Region__c",
        "valueSetDefinition": {
            "sorted": "true",
            "value": [
                {"fullName": "A", "default": "false", "label": "A"},
                {"fullName": "B", "color": "#FF0000", "default": "true", "label": "B"},
            ],
        },
        "valueSettings": [{"controllingFieldValue": ["EMEA"], "valueName": "B"}],
    }
    assert value_set(spec, org) == {
        "controllingField": "Region__c",
        "valueSetDefinition": {
            "sorted": "true",
            "value": [
                {"fullName": "B", "color": "#FF0000", "default": "true", "label": "Bee"},
                {"fullName": "C", "default": "false", "label": "C"},
            ],
        },
        "valueSettings": [{"controllingFieldValue": ["EMEA"], "valueName": "B"}],
    }
    assert value_set(spec, {"valueSetName": "Regions"}) == spec
