"""Laying components out: source and mdapi formats, package.xml, sfdx-project.json, API version,
determinism."""

from __future__ import annotations

import json

import pytest
from helpers import EXAMPLE_SPEC, write_spec
from lxml import etree

from handrail.specs.diagnostics import HandrailError
from handrail.specs.validate import load_spec
from handrail.targets.salesforce import flows
from handrail.targets.salesforce.components import Component
from handrail.targets.salesforce.render import render, verify

NS = "{http://soap.sforce.com/2006/04/metadata}"
APEX = b"@IsTest\nprivate class Handoff_Flow_Tests {\n    @IsTest static void runs() {}\n}\n"


def flow_side_components(model, options):
    """Stand-ins for what the flows module returns: a flow, a notification type and an Apex test class."""
    version = options["api_version"]
    return [
        Component(
            "Flow",
            "Handoff_Before_Save",
            (
                ("apiVersion", version),
                ("label", "Handoff Before Save"),
                ("processType", "AutoLaunchedFlow"),
                ("status", "Draft"),
            ),
        ),
        Component(
            "CustomNotificationType",
            "Handoff_Alert",
            (
                ("customNotifTypeName", "Handoff Alert"),
                ("desktop", True),
                ("masterLabel", "Handoff Alert"),
                ("mobile", True),
            ),
        ),
        Component(
            "ApexClass", "Handoff_Flow_Tests", (("apiVersion", version), ("status", "Active")), content=APEX
        ),
    ]


@pytest.fixture
def with_flows(monkeypatch):
    monkeypatch.setattr(flows, "components", flow_side_components)


def package_members(data: bytes) -> dict[str, list[str]]:
    root = etree.fromstring(data)
    return {
        t.findtext(f"{NS}name"): [m.text for m in t.findall(f"{NS}members")]
        for t in root.findall(f"{NS}types")
    }


def test_source_layout(example_model, with_flows):
    files = render(example_model, {"format": "source"}).files
    root = "force-app/main/default/"
    assert f"{root}objects/Opportunity/fields/Handoff_Score__c.field-meta.xml" in files
    assert (
        f"{root}objects/Opportunity/validationRules/Handoff_Gate_Enterprise_Ready.validationRule-meta.xml"
    ) in files
    assert f"{root}permissionsets/Handoff_Sales_Access.permissionset-meta.xml" in files
    assert f"{root}permissionsets/Handoff_CS_Access.permissionset-meta.xml" in files
    assert f"{root}flows/Handoff_Before_Save.flow-meta.xml" in files
    assert f"{root}notificationtypes/Handoff_Alert.notiftype-meta.xml" in files
    assert files[f"{root}classes/Handoff_Flow_Tests.cls"] == APEX
    meta = etree.fromstring(files[f"{root}classes/Handoff_Flow_Tests.cls-meta.xml"])
    assert meta.tag == f"{NS}ApexClass" and meta.findtext(f"{NS}apiVersion") == "63.0"
    assert not any(p.startswith(("objects/", "package.xml")) for p in files)


def test_source_files_carry_full_name_only_where_salesforce_retrieves_it(example_model, with_flows):
    files = render(example_model, {}).files
    field = etree.fromstring(
        files["force-app/main/default/objects/Opportunity/fields/Handoff_Score__c.field-meta.xml"]
    )
    assert field[0].tag == f"{NS}fullName" and field[0].text == "Handoff_Score__c"
    rule = etree.fromstring(
        files[
            "force-app/main/default/objects/Opportunity/validationRules/"
            "Handoff_Gate_Enterprise_Ready.validationRule-meta.xml"
        ]
    )
    assert rule[0].text == "Handoff_Gate_Enterprise_Ready"
    for path in (
        "flows/Handoff_Before_Save.flow-meta.xml",
        "permissionsets/Handoff_Sales_Access.permissionset-meta.xml",
        "permissionsets/Handoff_CS_Access.permissionset-meta.xml",
    ):
        assert etree.fromstring(files[f"force-app/main/default/{path}"]).find(f"{NS}fullName") is None


