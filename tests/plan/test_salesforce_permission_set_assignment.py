"""Permission set assignment per environment against the fake org: plan shows who gains and who would
lose a set, apply assigns after the deploy, nothing is unassigned without --allow-destructive, and a
username the org does not have is a located spec error."""

from __future__ import annotations

import json

import pytest
from plan.live import SALESFORCE_ENV, args, live_spec

ASSIGN = """    permission_sets:
      sales: [ae.one@acme.test, ae.two@acme.test]
      cs: [csm.lead@acme.test]
"""


@pytest.fixture
def org(org):
    for name in ("ae.one", "ae.two", "csm.lead", "ae.left"):
        org.org.add_record("User", Name=name, Username=f"{name}@acme.test", IsActive=True)
    return org


@pytest.fixture
def spec(tmp_path):
    return live_spec(tmp_path, SALESFORCE_ENV + ASSIGN)


def _holders(org) -> dict[str, set[str]]:
    records = org.org.records
    out: dict[str, set[str]] = {}
    for row in records["PermissionSetAssignment"].values():
        name = records["PermissionSet"][row["PermissionSetId"]]["Name"]
        out.setdefault(name, set()).add(records["User"][row["AssigneeId"]]["Username"])
    return out


def test_plan_shows_the_gains_and_apply_assigns_after_the_deploy(org, spec, run_cli):
    code, out, err = run_cli(*args(spec, "plan"))
    assert code == 0, err
    assert "ae.one@acme.test gains permission set Handoff_Sales_Access" not in out  # the set is new:
    assert "+ PermissionSetAssignment Handoff_Sales_Access" in out  # created with its holders
    assert run_cli(*args(spec, "apply"))[0] == 0
    assert _holders(org) == {
        "Handoff_Sales_Access": {"ae.one@acme.test", "ae.two@acme.test"},
        "Handoff_CS_Access": {"csm.lead@acme.test"},
    }
    code, out, err = run_cli(*args(spec, "plan", "--exit-code"))
    assert code == 0, out + err  # a second plan is empty


def test_a_user_assigned_by_hand_is_kept_unless_destructive_is_allowed(org, spec, run_cli):
    assert run_cli(*args(spec, "apply"))[0] == 0
    users = {r["Username"]: r["Id"] for r in org.org.records["User"].values()}
    sales = next(
        r["Id"] for r in org.org.records["PermissionSet"].values() if r["Name"] == "Handoff_Sales_Access"
    )
    org.org.add_record(
        "PermissionSetAssignment", AssigneeId=users["ae.left@acme.test"], PermissionSetId=sales
    )
    spec.write_text(spec.read_text().replace("ae.two@acme.test]", "ae.two@acme.test, csm.lead@acme.test]"))

    code, out, err = run_cli(*args(spec, "plan"))
    assert "csm.lead@acme.test gains permission set Handoff_Sales_Access" in out
    assert "ae.left@acme.test would lose permission set Handoff_Sales_Access" in out
    assert "removed only with --allow-destructive" in out

    code, out, err = run_cli(*args(spec, "apply"))
    assert code == 0, out + err
    assert _holders(org)["Handoff_Sales_Access"] == {
        "ae.one@acme.test",
        "ae.two@acme.test",
        "csm.lead@acme.test",
        "ae.left@acme.test",  # kept
    }
    assert "kept Handoff_Sales_Access for ae.left@acme.test" in out + err

    code, out, err = run_cli(*args(spec, "apply", "--allow-destructive"))
    assert code == 0, out + err
    assert "ae.left@acme.test" not in _holders(org)["Handoff_Sales_Access"]
    assert run_cli(*args(spec, "plan", "--exit-code"))[0] == 0


def test_a_username_the_org_lacks_is_a_located_error_and_nothing_is_applied(org, spec, run_cli):
    spec.write_text(spec.read_text().replace("csm.lead@acme.test]", "csm.lead@acme.test.uat]"))
    before = org.org.snapshot()
    code, out, err = run_cli(*args(spec, "apply"))
    assert code == 3, out + err
    line = spec.read_text().splitlines().index("      cs: [csm.lead@acme.test.uat]") + 1
    assert f"handoff.yaml:{line}:" in err
    assert "no active user with username 'csm.lead@acme.test.uat'" in err
    assert "did you mean 'csm.lead@acme.test'" in err
    assert org.org.snapshot() == before and not org.org.records["PermissionSetAssignment"]


def test_check_only_assigns_nobody(org, spec, run_cli):
    code, out, err = run_cli(*args(spec, "apply", "--check-only"))
    assert code == 0, out + err
    assert not org.org.records["PermissionSetAssignment"]


def test_plan_json_lists_the_assignments(org, spec, run_cli):
    code, out, err = run_cli(*args(spec, "plan", "--json"))
    changes = {(c["kind"], c["key"]): c for c in json.loads(out)["changes"]}
    assert changes[("PermissionSetAssignment", "Handoff_CS_Access")]["action"] == "create"


def test_permission_sets_on_a_hubspot_environment_is_a_located_error(tmp_path, run_cli):
    from plan.live import HUBSPOT_ENV

    spec = live_spec(tmp_path, HUBSPOT_ENV + ASSIGN)
    code, out, err = run_cli("validate", "--spec", str(spec))
    assert code == 3, out + err
    line = spec.read_text().splitlines().index("      sales: [ae.one@acme.test, ae.two@acme.test]") + 1
    assert f"handoff.yaml:{line}:" in err and "is a hubspot environment" in err
