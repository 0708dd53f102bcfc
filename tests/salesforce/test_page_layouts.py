"""Opportunity page layouts: Handoff sections, the layout of its own, merging into a retrieved layout
without touching the rest, and drift in handoff terms. All XML checked against the Metadata API schema."""

from __future__ import annotations

from lxml import etree

from handrail.targets.salesforce import layouts
from handrail.targets.salesforce.xml import metadata_xml
from tests.fakes import wsdl

COMPUTED = ["Handoff_Score__c", "Handoff_Tier__c", "Handoff_Segment__c", "Handoff_Missing_Summary__c"]
SECTIONS = layouts.sections_for(
    [
        ("Goals and use case", ["Handoff_Goals__c", "Handoff_Use_Case__c"]),
        ("Risks", ["Handoff_Risk_Flags__c"]),
    ],
    COMPUTED,
)
EXISTING = b"""<?xml version="1.0" encoding="UTF-8"?>
<Layout xmlns="http://soap.sforce.com/2006/04/metadata">
    <excludeButtons>Submit</excludeButtons>
    <layoutSections>
        <customLabel>false</customLabel>
        <detailHeading>false</detailHeading>
        <editHeading>true</editHeading>
        <label>Opportunity Information</label>
        <layoutColumns>
            <layoutItems>
                <behavior>Required</behavior>
                <field>Name</field>
            </layoutItems>
            <layoutItems>
                <behavior>Edit</behavior>
                <field>Custom_Thing__c</field>
            </layoutItems>
        </layoutColumns>
        <layoutColumns>
            <layoutItems>
                <behavior>Required</behavior>
                <field>StageName</field>
            </layoutItems>
        </layoutColumns>
        <style>TwoColumnsTopToBottom</style>
    </layoutSections>
    <layoutSections>
        <customLabel>true</customLabel>
        <detailHeading>true</detailHeading>
        <editHeading>true</editHeading>
        <label>Partner notes</label>
        <layoutColumns>
            <layoutItems>
                <behavior>Edit</behavior>
                <field>Description</field>
            </layoutItems>
        </layoutColumns>
        <style>OneColumn</style>
    </layoutSections>
    <showHighlightsPanel>false</showHighlightsPanel>
</Layout>
"""


def _valid(data: bytes) -> None:
    assert wsdl.validate(etree.fromstring(data)) == []


def test_full_name_encodes_like_salesforce():
    assert layouts.full_name("Opportunity Layout") == "Opportunity-Opportunity Layout"
    assert layouts.full_name("Sales (EMEA)") == "Opportunity-Sales %28EMEA%29"


def test_own_layout_is_valid_and_holds_computed_fields_readonly_at_the_top():
    data = metadata_xml("Layout", layouts.own_layout_pairs(SECTIONS))
    _valid(data)
    fields = layouts.handoff_fields(data)
    assert list(fields) == ["Handoff: Goals and use case", "Handoff: Risks"]
    assert fields["Handoff: Goals and use case"][:4] == COMPUTED
    root = etree.fromstring(data)
    behaviors = {i.findtext("{*}field"): i.findtext("{*}behavior") for i in root.iter("{*}layoutItems")}
    assert {behaviors[f] for f in COMPUTED} == {"Readonly"}
    assert behaviors["Handoff_Goals__c"] == "Edit"


def test_merge_keeps_every_other_section_byte_for_byte():
    merged = layouts.merge(EXISTING, SECTIONS)
    _valid(merged)
    text = merged.decode()
    original = EXISTING.decode()
    start = original.index("    <layoutSections>")
    end = original.rindex("</layoutSections>\n") + len("</layoutSections>\n")
    assert original[start:end] in text
    assert "<excludeButtons>Submit</excludeButtons>" in text and "Custom_Thing__c" in text
    assert list(layouts.handoff_fields(merged)) == ["Handoff: Goals and use case", "Handoff: Risks"]


