"""Resources: one per component, canonical bodies that read the same from generated or retrieved XML."""

from __future__ import annotations

import json

from helpers import shared_path

from handrail.specs.coverage import gate_rule_name
from handrail.targets.salesforce import flows
from handrail.targets.salesforce.normal_form import body_from_xml
from handrail.targets.salesforce.render import render

FIELDS = "force-app/main/default/objects/Opportunity/fields"


def test_one_resource_per_component_keyed_by_full_name(example_model):
    desired = render(example_model, {})
    keys = [(r.kind, r.key) for r in desired.resources]
    assert len(keys) == len(set(keys))
    fields = [k for kind, k in keys if kind == "CustomField"]
    assert fields == [
        f"Opportunity.{f.salesforce_name}" for f in example_model.fields + example_model.computed
    ]
    rules = [k for kind, k in keys if kind == "ValidationRule"]
    gate_rules = [f"Opportunity.{gate_rule_name(example_model, g.key)}" for g in example_model.gates]
    assert rules == gate_rules + ["Opportunity.Handoff_Intake_Rating"]
    assert ("PermissionSet", "Handoff_Sales_Access") in keys
    assert ("PermissionSet", "Handoff_CS_Access") in keys
    assert ("Layout", "Opportunity-Handoff Opportunity Layout") in keys  # the layout of its own
    review = [k for k in keys if k[0] in ("ReportFolder", "Report", "DashboardFolder", "Dashboard")]
    assert len(review) == 9  # the review: two folders, six reports, a dashboard
    assert (
        len(keys)
        == len(flows.components(example_model, {"api_version": "63.0"})) + len(fields) + len(rules) + 5 + 9
    )


def test_resources_point_at_their_spec_nodes(example_model):
    by_key = {r.key: r for r in render(example_model, {}).resources}
    goals = by_key["Opportunity.Handoff_Business_Goals__c"]
    assert goals.source == example_model.field("business_goals").span
    gate = next(g for g in example_model.gates if g.key == "enterprise_ready")
    assert by_key[f"Opportunity.{gate_rule_name(example_model, gate.key)}"].source == gate.span


def test_bodies_are_json_and_keep_element_order(example_model):
    by_key = {r.key: r for r in render(example_model, {}).resources}
    body = by_key["Opportunity.Handoff_Communication_Prefs__c"].body
    assert json.loads(json.dumps(body)) == body
    assert list(body) == [
        "description",
        "inlineHelpText",
        "label",
        "required",
        "trackHistory",
        "type",
        "valueSet",
    ]
    assert body["required"] == "false" and "fullName" not in body
    values = body["valueSet"]["valueSetDefinition"]["value"]
    assert [v["fullName"] for v in values] == [
        "Weekly call",
        "Biweekly call",
        "Email updates",
        "Shared Slack channel",
        "Other",
    ]


def test_a_repeatable_element_is_a_list_even_with_one_item(example_model):
    by_key = {r.key: r for r in render(example_model, {}).resources}
    rule = by_key[f"Opportunity.{gate_rule_name(example_model, 'enterprise_ready')}"].body
    assert list(rule) == ["active", "description", "errorConditionFormula", "errorMessage"]
    permissions = by_key["Handoff_Sales_Access"].body["fieldPermissions"]
    assert isinstance(permissions, list) and permissions[0] == {
        "editable": "true",
        "field": "Opportunity.Handoff_Business_Goals__c",
        "readable": "true",
    }


def test_bodies_match_the_generated_files(example_model):
    desired = render(example_model, {})
    by_key = {r.key: r for r in desired.resources}
    for path, data in desired.files.items():
        if path.startswith(FIELDS):
            name = path.rsplit("/", 1)[1].removesuffix(".field-meta.xml")
            assert body_from_xml(data) == by_key[f"Opportunity.{name}"].body


def test_retrieved_metadata_reads_into_the_same_shape():
    sample = shared_path(
        "reference",
        "salesforce",
        "samples",
        "force-app",
        "main",
        "default",
        "objects",
        "Opportunity",
        "fields",
        "CS_Handoff_Segment__c.field-meta.xml",
    )
    body = body_from_xml(sample.read_bytes())
    assert body["type"] == "Picklist" and "fullName" not in body
    assert [v["label"] for v in body["valueSet"]["valueSetDefinition"]["value"]] == [
        "SMB",
        "Mid-Market",
        "Enterprise",
    ]
    single = (
        b'<CustomField xmlns="http://soap.sforce.com/2006/04/metadata"><type>Picklist</type><valueSet>'
        b"<valueSetDefinition><sorted>false</sorted><value><fullName>A</fullName><default>false</default>"
        b"</value></valueSetDefinition></valueSet></CustomField>"
    )
    assert body_from_xml(single)["valueSet"]["valueSetDefinition"]["value"] == [
        {"fullName": "A", "default": "false"}
    ]
