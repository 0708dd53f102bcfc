"""`handrail import` against the fake HubSpot portal with an existing configuration (handoff-ish deal
properties in a group of their own, a renewals pipeline), then validate, plan, apply and plan again."""

from __future__ import annotations

import json

import pytest
from plan.adoption_seed import seed_hubspot
from plan.live import HUBSPOT_ENV

from handrail.specs.validate import load_spec

ENVIRONMENTS = "environments:" + HUBSPOT_ENV
ADOPTED = ("customer_goals", "key_stakeholders", "main_competitor")


@pytest.fixture
def portal(portal):
    seed_hubspot(portal.portal)
    return portal


@pytest.fixture
def draft(portal, tmp_path, run_cli):
    envs = tmp_path / "environments.yaml"
    envs.write_text(ENVIRONMENTS)
    out = tmp_path / "handoff.yaml"
    code, stdout, err = run_cli("import", "--spec", str(envs), "--env", "live", "--out", str(out))
    assert code == 0, err
    assert [c.method for c in portal.calls()] == ["GET"] * 4  # properties, groups, pipelines, workflows
    return out


def test_the_draft_adopts_properties_and_the_default_pipeline(draft, run_cli):
    text = draft.read_text()
    print(text)
    model = load_spec(draft).model
    assert [f.hubspot_name for f in model.fields] == list(ADOPTED)
    goals = model.fields[0]
    assert (goals.section, goals.weight, goals.type, goals.help) == ("goals", 3, "long_text", "")
    assert "# org: description 'What the customer wants to achieve' (the spec does not state these)" in text
    assert [(o.value, o.label) for o in model.fields[2].options] == [
        ("acme", "Acme CRM"),
        ("spreadsheets", "Spreadsheets"),
    ]
    assert model.naming.hubspot_group == "cs_handoff"  # where the adopted properties already are
    assert "# legacy_region: string/text, 'Legacy Region'" in text
    assert [s.hubspot for s in model.stages][-2:] == ["closedwon", "closedlost"]
    assert [s.key for s in model.stages if s.closed_won] == ["closed_won"]
    assert "# renewals 'Renewals': Renewal due [renewal_due], Renewed [renewed], Churned [churned]" in text
    assert "# workflow Renewal reminder: id 501" in text
    pipelines = {p.key: p for p in model.pipelines}
    assert (pipelines["sales_pipeline"].default, pipelines["sales_pipeline"].hubspot_id) == (True, "default")
    renewals = pipelines["renewals"]
    assert [(s.stage, s.hubspot) for s in renewals.stages] == [
        ("closed_won", "renewed"),
        ("closed_lost", "churned"),
    ]
    assert "# review: stage 'Renewal due' (renewal_due) matches no spec stage" in text
    assert run_cli("validate", str(draft))[0] == 0


def test_plan_after_import_only_adds_then_apply_converges(draft, portal, run_cli):
    properties = portal.portal.properties["deals"]
    names = (*ADOPTED, "legacy_region")
    before = {n: {k: v for k, v in json.loads(json.dumps(properties[n])).items()} for n in names}
    pipelines = json.dumps(portal.portal.pipelines, sort_keys=True)
    code, out, err = run_cli("plan", "--spec", str(draft), "--env", "live", "--json")
    assert code == 0, err
    changes = json.loads(out)["changes"]
    assert not [c for c in changes if c["action"] == "delete"]
    created = {(c["kind"], c["key"]) for c in changes if c["action"] == "create"}
    assert not created & {("property", n) for n in names}
    assert ("property", "handoff_score") in created
    assert [c for c in changes if c["action"] == "update"] == []  # no existing property, group or workflow
    code, out, err = run_cli("apply", "--spec", str(draft), "--env", "live", "--yes")
    assert code == 0, out + err
    code, out, err = run_cli("plan", "--spec", str(draft), "--env", "live", "--json")
    assert json.loads(out)["changes"] == [], out
    for name in names:  # every attribute, property by property
        assert properties[name] == before[name], name
    assert json.dumps(portal.portal.pipelines, sort_keys=True) == pipelines
    assert portal.portal.flows["501"]["revisionId"] == "1"  # the team's own workflow is not touched


def test_import_keeps_what_it_read_as_a_snapshot_that_imports_the_same(portal, tmp_path, run_cli):
    """--snapshot saves the portal as the import read it; a snapshot environment on that folder drafts
    the same spec with no call to the portal."""
    envs = tmp_path / "environments.yaml"
    envs.write_text(ENVIRONMENTS + "  baseline: {target: snapshot, platform: hubspot, path: baseline}\n")
    live_draft, offline_draft = tmp_path / "live.yaml", tmp_path / "offline.yaml"
    args = ("import", "--spec", str(envs), "--env")
    code, _, err = run_cli(*args, "live", "--out", str(live_draft), "--snapshot", str(tmp_path / "baseline"))
    assert code == 0, err
    assert "saved the" in err and (tmp_path / "baseline" / "snapshot.json").is_file()
    calls = len(portal.calls())
    code, _, err = run_cli(*args, "baseline", "--out", str(offline_draft))
    assert code == 0, err
    assert len(portal.calls()) == calls  # read from the folder
    drop = ("# ", "environments:")  # comments name where each draft was read from
    lines = lambda p: [x for x in p.read_text().splitlines() if not x.lstrip().startswith(drop)]  # noqa: E731
    assert lines(live_draft) == lines(offline_draft)


def test_import_refuses_a_snapshot_folder_that_is_not_one_before_reading(portal, tmp_path, run_cli):
    envs = tmp_path / "environments.yaml"
    envs.write_text(ENVIRONMENTS)
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "todo.txt").write_text("mine")
    code, _, err = run_cli(
        "import", "--spec", str(envs), "--env", "live", "--snapshot", str(tmp_path / "notes")
    )
    assert code == 2 and "not a snapshot" in err
    assert portal.calls() == [] and (tmp_path / "notes" / "todo.txt").read_text() == "mine"
