"""Custom fields: the XML Salesforce expects for each type, as it retrieves it."""

from __future__ import annotations

import pytest
from helpers import ROOT, shared_path
from lxml import etree

from handrail.specs.validate import load_spec
from handrail.targets.salesforce.render import render

NS = "{http://soap.sforce.com/2006/04/metadata}"
FIELDS_DIR = "force-app/main/default/objects/Opportunity/fields"


def field_xml(files: dict[str, bytes], api_name: str) -> etree._Element:
    return etree.fromstring(files[f"{FIELDS_DIR}/{api_name}.field-meta.xml"])


def tags(element) -> list[str]:
    return [child.tag.removeprefix(NS) for child in element]


def text(element, path: str) -> str | None:
    found = element.find("/".join(NS + part for part in path.split("/")))
    return None if found is None else found.text


@pytest.fixture(scope="module")
def files():
    return render(load_spec(ROOT / "tests" / "specs" / "every_field_type.yaml").model, {}).files


def test_text(files):
    f = field_xml(files, "CS_Short_Note__c")
    assert tags(f) == [
        "fullName",
        "description",
        "externalId",
        "label",
        "length",
        "required",
        "trackHistory",
        "type",
        "unique",
    ]
    assert (text(f, "type"), text(f, "length"), text(f, "required")) == ("Text", "80", "false")


def test_long_text_area_has_length_and_visible_lines_and_no_required(files):
    f = field_xml(files, "CS_Goals_Text__c")
    assert tags(f) == [
        "fullName",
        "description",
        "inlineHelpText",
        "label",
        "length",
        "trackHistory",
        "type",
        "visibleLines",
    ]
    assert (text(f, "type"), text(f, "length"), text(f, "visibleLines")) == ("LongTextArea", "4000", "8")


def test_picklist_is_restricted_unsorted_with_value_labels(files):
    f = field_xml(files, "CS_Plan_Tier__c")
    assert text(f, "type") == "Picklist"
    assert text(f, "valueSet/restricted") == "true"
    assert text(f, "valueSet/valueSetDefinition/sorted") == "false"
    values = f.findall(f"{NS}valueSet/{NS}valueSetDefinition/{NS}value")
    assert [(text(v, "fullName"), text(v, "default"), text(v, "label")) for v in values] == [
        ("ent", "false", "Enterprise plan"),
        ("pro", "false", "Professional plan"),
        ("other", "false", "Other / unknown"),
    ]
    assert tags(values[0]) == ["fullName", "default", "label"]


def test_multi_select_has_visible_lines_after_its_values(files):
    f = field_xml(files, "CS_Integrations__c")
    assert text(f, "type") == "MultiselectPicklist"
    assert tags(f)[-2:] == ["valueSet", "visibleLines"]
    assert text(f, "visibleLines") == "4"
    assert len(f.findall(f"{NS}valueSet/{NS}valueSetDefinition/{NS}value")) == 4


@pytest.mark.parametrize(
    "api_name, sf_type, precision, scale",
    [
        ("CS_Licence_Count__c", "Number", "6", "1"),
        ("CS_Services_Fee__c", "Currency", "16", "2"),  # the spec's defaults for currency
        ("CS_Expected_Adoption__c", "Percent", "3", "0"),
    ],
)
def test_numbers_carry_precision_and_scale(files, api_name, sf_type, precision, scale):
    f = field_xml(files, api_name)
    assert (text(f, "type"), text(f, "precision"), text(f, "scale")) == (sf_type, precision, scale)
    assert ("unique" in tags(f)) == (sf_type == "Number")


@pytest.mark.parametrize(
    "api_name, sf_type", [("CS_Go_Live__c", "Date"), ("CS_Last_Exec_Call__c", "DateTime")]
)
def test_dates(files, api_name, sf_type):
    f = field_xml(files, api_name)
    assert tags(f) == ["fullName", "description", "label", "required", "trackHistory", "type"]
    assert text(f, "type") == sf_type


