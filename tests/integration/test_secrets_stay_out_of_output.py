"""With DEBUG logging on everywhere (zeep logs whole SOAP envelopes, urllib3 logs URLs), a session
through both clients, including failures whose bodies echo the credentials, prints no secret."""

from __future__ import annotations

import io
import logging

import pytest
from fakes import sfzip

from handrail.specs.model import Environment
from handrail.targets.errors import TargetError
from handrail.targets.hubspot.client import connect as connect_hubspot
from handrail.targets.salesforce.client import connect as connect_salesforce
from handrail.targets.transport.redact import install
from handrail.targets.transport.retry import RetryPolicy

PASSWORD, SECURITY_TOKEN = "correct-horse-battery", "SECTOKEN12345"


@pytest.fixture
def debug_log():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    install(root)
    yield stream
    root.removeHandler(handler)
    root.setLevel(level)


def test_no_token_session_id_or_password_is_ever_printed(
    fake_salesforce, fake_hubspot, login_routes, test_authority, debug_log, capfd
):
    quick = RetryPolicy(attempts=2, base_delay=0.01, sleep=lambda s: None)
    errors: list[str] = []

    fake_salesforce.add_user("rep@example.com", PASSWORD, SECURITY_TOKEN)
    salesforce = connect_salesforce(
        Environment("sandbox", "salesforce", (("auth", "password"),)),
        environ={
            "SF_USERNAME": "rep@example.com",
            "SF_PASSWORD": PASSWORD,
            "SF_SECURITY_TOKEN": SECURITY_TOKEN,
        },
        mounts=login_routes[1],
        retry_policy=quick,
    )
    session_id = salesforce.sf.session_id
    salesforce.wait_for_deploy(salesforce.deploy(sfzip.fields_zip(("A__c", "A"))), sleep=lambda s: None)
    salesforce.read_metadata("CustomField", ["Opportunity.A__c"])  # zeep logs the envelope with <sessionId>
    salesforce.query_all("SELECT Id FROM Opportunity")
    logging.getLogger("handrail.test").debug("REST headers: %s", salesforce.sf.headers)
    fake_salesforce.inject(
        "query",
        status=500,
        times=None,
        body=f'{{"echo": "Authorization: Bearer {session_id}", "sessionId": "{session_id}"}}',
    )
    with pytest.raises(TargetError) as failed:
        salesforce.query_all("SELECT Id FROM Opportunity")
    errors.append(str(failed.value))
    logging.getLogger("handrail.test").exception("query failed", exc_info=failed.value)

    hubspot = connect_hubspot(
        Environment("hubspot", "hubspot", (("auth", "private_app"),)),
        environ={"HUBSPOT_TOKEN": fake_hubspot.token},
        host=fake_hubspot.url,
        ca_file=test_authority.ca_file,
        retry_policy=quick,
    )
    hubspot.call("properties.list", hubspot.client.crm.properties.core_api.get_all, "deals", idempotent=True)
    hubspot.request("GET", "/automation/v4/flows")
    fake_hubspot.inject("flows.list", status=401, body={"message": f"bad token {fake_hubspot.token}"})
    with pytest.raises(TargetError) as refused:
        hubspot.request("GET", "/automation/v4/flows")
    errors.append(str(refused.value))

    captured = capfd.readouterr()
    output = "\n".join([debug_log.getvalue(), *errors, captured.out, captured.err])
    assert "sessionId>[REDACTED]</" in output  # the envelopes were logged, scrubbed
    assert "deploy" in output and "HTTP 500" in output and "HTTP 401" in output
    for secret in (session_id, PASSWORD, SECURITY_TOKEN, fake_hubspot.token, fake_salesforce.session_id):
        assert secret not in output
