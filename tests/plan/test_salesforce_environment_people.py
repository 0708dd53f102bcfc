"""People per environment against the fake org: the spec names its CSM pool and recipients by the
production usernames; a sandbox resolves them through its username_suffix and people: entries at plan
time, so the desired metadata of two environments differs only in the resolved usernames, and a person
an environment cannot resolve stops plan with a located error."""

from __future__ import annotations

import json
import re

import pytest
from lxml import etree
from plan.live import args, edit, live_spec

from handrail.generators.plan.diff import ident
from handrail.specs.validate import load_spec
from handrail.targets.pipeline import make_plan

CONNECTION = """    target: salesforce
    auth: access_token
    access_token_env: TEST_SF_ACCESS_TOKEN
    instance_url_env: TEST_SF_INSTANCE_URL
"""
ENVIRONMENTS = f"""
  live:
{CONNECTION}    username_suffix: .uat
    people:
      cs-manager@example.com: cs.lead@example.com.uat
  prod:
{CONNECTION}"""
SANDBOX_USERS = ("cs-pool@example.com.uat", "cs.lead@example.com.uat", "cs-manager@example.com.uat")


@pytest.fixture
def org(org):
    for username in SANDBOX_USERS:
        org.org.add_record("User", Name=username, Username=username, IsActive=True)
    return org


@pytest.fixture
def spec(tmp_path):
    return live_spec(tmp_path, ENVIRONMENTS)


def _bodies(desired) -> dict[str, str]:
    return {ident((r.kind, r.key)): json.dumps(r.body, sort_keys=True) for r in desired.resources}


def test_sandbox_and_production_differ_only_in_the_resolved_people(org, spec):
    model = load_spec(spec).model
    sandbox = _bodies(make_plan(model, "live").desired)
    production = _bodies(make_plan(model, "prod").desired)

    assert sandbox.keys() == production.keys()
    changed = {k for k in sandbox if sandbox[k] != production[k]}
    assert changed == {"Flow:Handoff_Score_Before_Save", "ApexClass:Handoff_Flows_Test"}
    for key in changed:  # the production text with each person replaced is the sandbox text
        resolved = production[key].replace("cs-pool@example.com", "cs-pool@example.com.uat")
        resolved = resolved.replace("cs-manager@example.com", "cs.lead@example.com.uat")
        assert resolved == sandbox[key]
    flow = sandbox["Flow:Handoff_Score_Before_Save"]
    assert '"stringValue": "cs-pool@example.com.uat"' in flow  # the CSM pool's User lookup
    assert '"stringValue": "cs.lead@example.com.uat"' in flow  # people: wins over the suffix
    assert not re.search(r"example\.com\"", flow)  # no production username is left


def test_apply_deploys_the_sandbox_usernames_and_a_second_plan_is_empty(org, spec, run_cli):
    code, out, err = run_cli(*args(spec, "apply"))
    assert code == 0, out + err
    flow = org.org.components["Flow"]["Handoff_Score_Before_Save"]
    text = etree.tostring(flow.element, encoding="unicode")
    assert "cs-pool@example.com.uat" in text
    code, out, err = run_cli(*args(spec, "plan", "--exit-code"))
    assert code == 0, out + err


def test_a_person_the_environment_cannot_resolve_is_a_located_error(org, spec, run_cli):
    edit(spec, "    people:\n      cs-manager@example.com: cs.lead@example.com.uat\n", "")
    org.org.records["User"] = {
        k: u for k, u in org.org.records["User"].items() if u["Username"] != "cs-manager@example.com.uat"
    }
    code, out, err = run_cli(*args(spec, "plan"))
    assert code == 3, out + err
    rule = spec.read_text().splitlines().index("        assign: cs-manager@example.com")  # its rule's line
    assert f"handoff.yaml:{rule}:9: 'cs-manager@example.com'" in err, err  # the assign_csm rule
    assert "'cs-manager@example.com' (in this environment 'cs-manager@example.com.uat')" in err
    assert "is not an active user in the Salesforce org of environment 'live'" in err
    assert "did you mean 'cs-manager@example.com'?" in err  # the production user is there


def test_plan_of_the_production_environment_needs_the_production_users(org, spec, run_cli):
    org.org.records["User"] = {
        k: u for k, u in org.org.records["User"].items() if u["Username"] != "cs-pool@example.com"
    }
    code, out, err = run_cli("plan", "--spec", str(spec), "--env", "prod")
    assert code == 3, out + err
    assert "'cs-pool@example.com' is not an active user" in err
    assert "did you mean 'cs-pool@example.com.uat'?" in err


def test_people_values_must_be_usernames(tmp_path, run_cli):
    spec = live_spec(tmp_path, ENVIRONMENTS.replace("cs.lead@example.com.uat", "cs.lead"))
    code, out, err = run_cli("validate", "--spec", str(spec))
    assert code == 3, out + err
    assert "environments.live.people.cs-manager@example.com" in err


def test_a_people_entry_for_someone_the_spec_never_names_is_an_error(tmp_path, run_cli):
    spec = live_spec(
        tmp_path, ENVIRONMENTS.replace("      cs-manager@example.com:", "      cs-manger@example.com:")
    )
    code, out, err = run_cli("validate", "--spec", str(spec))
    assert code == 3, out + err
    assert "environments.live.people: the spec names no 'cs-manger@example.com'" in err
    assert "did you mean `cs-manager@example.com`?" in err
