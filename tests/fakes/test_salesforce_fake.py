"""FakeSalesforce driven by the real simple-salesforce 1.12.10 (and raw requests where a client would not
send a broken request): Metadata API deploy/retrieve/read, REST queries, Bulk API 2.0, and the checks."""

from __future__ import annotations

import io
import zipfile

import pytest
import requests
from helpers import shared_path
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceGeneralError

from fakes import sfzip
from fakes.sfzip import MD


@pytest.fixture(scope="module")
def module_sf(salesforce_server):
    """One client (its zeep Metadata client takes a while to build) for the module's tests."""
    return Salesforce(
        session_id=salesforce_server.session_id, instance_url=salesforce_server.url, version="63.0"
    )


@pytest.fixture
def sf(fake_salesforce, module_sf):
    return module_sf


def deploy(sf, zip_bytes: bytes, **options):
    deploy_id, state = sf.mdapi.deploy(io.BytesIO(zip_bytes), sandbox=True, **options)
    assert state == "Queued"
    while True:
        status = sf.mdapi.check_deploy_status(deploy_id)
        if status[0] not in ("Pending", "InProgress"):
            return deploy_id, status


def failures(sf, deploy_id):
    result = sf.mdapi._retrieve_deploy_result(deploy_id)
    ns = {"mt": MD}
    return [
        {
            name: f.findtext(f"mt:{name}", None, ns)
            for name in ("componentType", "fileName", "fullName", "lineNumber", "problem")
        }
        for f in result.findall("mt:details/mt:componentFailures", ns)
    ]


# -- deploy -------------------------------------------------------------------------------------------
def test_deploy_applies_components_and_state_persists(fake_salesforce, sf):
    deploy_id, status = deploy(sf, sfzip.fields_zip(("Handoff_Goals__c", "Goals"), rules=("Handoff_Gate",)))
    assert status[0] == "Succeeded"
    assert status[2]["failed_count"] == "0"
    assert fake_salesforce.org.fields["Opportunity.Handoff_Goals__c"].get("label") == "Goals"
    assert "Opportunity.Handoff_Gate" in fake_salesforce.org.validation_rules
    read = sf.mdapi.CustomField.read(["Opportunity.Handoff_Goals__c"])
    assert (read.fullName, read.label, read.length, read.type) == (
        "Opportunity.Handoff_Goals__c",
        "Goals",
        80,
        "Text",
    )
    listed = sf.mdapi.list_metadata([sf.mdapi.ListMetadataQuery(type="CustomField")])
    assert [p.fullName for p in listed] == ["Opportunity.Handoff_Goals__c"]
    assert listed[0].fileName == "objects/Opportunity.object"


def test_deploy_is_in_progress_before_it_is_done(fake_salesforce, sf):
    fake_salesforce.deploy_polls = 2
    deploy_id, _ = sf.mdapi.deploy(io.BytesIO(sfzip.fields_zip(("A__c", "A"))), sandbox=True)
    assert [sf.mdapi.check_deploy_status(deploy_id)[0] for _ in range(3)] == [
        "InProgress",
        "InProgress",
        "Succeeded",
    ]


def test_a_schema_invalid_component_fails_the_deploy_atomically(fake_salesforce, sf):
    deploy(sf, sfzip.fields_zip(("Existing__c", "Before")))
    before = fake_salesforce.org.snapshot()
    bad = sfzip.text_field("Broken__c", "Broken").replace("<type>Text</type>", "<type>Txt</type>")
    zip_bytes = sfzip.build(
        {
            "package.xml": sfzip.package_xml(
                {
                    "CustomField": ["Opportunity.Existing__c", "Opportunity.Broken__c"],
                    "Flow": ["Handoff_Flow"],
                }
            ),
            "objects/Opportunity.object": sfzip.object_file(sfzip.text_field("Existing__c", "After"), bad),
            "flows/Handoff_Flow.flow": sfzip.flow("Handoff Flow"),
        }
    )
    deploy_id, status = deploy(sf, zip_bytes, rollbackOnError=True)
    assert status[0] == "Failed"
    assert status[2]["failed_count"] == "1"
    [failure] = failures(sf, deploy_id)
    assert failure["componentType"] == "CustomField"
    assert failure["fullName"] == "Opportunity.Broken__c"
    assert failure["fileName"] == "objects/Opportunity.object"
    assert int(failure["lineNumber"]) == 15 and "'Txt' is not an element of the set" in failure["problem"]
    assert fake_salesforce.org.snapshot() == before  # nothing applied: not the label change, not the flow


