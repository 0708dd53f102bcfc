"""`audit --env` when a read's reply arrives cut off halfway (truncated JSON inside a 200): every read is
retried and the audit is the same as without the fault; a reply that stays cut off is an operational
error naming the call, never an internal error."""

from __future__ import annotations

import pytest
from audit_live.compare import audit_json
from audit_live.seeding import generated, seed_hubspot, seed_salesforce


@pytest.fixture
def salesforce(org, salesforce_spec, example_model):
    seed_salesforce(org.org, example_model, generated(example_model, 300, seed=5))
    return org, salesforce_spec


@pytest.fixture
def hubspot(portal, hubspot_spec, example_model):
    seed_hubspot(portal.portal, example_model, generated(example_model, 300, seed=5))
    return portal, hubspot_spec


@pytest.mark.parametrize("crm", ["salesforce", "hubspot"])
def test_every_read_of_an_audit_survives_a_cut_off_reply(crm, request, run_cli):
    service, spec = request.getfixturevalue(crm)
    service.clear_log()
    expected = audit_json(run_cli, spec, "--env", "live")
    operations = sorted({c.operation for c in service.calls()})
    assert operations, "the audit read nothing"
    for operation in operations:
        service.clear_log()
        service.inject(operation, truncate=True)
        assert audit_json(run_cli, spec, "--env", "live") == expected, operation
        assert service.count(operation) >= 2, operation


@pytest.mark.parametrize("crm, operation", [("salesforce", "query"), ("hubspot", "search")])
def test_a_reply_that_stays_cut_off_names_the_call(crm, operation, request, run_cli):
    service, spec = request.getfixturevalue(crm)
    service.inject(operation, truncate=True, times=None)
    code, out, err = run_cli("audit", "--env", "live", "--spec", str(spec))
    assert code == 1 and "internal error" not in err and "Traceback" not in err
    assert "failed: the reply could not be read" in err and "bytes: " in err
