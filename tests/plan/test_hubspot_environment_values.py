"""Per-environment values against the fake portal: people: names who a person is in a portal, and
hubspot_stages: a stage's id there; plan resolves both before the diff and nothing else changes."""

from __future__ import annotations

import json

import pytest
from plan.live import HUBSPOT_ENV, MANAGERS, SALESFORCE_ENV, add_people, args, live_spec

from handrail.generators.plan.diff import ident
from handrail.specs.validate import load_spec
from handrail.targets.pipeline import make_plan

PEOPLE = {
    "cs-pool@example.com": ("Casey", "Pool"),
    "pool.test@example.com": ("Pat", "Test-Pool"),
    "cs-manager@example.com": ("Morgan", "Manager"),
    "cs-lead@example.com": ("Lee", "Lead"),
    "sales-lead@example.com": ("Sam", "Sales"),
}
OTHER = HUBSPOT_ENV.replace("  live:", "  other:") + MANAGERS
ENVIRONMENTS = (
    HUBSPOT_ENV
    + MANAGERS
    + "    people: {cs-pool@example.com: pool.test@example.com}\n"
    + '    hubspot_stages: {commit: "1234567", closed_won: "1234570"}\n'
    + OTHER
)


@pytest.fixture
def portal(portal):
    add_people(portal, PEOPLE)
    # the stages `live` names by its own ids (the portal's other environment uses the defaults)
    stages = portal.portal.pipelines["deals"]["default"]["stages"]
    for stage_id, label, probability in (("1234567", "Commit", "0.9"), ("1234570", "Won", "1.0")):
        stages.append(
            portal.portal.stage_record(
                {
                    "stageId": stage_id,
                    "label": label,
                    "displayOrder": len(stages),
                    "metadata": {"probability": probability},
                }
            )
        )
    return portal


@pytest.fixture
def spec(tmp_path):
    return live_spec(tmp_path, ENVIRONMENTS)


def _bodies(desired, skip=("manual_step",)) -> dict[str, str]:
    return {
        ident((r.kind, r.key)): json.dumps(r.body, sort_keys=True)
        for r in desired.resources
        if r.kind not in skip
    }


def _owner_id(portal, email: str) -> str:
    return str(next(o["id"] for o in portal.portal.owners if o["email"] == email))


def test_an_environment_resolves_its_people_and_stage_ids_and_nothing_else(portal, spec, tmp_path):
    live = _bodies(make_plan(load_spec(spec).model, "live").desired)
    # The same spec with the environment's values written into it, planned where nothing is overridden:
    text = spec.read_text()
    text = text.replace("hubspot: contractsent}", 'hubspot: "1234567"}')
    text = text.replace("hubspot: closedwon,", 'hubspot: "1234570",')
    text = text.replace("assign: cs-pool@example.com", "assign: pool.test@example.com")
    text = text.replace("    people: {cs-pool@example.com: pool.test@example.com}\n", "")
    (tmp_path / "written").mkdir()
    (tmp_path / "written" / "handoff.yaml").write_text(text)
    written = _bodies(make_plan(load_spec(tmp_path / "written" / "handoff.yaml").model, "other").desired)
    assert live == written
    other = _bodies(make_plan(load_spec(spec).model, "other").desired)
    closed_won = "flow:closed-won-handoff"
    assert _owner_id(portal, "pool.test@example.com") in live[closed_won]
    assert _owner_id(portal, "cs-pool@example.com") in other[closed_won]
    assert '"1234570"' in live[closed_won] and '"closedwon"' in other[closed_won]


def test_an_unknown_stage_key_is_a_located_error(portal, spec, run_cli):
    spec.write_text(spec.read_text().replace("{commit: ", "{comit: "))
    code, out, err = run_cli(*args(spec, "plan"))
    assert code == 3, out + err
    assert "handoff.yaml:" in err
    assert "environments.live.hubspot_stages: unknown stage 'comit' (did you mean `commit`?)" in err


def test_a_person_the_portal_does_not_have_names_the_environment_value(portal, spec, run_cli):
    spec.write_text(spec.read_text().replace("pool.test@example.com}", "nobody@example.com}"))
    code, out, err = run_cli(*args(spec, "plan"))
    assert code == 3, out + err
    assert "'cs-pool@example.com' (bound to nobody@example.com) is not an active owner" in err


def test_settings_of_the_other_crm_are_spec_errors(tmp_path, run_cli):
    spec = live_spec(tmp_path, HUBSPOT_ENV + MANAGERS + "    username_suffix: .uat\n")
    code, out, err = run_cli("validate", "--spec", str(spec))
    assert code == 3, out + err
    assert "environments.live.username_suffix: username_suffix is for Salesforce usernames" in err
    spec = live_spec(tmp_path, SALESFORCE_ENV + '    hubspot_stages: {commit: "1234567"}\n')
    code, out, err = run_cli("validate", "--spec", str(spec))
    assert code == 3, out + err
    assert "hubspot_stages names HubSpot stage ids; 'live' is a Salesforce environment" in err
