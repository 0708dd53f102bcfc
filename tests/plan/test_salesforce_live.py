"""plan / apply / diff against the fake Salesforce org, through simple-salesforce and the real CLI."""

from __future__ import annotations

import json
import time

import pytest
from plan.live import SALESFORCE_ENV, args, edit, live_spec

from handrail.specs.validate import load_spec
from handrail.targets.salesforce import flows


@pytest.fixture
def spec(tmp_path):
    return live_spec(tmp_path, SALESFORCE_ENV)


def test_round_trip_on_an_empty_org(org, spec, run_cli):
    code, out, err = run_cli(*args(spec, "plan", "--exit-code"))
    assert code == 4, err
    created = int(out.split(": ", 1)[1].split(" to create")[0])
    assert created >= 40  # fields, rules, flows, notification type, permission set, Apex test class
    code, out, err = run_cli(*args(spec, "apply"))
    assert code == 0, err
    assert "succeeded" in out and org.count("deploy") == 1
    model = load_spec(spec).model
    assert len(org.org.fields) == len(model.fields) + len(model.computed)
    assert len(org.org.validation_rules) == len(model.gates) + 1  # and the intake rating rule
    assert sorted(org.org.flows) == sorted(c.name for c in flows.components(model, {}) if c.type == "Flow")
    code, out, err = run_cli(*args(spec, "plan", "--exit-code"))
    assert code == 0, out + err
    assert "no changes" in out


def test_spec_change_plans_exactly_that_change(org, spec, run_cli):
    assert run_cli(*args(spec, "apply"))[0] == 0
    edit(spec, "require: {min_tier: ready}", "require: {min_score: 90}")
    code, out, _ = run_cli(*args(spec, "plan", "--json"))
    plan = json.loads(out)
    assert [(c["kind"], c["key"]) for c in plan["changes"]] == [
        ("ValidationRule", "Opportunity.Handoff_Gate_Enterprise_Ready"),
        ("PathAssistant", "Handoff_Opportunity_Path"),  # the Path's guidance is the gate's message
    ]
    assert run_cli(*args(spec, "apply"))[0] == 0
    rule = org.org.validation_rules["Opportunity.Handoff_Gate_Enterprise_Ready"]
    assert "Handoff_Score__c < 90" in rule.get("errorConditionFormula")
    assert run_cli(*args(spec, "plan", "--exit-code"))[0] == 0


def test_hand_edits_in_the_org_are_drift(org, spec, run_cli):
    run_cli(*args(spec, "apply"))
    rule = org.org.validation_rules["Opportunity.Handoff_Gate_Enterprise_Ready"]
    rule.set("errorConditionFormula", rule.get("errorConditionFormula").replace("< 85", "< 70"))
    del org.org.fields["Opportunity.Handoff_Stakeholder_Map__c"]
    org.org.flows["Handoff_Score_Before_Save"].deactivate()
    code, out, _ = run_cli(*args(spec, "diff", "--exit-code"))
    assert code == 4
    assert "gate 'enterprise_ready' minimum score lowered in Salesforce: spec 85, org 70" in out
    assert "field 'stakeholder_map' is missing in Salesforce" in out
    assert "flow Handoff_Score_Before_Save is" in out and "the spec says Active" in out


def test_drift_check_costs_a_constant_number_of_calls(org, spec, run_cli):
    run_cli(*args(spec, "apply"))
    org.clear_log()
    assert run_cli(*args(spec, "diff"))[0] == 0
    operations = [c.operation for c in org.calls()]
    assert operations.count("retrieve") == 1
    assert operations.count("query") == 1  # the spec's people, resolved to the org's users
    # + the deal describe for the currency check, + one listMetadata for the reports and dashboard
    assert len(operations) <= 9, operations


def test_failed_component_rolls_back_and_points_at_the_spec(org, spec, run_cli):
    run_cli(*args(spec, "apply"))
    before = org.org.snapshot()
    edit(spec, "label: Risk Flags", "label: Risks")
    edit(spec, "label: Seats Purchased", "label: Seats")
    org.org.refusals[("CustomField", "Opportunity.Handoff_Seats__c")] = "Field label is already in use"
    code, out, err = run_cli(*args(spec, "apply"))
    assert code == 1
    assert "CustomField:Opportunity.Handoff_Seats__c" in out and "handoff.yaml:" in out
    assert "rolled back, the org is unchanged" in out
    assert org.org.snapshot() == before


