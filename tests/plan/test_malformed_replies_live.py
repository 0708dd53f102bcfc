"""Replies cut off halfway (truncated XML or JSON inside a 200) at every read call plan, diff and apply
make: the CRM's fault, retried where the call is safe to repeat, and never an internal error."""

from __future__ import annotations

import pytest
from plan.live import HUBSPOT_ENV, MANAGERS, SALESFORCE_ENV, add_people, args, live_spec

HUBSPOT = HUBSPOT_ENV + MANAGERS


def clean(err: str) -> bool:
    return "internal error" not in err and "bug in Handrail" not in err and "Traceback" not in err


SOAP_READS = {"retrieve", "checkRetrieveStatus", "listMetadata", "readMetadata", "checkDeployStatus"}


def read_operations(service) -> list[str]:
    return sorted({c.operation for c in service.calls() if c.method == "GET" or c.operation in SOAP_READS})


@pytest.fixture
def hubspot(fake_hubspot, monkeypatch, tmp_path):
    monkeypatch.setenv("TEST_HUBSPOT_TOKEN", fake_hubspot.token)
    monkeypatch.setenv("HANDRAIL_HUBSPOT_API_URL", fake_hubspot.url)
    monkeypatch.setenv("HANDRAIL_HUBSPOT_TIMEOUT", "30")  # a loaded machine is slow
    add_people(fake_hubspot)
    return fake_hubspot, live_spec(tmp_path, HUBSPOT)


@pytest.fixture
def salesforce(org, tmp_path):
    return org, live_spec(tmp_path, SALESFORCE_ENV)


@pytest.mark.parametrize("crm", ["salesforce", "hubspot"])
def test_a_truncated_reply_at_any_read_is_retried(crm, request, run_cli):
    service, spec = request.getfixturevalue(crm)
    assert run_cli(*args(spec, "apply"))[0] == 0
    service.clear_log()
    assert run_cli(*args(spec, "diff", "--exit-code"))[0] == 0
    operations = read_operations(service)
    assert len(operations) >= (4 if crm == "salesforce" else 5), operations
    for operation in operations:
        service.clear_log()
        service.inject(operation, truncate=True)
        code, out, err = run_cli(*args(spec, "diff", "--exit-code"))
        assert code == 0 and clean(err), f"{operation}: {err}"
        assert service.count(operation) >= 2, operation  # the cut-off reply, then a whole one


@pytest.mark.parametrize("operation", ["tooling.query", "checkDeployStatus", "deploy"])
def test_truncated_replies_during_a_salesforce_deploy(salesforce, run_cli, operation):
    org, spec = salesforce
    org.inject(operation, truncate=True)
    code, out, err = run_cli(*args(spec, "apply"))
    assert code == 0 and clean(err), err
    assert org.count("deploy") == 1  # a cut-off submit reply: the deploy is found, not sent again
    assert run_cli(*args(spec, "plan", "--exit-code"))[0] == 0


@pytest.mark.parametrize(
    "crm, operation, call",
    [
        ("salesforce", "retrieve", "salesforce retrieve"),
        ("hubspot", "properties.list", "hubspot GET /crm/v3/properties/"),
    ],
)
def test_a_reply_that_stays_truncated_is_an_operational_error(crm, operation, call, request, run_cli):
    service, spec = request.getfixturevalue(crm)
    assert run_cli(*args(spec, "apply"))[0] == 0
    service.inject(operation, truncate=True, times=None)
    code, out, err = run_cli(*args(spec, "diff"))
    assert code == 1 and clean(err), err
    assert "the reply could not be read" in err and "bytes: " in err
    assert call in err and "retry later" in err
    assert (service.session_id if crm == "salesforce" else service.token) not in err


def test_a_cut_off_reply_to_a_hubspot_create_is_checked_by_rereading_not_resent(hubspot, run_cli):
    portal, spec = hubspot
    portal.inject("properties.batch_create", truncate=True)  # created, but the reply is cut off
    code, out, err = run_cli(*args(spec, "apply"))
    assert code == 0 and clean(err), out + err
    assert portal.count("properties.batch_create") == 2  # each batch sent once
    assert "confirmed by re-reading HubSpot" in out
    assert run_cli(*args(spec, "plan", "--exit-code"))[0] == 0
