"""plan / apply / diff against a snapshot environment, through the CLI as a user runs it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from helpers import EXAMPLE_SPEC


@pytest.fixture
def workdir(tmp_path) -> Path:
    shutil.copy(EXAMPLE_SPEC, tmp_path / "handoff.yaml")
    return tmp_path


def spec_args(workdir: Path, *args: str) -> list[str]:
    return [*args, "--spec", str(workdir / "handoff.yaml"), "--env", "snapshot"]


def edit_spec(workdir: Path, old: str, new: str) -> None:
    path = workdir / "handoff.yaml"
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


@pytest.mark.parametrize("platform", ["salesforce", "hubspot"])
def test_round_trip_apply_then_plan_is_empty(workdir, run_cli, platform):
    edit_spec(workdir, "    platform: salesforce", f"    platform: {platform}")
    code, out, err = run_cli(*spec_args(workdir, "plan", "--exit-code"))
    assert code == 4, err
    assert "to create, 0 to change, 0 to delete, 0 unchanged" in out
    code, out, err = run_cli(*spec_args(workdir, "apply"))
    assert code == 0, err
    assert "applied" in out
    code, out, _ = run_cli(*spec_args(workdir, "plan", "--exit-code"))
    assert code == 0 and "no changes" in out
    code, out, _ = run_cli(*spec_args(workdir, "diff", "--exit-code"))
    assert code == 0 and "no drift" in out


def test_a_spec_change_plans_exactly_that_change(workdir, run_cli):
    run_cli(*spec_args(workdir, "apply"))
    edit_spec(workdir, "label: Risk Flags", "label: Risks and Red Flags")
    code, out, _ = run_cli(*spec_args(workdir, "plan", "--json"))
    plan = json.loads(out)
    assert code == 0
    # the label also appears in the scoring flow's missing summary and in the flow test's expectations
    assert {(c["kind"], c["key"]) for c in plan["changes"]} == {
        ("CustomField", "Opportunity.Handoff_Risk_Flags__c"),
        ("Flow", "Handoff_Score_Before_Save"),
        ("ApexClass", "Handoff_Flows_Test"),
    }
    assert plan["counts"]["create"] == 0 and plan["counts"]["delete"] == 0
    change = next(c for c in plan["changes"] if c["kind"] == "CustomField")
    assert change["key"] == "Opportunity.Handoff_Risk_Flags__c" and change["origin"] == "field:risk_flags"
    assert {d["path"] for d in change["differences"]} == {"label"}
    assert change["source"].endswith("handoff.yaml:72:5")


def test_hubspot_drift_in_handoff_terms(workdir, run_cli):
    edit_spec(workdir, "    platform: salesforce", "    platform: hubspot")
    run_cli(*spec_args(workdir, "apply"))
    snapshot = workdir / "org-snapshot"
    (snapshot / "property" / "handoff_stakeholder_map.json").unlink()
    flow = snapshot / "flow" / "gate-closed_won_not_blocked.json"
    flow.write_text(flow.read_text().replace('"isEnabled": true', '"isEnabled": false'))
    code, out, _ = run_cli(*spec_args(workdir, "diff", "--exit-code"))
    assert code == 4
    assert "field 'stakeholder_map' is missing in HubSpot (deleted or archived?)" in out
    assert "gate 'closed_won_not_blocked' workflow is off in HubSpot; the spec says on" in out
    assert "not verifiable (manual steps" in out and "conditional-stage-properties-closed_won" in out


def test_hand_edit_in_the_org_is_drift(workdir, run_cli):
    run_cli(*spec_args(workdir, "apply"))
    rule = workdir / "org-snapshot" / "ValidationRule" / "Opportunity.Handoff_Gate_Enterprise_Ready.json"
    body = json.loads(rule.read_text())
    body["errorConditionFormula"] = body["errorConditionFormula"].replace("< 85", "< 70")
    rule.write_text(json.dumps(body))
    (workdir / "org-snapshot" / "CustomField" / "Opportunity.Handoff_Stakeholder_Map__c.json").unlink()
    code, out, _ = run_cli(*spec_args(workdir, "diff", "--exit-code"))
    assert code == 4
    assert "gate 'enterprise_ready' minimum score lowered in Salesforce: spec 85, org 70" in out
    assert "field 'stakeholder_map' is missing in Salesforce" in out
    code, out, _ = run_cli(*spec_args(workdir, "diff", "--markdown"))
    assert code == 0 and out.startswith("### Handrail drift:") and "| ~ | `ValidationRule" in out


def test_destructive_change_is_refused_without_consent(workdir, run_cli):
    run_cli(*spec_args(workdir, "apply"))
    edit_spec(workdir, "    length: 120\n", "    length: 80\n")  # partner_contact shrinks
    code, _, err = run_cli(*spec_args(workdir, "apply"))
    assert code == 1 and "length shrinks from 120 to 80" in err and "--allow-destructive" in err
    code, _, err = run_cli(*spec_args(workdir, "apply", "--allow-destructive"))
    assert code == 1 and "the spec does not allow it for this item" in err
    edit_spec(workdir, "    length: 80\n", "    length: 80\n    allow_destructive: true\n")
    code, out, err = run_cli(*spec_args(workdir, "apply", "--allow-destructive"))
    assert code == 0, err
    assert run_cli(*spec_args(workdir, "plan", "--exit-code"))[0] == 0


def test_removing_a_field_from_the_spec_never_deletes_it(workdir, run_cli):
    run_cli(*spec_args(workdir, "apply"))
    text = (workdir / "handoff.yaml").read_text()
    start = text.index("  - key: onboarding_fee")
    end = text.index("  - key: target_go_live")
    (workdir / "handoff.yaml").write_text(text[:start] + text[end:])
    code, out, _ = run_cli(*spec_args(workdir, "plan"))
    assert code == 0 and "0 to delete" in out
    assert "left alone" in out and "CustomField:Opportunity.Handoff_Onboarding_Fee__c" in out


def test_retired_field_is_deleted_only_with_the_flag(workdir, run_cli):
    run_cli(*spec_args(workdir, "apply"))
    text = (workdir / "handoff.yaml").read_text()
    start, end = text.index("  - key: onboarding_fee"), text.index("  - key: target_go_live")
    (workdir / "handoff.yaml").write_text(
        text[:start] + text[end:] + "\nretired:\n  fields: [onboarding_fee]\n"
    )
    code, out, _ = run_cli(*spec_args(workdir, "plan"))
    assert "1 to delete" in out and "DESTRUCTIVE" in out
    code, _, err = run_cli(*spec_args(workdir, "apply"))
    assert code == 1 and "will be deleted" in err
    snapshot_file = workdir / "org-snapshot" / "CustomField" / "Opportunity.Handoff_Onboarding_Fee__c.json"
    assert snapshot_file.exists()
    code, _, err = run_cli(*spec_args(workdir, "apply", "--allow-destructive"))
    assert code == 0, err
    assert not snapshot_file.exists()


def test_saved_plan_applies_and_stale_plan_is_refused(workdir, run_cli):
    plan_path = workdir / "plan.json"
    code, _, err = run_cli(*spec_args(workdir, "plan", "--out", str(plan_path)))
    assert code == 0 and plan_path.exists() and "saved plan" in err
    assert run_cli(*spec_args(workdir, "apply", str(plan_path)))[0] == 0
    # a plan made now, then the org changes underneath it
    run_cli(*spec_args(workdir, "plan", "--out", str(plan_path)))
    rule = workdir / "org-snapshot" / "ValidationRule" / "Opportunity.Handoff_Gate_Mid_Market_Csm.json"
    rule.write_text(rule.read_text().replace('"active": "true"', '"active": "false"'))
    code, _, err = run_cli(*spec_args(workdir, "apply", str(plan_path)))
    assert (
        code == 1
        and "the org changed since" in err
        and "ValidationRule:Opportunity.Handoff_Gate_Mid_Market_Csm" in err
    )
    # and when the spec changes after planning
    run_cli(*spec_args(workdir, "apply"))
    run_cli(*spec_args(workdir, "plan", "--out", str(plan_path)))
    edit_spec(workdir, "label: Risk Flags", "label: Risks")
    code, _, err = run_cli(*spec_args(workdir, "apply", str(plan_path)))
    assert code == 1 and "changed since" in err and "run `handrail plan` again" in err


def test_a_damaged_plan_file_is_a_clear_error(workdir, run_cli):
    bad = workdir / "plan.json"
    bad.write_text('{"format": "something else"}')
    code, _, err = run_cli(*spec_args(workdir, "apply", str(bad)))
    assert code == 3 and "not a handrail-plan/2 plan file" in err
    bad.write_text('{"format": "handrail-plan/1", "changes": []}')
    code, _, err = run_cli(*spec_args(workdir, "apply", str(bad)))
    assert code == 3 and "handrail-plan/1" in err and "run `handrail plan --out` again" in err


def test_unknown_environment(workdir, run_cli):
    code, _, err = run_cli("plan", "--spec", str(workdir / "handoff.yaml"), "--env", "staging")
    assert code == 2 and "--env staging: no such environment" in err and "snapshot" in err


def test_check_only_changes_nothing(workdir, run_cli):
    code, out, err = run_cli(*spec_args(workdir, "apply", "--check-only"))
    assert code == 0, err
    assert "check only: the snapshot was not changed" in out
    assert not (workdir / "org-snapshot").exists()