@pytest.mark.parametrize(
    "fault",
    [dict(status=500), dict(status=429, retry_after=0.01), dict(drop_connection=True), dict(status=503)],
)
def test_transient_faults_on_reads_are_retried(org, spec, run_cli, fault):
    run_cli(*args(spec, "apply"))
    org.inject("retrieve", **fault)
    code, out, err = run_cli(*args(spec, "diff", "--exit-code"))
    assert code == 0, err
    assert org.count("retrieve") >= 2


def test_slow_reads_time_out_and_are_retried(org, spec, run_cli, monkeypatch):
    run_cli(*args(spec, "apply"))
    monkeypatch.setenv("HANDRAIL_SALESFORCE_TIMEOUT", "0.5")
    org.inject("retrieve", delay=2.0)
    code, out, err = run_cli(*args(spec, "diff", "--exit-code"))
    assert code == 0, err
    assert org.count("retrieve") == 2


@pytest.mark.parametrize("lost", [dict(drop_connection=True), dict(delay=2.0)], ids=["dropped", "timed-out"])
def test_a_lost_deploy_reply_is_never_resubmitted(org, spec, run_cli, monkeypatch, lost):
    monkeypatch.setenv("HANDRAIL_SALESFORCE_TIMEOUT", "0.5")
    org.inject("deploy", when="after", **lost)
    code, out, err = run_cli(*args(spec, "apply"))
    # the deploy the org received is found among its DeployRequests and followed by its id
    assert code == 0, err
    assert "reply to the deploy submit was lost; following deploy 0Af" in err and "Traceback" not in err
    deadline = time.monotonic() + 5  # a delayed reply is logged by the fake once its delay is over
    while org.count("deploy") == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert org.count("deploy") == 1
    # the deploy itself went through in the org, whole: a fresh plan shows nothing left to do
    assert run_cli(*args(spec, "plan", "--exit-code"))[0] == 0


def test_failed_deploy_status_polls_are_retried(org, spec, run_cli):
    org.deploy_polls = 2
    org.inject("checkDeployStatus", status=500, times=2)
    code, out, err = run_cli(*args(spec, "apply"))
    assert code == 0, err
    assert org.count("deploy") == 1


def test_destructive_change_refused_before_any_call_that_writes(org, spec, run_cli):
    run_cli(*args(spec, "apply"))
    edit(spec, "      - {value: Other, generic: true}\n", "")
    code, _, err = run_cli(*args(spec, "apply"))
    assert code == 1 and "picklist values 'Other' would be deactivated" in err
    assert org.count("deploy") == 1  # only the first apply deployed


def test_stale_plan_refused(org, spec, run_cli, tmp_path):
    plan = tmp_path / "plan.json"
    assert run_cli(*args(spec, "plan", "--out", str(plan)))[0] == 0
    org.org.put_xml(
        "CustomField",
        "Opportunity.Handoff_Seats__c",
        '<CustomField xmlns="http://soap.sforce.com/2006/04/metadata"><label>Seats</label>'
        "<type>Number</type><precision>18</precision><scale>0</scale></CustomField>",
    )
    code, _, err = run_cli(*args(spec, "apply", str(plan)))
    assert code == 1 and "the org changed since" in err and "Handoff_Seats__c" in err
    assert org.count("deploy") == 0


def test_check_only_validates_without_saving(org, spec, run_cli):
    code, out, err = run_cli(*args(spec, "apply", "--check-only"))
    assert code == 0, err
    assert "validated: nothing was saved" in out
    assert not org.org.fields


def test_token_never_appears_in_output(org, spec, run_cli, caplog):
    caplog.set_level("DEBUG")
    run_cli(*args(spec, "apply"))
    org.inject("retrieve", status=401, times=5)
    code, out, err = run_cli(*args(spec, "diff"))
    assert code == 1
    text = out + err + caplog.text
    assert org.session_id not in text


def test_verbose_logs_are_redacted(org, spec, test_authority):
    import os
    import subprocess
    import sys

    env = {
        **os.environ,
        "TEST_SF_ACCESS_TOKEN": org.session_id,
        "TEST_SF_INSTANCE_URL": org.url,
        "REQUESTS_CA_BUNDLE": test_authority.ca_file,
    }
    result = subprocess.run(
        [sys.executable, "-m", "handrail.cli", "-v", *args(spec, "apply")],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "sessionId>[REDACTED]<" in result.stderr  # zeep's SOAP envelopes are logged, scrubbed
    assert org.session_id not in result.stdout + result.stderr
