"""The Opportunity Path and the Sales and CS permission sets, applied to the fake org and diffed."""

from __future__ import annotations

import json

import pytest
from lxml import etree
from plan.live import SALESFORCE_ENV, args, live_spec

MD = "http://soap.sforce.com/2006/04/metadata"
PATH = "Handoff_Opportunity_Path"


@pytest.fixture
def spec(tmp_path):
    return live_spec(tmp_path, SALESFORCE_ENV)


def test_path_and_both_permission_sets_are_created_then_unchanged(org, spec, run_cli):
    code, out, err = run_cli(*args(spec, "plan", "--json"))
    created = {(c["kind"], c["key"]) for c in json.loads(out)["changes"] if c["action"] == "create"}
    assert {
        ("PathAssistant", PATH),
        ("PermissionSet", "Handoff_Sales_Access"),
        ("PermissionSet", "Handoff_CS_Access"),
    } <= created
    assert run_cli(*args(spec, "apply"))[0] == 0
    assert set(org.org.permission_sets) == {"Handoff_Sales_Access", "Handoff_CS_Access"}
    path = org.org.store("PathAssistant")[PATH].element
    steps = path.findall(f"{{{MD}}}pathAssistantSteps")
    assert steps and all(len(s.findall(f"{{{MD}}}fieldNames")) <= 5 for s in steps)
    code, out, err = run_cli(*args(spec, "plan", "--exit-code"))
    assert code == 0, out + err


def test_a_hand_edited_path_is_drift(org, spec, run_cli):
    assert run_cli(*args(spec, "apply"))[0] == 0
    path = org.org.store("PathAssistant")[PATH].element
    for info in path.iter(f"{{{MD}}}info"):
        info.text = "edited by hand"
    code, out, _ = run_cli(*args(spec, "plan", "--json"))
    changes = [(c["kind"], c["key"], c["action"]) for c in json.loads(out)["changes"]]
    assert ("PathAssistant", PATH, "update") in changes
    assert run_cli(*args(spec, "apply"))[0] == 0
    assert run_cli(*args(spec, "plan", "--exit-code"))[0] == 0


def test_the_old_single_permission_set_is_left_alone(org, spec, run_cli):
    old = etree.fromstring(
        f'<PermissionSet xmlns="{MD}"><hasActivationRequired>false</hasActivationRequired>'
        "<label>Handoff Field Access</label></PermissionSet>"
    )
    org.org.put("PermissionSet", "Handoff_Field_Access", old)
    code, out, _ = run_cli(*args(spec, "plan", "--json"))
    assert not [c for c in json.loads(out)["changes"] if c["action"] == "delete"]
    assert run_cli(*args(spec, "apply"))[0] == 0
    assert "Handoff_Field_Access" in org.org.permission_sets


def test_apply_switches_path_on_and_keeps_the_other_path_settings(org, spec, run_cli):
    # Metadata API Developer Guide, "PathAssistantSettings": settings/PathAssistant.settings, package.xml
    # member PathAssistant of type Settings, pathAssistantEnabled (API 35.0 and later).
    settings = org.org.find("Settings", "PathAssistant").element
    assert settings.findtext(f"{{{MD}}}pathAssistantEnabled") == "false"
    assert run_cli(*args(spec, "apply"))[0] == 0
    settings = org.org.find("Settings", "PathAssistant").element
    assert settings.findtext(f"{{{MD}}}pathAssistantEnabled") == "true"
    assert settings.findtext(f"{{{MD}}}canOverrideAutoPathCollapseWithUserPref") == "true"  # not Handrail's
    assert run_cli(*args(spec, "plan", "--exit-code"))[0] == 0
    settings.find(f"{{{MD}}}pathAssistantEnabled").text = "false"  # an admin turns Path off
    code, out, _ = run_cli(*args(spec, "diff", "--exit-code"))
    assert code == 4 and "Settings PathAssistant" in out and "pathAssistantEnabled" in out
