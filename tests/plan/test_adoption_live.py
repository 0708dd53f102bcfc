"""Adopting fields and properties that existed before Handrail, against the fake org and portal over HTTP:
what the spec does not state keeps the org's value, in the plan and after apply, and the human plan lists
every attribute that changes exactly as `plan --json` does."""

from __future__ import annotations

import json

import pytest
from plan.live import HUBSPOT_ENV, SALESFORCE_ENV, args, edit, live_spec

from handrail.specs.validate import load_spec
from handrail.targets.hubspot.target import render as render_hubspot

MD = "http://soap.sforce.com/2006/04/metadata"
SEATS = "Opportunity.Seat_Count__c"
GOALS = "Opportunity.Customer_Goals__c"
# Seeded as an admin set them up before Handrail: tracked, described, classified, an external id.
SEATS_XML = f"""<CustomField xmlns="{MD}"><businessStatus>Active</businessStatus>
<complianceGroup>GDPR</complianceGroup><description>Seats from the signed order form</description>
<externalId>true</externalId><label>Seat Count</label><precision>9</precision><required>false</required>
<scale>0</scale><securityClassification>Internal</securityClassification><trackHistory>true</trackHistory>
<type>Number</type><unique>false</unique></CustomField>"""
GOALS_XML = f"""<CustomField xmlns="{MD}"><businessStatus>Active</businessStatus>
<description>What the customer wants to achieve, from discovery</description>
<encryptionScheme>ProbabilisticEncryption</encryptionScheme>
<inlineHelpText>Goals in their words</inlineHelpText>
<label>Goals</label><length>32768</length><securityClassification>Confidential</securityClassification>
<trackFeedHistory>true</trackFeedHistory><trackHistory>true</trackHistory><type>LongTextArea</type>
<visibleLines>5</visibleLines></CustomField>"""
KEPT_SEATS = {
    "businessStatus": "Active",
    "complianceGroup": "GDPR",
    "description": "Seats from the signed order form",
    "externalId": "true",
    "securityClassification": "Internal",
    "trackHistory": "true",
}
KEPT_GOALS = {
    "businessStatus": "Active",
    "description": "What the customer wants to achieve, from discovery",
    "encryptionScheme": "ProbabilisticEncryption",
    "securityClassification": "Confidential",
    "trackFeedHistory": "true",
    "trackHistory": "true",
}


def plan_json(run_cli, spec) -> dict:
    code, out, err = run_cli(*args(spec, "plan", "--json"))
    assert code == 0, err
    return json.loads(out)


def change_of(plan: dict, kind: str, key: str) -> dict:
    return next(c for c in plan["changes"] if (c["kind"], c["key"]) == (kind, key))


def text_block(out: str, heading: str) -> list[str]:
    """The lines printed under one change's heading in the text plan."""
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(heading))
    block = []
    for line in lines[start + 1 :]:
        if not line.startswith("    "):
            break
        block.append(line.strip())
    return block


def attribute_lines(change: dict, name: str, where: str) -> list[str]:
    return [
        f"{name} {d['path']} in {where}: org {d['before']!r}, spec {d['after']!r}"
        for d in change["differences"]
    ]


# -- Salesforce ------------------------------------------------------------------------------------------
@pytest.fixture
def org(org):
    org.org.put_xml("CustomField", SEATS, SEATS_XML)
    org.org.put_xml("CustomField", GOALS, GOALS_XML)
    return org


@pytest.fixture
def sf_spec(tmp_path):
    spec = live_spec(tmp_path, SALESFORCE_ENV)
    edit(spec, "  - key: seats\n", "  - key: seats\n    salesforce: {api_name: Seat_Count__c}\n")
    edit(
        spec,
        "  - key: business_goals\n",
        "  - key: business_goals\n    salesforce: {api_name: Customer_Goals__c}\n",
    )
    return spec


