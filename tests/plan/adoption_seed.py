"""A realistic existing configuration to adopt: what a RevOps team has before Handrail.

Salesforce: handoff-ish Opportunity fields with history tracking and descriptions, picklists, fields
nothing maps (a formula, a region), the OpportunityStage values, two record types each with its own
business process, an active validation rule and an active record-triggered flow. HubSpot: handoff-ish
deal properties in a group of their own and a renewals pipeline beside the default one.
"""

from __future__ import annotations

import json
from xml.sax.saxutils import escape

from fakes.hubspot_records_api import _with_defaults as with_defaults
from fakes.openapi import REFERENCE

MD = "http://soap.sforce.com/2006/04/metadata"
FLOW_EXAMPLE = REFERENCE / "examples" / "flow-create-closed-won-handoff.json"


def _values(values: list[str]) -> str:
    return "".join(
        f"<value><fullName>{escape(v)}</fullName><default>false</default><label>{escape(v)}</label></value>"
        for v in values
    )


SALESFORCE_FIELDS = {
    "Customer_Goals__c": "<description>Owned by Sales Ops since 2021</description>"
    "<inlineHelpText>What the customer wants to achieve in the first 90 days</inlineHelpText>"
    "<label>Customer Goals</label><length>32768</length><trackHistory>true</trackHistory>"
    "<type>LongTextArea</type><visibleLines>3</visibleLines>",
    "Key_Stakeholders__c": "<description>Stakeholders the AE met</description>"
    "<label>Key Stakeholders</label><length>10000</length><trackHistory>true</trackHistory>"
    "<type>LongTextArea</type><visibleLines>6</visibleLines>",
    "Risk_Notes__c": "<externalId>false</externalId>"
    "<inlineHelpText>Red flags seen in the cycle</inlineHelpText>"
    "<label>Risks</label><length>255</length><required>false</required><trackHistory>false</trackHistory>"
    "<type>Text</type><unique>false</unique>",
    "Integration_Needs__c": "<label>Integration Needs</label><length>32768</length>"
    "<trackHistory>false</trackHistory><type>LongTextArea</type><visibleLines>4</visibleLines>",
    "Main_Competitor__c": "<label>Main Competitor</label><required>false</required>"
    "<trackHistory>true</trackHistory><type>Picklist</type><valueSet><restricted>true</restricted>"
    "<valueSetDefinition><sorted>false</sorted>"
    + _values(["Acme CRM", "Spreadsheets", "None"])
    + "</valueSetDefinition></valueSet>",
    "Security_Requirements__c": "<label>Security Requirements</label><required>false</required>"
    "<trackHistory>false</trackHistory><type>MultiselectPicklist</type><valueSet><restricted>true</restricted>"
    "<valueSetDefinition><sorted>false</sorted>"
    + _values(["SOC 2", "SSO", "Data residency"])
    + "</valueSetDefinition></valueSet><visibleLines>4</visibleLines>",
    "Contract_Length__c": "<externalId>false</externalId><label>Contract Length (months)</label>"
    "<precision>3</precision><required>false</required><scale>0</scale><trackHistory>false</trackHistory>"
    "<type>Number</type><unique>false</unique>",
    "Partner_Name__c": "<externalId>false</externalId><label>Partner Name</label><length>80</length>"
    "<required>false</required><trackHistory>false</trackHistory><type>Text</type><unique>false</unique>",
    "CSM__c": "<deleteConstraint>SetNull</deleteConstraint><description>Assigned at close</description>"
    "<label>Customer Success Manager</label><referenceTo>User</referenceTo>"
    "<relationshipName>CSM_Opportunities</relationshipName><required>false</required>"
    "<trackHistory>true</trackHistory><type>Lookup</type>",
    "Legacy_Region__c": "<externalId>false</externalId><label>Legacy Region</label><length>40</length>"
    "<required>false</required><trackHistory>false</trackHistory><type>Text</type><unique>false</unique>",
    "Weighted_Value__c": "<externalId>false</externalId><formula>Amount * Probability</formula>"
    "<label>Weighted Value</label><precision>18</precision><scale>2</scale><type>Currency</type>",
}
STAGES = [  # (value, closed, won)
    ("Prospecting", False, False),
    ("Discovery", False, False),
    ("Proposal", False, False),
    ("Negotiation", False, False),
    ("Renewal Review", False, False),
    ("Closed Won", True, True),
    ("Closed Lost", True, False),
]
PROCESSES = {
    "New Business Process": [
        "Prospecting",
        "Discovery",
        "Proposal",
        "Negotiation",
        "Closed Won",
        "Closed Lost",
    ],
    "Renewal Process": ["Renewal Review", "Negotiation", "Closed Won", "Closed Lost"],
}
RECORD_TYPES = {
    "New_Business": ("New Business", "New Business Process"),
    "Renewal": ("Renewal", "Renewal Process"),
}