def test_without_rollback_the_good_components_are_deployed(fake_salesforce, sf):
    bad = sfzip.text_field("Broken__c", "Broken", length=900)  # schema-valid, but Text length is at most 255
    zip_bytes = sfzip.build(
        {
            "package.xml": sfzip.package_xml(
                {"CustomField": ["Opportunity.Good__c", "Opportunity.Broken__c"]}
            ),
            "objects/Opportunity.object": sfzip.object_file(sfzip.text_field("Good__c", "Good"), bad),
        }
    )
    deploy_id, status = deploy(sf, zip_bytes, rollbackOnError=False)
    assert status[0] == "SucceededPartial"
    assert [f["problem"] for f in failures(sf, deploy_id)] == ["Length must be between 1 and 255"]
    assert set(fake_salesforce.org.fields) == {"Opportunity.Good__c"}


def test_check_only_validates_without_applying(fake_salesforce, sf):
    _, status = deploy(sf, sfzip.fields_zip(("Checked__c", "Checked")), checkOnly=True)
    assert status[0] == "Succeeded"
    assert fake_salesforce.org.fields == {}


def test_members_missing_from_the_zip_and_unknown_types_fail(fake_salesforce, sf):
    zip_bytes = sfzip.build(
        {
            "package.xml": sfzip.package_xml({"CustomField": ["Opportunity.Ghost__c"], "Widget": ["X"]}),
            "objects/Opportunity.object": sfzip.object_file(),
        }
    )
    deploy_id, status = deploy(sf, zip_bytes, rollbackOnError=True)
    problems = sorted(f["problem"] for f in failures(sf, deploy_id))
    assert problems == [
        "An object 'Opportunity.Ghost__c' of type CustomField was named in package.xml, but "
        "was not found in zipped directory",
        "Unknown type name 'Widget' specified in package.xml",
    ]


def test_permission_set_must_name_existing_non_required_fields(fake_salesforce, sf):
    permission_set = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<PermissionSet xmlns="{MD}">\n'
        "    <fieldPermissions>\n        <editable>true</editable>\n"
        "        <field>Opportunity.Nowhere__c</field>\n        <readable>true</readable>\n"
        "    </fieldPermissions>\n    <label>Handoff</label>\n</PermissionSet>\n"
    )
    zip_bytes = sfzip.build(
        {
            "package.xml": sfzip.package_xml({"PermissionSet": ["Handoff"]}),
            "permissionsets/Handoff.permissionset": permission_set,
        }
    )
    deploy_id, status = deploy(sf, zip_bytes, rollbackOnError=True)
    assert [f["problem"] for f in failures(sf, deploy_id)] == [
        "In field: field - no CustomField named Opportunity.Nowhere__c found"
    ]


def test_destructive_changes_delete_components(fake_salesforce, sf):
    deploy(sf, sfzip.fields_zip(("Old__c", "Old"), ("Kept__c", "Kept")))
    zip_bytes = sfzip.build(
        {
            "package.xml": sfzip.package_xml({}),
            "destructiveChanges.xml": sfzip.package_xml(
                {"CustomField": ["Opportunity.Old__c", "Opportunity.Never__c"]}
            ),
        }
    )
    _, status = deploy(sf, zip_bytes, rollbackOnError=True)
    assert status[0] == "Succeeded"
    assert set(fake_salesforce.org.fields) == {"Opportunity.Kept__c"}


