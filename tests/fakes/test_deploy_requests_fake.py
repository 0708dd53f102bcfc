"""The fake org's DeployRequest records (Tooling API query) and cut-off replies, driven by simple-salesforce:
a deploy whose reply is lost is still in the org, listed with its status, and runs when polled."""

from __future__ import annotations

import io

import pytest
import requests
from simple_salesforce import Salesforce

from fakes import sfzip

QUERY = "query/?q=SELECT Id, Status, CheckOnly, CompletedDate, CreatedBy.Name FROM DeployRequest"


@pytest.fixture
def sf(fake_salesforce, test_authority):
    session = requests.Session()
    session.verify = test_authority.ca_file
    session_id, url = fake_salesforce.session_id, fake_salesforce.url
    return Salesforce(session_id=session_id, instance_url=url, version="63.0", session=session)


def test_a_deploy_whose_reply_is_lost_is_listed_and_runs_when_polled(fake_salesforce, sf):
    fake_salesforce.inject("deploy", drop_connection=True, when="after")
    with pytest.raises(requests.exceptions.ConnectionError):
        sf.mdapi.deploy(io.BytesIO(sfzip.fields_zip(("A__c", "A"))), sandbox=True)
    (row,) = sf.toolingexecute(QUERY)["records"]
    assert row["Status"] == "Pending" and row["CheckOnly"] is False and row["CompletedDate"] is None
    assert row["attributes"]["type"] == "DeployRequest" and row["CreatedBy"]["Name"]
    while sf.mdapi.check_deploy_status(row["Id"])[0] in ("Pending", "InProgress"):
        pass
    (done,) = sf.toolingexecute(f"{QUERY} WHERE Status = 'Succeeded'")["records"]
    assert done["Id"] == row["Id"] and done["CompletedDate"].endswith("+0000")
    assert "Opportunity.A__c" in fake_salesforce.org.fields


def test_an_unknown_deploy_request_field_is_refused_as_salesforce_does(fake_salesforce, sf):
    response = sf.session.get(
        f"{fake_salesforce.url}/services/data/v63.0/tooling/query",
        params={"q": "SELECT Id, Nonsense FROM DeployRequest"},
        headers={"Authorization": f"Bearer {fake_salesforce.session_id}"},
    )
    assert response.status_code == 400 and response.json()[0]["errorCode"] == "INVALID_FIELD"


def test_a_truncated_reply_keeps_its_status_and_loses_its_end(fake_salesforce, sf):
    whole = sf.session.get(f"{fake_salesforce.url}/services/data/v63.0/limits", headers=sf.headers)
    fake_salesforce.inject("limits", truncate=True)
    cut = sf.session.get(f"{fake_salesforce.url}/services/data/v63.0/limits", headers=sf.headers)
    assert cut.status_code == 200 and cut.content == whole.content[: len(whole.content) // 2]
