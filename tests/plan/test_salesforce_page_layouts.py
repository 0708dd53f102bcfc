"""Page layouts against the fake org: Handrail's sections merged into the layouts the spec names, the
rest of each layout kept, drift in handoff terms, and a layout the org lacks as a located spec error."""

from __future__ import annotations

import json

import pytest
from lxml import etree
from plan.live import SALESFORCE_ENV, args, live_spec

MD = "http://soap.sforce.com/2006/04/metadata"
OWN = "Opportunity-Handoff Opportunity Layout"


def _layout(label: str, field: str) -> str:
    """An existing layout with a standard section, a custom section and settings Handrail never touches."""
    return f"""<Layout xmlns="{MD}">
    <excludeButtons>Submit</excludeButtons>
    <layoutSections>
        <customLabel>false</customLabel><detailHeading>false</detailHeading><editHeading>true</editHeading>
        <label>Opportunity Information</label>
        <layoutColumns>
            <layoutItems><behavior>Required</behavior><field>Name</field></layoutItems>
            <layoutItems><behavior>Edit</behavior><field>{field}</field></layoutItems>
        </layoutColumns>
        <layoutColumns><layoutItems><behavior>Required</behavior><field>StageName</field></layoutItems>
        </layoutColumns>
        <style>TwoColumnsTopToBottom</style>
    </layoutSections>
    <layoutSections>
        <customLabel>true</customLabel><detailHeading>true</detailHeading><editHeading>true</editHeading>
        <label>{label}</label>
        <layoutColumns><layoutItems><behavior>Edit</behavior><field>Description</field></layoutItems>
        </layoutColumns>
        <style>OneColumn</style>
    </layoutSections>
    <relatedLists><relatedList>RelatedNoteList</relatedList></relatedLists>
    <showHighlightsPanel>false</showHighlightsPanel>
</Layout>"""


@pytest.fixture
def org(org):
    org.org.put_xml("Layout", "Opportunity-Opportunity Layout", _layout("Partner notes", "Type"))
    org.org.put_xml("Layout", "Opportunity-Enterprise Layout", _layout("Deal desk", "LeadSource"))
    return org


@pytest.fixture
def spec(tmp_path):
    path = live_spec(tmp_path, SALESFORCE_ENV)
    path.write_text(path.read_text() + "\nsalesforce:\n  layouts: [Opportunity Layout, Enterprise Layout]\n")
    return path


def _sections(org, name: str) -> dict[str, list[str]]:
    root = org.org.find("Layout", name).element
    return {
        s.findtext(f"{{{MD}}}label"): [f.text for f in s.iter(f"{{{MD}}}field")]
        for s in root.findall(f"{{{MD}}}layoutSections")
    }


def _untouched_part(org, name: str) -> list[bytes]:
    """Everything in a layout but its Handoff sections, serialised."""
    root = org.org.find("Layout", name).element
    return [
        etree.tostring(child)
        for child in root
        if not (child.findtext(f"{{{MD}}}label") or "").startswith("Handoff: ")
    ]


def test_apply_merges_the_handoff_sections_and_keeps_everything_else(org, spec, run_cli):
    before = {
        n: _untouched_part(org, n)
        for n in ("Opportunity-Opportunity Layout", "Opportunity-Enterprise Layout")
    }
    code, out, err = run_cli(*args(spec, "plan", "--json"))
    assert code == 0, err
    changes = {(c["kind"], c["key"]): c["action"] for c in json.loads(out)["changes"]}
    assert changes[("Layout", OWN)] == "create"
    assert changes[("Layout", "Opportunity-Opportunity Layout")] == "update"  # sections added to a layout
    assert changes[("Layout", "Opportunity-Enterprise Layout")] == "update"
    assert run_cli(*args(spec, "apply"))[0] == 0
    for name, kept in before.items():
        assert _untouched_part(org, name) == kept  # every other section, list and setting as it was
        sections = _sections(org, name)
        assert "Partner notes" in sections or "Deal desk" in sections
        handoff = [label for label in sections if label.startswith("Handoff: ")]
        assert handoff[0] == "Handoff: Goals and use case" and handoff[-1] == "Handoff: Customer Success"
        assert sections[handoff[0]][:4] == [
            "Handoff_Score__c",
            "Handoff_Tier__c",
            "Handoff_Segment__c",
            "Handoff_Missing_Summary__c",
        ]
    assert "Handoff: Goals and use case" in _sections(org, OWN)
    code, out, err = run_cli(*args(spec, "plan", "--exit-code"))
    assert code == 0, out + err  # a second plan is empty


def test_a_field_removed_by_hand_is_drift_in_handoff_terms(org, spec, run_cli):
    assert run_cli(*args(spec, "apply"))[0] == 0
    root = org.org.find("Layout", "Opportunity-Enterprise Layout").element
    item = next(
        i for i in root.iter(f"{{{MD}}}layoutItems") if i.findtext(f"{{{MD}}}field") == "Handoff_Tier__c"
    )
    item.getparent().remove(item)
    code, out, err = run_cli(*args(spec, "diff", "--exit-code"))
    assert code == 4, out + err  # drift
    assert (
        "field Handoff_Tier__c missing from section Handoff: Goals and use case of Enterprise Layout" in out
    )
    assert run_cli(*args(spec, "apply"))[0] == 0
    assert "Handoff_Tier__c" in _sections(org, "Opportunity-Enterprise Layout")["Handoff: Goals and use case"]
    assert "Deal desk" in _sections(org, "Opportunity-Enterprise Layout")


def test_an_edit_to_the_rest_of_the_layout_after_plan_is_kept(org, spec, run_cli, tmp_path):
    saved = tmp_path / "plan.json"
    assert run_cli(*args(spec, "plan", "--out", str(saved)))[0] == 0
    root = org.org.find("Layout", "Opportunity-Opportunity Layout").element
    clone = etree.Element(f"{{{MD}}}excludeButtons")
    clone.text = "Clone"
    root.insert(1, clone)  # an admin's edit meanwhile, after the existing excludeButtons
    code, out, err = run_cli("apply", str(saved), "--spec", str(spec), "--env", "live")
    assert code == 0, out + err  # the plan compared only the Handoff sections, which did not change
    layout = org.org.find("Layout", "Opportunity-Opportunity Layout").element
    assert [b.text for b in layout.iter(f"{{{MD}}}excludeButtons")] == ["Submit", "Clone"]
    assert "Handoff: Goals and use case" in _sections(org, "Opportunity-Opportunity Layout")


def test_a_layout_the_org_lacks_is_a_located_error_and_nothing_is_applied(org, spec, run_cli):
    spec.write_text(spec.read_text().replace("Enterprise Layout]", "Enterprise Layuot]"))
    before = org.org.snapshot()
    code, out, err = run_cli(*args(spec, "apply"))
    assert code == 3, out + err
    line = spec.read_text().splitlines().index("  layouts: [Opportunity Layout, Enterprise Layuot]") + 1
    assert f"handoff.yaml:{line}:" in err
    assert "no Opportunity page layout named 'Enterprise Layuot'" in err
    assert "Enterprise Layout" in err  # the org's layouts are listed
    assert org.org.snapshot() == before
