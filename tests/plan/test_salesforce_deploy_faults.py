"""apply when a deploy is already running, or its submit got no clear answer: the org is asked for its
DeployRequests (Tooling API), so a deploy is never submitted twice, and what the user sees names it."""

from __future__ import annotations

import pytest
from plan.live import SALESFORCE_ENV, args, live_spec


@pytest.fixture
def spec(tmp_path):
    return live_spec(tmp_path, SALESFORCE_ENV)


def test_a_lost_submit_reply_then_a_rerun_makes_exactly_one_deploy_job(org, spec, run_cli):
    # The reply is lost and the org cannot be asked for its deploys: apply cannot tell what happened.
    org.inject("deploy", drop_connection=True, when="after")
    org.inject("tooling.query", status=503, times=None)
    code, out, err = run_cli(*args(spec, "apply"))
    assert code == 1 and "Traceback" not in err and "internal error" not in err
    assert "a deploy may be running in the org: see Setup > Deployment Status" in err
    assert org.count("deploy") == 1
    (job,) = org.metadata.deploys.values()
    assert job.status == "Pending"  # the org took it and will run it
    org.clear_faults()
    # The re-run finds it among the DeployRequests, waits for it and submits nothing.
    code, out, err = run_cli(*args(spec, "apply"))
    assert code == 1
    assert f"deploy {job.id}" in err and "finished: Succeeded" in err and "Nothing was submitted" in err
    assert "handrail plan" in err
    assert org.count("deploy") == 1 and job.status == "Succeeded"
    code, out, err = run_cli(*args(spec, "plan", "--exit-code"))
    assert code == 0, out + err  # the one deploy applied everything
    assert org.count("deploy") == 1


def test_a_deploy_the_org_is_still_running_is_waited_for_then_reported(org, spec, run_cli):
    org.inject("deploy", drop_connection=True, when="after")
    org.inject("tooling.query", status=503, times=None)
    run_cli(*args(spec, "apply", "--check-only"))  # a validation only, still pending in the org
    org.clear_faults()
    (validation,) = org.metadata.deploys.values()
    code, out, err = run_cli(*args(spec, "apply"))
    # a check-only deploy changes nothing: once it is over, this apply's own deploy goes ahead
    assert code == 0, err
    assert f"deploy {validation.id} (check only" in err and "waiting for it" in err
    assert org.count("deploy") == 2 and validation.status == "Succeeded"
    assert run_cli(*args(spec, "plan", "--exit-code"))[0] == 0


def test_the_deploy_a_lost_reply_started_is_followed_by_its_id(org, spec, run_cli):
    org.deploy_polls = 2
    org.inject("deploy", drop_connection=True, when="after")
    code, out, err = run_cli(*args(spec, "apply"))
    assert code == 0, err
    (job,) = org.metadata.deploys.values()
    assert f"following deploy {job.id}" in err and f"deploy {job.id} succeeded" in out
    assert org.count("deploy") == 1


def test_a_5xx_on_the_submit_prints_the_faults_message_not_its_envelope(org, spec, run_cli):
    org.inject("deploy", status=500)  # refused before the org took it
    code, out, err = run_cli(*args(spec, "apply"))
    assert code == 1 and org.count("deploy") == 1 and not org.metadata.deploys
    assert "HTTP 500: SERVER_UNAVAILABLE: injected" in err
    assert "<soapenv" not in err and "faultstring" not in err
    assert "a deploy may be running" in err  # nothing showed up, but a 5xx cannot promise that


def test_the_deploy_list_answers_as_the_tooling_api_does(org, spec, run_cli):
    from handrail.specs.model import Environment
    from handrail.targets.salesforce.client import connect
    from handrail.targets.salesforce.deploy_guard import RECENT

    run_cli(*args(spec, "apply", "--check-only"))
    env = Environment("live", "salesforce", (("auth", "access_token"),), False)
    conn = connect(env, environ={"SF_ACCESS_TOKEN": org.session_id, "SF_INSTANCE_URL": org.url})
    (row,) = conn.tooling_query(RECENT)
    assert row["attributes"]["type"] == "DeployRequest" and row["Id"].startswith("0Af")
    assert row["Status"] == "Succeeded" and row["CheckOnly"] is True
    assert row["CreatedBy"]["Name"] and row["CreatedDate"].endswith("+0000")