def test_merge_is_idempotent_and_replaces_only_handoff_sections():
    once = layouts.merge(EXISTING, SECTIONS)
    assert layouts.merge(once, SECTIONS) == once
    fewer = layouts.merge(once, SECTIONS[:1])
    assert list(layouts.handoff_fields(fewer)) == ["Handoff: Goals and use case"]
    assert "Partner notes" in fewer.decode()


def test_merge_into_a_layout_without_sections():
    bare = (
        b'<?xml version="1.0" encoding="UTF-8"?>\n<Layout xmlns="http://soap.sforce.com/2006/04/metadata">\n'
        b"    <showHighlightsPanel>false</showHighlightsPanel>\n</Layout>\n"
    )
    merged = layouts.merge(bare, SECTIONS)
    _valid(merged)
    assert merged.decode().index("Handoff: Risks") < merged.decode().index("showHighlightsPanel")


def test_drift_in_handoff_terms():
    desired = layouts.merge(EXISTING, SECTIONS)
    assert layouts.describe_drift("Opportunity Layout", desired, desired) == []
    assert layouts.describe_drift("Opportunity Layout", desired, EXISTING) == [
        "adds section Handoff: Goals and use case to Opportunity Layout",
        "adds section Handoff: Risks to Opportunity Layout",
    ]
    dropped = desired.replace(b"<field>Handoff_Risk_Flags__c</field>", b"<field>Other__c</field>")
    assert layouts.describe_drift("Opportunity Layout", desired, dropped) == [
        "field Handoff_Risk_Flags__c missing from section Handoff: Risks of Opportunity Layout",
        "field Other__c not in the spec, in section Handoff: Risks of Opportunity Layout",
    ]
    removed = layouts.merge(EXISTING, SECTIONS[:1])
    assert layouts.describe_drift("Opportunity Layout", removed, desired) == [
        "removes section Handoff: Risks from Opportunity Layout"
    ]


def test_spec_layout_names_keep_their_lines_and_unknown_ones_are_located_errors():
    from handrail.specs.loader import load_bytes
    from handrail.specs.platforms import salesforce_settings

    doc = load_bytes(
        b"name: x\nsalesforce:\n  layouts:\n    - Opportunity Layout\n    - Missing One\n", "s.yaml"
    )
    settings = salesforce_settings(doc)
    assert [n.name for n in settings.layouts] == ["Opportunity Layout", "Missing One"]
    errors = layouts.unknown_layouts(settings.layouts, ["Opportunity Layout", "Sales Layout"])
    assert len(errors) == 1
    assert errors[0].span.line == 5
    assert "Missing One" in errors[0].message
    assert "Opportunity Layout, Sales Layout" in errors[0].hint


def test_no_salesforce_key_means_no_layouts():
    from handrail.specs.loader import load_bytes
    from handrail.specs.platforms import salesforce_settings

    assert salesforce_settings(load_bytes(b"name: x\n", "s.yaml")).layouts == ()


def test_build_writes_its_own_layout_but_never_a_named_layouts_sections(tmp_path):
    """A named layout's Handoff sections alone, deployed by `sf`, would replace the whole layout: build
    leaves them out; plan and apply carry them, to be merged into the layout the org holds."""
    from handrail.specs.validate import load_spec
    from handrail.targets.salesforce.render import render
    from tests.helpers import EXAMPLE_SPEC

    spec = tmp_path / "handoff.yaml"
    spec.write_text(EXAMPLE_SPEC.read_text() + "\nsalesforce:\n  layouts: [Opportunity Layout]\n")
    desired = render(load_spec(spec).model)
    layout_files = [p for p in desired.files if "/layouts/" in p]
    assert layout_files == [
        "force-app/main/default/layouts/Opportunity-Handoff Opportunity Layout.layout-meta.xml"
    ]
    named = next(r for r in desired.resources if r.key == "Opportunity-Opportunity Layout")
    assert named.facts == {"merge": "Handoff: "} and named.source is not None
    assert list(named.body) == ["layoutSections"]
    titles = [s["label"] for s in named.body["layoutSections"]]
    assert titles[0] == "Handoff: Goals and use case" and titles[-1] == "Handoff: Customer Success"