def test_flow_versions_follow_salesforce(fake_salesforce, sf):
    deploy(
        sf,
        sfzip.build(
            {"package.xml": sfzip.package_xml({"Flow": ["Gate"]}), "flows/Gate.flow": sfzip.flow("Gate v1")}
        ),
    )
    flow = fake_salesforce.org.flows["Gate"]
    assert (len(flow.versions), flow.active_version) == (1, 1)
    deploy(
        sf,
        sfzip.build(
            {"package.xml": sfzip.package_xml({"Flow": ["Gate"]}), "flows/Gate.flow": sfzip.flow("Gate v2")}
        ),
    )
    assert (len(flow.versions), flow.active_version) == (2, 2)
    assert flow.versions[0].findtext(f"{{{MD}}}status") == "Obsolete"
    flow.deactivate()  # by hand in Setup
    assert sf.mdapi.Flow.read(["Gate"]).status == "Obsolete"
    deploy(
        sf,
        sfzip.build(
            {
                "package.xml": sfzip.package_xml({"Flow": ["Gate"]}),
                "flows/Gate.flow": sfzip.flow("Gate v3", status="Draft"),
            }
        ),
    )
    assert (len(flow.versions), flow.active_version) == (2, None)  # an inactive latest version is overwritten
    assert flow.get("label") == "Gate v3"


def test_retrieve_returns_what_was_deployed(fake_salesforce, sf):
    folder = shared_path("reference", "salesforce", "samples", "mdapi")
    files = {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}
    _, status = deploy(sf, sfzip.build(files), rollbackOnError=True)
    assert status[0] == "Succeeded", status
    assert len(fake_salesforce.org.fields) == 11 and len(fake_salesforce.org.flows) == 2
    retrieve_id, _ = sf.mdapi.retrieve(
        "ignored",
        unpackaged={
            "CustomField": ["*"],
            "ValidationRule": ["*"],
            "Flow": ["*"],
            "PermissionSet": ["*"],
            "CustomNotificationType": ["*"],
        },
    )
    state, _error, messages, zip_bytes = sf.mdapi.retrieve_zip(retrieve_id)
    assert (state, messages) == ("Succeeded", [])
    with zipfile.ZipFile(io.BytesIO(zip_bytes)) as archive:
        retrieved = {name: archive.read(name) for name in archive.namelist()}
    for name in (
        "flows/CS_Handoff_After_Save.flow",
        "permissionsets/CS_Handoff_Fields.permissionset",
        "notificationtypes/CS_Handoff_Alert.notiftype",
        "objects/Opportunity.object",
    ):
        assert _canonical(retrieved[name]) == _canonical(files[name]), name


def _canonical(data: bytes) -> bytes:
    from lxml import etree

    return etree.tostring(etree.fromstring(data, etree.XMLParser(remove_blank_text=True)), method="c14n")


def test_retrieve_reports_missing_members(fake_salesforce, sf):
    retrieve_id, _ = sf.mdapi.retrieve("x", unpackaged={"CustomField": ["Opportunity.Ghost__c"]})
    result = sf.mdapi.retrieve_retrieve_result(retrieve_id, "false")
    # RetrieveResult.messages sits directly in the result (WSDL); simple-salesforce looks under details/
    # and so never reports them.
    ns = {"mt": MD}
    assert result.findtext("mt:status", None, ns) == "Succeeded"
    assert [m.findtext("mt:problem", None, ns) for m in result.findall("mt:messages", ns)] == [
        "Entity of type 'CustomField' named 'Opportunity.Ghost__c' cannot be found"
    ]


def test_crud_calls_and_the_ten_component_limit(fake_salesforce, sf):
    field = sf.mdapi.CustomField(fullName="Opportunity.Crud__c", label="Crud", type="Text", length=12)
    sf.mdapi.CustomField.create([field])
    with pytest.raises(Exception, match="DUPLICATE_DEVELOPER_NAME"):
        sf.mdapi.CustomField.create([field])
    assert fake_salesforce.org.fields["Opportunity.Crud__c"].get("length") == "12"
    from zeep.exceptions import Fault

    with pytest.raises(Fault, match="LIMIT_EXCEEDED"):
        sf.mdapi.CustomField.read([f"Opportunity.F{i}__c" for i in range(11)])
    sf.mdapi.CustomField.delete(["Opportunity.Crud__c"])
    assert fake_salesforce.org.fields == {}


