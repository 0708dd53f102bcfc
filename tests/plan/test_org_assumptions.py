"""What the spec assumes of the org (its stages, deal-type values, fields) is checked before anything is
applied: plan, apply and diff against the fake org and portal over HTTP, and against snapshot folders.

Salesforce: StageName values are the StandardValueSet OpportunityStage, each value's `closed`/`won` flags
saying whether it is a won stage (https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/
api_meta/standardvalueset_names.htm). HubSpot: a deal stage is closed won when its metadata says
isClosed with probability 1.0 (https://developers.hubspot.com/docs/api/crm/pipelines).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fakes.salesforce_org import OPPORTUNITY_STAGES
from helpers import EXAMPLE_SPEC
from plan.live import HUBSPOT_ENV, SALESFORCE_ENV, args, live_spec

# A real org's stages and types (none of the example spec's but the closed ones), as the issue met them.
REAL_STAGES = [
    ("Info Gathering", False, False),
    ("Price Requested", False, False),
    ("In Creation", False, False),
    ("In Approval", False, False),
    ("Submitted", False, False),
    ("In Negotiation", False, False),
    ("Closed Won", True, True),
    ("Closed Lost", True, False),
    ("On Hold", False, False),
]
REAL_TYPES = ["New Business", "Add-On Business", "Renewal Business"]


def line_of(spec: Path, text: str) -> int:
    return next(n for n, line in enumerate(spec.read_text().splitlines(), 1) if text in line)


# -- Salesforce, live -------------------------------------------------------------------------------------
@pytest.fixture
def spec(tmp_path):
    return live_spec(tmp_path, SALESFORCE_ENV)


@pytest.mark.parametrize("command", ["plan", "apply", "diff"])
def test_an_org_with_other_stages_and_types_is_refused_before_anything_is_applied(
    org, spec, run_cli, command
):
    org.org.put_value_set("OpportunityStage", REAL_STAGES)
    org.org.put_value_set("OpportunityType", [(v, None, None) for v in REAL_TYPES])
    before = org.org.snapshot()
    code, out, err = run_cli(*args(spec, command, *(["--yes"] if command == "apply" else [])))
    if command == "diff":  # diff reports it as drift, in handoff terms
        assert code == 0, err
        assert "stage 'Commit' no longer exists in Salesforce: gate 'mid_market_csm' can never fire" in out
        assert "Type value 'Existing Customer - Upgrade' no longer exists in Salesforce" in out
        return
    assert code == 3, out + err
    commit = f"handoff.yaml:{line_of(spec, 'salesforce: Commit')}:"
    assert f"{commit}5: stages[4].salesforce: stage 'Commit' does not exist in Salesforce" in err
    assert "gate 'mid_market_csm' can never fire" in err
    assert "'Info Gathering', 'Price Requested'" in err and "'On Hold'" in err  # the org's values
    assert "stage 'Negotiation/Review'" in err and "did you mean 'In Negotiation'?" in err
    upgrade = f"handoff.yaml:{line_of(spec, 'Existing Customer - Upgrade')}:"
    assert f"{upgrade}20: deal.deal_type.expansion_values.salesforce[0]: Type value" in err
    assert "no deal is ever an expansion (the org has 'New Business', 'Add-On Business'" in err
    assert org.count("deploy") == 0 and org.org.snapshot() == before


def test_a_closed_won_stage_that_is_not_won_is_refused(org, spec, run_cli):
    stages = [(v, c, w) if v != "Closed Won" else (v, True, False) for v, c, w in OPPORTUNITY_STAGES]
    org.org.put_value_set("OpportunityStage", stages + [("Signed", True, True)])
    code, out, err = run_cli(*args(spec, "plan"))
    assert code == 3, out + err
    assert f"handoff.yaml:{line_of(spec, 'salesforce: Closed Won')}:5: stages[5].salesforce" in err
    assert "stage 'Closed Won' is not a won stage in Salesforce" in err
    assert "the org's won stages are 'Signed'" in err


def test_renaming_or_deactivating_a_gated_stage_is_drift(org, spec, run_cli):
    assert run_cli(*args(spec, "apply"))[0] == 0
    assert run_cli(*args(spec, "diff", "--exit-code"))[0] == 0
    renamed = [("Committed" if v == "Commit" else v, c, w) for v, c, w in OPPORTUNITY_STAGES]
    org.org.put_value_set("OpportunityStage", renamed)
    code, out, err = run_cli(*args(spec, "diff", "--exit-code"))
    assert code == 4, out + err
    assert "stage 'Commit' no longer exists in Salesforce: gate 'mid_market_csm' can never fire" in out
    assert "no drift" not in out
    code, out, _ = run_cli(*args(spec, "diff", "--format", "json"))
    assert json.loads(out)["assumptions"] == [
        "stage 'Commit' no longer exists in Salesforce: gate 'mid_market_csm' can never fire"
    ]
    # Setup > Opportunity Stages: Commit is back, Negotiation/Review deactivated
    org.org.put_value_set("OpportunityStage", OPPORTUNITY_STAGES, inactive=["Negotiation/Review"])
    code, out, _ = run_cli(*args(spec, "diff", "--exit-code"))
    assert code == 4
    assert "stage 'Negotiation/Review' is inactive in Salesforce: gate 'enterprise_csm' can never fire" in out
    code, out, err = run_cli(*args(spec, "plan"))
    assert code == 3 and "stage 'Negotiation/Review' is inactive in Salesforce" in err


def test_a_user_the_org_lacks_is_a_located_error(org, spec, run_cli):
    for user in org.org.records["User"].values():
        if user["Username"] == "cs-manager@example.com":
            user["IsActive"] = False
    code, out, err = run_cli(*args(spec, "apply", "--yes"))
    assert code == 3, out + err
    assert f"handoff.yaml:{line_of(spec, 'assign: cs-manager@example.com') - 1}:9:" in err
    assert "'cs-manager@example.com' is not an active user" in err
    assert org.count("deploy") == 0


# -- HubSpot, live ----------------------------------------------------------------------------------------
@pytest.fixture
def hubspot_spec(tmp_path, portal, monkeypatch):
    monkeypatch.setenv("HANDRAIL_HUBSPOT_TIMEOUT", "30")  # the machine may be loaded
    for email in (
        "cs-pool@example.com",
        "cs-manager@example.com",
        "cs-lead@example.com",
        "sales-lead@example.com",
    ):
        portal.portal.add_owner(email, *email.split("@")[0].split("-"))
    managers = "    csm_manager_email: cs-lead@example.com\n    owner_manager_email: sales-lead@example.com\n"
    return live_spec(tmp_path, HUBSPOT_ENV + managers)


def test_a_portal_without_the_deal_type_values_is_refused(portal, hubspot_spec, run_cli):
    options = portal.portal.properties["deals"]["dealtype"]["options"]
    options[:] = [o for o in options if o["value"] == "newbusiness"]
    code, out, err = run_cli(*args(hubspot_spec, "apply", "--yes"))
    assert code == 3, out + err
    where = f"handoff.yaml:{line_of(hubspot_spec, 'hubspot: [existingbusiness]')}:"
    assert f"{where}17: deal.deal_type.expansion_values.hubspot[0]: dealtype value 'existingbusiness'" in err
    assert "does not exist in HubSpot" in err and "(the org has 'newbusiness')" in err
    assert not [
        c
        for c in portal.calls()
        if c.method in ("POST", "PATCH", "PUT", "DELETE") and "batch/read" not in c.path
    ]


def test_a_closed_won_stage_that_is_not_won_in_the_portal_is_refused(portal, hubspot_spec, run_cli):
    for stage in portal.portal.pipelines["deals"]["default"]["stages"]:
        if stage["id"] == "closedwon":
            stage["metadata"] = {"probability": "0.9", "isClosed": "false"}
    code, out, err = run_cli(*args(hubspot_spec, "plan"))
    assert code == 3, out + err
    assert f"handoff.yaml:{line_of(hubspot_spec, 'hubspot: closedwon')}:5: stages[5].hubspot" in err
    assert "stage 'closedwon' of pipeline 'default' is not a won stage in HubSpot" in err


def test_an_archived_gated_stage_is_drift_in_the_portal(portal, hubspot_spec, run_cli):
    """Drift whether or not the rest was applied: the portal no longer offers the stage a gate is on
    (the pipelines API leaves archived stages out)."""
    stages = portal.portal.pipelines["deals"]["default"]["stages"]
    for stage in stages:
        if stage["id"] == "contractsent":
            stage["archived"] = True
    code, out, err = run_cli(*args(hubspot_spec, "diff", "--exit-code"))
    assert code == 4, out + err
    stage = "stage 'contractsent' of pipeline 'default'"
    assert f"{stage} no longer exists in HubSpot: gate 'mid_market_csm' can never fire" in out


# -- snapshots --------------------------------------------------------------------------------------------
def _write(folder: Path, files: dict) -> None:
    for rel, body in files.items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_text(json.dumps(body))


def _value_set(stages) -> dict:
    return {
        "standardValue": [
            {
                "fullName": v,
                "label": v,
                **({"closed": str(c).lower(), "won": str(w).lower()} if c is not None else {}),
            }
            for v, c, w in stages
        ]
    }


def _foreign(n: int) -> dict:
    """A whole org's components, as a saved retrieve holds them: none of them Handrail's."""
    out = {
        f"CustomField/Opportunity.Region_{i}__c.json": {
            "label": f"Region {i}",
            "type": "Text",
            "length": "40",
        }
        for i in range(n - 4)
    }
    out["CustomField/Opportunity.Amount.json"] = {"label": "Amount"}
    out["ValidationRule/Opportunity.Close_Date_In_Future.json"] = {"active": "true"}
    out["Layout/Opportunity-Opportunity Layout.json"] = {"layoutSections": []}
    out["Flow/Opportunity_Follow_Up.json"] = {"status": "Active"}
    return out


@pytest.fixture
def workdir(tmp_path) -> Path:
    (tmp_path / "handoff.yaml").write_text(EXAMPLE_SPEC.read_text())
    return tmp_path


def snapshot_args(workdir: Path, *command: str) -> list[str]:
    return [*command, "--spec", str(workdir / "handoff.yaml"), "--env", "snapshot"]


def test_a_snapshot_of_an_org_with_other_stages_is_refused(workdir, run_cli):
    folder = workdir / "org-snapshot"
    _write(
        folder,
        {
            "snapshot.json": {"platform": "salesforce"},
            "StandardValueSet/OpportunityStage.json": _value_set(REAL_STAGES),
            "StandardValueSet/OpportunityType.json": _value_set([(v, None, None) for v in REAL_TYPES]),
        },
    )
    before = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*"))
    spec = workdir / "handoff.yaml"
    for command in ("plan", "apply"):
        code, out, err = run_cli(*snapshot_args(workdir, command))
        assert code == 3, out + err
        assert f"handoff.yaml:{line_of(spec, 'salesforce: Commit')}:5: stages[4].salesforce" in err
        assert "'Info Gathering', 'Price Requested'" in err
    assert sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*")) == before  # nothing written


def test_a_snapshot_holding_a_whole_org_lists_none_of_it_as_handrails(workdir, run_cli):
    folder = workdir / "org-snapshot"
    foreign = _foreign(100)
    _write(
        folder,
        {
            "snapshot.json": {"platform": "salesforce"},
            "StandardValueSet/OpportunityStage.json": _value_set(OPPORTUNITY_STAGES),
            **foreign,
        },
    )
    assert len(foreign) == 100
    code, out, err = run_cli(*snapshot_args(workdir, "plan"))
    assert code == 0, out + err
    assert "left alone" not in out and "Region_" not in out and "Amount" not in out
    assert run_cli(*snapshot_args(workdir, "apply"))[0] == 0
    # a field the spec no longer names is Handrail's, by the rule a live org follows: left alone, listed
    text = (workdir / "handoff.yaml").read_text()
    start, end = text.index("  - key: onboarding_fee"), text.index("  - key: target_go_live")
    (workdir / "handoff.yaml").write_text(text[:start] + text[end:])
    code, out, err = run_cli(*snapshot_args(workdir, "plan"))
    assert code == 0, out + err
    left = out.split("left alone (in Handrail's namespace but not in the spec): ", 1)[1].splitlines()[0]
    assert left == "CustomField:Opportunity.Handoff_Onboarding_Fee__c"


def test_a_hubspot_snapshot_holding_a_whole_portal_lists_none_of_it_as_handrails(workdir, run_cli):
    text = (workdir / "handoff.yaml").read_text().replace("    platform: salesforce", "    platform: hubspot")
    (workdir / "handoff.yaml").write_text(text)
    folder = workdir / "org-snapshot"
    foreign = {
        f"property/region_{i}.json": {"name": f"region_{i}", "groupName": "dealinformation", "type": "string"}
        for i in range(99)
    }
    foreign["flow/Renewal reminder.json"] = {"name": "Renewal reminder", "isEnabled": True}
    _write(folder, {"snapshot.json": {"platform": "hubspot"}, **foreign})
    code, out, err = run_cli(*snapshot_args(workdir, "plan"))
    assert code == 0, out + err
    assert "left alone" not in out and "region_" not in out


def test_a_saved_snapshot_carries_the_stages_and_a_renamed_one_is_drift_offline(org, tmp_path, run_cli):
    spec = live_spec(
        tmp_path, SALESFORCE_ENV + "  baseline: {target: snapshot, platform: salesforce, path: baseline}\n"
    )
    assert run_cli(*args(spec, "apply", "--yes"))[0] == 0
    code, out, err = run_cli(*args(spec, "snapshot", "--out", str(tmp_path / "baseline")))
    assert code == 0, err
    assert "and 2 the spec assumes the org holds" in out
    offline = ["--spec", str(spec), "--env", "baseline"]
    code, out, err = run_cli("diff", *offline, "--exit-code")
    assert code == 0, out + err
    assert "left alone" not in out  # the saved value sets are the org's, not Handrail's
    stages = tmp_path / "baseline" / "StandardValueSet" / "OpportunityStage.json"
    stages.write_text(stages.read_text().replace('"Commit"', '"Committed"'))
    code, out, err = run_cli("diff", *offline, "--exit-code")
    assert code == 4, out + err
    assert "stage 'Commit' no longer exists in Salesforce: gate 'mid_market_csm' can never fire" in out
    code, out, err = run_cli("plan", *offline)
    assert code == 3 and "did you mean 'Committed'?" in err