def seed_salesforce(org) -> None:
    """`org` is fakes.salesforce_org.SalesforceOrg."""
    for name, inner in SALESFORCE_FIELDS.items():
        org.put_xml("CustomField", f"Opportunity.{name}", f'<CustomField xmlns="{MD}">{inner}</CustomField>')
    values = "".join(
        f"<standardValue><fullName>{escape(v)}</fullName><default>false</default><label>{escape(v)}</label>"
        f"<closed>{str(closed).lower()}</closed><won>{str(won).lower()}</won></standardValue>"
        for v, closed, won in STAGES
    )
    org.put_xml(
        "StandardValueSet",
        "OpportunityStage",
        f'<StandardValueSet xmlns="{MD}"><sorted>false</sorted>{values}</StandardValueSet>',
    )
    for process, stages in PROCESSES.items():
        steps = "".join(
            f"<values><fullName>{escape(s)}</fullName><default>false</default></values>" for s in stages
        )
        org.put_xml(
            "BusinessProcess",
            f"Opportunity.{process}",
            f'<BusinessProcess xmlns="{MD}"><isActive>true</isActive>{steps}</BusinessProcess>',
        )
    for name, (label, process) in RECORD_TYPES.items():
        org.put_xml(
            "RecordType",
            f"Opportunity.{name}",
            f'<RecordType xmlns="{MD}"><active>true</active>'
            f"<businessProcess>{escape(process)}</businessProcess>"
            f"<label>{escape(label)}</label></RecordType>",
        )
    org.put_xml(
        "ValidationRule",
        "Opportunity.Close_Date_Not_In_Past",
        f'<ValidationRule xmlns="{MD}"><active>true</active>'
        "<errorConditionFormula>CloseDate &lt; TODAY()</errorConditionFormula>"
        "<errorMessage>The close date cannot be in the past.</errorMessage></ValidationRule>",
    )
    org.put_xml(
        "Flow",
        "Renewal_Reminder",
        f'<Flow xmlns="{MD}"><apiVersion>63.0</apiVersion><label>Renewal Reminder</label>'
        "<processType>AutoLaunchedFlow</processType><start><locationX>0</locationX><locationY>0</locationY>"
        "<object>Opportunity</object><recordTriggerType>CreateAndUpdate</recordTriggerType>"
        "<triggerType>RecordAfterSave</triggerType></start><status>Active</status></Flow>",
    )


HUBSPOT_PROPERTIES = [
    {
        "name": "customer_goals",
        "label": "Customer Goals",
        "type": "string",
        "fieldType": "textarea",
        "groupName": "cs_handoff",
        "description": "What the customer wants to achieve",
    },
    {
        "name": "key_stakeholders",
        "label": "Key Stakeholders",
        "type": "string",
        "fieldType": "textarea",
        "groupName": "cs_handoff",
        "description": "",
    },
    {
        "name": "main_competitor",
        "label": "Main Competitor",
        "type": "enumeration",
        "fieldType": "select",
        "groupName": "cs_handoff",
        "options": [
            {"label": "Acme CRM", "value": "acme", "displayOrder": 0, "hidden": False},
            {"label": "Spreadsheets", "value": "spreadsheets", "displayOrder": 1, "hidden": False},
        ],
    },
    {
        "name": "legacy_region",
        "label": "Legacy Region",
        "type": "string",
        "fieldType": "text",
        "groupName": "dealinformation",
    },
]


def seed_hubspot(portal) -> None:
    """`portal` is the fake's Portal; the workflow is HubSpot's reference example, renamed."""
    flow = json.loads(FLOW_EXAMPLE.read_text())
    flow.update(name="Renewal reminder", customProperties={}, id="501", revisionId="1", isEnabled=True)
    flow.update(createdAt="2026-01-05T10:00:00Z", updatedAt="2026-01-05T10:00:00Z")
    flow["crmObjectCreationStatus"] = "COMPLETE"
    portal.flows[flow["id"]] = with_defaults(flow)  # as the fake's create stores it
    portal.add_group("deals", "cs_handoff", "CS handoff", 2)
    for body in HUBSPOT_PROPERTIES:
        portal.properties["deals"][body["name"]] = portal.property_record(body)
    stages = [
        {
            "label": "Renewal due",
            "displayOrder": 0,
            "metadata": {"probability": "0.5"},
            "stageId": "renewal_due",
        },
        {"label": "Renewed", "displayOrder": 1, "metadata": {"probability": "1.0"}, "stageId": "renewed"},
        {"label": "Churned", "displayOrder": 2, "metadata": {"probability": "0.0"}, "stageId": "churned"},
    ]
    portal.add_pipeline("deals", {"label": "Renewals", "displayOrder": 1, "stages": stages}, "renewals")