def test_manual_edits_show_up_in_reads(fake_salesforce, sf):
    deploy(sf, sfzip.fields_zip(("Edited__c", "Original")))
    fake_salesforce.org.fields["Opportunity.Edited__c"].set("label", "Changed in Setup")
    # placed in schema order
    fake_salesforce.org.fields["Opportunity.Edited__c"].set("inlineHelpText", "added")
    read = sf.mdapi.CustomField.read(["Opportunity.Edited__c"])
    assert (read.label, read.inlineHelpText) == ("Changed in Setup", "added")
    assert fake_salesforce.rejections == []


# -- what the fake refuses ------------------------------------------------------------------------------
def test_schema_invalid_soap_requests_are_rejected(fake_salesforce):
    envelope = (
        '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
        f'xmlns:met="{MD}"><soapenv:Header><met:SessionHeader><met:sessionId>{fake_salesforce.session_id}'
        "</met:sessionId></met:SessionHeader></soapenv:Header><soapenv:Body><met:readMetadata>"
        "<met:fullNames>Opportunity.A__c</met:fullNames><met:type>CustomField</met:type>"
        "</met:readMetadata></soapenv:Body></soapenv:Envelope>"
    )  # children out of order
    response = requests.post(
        f"{fake_salesforce.url}/services/Soap/m/63.0/",
        data=envelope,
        headers={"Content-Type": "text/xml", "SOAPAction": '""'},
        timeout=5,
    )
    assert response.status_code == 500 and b"faultcode" in response.content
    assert len(fake_salesforce.rejections) == 1 and "readMetadata" in fake_salesforce.rejections[0]


def test_deploy_options_outside_simple_salesforces_leniencies_are_rejected(fake_salesforce, sf):
    with pytest.raises(SalesforceGeneralError):
        sf.mdapi.deploy(io.BytesIO(sfzip.fields_zip(("A__c", "A"))), sandbox=True, checkOnly="maybe")
    assert "checkOnly" in fake_salesforce.rejections[0]


def test_simple_salesforce_sloppy_envelopes_are_accepted(fake_salesforce, sf):
    deploy(sf, sfzip.fields_zip(("A__c", "A")), testLevel="NoTestRun")  # True/False, None text, order
    sf.mdapi.retrieve("x", unpackaged={"CustomField": ["Opportunity.A__c"]})  # un-namespaced <types>
    assert fake_salesforce.rejections == []


def test_an_unknown_session_is_refused(fake_salesforce):
    stranger = Salesforce(session_id="00D000000000000!nope", instance_url=fake_salesforce.url, version="63.0")
    with pytest.raises(SalesforceGeneralError, match="INVALID_SESSION_ID"):
        stranger.mdapi.deploy(io.BytesIO(sfzip.fields_zip(("A__c", "A"))), sandbox=True)
    with pytest.raises(Exception, match="INVALID_SESSION_ID"):
        stranger.query("SELECT Id FROM Opportunity")


# -- REST and Bulk API 2.0 --------------------------------------------------------------------------------
def test_soql_pages_with_query_more(fake_salesforce, sf):
    fake_salesforce.org.add_records(
        "Opportunity", ({"Name": f"Deal {i:04}", "StageName": "Closed Won", "Amount": i} for i in range(4500))
    )
    result = sf.query_all(
        "SELECT Id, Name, Amount FROM Opportunity WHERE StageName = 'Closed Won' ORDER BY Name"
    )
    assert result["totalSize"] == 4500
    assert result["records"][0]["Name"] == "Deal 0000" and result["records"][-1]["Name"] == "Deal 4499"
    assert fake_salesforce.count("query") == 1 and fake_salesforce.count("queryMore") == 2
    first = sf.query("SELECT Id FROM Opportunity", headers={"Sforce-Query-Options": "batchSize=500"})
    assert len(first["records"]) == 500 and first["nextRecordsUrl"].startswith("/services/data/v63.0/query/")