def test_mdapi_layout(example_model, with_flows):
    files = render(example_model, {"format": "mdapi"}).files
    assert set(files) == {
        "package.xml",
        "objects/Opportunity.object",
        "permissionsets/Handoff_Sales_Access.permissionset",
        "permissionsets/Handoff_CS_Access.permissionset",
        "pathAssistants/Handoff_Opportunity_Path.pathAssistant",
        "flows/Handoff_Before_Save.flow",
        "notificationtypes/Handoff_Alert.notiftype",
        "classes/Handoff_Flow_Tests.cls",
        "classes/Handoff_Flow_Tests.cls-meta.xml",
        "layouts/Opportunity-Handoff Opportunity Layout.layout",
        "settings/PathAssistant.settings",
        "reports/Handrail-meta.xml",
        *(
            f"reports/Handrail/Handoff_{name}.report"
            for name in (
                "Quality_By_Owner",
                "Won_Below_Ready",
                "Open_By_Tier",
                "Field_Gaps",
                "SLA_Breaches",
                "Intake_Decisions",
            )
        ),
        "dashboards/Handrail-meta.xml",
        "dashboards/Handrail/Handoff_Review.dashboard",
    }
    obj = etree.fromstring(files["objects/Opportunity.object"])
    assert obj.tag == f"{NS}CustomObject"
    children = [c.tag.removeprefix(NS) for c in obj]
    assert children == sorted(children, key=lambda t: t != "fields")  # fields first, then validation rules
    names = [f.findtext(f"{NS}fullName") for f in obj.findall(f"{NS}fields")]
    assert names == sorted(names) and len(names) == len(example_model.fields) + len(example_model.computed)
    rules = [r.findtext(f"{NS}fullName") for r in obj.findall(f"{NS}validationRules")]
    assert rules == sorted(rules) and len(rules) == len(example_model.gates) + 1  # + the intake rating rule


def test_package_xml_lists_every_component_sorted(example_model, with_flows):
    for fmt, path in (("mdapi", "package.xml"), ("source", "manifest/package.xml")):
        members = package_members(render(example_model, {"format": fmt}).files[path])
        assert (
            list(members)
            == sorted(members)
            == [
                "ApexClass",
                "CustomField",
                "CustomNotificationType",
                "Dashboard",
                "Flow",
                "Layout",
                "PathAssistant",
                "PermissionSet",
                "Report",
                "Settings",
                "ValidationRule",
            ]
        )
        assert all(m == sorted(m) for m in members.values())
        assert "Opportunity.Handoff_Score__c" in members["CustomField"]
        assert "Opportunity.Handoff_Gate_Enterprise_Ready" in members["ValidationRule"]
        assert members["PermissionSet"] == ["Handoff_CS_Access", "Handoff_Sales_Access"]
        assert members["Layout"] == ["Opportunity-Handoff Opportunity Layout"]
        assert "CustomObject" not in members  # only the children Handrail manages, never the whole object


def test_a_spec_without_gates_lists_only_the_intake_rating_rule(tmp_path):
    text = EXAMPLE_SPEC.read_text()
    text = text[: text.index("gates:")] + text[text.index("automation:") :]
    text = text.replace("csm_required_by: commit", "").replace("csm_required_by: negotiation", "")
    model = load_spec(write_spec(tmp_path, text)).model
    files = render(model, {"format": "mdapi"}).files
    assert package_members(files["package.xml"])["ValidationRule"] == ["Opportunity.Handoff_Intake_Rating"]
    rules = etree.fromstring(files["objects/Opportunity.object"]).findall(f"{NS}validationRules")
    assert [r.findtext(f"{NS}fullName") for r in rules] == ["Handoff_Intake_Rating"]
    assert verify(render(model, {"format": "mdapi"})) == []


def test_api_version_everywhere(example_model, with_flows):
    source = render(example_model, {"api_version": "61.0"}).files
    assert json.loads(source["sfdx-project.json"]) == {
        "packageDirectories": [{"path": "force-app", "default": True}],
        "namespace": "",
        "sfdcLoginUrl": "https://login.salesforce.com",
        "sourceApiVersion": "61.0",
    }
    assert etree.fromstring(source["manifest/package.xml"]).findtext(f"{NS}version") == "61.0"
    assert (
        b"<apiVersion>61.0</apiVersion>"
        in source["force-app/main/default/flows/Handoff_Before_Save.flow-meta.xml"]
    )
    mdapi = render(example_model, {"format": "mdapi"}).files
    assert etree.fromstring(mdapi["package.xml"]).findtext(f"{NS}version") == "63.0"


@pytest.mark.parametrize(
    "options, message",
    [
        ({"format": "zip"}, "unknown format"),
        ({"api_version": "v63"}, "not of the form"),
        ({"edition": "essentials"}, "unknown edition"),
    ],
)
def test_bad_options_are_usage_errors(example_model, options, message):
    with pytest.raises(HandrailError, match=message) as caught:
        render(example_model, options)
    assert caught.value.exit_code == 2


def test_the_same_spec_gives_the_same_bytes(with_flows):
    for fmt in ("source", "mdapi"):
        first = render(load_spec(EXAMPLE_SPEC).model, {"format": fmt}).files
        second = render(load_spec(EXAMPLE_SPEC).model, {"format": fmt}).files
        assert list(first) == list(second) and first == second
        for path, data in first.items():
            assert data.endswith(b"\n"), path
            assert b"\r" not in data, path


def test_an_unknown_component_type_is_refused(example_model, monkeypatch):
    monkeypatch.setattr(
        flows, "components", lambda model, options: [Component("FlexiPage", "Handoff_Page", ())]
    )
    with pytest.raises(ValueError, match="FlexiPage"):
        render(example_model, {})
