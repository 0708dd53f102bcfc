"""Live audits and briefs: secrets stay out of every output, and wrong environments say what to do."""

from __future__ import annotations

import pytest
from audit_live.seeding import generated, seed_hubspot, seed_salesforce


def test_salesforce_session_never_printed(org, salesforce_spec, example_model, run_cli, caplog):
    caplog.set_level("DEBUG")
    seed_salesforce(org.org, example_model, generated(example_model, 50))
    token = org.session_id
    code, out, err = run_cli("-v", "audit", "--env", "live", "--spec", str(salesforce_spec))
    assert code == 0, err
    assert any(r.name == "handrail.salesforce" for r in caplog.records)
    org.inject("query", status=400, body=[{"errorCode": "INVALID_QUERY", "message": f"rejected for {token}"}])
    code, out2, err2 = run_cli("-v", "audit", "--env", "live", "--spec", str(salesforce_spec))
    assert code == 1 and "salesforce query failed: HTTP 400" in err2 and "[REDACTED]" in err2
    assert token not in out + err + out2 + err2 + caplog.text


def test_hubspot_token_never_printed(portal, hubspot_spec, example_model, run_cli, caplog):
    caplog.set_level("DEBUG")
    seed_hubspot(portal.portal, example_model, generated(example_model, 50))
    code, out, err = run_cli("-v", "brief", "Customer 3", "--env", "live", "--spec", str(hubspot_spec))
    assert code == 0, err
    assert any(r.name == "handrail.hubspot" for r in caplog.records)
    portal.inject("search", status=400, body={"status": "error", "message": f"bad token {portal.token}"})
    code, out2, err2 = run_cli("-v", "audit", "--env", "live", "--spec", str(hubspot_spec))
    assert code == 1 and "hubspot POST /crm/v3/objects/deals/search failed: HTTP 400" in err2
    assert "[REDACTED]" in err2
    assert portal.token not in out + err + out2 + err2 + caplog.text


@pytest.mark.parametrize(
    "environment,message,exit_code",
    [
        ("snapshot", "environment 'snapshot' is a snapshot of the CRM's configuration and holds no deals", 1),
        ("nowhere", "--env nowhere: no such environment in", 2),  # an unknown --env is a usage error
    ],
)
def test_environments_that_hold_no_deals(run_cli, salesforce_spec, environment, message, exit_code):
    for command in (["audit"], ["brief", "Acme"]):
        code, _, err = run_cli(*command, "--env", environment, "--spec", str(salesforce_spec))
        assert code == exit_code and message in err and "Traceback" not in err


def test_an_org_without_the_spec_fields_is_told_to_apply_first(org, salesforce_spec, run_cli):
    org.org.add_record(
        "Opportunity", Name="Acme", StageName="Closed Won", CloseDate="2026-01-05", Amount=50_000
    )
    code, _, err = run_cli("audit", "--env", "live", "--spec", str(salesforce_spec))
    assert code == 1
    assert (
        "environment 'live': Salesforce's Opportunity object lacks 29 field(s) the spec names: "
        "Handoff_Business_Goals__c, Handoff_Stakeholder_Map__c" in err
    )
    assert "hint: apply the spec there first: handrail plan --env live, then handrail apply --env live" in err
    assert org.count("query") == 0


def test_a_bad_tuning_variable_is_an_input_error(org, salesforce_spec, run_cli, monkeypatch):
    monkeypatch.setenv("HANDRAIL_SALESFORCE_BULK_THRESHOLD", "lots")
    code, _, err = run_cli("audit", "--env", "live", "--spec", str(salesforce_spec))
    assert code == 3 and "HANDRAIL_SALESFORCE_BULK_THRESHOLD='lots' is not a whole number of rows" in err