def test_adopted_salesforce_fields_change_only_what_the_spec_states(org, sf_spec, run_cli, tmp_path):
    plan = plan_json(run_cli, sf_spec)
    seats = change_of(plan, "CustomField", SEATS)
    assert seats["action"] == "update"
    assert [(d["path"], d["before"], d["after"]) for d in seats["differences"]] == [
        ("label", "Seat Count", "Seats Purchased")
    ]
    goals = change_of(plan, "CustomField", GOALS)
    assert [d["path"] for d in goals["differences"]] == ["inlineHelpText", "label"]  # help is in the spec

    # the human plan, text and markdown, lists exactly the attributes the JSON does, with both values
    code, out, _ = run_cli(*args(sf_spec, "plan"))
    assert code == 0
    assert text_block(out, f"~ CustomField {SEATS}") == attribute_lines(seats, "field 'seats'", "Salesforce")
    assert text_block(out, f"~ CustomField {GOALS}") == attribute_lines(
        goals, "field 'business_goals'", "Salesforce"
    )
    assert seats["description"] == attribute_lines(seats, "field 'seats'", "Salesforce")
    code, markdown, _ = run_cli(*args(sf_spec, "plan", "--format", "markdown"))
    row = next(line for line in markdown.splitlines() if f"`CustomField {SEATS}`" in line)
    assert "field 'seats' label in Salesforce: org 'Seat Count', spec 'Seats Purchased'" in row

    # a saved plan deploys the org's values of everything the spec leaves unsaid
    saved = tmp_path / "plan.json"
    assert run_cli(*args(sf_spec, "plan", "--out", str(saved)))[0] == 0
    code, out, err = run_cli(*args(sf_spec, "apply", str(saved)))
    assert code == 0, out + err
    field = org.org.fields[SEATS]
    assert field.get("label") == "Seats Purchased"
    for name, value in KEPT_SEATS.items():
        assert field.get(name) == value, name
    field = org.org.fields[GOALS]
    assert field.get("label") == "Customer Business Goals"
    assert field.get("inlineHelpText").startswith("Specific, measurable goals")
    for name, value in KEPT_GOALS.items():
        assert field.get(name) == value, name
    code, out, _ = run_cli(*args(sf_spec, "plan", "--exit-code"))
    assert code == 0, out
    assert "no changes" in out


def test_a_field_handrail_named_is_still_compared_whole(org, sf_spec, run_cli):
    assert run_cli(*args(sf_spec, "apply"))[0] == 0
    org.org.fields["Opportunity.Handoff_Stakeholder_Map__c"].set("trackHistory", True)
    org.org.fields[SEATS].set("trackHistory", False)  # adopted: the org's choice, not drift
    code, out, _ = run_cli(*args(sf_spec, "diff", "--exit-code"))
    assert code == 4
    assert "field 'stakeholder_map' trackHistory in Salesforce: org 'true', spec 'false'" in out
    assert "Seat_Count__c" not in out


def test_the_spec_description_is_stated_for_an_adopted_field(org, sf_spec, run_cli):
    edit(
        sf_spec,
        "    salesforce: {api_name: Seat_Count__c}\n",
        "    salesforce: {api_name: Seat_Count__c}\n    description: Licensed seats.\n",
    )
    seats = change_of(plan_json(run_cli, sf_spec), "CustomField", SEATS)
    assert [d["path"] for d in seats["differences"]] == ["description", "label"]
    assert seats["differences"][0]["after"].endswith("Licensed seats.")


# -- HubSpot ---------------------------------------------------------------------------------------------
PEOPLE = ("cs-pool@example.com", "cs-manager@example.com", "cs-lead@example.com", "sales-lead@example.com")
HUBSPOT_PEOPLE_ENV = (
    HUBSPOT_ENV
    + "    csm_manager_email: cs-lead@example.com\n    owner_manager_email: sales-lead@example.com\n"
)


@pytest.fixture
def portal(portal):
    for email in PEOPLE:
        portal.portal.add_owner(email, email.split("@")[0], "Example")
    return portal


@pytest.fixture
def hs_spec(tmp_path):
    spec = live_spec(tmp_path, HUBSPOT_PEOPLE_ENV)
    edit(spec, "  - key: seats\n", "  - key: seats\n    hubspot: {name: seat_count}\n")
    return spec


def seed_seat_count(portal, spec) -> dict:
    """seat_count as the portal had it before Handrail: its own group, place, description, form use."""
    body = next(
        r.body
        for r in render_hubspot(load_spec(spec).model).resources
        if (r.kind, r.key) == ("property", "seat_count")
    )
    seeded = {
        **body,
        "label": "Seat Count",
        "groupName": "dealinformation",
        "description": "Seats from the signed order form",
        "displayOrder": 7,
        "formField": True,
        "hasUniqueValue": True,
    }
    record = portal.portal.property_record(seeded)
    portal.portal.properties["deals"]["seat_count"] = record
    return record


KEPT_PROPERTY = {
    "groupName": "dealinformation",
    "description": "Seats from the signed order form",
    "displayOrder": 7,
    "formField": True,
    "hasUniqueValue": True,
    "hidden": False,
}


