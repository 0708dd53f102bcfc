"""The field-access permission set: every generated field visible, computed ones read-only, never a required
one."""

from __future__ import annotations

from lxml import etree

from handrail.specs.computed import READ_ONLY
from handrail.targets.salesforce.components import Component
from handrail.targets.salesforce.fields import field_components
from handrail.targets.salesforce.permission_set import permission_set_component
from handrail.targets.salesforce.render import render

NS = "{http://soap.sforce.com/2006/04/metadata}"
PATH = "force-app/main/default/permissionsets/Handoff_Field_Access.permissionset-meta.xml"


def grants(data: bytes) -> dict[str, tuple[str, str]]:
    root = etree.fromstring(data)
    return {
        p.findtext(f"{NS}field"): (p.findtext(f"{NS}editable"), p.findtext(f"{NS}readable"))
        for p in root.iter(f"{NS}fieldPermissions")
    }


def test_every_generated_field_is_granted_once_in_name_order(example_model):
    files = render(example_model, {}).files
    granted = grants(files[PATH])
    generated = {f"Opportunity.{f.salesforce_name}" for f in example_model.fields + example_model.computed}
    assert set(granted) == generated
    root = etree.fromstring(files[PATH])
    order = [p.findtext(f"{NS}field") for p in root.iter(f"{NS}fieldPermissions")]
    assert order == sorted(order)


def test_input_fields_are_editable_and_computed_ones_read_only(example_model):
    granted = grants(render(example_model, {}).files[PATH])
    for f in example_model.fields:
        assert granted[f"Opportunity.{f.salesforce_name}"] == ("true", "true"), f.key
    for f in example_model.computed:
        expected = ("false", "true") if f.key in READ_ONLY else ("true", "true")
        assert granted[f"Opportunity.{f.salesforce_name}"] == expected, f.key


def test_a_required_field_is_never_granted(example_model):
    fields = field_components(example_model)
    required = Component(
        "CustomField",
        "Opportunity.Org_Required__c",
        (("label", "Org Required"), ("required", True), ("type", "Text")),
    )
    component = permission_set_component(example_model, fields + [required])
    names = [dict(g)["field"] for g in dict(component.pairs)["fieldPermissions"]]
    assert "Opportunity.Org_Required__c" not in names
    assert len(names) == len(fields)


def test_label_and_description(example_model):
    root = etree.fromstring(render(example_model, {}).files[PATH])
    assert root.findtext(f"{NS}label") == "Handoff Field Access"
    assert root.findtext(f"{NS}description").startswith("Managed by Handrail")
    assert root.findtext(f"{NS}hasActivationRequired") == "false"
    assert [c.tag.removeprefix(NS) for c in root][0] == "description"
    assert [c.tag.removeprefix(NS) for c in root][-2:] == ["hasActivationRequired", "label"]