def test_checkbox_defaults_to_false_and_has_no_required(files):
    f = field_xml(files, "CS_Partner_Flag__c")
    assert tags(f) == ["fullName", "defaultValue", "description", "label", "trackHistory", "type"]
    assert (text(f, "type"), text(f, "defaultValue")) == ("Checkbox", "false")


def test_user_fields_are_lookups_to_user_with_distinct_relationships(files):
    csm, sponsor = field_xml(files, "CS_Owner_Csm__c"), field_xml(files, "CS_Exec_Sponsor__c")
    for f in (csm, sponsor):
        assert (text(f, "type"), text(f, "referenceTo"), text(f, "deleteConstraint")) == (
            "Lookup",
            "User",
            "SetNull",
        )
    assert text(csm, "relationshipName") == "CS_Owner_Csm"
    assert text(csm, "relationshipName") != text(sponsor, "relationshipName")


def test_labels_help_and_descriptions_survive_escaping(files):
    raw = files[f"{FIELDS_DIR}/CS_Goals_Text__c.field-meta.xml"].decode()
    assert "<label>Goals &amp; &quot;Outcomes&quot;</label>" in raw
    f = field_xml(files, "CS_Goals_Text__c")
    assert (
        text(f, "inlineHelpText") == "What the customer's team <really> wants & why; quote them: "
        '"faster close".'
    )
    assert text(f, "description") == (
        "Managed by Handrail (handoff field 'goals_text'). Handoff score weight 3. "
        "Free text; measured by length in the score."
    )


def test_an_api_name_override_is_used(files):
    assert f"{FIELDS_DIR}/Legacy_Handoff_Notes__c.field-meta.xml" in files


def test_no_field_is_required_at_the_field_level(files):
    for path, data in files.items():
        if path.startswith(FIELDS_DIR):
            assert text(etree.fromstring(data), "required") in (None, "false"), path


def test_computed_fields(example_model):
    files = render(example_model, {}).files
    score = field_xml(files, "Handoff_Score__c")
    assert (text(score, "type"), text(score, "precision"), text(score, "scale")) == ("Number", "5", "1")
    assert "do not edit by hand" in text(score, "description")
    completeness = field_xml(files, "Handoff_Completeness__c")
    assert (text(completeness, "type"), text(completeness, "precision"), text(completeness, "scale")) == (
        "Percent",
        "5",
        "1",
    )
    assert text(field_xml(files, "Handoff_Missing_Summary__c"), "type") == "LongTextArea"
    for stamp in ("Closed_Won_At", "Internal_Handoff_At", "First_Touch_At", "Kickoff_At"):
        assert text(field_xml(files, f"Handoff_{stamp}__c"), "type") == "DateTime"

    def values(api_name):
        f = field_xml(files, api_name)
        return [(text(v, "fullName"), text(v, "label")) for v in f.iter(f"{NS}value")]

    assert values("Handoff_Tier__c") == [("Ready", "Ready"), ("Gaps", "Gaps"), ("Blocked", "Blocked")]
    assert values("Handoff_Segment__c") == [(s.key, s.label) for s in example_model.segments]
    assert values("Handoff_Csm_Rating__c") == [(str(n), str(n)) for n in range(1, 6)]
    assert [v for v, _ in values("Handoff_Intake_Status__c")] == ["Pending", "Accepted", "Returned"]


def test_element_order_matches_the_reference_samples(files):
    """Whatever elements a generated field shares with the reference sample of its type come in the same
    order."""
    samples = shared_path(
        "reference",
        "salesforce",
        "samples",
        "force-app",
        "main",
        "default",
        "objects",
        "Opportunity",
        "fields",
    )
    ours = {}
    for path, data in files.items():
        if path.startswith(FIELDS_DIR):
            f = etree.fromstring(data)
            ours.setdefault(text(f, "type"), tags(f))
    compared = 0
    for sample in samples.glob("*.field-meta.xml"):
        theirs = tags(etree.parse(str(sample)).getroot())
        sf_type = text(etree.parse(str(sample)).getroot(), "type")
        if sf_type in ours:
            shared = [t for t in ours[sf_type] if t in theirs]
            assert shared == [t for t in theirs if t in shared], sample.name
            compared += 1
    assert compared >= 8