def test_soql_filters_relationships_and_count(fake_salesforce, sf):
    org = fake_salesforce.org
    csm = org.add_record("User", Name="Casey CSM", Email="casey@example.com")
    org.add_record(
        "Opportunity",
        Name="Won",
        StageName="Closed Won",
        Amount=90000,
        CloseDate="2026-01-15",
        CS_Owner__c=csm,
    )
    org.add_record("Opportunity", Name="Lost", StageName="Closed Lost", Amount=5000, CloseDate="2025-06-01")
    rows = sf.query_all(
        "SELECT Name, CS_Owner__r.Name, Owner.Name FROM Opportunity "
        "WHERE (StageName IN ('Closed Won', 'Commit') AND Amount >= 50000) OR Name LIKE 'L%' "
        "ORDER BY Amount DESC"
    )["records"]
    assert [r["Name"] for r in rows] == ["Won", "Lost"]
    assert rows[0]["CS_Owner__r"]["Name"] == "Casey CSM" and rows[1]["CS_Owner__r"] is None
    assert rows[0]["Owner"]["Name"] == "Handrail Integration"
    assert sf.query("SELECT COUNT() FROM Opportunity WHERE CloseDate >= 2026-01-01")["totalSize"] == 1
    with pytest.raises(Exception, match="No such column 'Nope__c'"):
        sf.query("SELECT Nope__c FROM Opportunity")


def test_sobject_describe_and_crud(fake_salesforce, sf):
    deploy(sf, sfzip.fields_zip(("Handoff_Goals__c", "Goals")))
    names = {f["name"]: f for f in sf.Opportunity.describe()["fields"]}
    assert names["Handoff_Goals__c"]["label"] == "Goals" and names["Handoff_Goals__c"]["type"] == "string"
    created = sf.Task.create({"Subject": "Kickoff", "WhatId": "006000000000001AAA"})
    assert created["success"]
    sf.Task.update(created["id"], {"Status": "Completed"})
    assert sf.Task.get(created["id"])["Status"] == "Completed"


def test_bulk_query_pages_csv_with_locators(fake_salesforce, sf):
    fake_salesforce.org.add_records(
        "Opportunity", ({"Name": f'Deal, "{i}"', "StageName": "Closed Won"} for i in range(2500))
    )
    pages = list(
        sf.bulk2.Opportunity.query(
            "SELECT Id, Name, Owner.Name FROM Opportunity", max_records=1000, wait=0.01
        )
    )
    assert len(pages) == 3
    assert pages[0].splitlines()[0] == '"Id","Name","Owner.Name"'
    assert pages[0].splitlines()[1].endswith('"Deal, ""0""","Handrail Integration"')
    assert sum(len(p.splitlines()) - 1 for p in pages) == 2500
    assert fake_salesforce.count("bulk2.results") == 3


def test_production_refuses_no_test_run_and_lands_active_flows_inactive(fake_salesforce, sf):
    fake_salesforce.reset(sandbox=False)
    flow_zip = sfzip.build(
        {"package.xml": sfzip.package_xml({"Flow": ["Gate"]}), "flows/Gate.flow": sfzip.flow("Gate")}
    )
    deploy_id, status = deploy(sf, flow_zip, testLevel="NoTestRun")
    assert (
        status[0] == "Failed"
        and "NoTestRun cannot be used in production" in failures(sf, deploy_id)[0]["problem"]
    )
    _, status = deploy(sf, flow_zip, testLevel="RunLocalTests")
    assert status[0] == "Succeeded"
    assert fake_salesforce.org.flows["Gate"].get("status") == "Draft"
    assert fake_salesforce.org.flows["Gate"].active_version is None
    fake_salesforce.org.deploy_flows_as_active = True
    deploy(sf, flow_zip, testLevel="RunLocalTests")
    assert fake_salesforce.org.flows["Gate"].active_version == 1
