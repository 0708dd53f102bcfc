"""CSM access: the Closed Won after-save flow puts the CSM the before-save flow assigned or kept on the
deal's Opportunity Team (or the account's Account Team) with Edit access, once; run by the flow
interpreter, checked against the schema, and asserted by the generated Apex test."""

from __future__ import annotations

import dataclasses
import re
from decimal import Decimal

import pytest
from helpers import EXAMPLE_SPEC
from salesforce.flow_interpreter import Flow, Run
from salesforce.test_apex import apex_class
from salesforce.test_apex import check_apex as check_apex  # a fixture
from salesforce.test_flows import CSM, NOW, POOL, REP, USERS, built, deal

from handrail.specs.model import Automation, ClosedWon
from handrail.specs.platforms import SalesforceSettings
from handrail.specs.validate import load_spec
from handrail.targets.salesforce.schema import validate_xml

WON_FLOW = "Handoff_Closed_Won_After_Save"
TEAM = {"OpportunityTeamMember": [], "AccountTeamMember": []}


@pytest.fixture(scope="module")
def example():
    return load_spec(EXAMPLE_SPEC).model


def access(model, value: str):
    return dataclasses.replace(model, salesforce=SalesforceSettings(csm_access=value))


def close_deal(model, record: dict, records: dict | None = None, users=USERS) -> Run:
    """The save that moves `record` to Closed Won: the before-save flow, then the Closed Won flow."""
    files = built(model)
    prior = dict(record, StageName="Commit")
    before = Run(
        Flow.parse(files["Handoff_Score_Before_Save"][1]), dict(record), prior=prior, now=NOW, users=users
    )
    saved = before.run().record
    records = {k: list(v) for k, v in (records if records is not None else TEAM).items()}
    return Run(
        Flow.parse(files[WON_FLOW][1]), saved, prior=prior, now=NOW, users=users, records=records
    ).run()


def team_members(run: Run, sobject: str = "OpportunityTeamMember") -> list[dict]:
    return [values for kind, values in run.created if kind == sobject]


def won(example, **fields) -> dict:
    record = deal(example, StageName="Closed Won", **fields)
    record.pop("Handoff_Csm__r")
    return record


def test_the_csm_joins_the_opportunity_team_with_edit_access(example):
    run = close_deal(example, won(example))
    assert team_members(run) == [
        {
            "OpportunityAccessLevel": "Edit",
            "OpportunityId": "006DEAL",
            "TeamMemberRole": "Customer Success Manager",
            "UserId": CSM,
        }
    ]
    assert run.visited[:4] == ["Csm_Team_Access", "Get_Csm_Team_Member", "Csm_On_Team", "Add_Csm_To_Team"]
    assert any(kind == "Task" for kind, _ in run.created)  # the tasks follow


def test_the_csm_the_before_save_flow_assigns_joins_the_team(example):
    # An SMB deal without a CSM: the rule assigns the pool user on the same save.
    csm = example.field("csm").salesforce_name
    run = close_deal(example, won(example, Amount=Decimal(10000), **{csm: None}))
    assert run.record[csm] == POOL
    assert [m["UserId"] for m in team_members(run)] == [POOL]


def test_a_csm_already_on_the_team_is_not_added_again(example):
    existing = {"Id": "00qOLD", "OpportunityId": "006DEAL", "UserId": CSM, "OpportunityAccessLevel": "Read"}
    run = close_deal(example, won(example), {"OpportunityTeamMember": [existing]})
    assert team_members(run) == []
    assert "Add_Csm_To_Team" not in run.visited and any(kind == "Task" for kind, _ in run.created)


def test_a_member_on_another_deal_does_not_count(example):
    other = {"Id": "00qOTHER", "OpportunityId": "006OTHER", "UserId": CSM}
    assert len(team_members(close_deal(example, won(example), {"OpportunityTeamMember": [other]}))) == 1


def test_no_csm_or_the_owner_as_csm_adds_no_one(example):
    csm = example.field("csm").salesforce_name
    upgrade = {"Type": "Existing Customer - Upgrade"}  # keep_existing: a blank CSM stays blank
    assert team_members(close_deal(example, won(example, **upgrade, **{csm: None}))) == []
    assert team_members(close_deal(example, won(example, **upgrade, **{csm: REP}))) == []


