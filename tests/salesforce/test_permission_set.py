"""The two field-access permission sets: Sales edits the handoff fields, CS edits intake status, rating and
the CS timestamps; both read every generated field, computed ones are read-only, never a required one."""

from __future__ import annotations

from lxml import etree

from handrail.specs.computed import READ_ONLY, SALES_EDITABLE
from handrail.targets.salesforce.components import Component
from handrail.targets.salesforce.fields import field_components
from handrail.targets.salesforce.permission_set import permission_set_component
from handrail.targets.salesforce.render import render

NS = "{http://soap.sforce.com/2006/04/metadata}"
ROOT = "force-app/main/default/permissionsets/"
SALES = f"{ROOT}Handoff_Sales_Access.permissionset-meta.xml"
CS = f"{ROOT}Handoff_CS_Access.permissionset-meta.xml"
CS_EDITS = {"internal_handoff_at", "first_touch_at", "kickoff_at", "csm_rating", "intake_status"}


def grants(data: bytes) -> dict[str, tuple[str, str]]:
    root = etree.fromstring(data)
    return {
        p.findtext(f"{NS}field"): (p.findtext(f"{NS}editable"), p.findtext(f"{NS}readable"))
        for p in root.iter(f"{NS}fieldPermissions")
    }


def test_both_sets_grant_every_generated_field_once_in_name_order(example_model):
    files = render(example_model, {}).files
    generated = {f"Opportunity.{f.salesforce_name}" for f in example_model.fields + example_model.computed}
    for path in (SALES, CS):
        assert set(grants(files[path])) == generated
        order = [
            p.findtext(f"{NS}field") for p in etree.fromstring(files[path]).iter(f"{NS}fieldPermissions")
        ]
        assert order == sorted(order)


def test_the_old_single_set_is_no_longer_rendered(example_model):
    files = render(example_model, {}).files
    assert not any("Field_Access" in path for path in files)


def test_sales_edits_handoff_fields_and_reads_every_computed_one(example_model):
    granted = grants(render(example_model, {}).files[SALES])
    for f in example_model.fields:
        assert granted[f"Opportunity.{f.salesforce_name}"] == ("true", "true"), f.key
    for f in example_model.computed:  # all read-only but the tick that resubmits a returned handoff
        expected = ("true", "true") if f.key == "intake_resubmit" else ("false", "true")
        assert granted[f"Opportunity.{f.salesforce_name}"] == expected, f.key


def test_cs_edits_intake_status_rating_and_cs_timestamps_only(example_model):
    granted = grants(render(example_model, {}).files[CS])
    for f in example_model.fields:
        assert granted[f"Opportunity.{f.salesforce_name}"] == ("false", "true"), f.key
    assert SALES_EDITABLE == {"intake_resubmit"}
    assert CS_EDITS == {f.key for f in example_model.computed} - READ_ONLY - SALES_EDITABLE
    for f in example_model.computed:
        expected = ("true", "true") if f.key in CS_EDITS else ("false", "true")
        assert granted[f"Opportunity.{f.salesforce_name}"] == expected, f.key


def test_a_required_field_is_never_granted(example_model):
    fields = field_components(example_model)
    required = Component(
        "CustomField",
        "Opportunity.Org_Required__c",
        (("label", "Org Required"), ("required", True), ("type", "Text")),
    )
    for role in ("sales", "cs"):
        component = permission_set_component(example_model, fields + [required], role)
        names = [dict(g)["field"] for g in dict(component.pairs)["fieldPermissions"]]
        assert "Opportunity.Org_Required__c" not in names
        assert len(names) == len(fields)


def test_labels_and_descriptions(example_model):
    files = render(example_model, {}).files
    for path, label in ((SALES, "Handoff Sales Access"), (CS, "Handoff CS Access")):
        root = etree.fromstring(files[path])
        assert root.findtext(f"{NS}label") == label
        assert root.findtext(f"{NS}description").startswith("Managed by Handrail")
        assert len(root.findtext(f"{NS}description")) <= 255
        assert root.findtext(f"{NS}hasActivationRequired") == "false"
        assert [c.tag.removeprefix(NS) for c in root][0] == "description"
        assert [c.tag.removeprefix(NS) for c in root][-2:] == ["hasActivationRequired", "label"]
