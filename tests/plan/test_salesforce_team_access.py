"""CSM access: plan, apply and diff against the fake org check that the team the Closed Won flow adds
the CSM to exists (Opportunity Teams, or Account Teams), and stop at the spec line when it does not."""

from __future__ import annotations

import pytest
from plan.live import SALESFORCE_ENV, args, edit, live_spec


@pytest.fixture
def spec(tmp_path):
    return live_spec(tmp_path, SALESFORCE_ENV)


def with_csm_access(spec, value: str) -> int:
    """Add `salesforce: {csm_access: value}` to the spec; returns the line of the csm_access key."""
    edit(spec, "environments:", f"salesforce:\n  csm_access: {value}\n\nenvironments:")
    lines = spec.read_text().splitlines()
    return next(i for i, line in enumerate(lines, 1) if "csm_access:" in line)


def line_of(spec, text: str) -> int:
    return next(i for i, line in enumerate(spec.read_text().splitlines(), 1) if text in line)


def sf(org):
    from simple_salesforce import Salesforce

    return Salesforce(instance_url=org.url, session_id=org.session_id, version=org.api_version)


# --- the fake org ----------------------------------------------------------------------------------


def test_the_fake_stores_and_queries_opportunity_and_account_team_members(org):
    client = sf(org)
    user = org.org.add_record("User", Name="Casey CSM", Username="casey@example.com", IsActive=True)
    account = org.org.add_record("Account", Name="Acme")
    deal = org.org.add_record("Opportunity", Name="Acme", StageName="Closed Won", AccountId=account)
    created = client.OpportunityTeamMember.create(
        {
            "OpportunityId": deal,
            "UserId": user,
            "TeamMemberRole": "Customer Success Manager",
            "OpportunityAccessLevel": "Edit",
        }
    )
    assert created["id"].startswith("00q")
    rows = client.query(
        f"SELECT UserId, TeamMemberRole, OpportunityAccessLevel FROM OpportunityTeamMember "
        f"WHERE OpportunityId = '{deal}'"
    )["records"]
    assert [(r["UserId"], r["TeamMemberRole"], r["OpportunityAccessLevel"]) for r in rows] == [
        (user, "Customer Success Manager", "Edit")
    ]
    member = client.AccountTeamMember.create(
        {"AccountId": account, "UserId": user, "AccountAccessLevel": "Read", "OpportunityAccessLevel": "Edit"}
    )
    assert member["id"].startswith("01M")
    rows = client.query(
        f"SELECT UserId, OpportunityAccessLevel FROM AccountTeamMember WHERE AccountId = '{account}'"
    )
    assert [(r["UserId"], r["OpportunityAccessLevel"]) for r in rows["records"]] == [(user, "Edit")]
    names = {o["name"] for o in client.describe()["sobjects"]}
    assert {"OpportunityTeamMember", "AccountTeamMember"} <= names


def test_the_fake_refuses_a_team_member_without_a_user(org):
    from simple_salesforce.exceptions import SalesforceMalformedRequest

    deal = org.org.add_record("Opportunity", Name="Acme", StageName="Closed Won")
    with pytest.raises(SalesforceMalformedRequest, match="REQUIRED_FIELD_MISSING"):
        sf(org).OpportunityTeamMember.create({"OpportunityId": deal, "OpportunityAccessLevel": "Edit"})


def test_an_org_without_teams_has_no_team_objects(org):
    org.org.disable_teams("OpportunityTeamMember")
    client = sf(org)
    names = {o["name"] for o in client.describe()["sobjects"]}
    assert "OpportunityTeamMember" not in names and "AccountTeamMember" in names
    from simple_salesforce.exceptions import SalesforceMalformedRequest, SalesforceResourceNotFound

    with pytest.raises(SalesforceResourceNotFound):
        client.OpportunityTeamMember.describe()
    with pytest.raises(SalesforceMalformedRequest, match="INVALID_TYPE"):
        client.query("SELECT Id FROM OpportunityTeamMember")


# --- the preflight ---------------------------------------------------------------------------------


def test_plan_asks_the_org_for_the_opportunity_team_object(org, spec, run_cli):
    code, out, err = run_cli(*args(spec, "plan", "--exit-code"))
    assert code == 4, err
    described = [c.path.rsplit("/", 2)[-2] for c in org.calls("sobject.describe")]
    assert described == ["OpportunityTeamMember", "Opportunity"]  # then the deal, for its currencies


@pytest.mark.parametrize("command", ["plan", "apply", "diff"])
def test_without_opportunity_teams_the_commands_stop_at_the_csm_field(org, spec, run_cli, command):
    org.org.disable_teams("OpportunityTeamMember")
    code, out, err = run_cli(*args(spec, command))
    assert code == 3, out + err
    text = out + err
    # No csm_access key in the spec: the error points at the CSM field, the default's reason.
    assert f"handoff.yaml:{line_of(spec, '- key: csm')}:" in text
    assert "csm_access is opportunity_team" in text and "Opportunity Teams turned off" in text
    assert "Setup > Opportunity Team Settings > Enable Team Selling" in text
    assert "csm_access: none" in text
    assert org.count("deploy") == 0 and org.count("retrieve") == 0


def test_the_error_points_at_the_csm_access_line_when_the_spec_has_one(org, spec, run_cli):
    line = with_csm_access(spec, "opportunity_team")
    org.org.disable_teams("OpportunityTeamMember")
    code, out, err = run_cli(*args(spec, "plan"))
    assert code == 3
    assert f"handoff.yaml:{line}:" in out + err


def test_account_team_access_needs_account_teams(org, spec, run_cli):
    line = with_csm_access(spec, "account_team")
    org.org.disable_teams("AccountTeamMember")
    code, out, err = run_cli(*args(spec, "plan"))
    assert code == 3
    assert f"handoff.yaml:{line}:" in out + err
    assert (
        "Account Teams turned off" in out + err
        and "Setup > Account Teams > Enable Account Teams" in out + err
    )


def test_account_team_access_does_not_need_opportunity_teams(org, spec, run_cli):
    with_csm_access(spec, "account_team")
    org.org.disable_teams("OpportunityTeamMember")
    code, out, err = run_cli(*args(spec, "plan", "--exit-code"))
    assert code == 4, out + err


def test_csm_access_none_needs_no_team_and_asks_nothing(org, spec, run_cli):
    with_csm_access(spec, "none")
    org.org.disable_teams()
    code, out, err = run_cli(*args(spec, "apply"))
    assert code == 0, out + err
    described = [c.path.rsplit("/", 2)[-2] for c in org.calls("sobject.describe")]
    assert described == ["Opportunity"]  # the deal, for its currencies; no team object
    flow = org.org.flows["Handoff_Closed_Won_After_Save"].xml()
    assert "TeamMember" not in flow


def test_apply_deploys_the_team_member_steps_into_an_org_with_teams(org, spec, run_cli):
    code, out, err = run_cli(*args(spec, "apply"))
    assert code == 0, out + err
    flow = org.org.flows["Handoff_Closed_Won_After_Save"].xml()
    assert "<object>OpportunityTeamMember</object>" in flow
    assert "<stringValue>Customer Success Manager</stringValue>" in flow


def test_a_snapshot_environment_is_not_checked(org, tmp_path, run_cli):
    """Saved org folders have no describe: plan against one never asks whether teams are on."""
    from helpers import EXAMPLE_SPEC

    spec = tmp_path / "handoff.yaml"
    spec.write_text(EXAMPLE_SPEC.read_text())
    code, out, err = run_cli("plan", "--spec", str(spec), "--env", "snapshot")
    assert code == 0, out + err
    assert org.calls() == []