def test_account_team_access_adds_the_csm_to_the_account_team(example):
    model = access(example, "account_team")
    run = close_deal(model, won(example, AccountId="001ACME"))
    assert team_members(run, "AccountTeamMember") == [
        {
            "AccountAccessLevel": "Read",
            "AccountId": "001ACME",
            "OpportunityAccessLevel": "Edit",
            "TeamMemberRole": "Customer Success Manager",
            "UserId": CSM,
        }
    ]
    assert team_members(run) == []
    assert team_members(close_deal(model, won(example, AccountId=None)), "AccountTeamMember") == []


def test_csm_access_none_builds_no_team_steps(example):
    data = built(access(example, "none"))[WON_FLOW][1]
    assert b"TeamMember" not in data and b"Csm_Team_Access" not in data
    run = close_deal(access(example, "none"), won(example))
    assert team_members(run) == [] and any(kind == "Task" for kind, _ in run.created)


def test_csm_assignment_alone_builds_a_closed_won_flow_of_team_steps(example):
    model = dataclasses.replace(
        example,
        automation=Automation(
            on_closed_won=ClosedWon(
                stamp_close_time=False, assign_csm=example.automation.on_closed_won.assign_csm
            )
        ),
    )
    run = close_deal(model, won(example))
    assert [kind for kind, _ in run.created] == ["OpportunityTeamMember"]
    assert "Keep_Failure_Message" in Flow.parse(built(model)[WON_FLOW][1]).nodes  # the create's fault path


@pytest.mark.parametrize("value", ["opportunity_team", "account_team", "none"])
def test_every_csm_access_option_builds_schema_valid_flows(example, value):
    for name, (mtype, data) in built(access(example, value)).items():
        assert validate_xml(f"{name}.{mtype}", data) == [], (value, name)


def test_the_team_member_create_has_a_fault_path(example):
    node = Flow.parse(built(example)[WON_FLOW][1]).nodes["Add_Csm_To_Team"]
    ns = "{http://soap.sforce.com/2006/04/metadata}"
    assert node.find(f"{ns}faultConnector/{ns}targetReference") is not None


# --- the Apex test ---------------------------------------------------------------------------------


def methods(model) -> dict[str, str]:
    source = apex_class(model).content.decode()
    return dict(re.findall(r"static void (\w+)\(\) \{\n(.*?)\n    \}\n", source, re.S))


def test_the_apex_test_asserts_the_csm_is_on_the_opportunity_team_with_edit(example):
    body = methods(example)["csmJoinsTheOpportunityTeam"]
    assert "insert csmUser;" in body and "deal.Handoff_Csm__c = csmUser.Id;" in body
    assert "deal.Handoff_Csm__c = UserInfo.getUserId();" not in body
    assert body.index("update deal;") < body.index("FROM OpportunityTeamMember")
    assert "WHERE OpportunityId = :deal.Id AND UserId = :csm];" in body
    assert "System.assertEquals(1, team.size()" in body
    assert "System.assertEquals('Customer Success Manager', team[0].TeamMemberRole" in body
    assert "System.assertEquals('Edit', team[0].OpportunityAccessLevel" in body


def test_the_apex_test_follows_the_csm_access_option(example):
    account = methods(access(example, "account_team"))
    assert "csmJoinsTheOpportunityTeam" not in account
    body = account["csmJoinsTheAccountTeam"]
    assert "deal.AccountId = account.Id;" in body and "FROM AccountTeamMember" in body
    assert "System.assertEquals('Read', team[0].AccountAccessLevel" in body
    assert not {"csmJoinsTheOpportunityTeam", "csmJoinsTheAccountTeam"} & set(
        methods(access(example, "none"))
    )


def test_the_apex_test_with_team_access_parses(example, check_apex, tmp_path):
    for value in ("opportunity_team", "account_team"):
        component = apex_class(access(example, value))
        path = tmp_path / f"{component.name}_{value}.cls"
        path.write_bytes(component.content)
        result = check_apex(path)
        assert result.returncode == 0 and result.stdout == "", result.stdout + result.stderr