def test_an_adopted_hubspot_property_changes_only_what_the_spec_states(portal, hs_spec, run_cli):
    seed_seat_count(portal, hs_spec)
    plan = plan_json(run_cli, hs_spec)
    seats = change_of(plan, "property", "seat_count")
    assert [(d["path"], d["before"], d["after"]) for d in seats["differences"]] == [
        ("label", "Seat Count", "Seats Purchased")
    ]
    code, out, _ = run_cli(*args(hs_spec, "plan"))
    assert text_block(out, "~ property seat_count") == attribute_lines(seats, "field 'seats'", "HubSpot")

    code, out, err = run_cli(*args(hs_spec, "apply"))
    assert code == 0, out + err
    prop = portal.portal.properties["deals"]["seat_count"]
    assert prop["label"] == "Seats Purchased"
    for name, value in KEPT_PROPERTY.items():
        assert prop[name] == value, name
    code, out, _ = run_cli(*args(hs_spec, "plan", "--exit-code"))
    assert code == 0, out
    assert "no changes" in out


CHANNEL = "Opportunity.Channel__c"
CHANNEL_XML = f"""<CustomField xmlns="{MD}"><description>Set by the AE at kickoff</description>
<inlineHelpText>The customer's preferred channel and cadence.</inlineHelpText>
<label>Communication Preferences</label>
<required>false</required><trackHistory>true</trackHistory><type>Picklist</type><valueSet><valueSetDefinition>
<sorted>false</sorted>
<value><fullName>Weekly call</fullName><color>#00AA00</color><default>true</default>
<label>Weekly call</label></value>
<value><fullName>Biweekly call</fullName><default>false</default><label>Biweekly call</label></value>
<value><fullName>Email updates</fullName><default>false</default><description>The monthly digest</description>
<label>Email updates</label></value>
<value><fullName>Shared Slack channel</fullName><default>false</default>
<label>Shared Slack channel</label></value>
<value><fullName>Other</fullName><default>false</default><label>Other</label></value>
</valueSetDefinition></valueSet></CustomField>"""


def test_an_adopted_picklist_keeps_its_restriction_default_and_colours(org, sf_spec, run_cli):
    org.org.put_xml("CustomField", CHANNEL, CHANNEL_XML)
    edit(
        sf_spec,
        "  - key: communication_prefs\n",
        "  - key: communication_prefs\n    salesforce: {api_name: Channel__c}\n",
    )
    assert CHANNEL not in {
        c["key"] for c in plan_json(run_cli, sf_spec)["changes"]
    }  # the values the spec states
    edit(
        sf_spec,
        "      - {value: Other, generic: true}\n",
        "      - Quarterly review\n      - {value: Other, generic: true}\n",
    )
    channel = change_of(plan_json(run_cli, sf_spec), "CustomField", CHANNEL)
    assert [d["path"] for d in channel["differences"]] == [
        "valueSet.valueSetDefinition.value[4].fullName",
        "valueSet.valueSetDefinition.value[4].label",
        "valueSet.valueSetDefinition.value[5]",
    ]
    code, out, err = run_cli(*args(sf_spec, "apply", "--yes"))
    assert code == 0, out + err
    field = org.org.fields[CHANNEL]
    xml = field.xml()
    assert "<restricted>" not in xml and field.get("trackHistory") == "true"
    assert field.get("description") == "Set by the AE at kickoff"
    assert "<color>#00AA00</color><default>true</default><label>Weekly call</label>" in xml
    assert "<description>The monthly digest</description>" in xml and "Quarterly review" in xml
    assert run_cli(*args(sf_spec, "plan", "--exit-code"))[0] == 0


def test_an_adopted_hubspot_enumeration_keeps_its_option_descriptions(portal, run_cli, tmp_path):
    """The spec cannot state an option's description: an update that sends the options (here, the spec
    adds one) keeps the description of each option the portal has."""
    spec = live_spec(tmp_path, HUBSPOT_PEOPLE_ENV)
    edit(
        spec,
        "  - key: communication_prefs\n",
        "  - key: communication_prefs\n    hubspot: {name: comm_channel}\n",
    )
    body = next(
        r.body
        for r in render_hubspot(load_spec(spec).model).resources
        if (r.kind, r.key) == ("property", "comm_channel")
    )
    options = [
        {**o, "description": "The monthly digest"} if o["value"] == "Email updates" else o
        for o in body["options"]
        if o["value"] != "Other"
    ]
    portal.portal.properties["deals"]["comm_channel"] = portal.portal.property_record(
        {**body, "options": options}
    )
    code, out, err = run_cli(*args(spec, "apply"))
    assert code == 0, out + err
    live = {o["value"]: o for o in portal.portal.properties["deals"]["comm_channel"]["options"]}
    assert "Other" in live  # the spec's option was added
    assert live["Email updates"]["description"] == "The monthly digest"  # and the portal's description kept
    assert run_cli(*args(spec, "plan", "--exit-code"))[0] == 0
