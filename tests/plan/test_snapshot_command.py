"""`handrail snapshot` (live state saved as a snapshot environment) and `handrail import` from a snapshot,
against the fake org and portal through the real CLI."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from plan.live import HUBSPOT_ENV, MANAGERS, SALESFORCE_ENV, add_people, args, edit, live_spec

BASELINE = "  baseline:\n    target: snapshot\n    platform: {platform}\n    path: baseline\n"


def _spec(tmp_path, platform):
    env = SALESFORCE_ENV if platform == "salesforce" else HUBSPOT_ENV + MANAGERS
    return live_spec(tmp_path, env + BASELINE.format(platform=platform))


@pytest.mark.parametrize("platform", ["salesforce", "hubspot"])
def test_a_snapshot_is_a_baseline_to_diff_offline(platform, request, tmp_path, run_cli):
    fake = request.getfixturevalue("org" if platform == "salesforce" else "portal")
    spec = _spec(tmp_path, platform)
    if platform == "hubspot":
        add_people(fake)
    code, out, err = run_cli(*args(spec, "apply", "--yes"))
    assert code == 0, out + err
    code, out, err = run_cli(*args(spec, "snapshot", "--out", str(tmp_path / "baseline")))
    assert code == 0, err
    assert out.startswith("saved ") and "baseline:" in err
    manifest = json.loads((tmp_path / "baseline" / "snapshot.json").read_text())
    assert manifest["platform"] == platform and manifest["environment"] == "live"
    offline = ["--spec", str(spec), "--env", "baseline"]
    code, out, err = run_cli("diff", *offline, "--exit-code")
    assert code == 0, out + err  # the baseline is the org as applied: no drift
    # the spec moves on: the baseline shows what apply would change, offline
    edit(spec, "label: Risk Flags", "label: Risks")
    code, out, _ = run_cli("plan", *offline, "--json")
    changes = json.loads(out)["changes"]
    assert any("risk_flags" in c["key"].lower() and c["action"] == "update" for c in changes), changes
    assert not [c for c in changes if c["action"] != "update"]


def test_snapshot_refuses_a_folder_that_is_not_a_snapshot(org, tmp_path, run_cli):
    spec = _spec(tmp_path, "salesforce")
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "todo.txt").write_text("keep me\n")
    code, _, err = run_cli(*args(spec, "snapshot", "--out", str(folder)))
    assert code == 2 and "not a snapshot" in err
    assert [p.name for p in folder.iterdir()] == ["todo.txt"] and org.count("retrieve") == 0


def test_snapshot_replaces_an_older_snapshot_whole(org, tmp_path, run_cli):
    spec = _spec(tmp_path, "salesforce")
    folder = tmp_path / "baseline"
    folder.mkdir()
    (folder / "snapshot.json").write_text('{"platform": "salesforce"}\n')
    (folder / "CustomField").mkdir()
    (folder / "CustomField" / "Opportunity.Gone__c.json").write_text("{}\n")
    assert run_cli(*args(spec, "apply", "--yes"))[0] == 0
    code, out, err = run_cli(*args(spec, "snapshot", "--out", str(folder)))
    assert code == 0, err
    assert not (folder / "CustomField" / "Opportunity.Gone__c.json").exists()
    saved = json.loads((folder / "CustomField" / "Opportunity.Handoff_Business_Goals__c.json").read_text())
    assert saved["label"] == "Customer Business Goals"
    assert not list(tmp_path.glob(".baseline.*"))  # no staging folder left behind


def test_snapshot_of_an_empty_org_saves_what_is_there(org, tmp_path, run_cli):
    spec = _spec(tmp_path, "salesforce")
    code, out, err = run_cli(*args(spec, "snapshot", "--out", str(tmp_path / "baseline")))
    assert code == 0, err
    # the org's own Path settings exist before any apply; nothing else the spec owns does. The stages
    # and deal types the spec assumes are saved too, so plan checks them offline
    assert sorted(
        p.relative_to(tmp_path / "baseline").as_posix() for p in (tmp_path / "baseline").rglob("*.json")
    ) == [
        "Settings/PathAssistant.json",
        "StandardValueSet/OpportunityStage.json",
        "StandardValueSet/OpportunityType.json",
        "snapshot.json",
    ]


SNAPSHOT_FIELDS = {
    "CustomField/Opportunity.Success_Criteria__c.json": {
        "label": "Success Criteria",
        "type": "LongTextArea",
        "length": "32768",
        "visibleLines": "4",
        "inlineHelpText": "Metrics with target values",
    },
    "CustomField/Opportunity.Region__c.json": {"label": "Region", "type": "Text", "length": "40"},
    "StandardValueSet/OpportunityStage.json": {
        "standardValue": [
            {"fullName": "Qualify", "label": "Qualify", "closed": "false", "won": "false"},
            {"fullName": "Won", "label": "Won", "closed": "true", "won": "true"},
            {"fullName": "Lost", "label": "Lost", "closed": "true", "won": "false"},
        ]
    },
}


def test_import_from_a_snapshot_needs_no_crm_client(tmp_path):
    folder = tmp_path / "org"
    for rel, body in {"snapshot.json": {"platform": "salesforce"}, **SNAPSHOT_FIELDS}.items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_text(json.dumps(body))
    envs = tmp_path / "environments.yaml"
    envs.write_text(
        "environments:\n  saved:\n    target: snapshot\n    platform: salesforce\n    path: org\n"
    )
    out = tmp_path / "handoff.yaml"
    argv = ["import", "--spec", str(envs), "--env", "saved", "--out", str(out)]
    code = (
        "import sys\nfrom handrail.cli import main\n"
        "try:\n    main(%r)\nexcept SystemExit as e:\n    assert e.code == 0, e.code\n"
        "loaded = [m for m in sys.modules if m.split('.')[0] in "
        "('simple_salesforce', 'hubspot', 'requests', 'zeep')]\n"
        "assert not loaded, loaded\n"
    ) % argv
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]
    text = out.read_text()
    assert "salesforce: {api_name: Success_Criteria__c}" in text and "weight: 3" in text
    assert "# Region__c: Text, 'Region'" in text
    assert "{key: won, label: Won, salesforce: Won, closed_won: true}" in text
    assert "    path: org\n" in text  # the draft sits beside the spec: the snapshot path still holds
