"""`handrail import` against the fake Salesforce org seeded with an existing configuration, then validate,
plan, apply and plan again through the real CLI: the draft adopts the org's fields as they are."""

from __future__ import annotations

import json

import pytest
from plan.adoption_seed import SALESFORCE_FIELDS, seed_salesforce
from plan.live import SALESFORCE_ENV

from handrail.specs.validate import load_spec

ENVIRONMENTS = "environments:" + SALESFORCE_ENV
NOT_ADOPTED = ("Legacy_Region__c", "Weighted_Value__c")
ADOPTED = [n for n in SALESFORCE_FIELDS if n not in NOT_ADOPTED]


@pytest.fixture
def org(org):
    seed_salesforce(org.org)
    return org


@pytest.fixture
def draft(org, tmp_path, run_cli):
    envs = tmp_path / "environments.yaml"
    envs.write_text(ENVIRONMENTS)
    out = tmp_path / "handoff.yaml"
    code, stdout, err = run_cli("import", "--spec", str(envs), "--env", "live", "--out", str(out))
    assert code == 0, err
    assert f"wrote {out}: 9 field(s) adopted (3 weighted), 2 listed as not adopted, 7 stage(s)" in stdout
    # read only, and in one retrieve whatever the org's size
    assert org.count("retrieve") == 1 and org.count("deploy") == 0
    assert not [c for c in org.calls() if c.method in ("PATCH", "DELETE")]
    return out


def _plan(run_cli, spec) -> dict:
    code, out, err = run_cli("plan", "--spec", str(spec), "--env", "live", "--json")
    assert code == 0, err
    return json.loads(out)


def test_the_draft_adopts_fields_maps_sections_and_lists_the_rest(draft, run_cli):
    text = draft.read_text()
    model = load_spec(draft).model
    by_name = {f.salesforce_name: f for f in model.fields}
    assert sorted(by_name) == sorted(ADOPTED)
    goals = by_name["Customer_Goals__c"]
    assert (goals.section, goals.weight, goals.type, goals.length, goals.visible_lines) == (
        "goals",
        3,
        "long_text",
        32768,
        3,
    )
    assert goals.help == "What the customer wants to achieve in the first 90 days"
    assert (by_name["Key_Stakeholders__c"].section, by_name["Key_Stakeholders__c"].weight) == (
        "stakeholders",
        3,
    )
    assert (by_name["Risk_Notes__c"].section, by_name["Risk_Notes__c"].weight) == ("risks", 2)
    assert (
        by_name["Integration_Needs__c"].section == "technical"
        and by_name["Integration_Needs__c"].weight is None
    )
    competitor = by_name["Main_Competitor__c"]
    assert [(o.value, o.generic) for o in competitor.options] == [
        ("Acme CRM", False),
        ("Spreadsheets", False),
        ("None", True),
    ]
    assert (by_name["Contract_Length__c"].precision, by_name["Contract_Length__c"].scale) == (3, 0)
    # every guess is marked for review, and so is what the spec does not state
    assert text.count("  # review: ") >= len(ADOPTED)
    assert "# org: description 'Owned by Sales Ops since 2021'; field history tracking on" in text
    # not adopted: listed with why
    assert "# Legacy_Region__c: Text, 'Legacy Region'" in text
    assert "# Weighted_Value__c: Currency, 'Weighted Value' (a formula field)" in text
    # stages from OpportunityStage, won and lost from its flags
    assert [(s.label, s.salesforce, s.closed_won, s.closed_lost) for s in model.stages][-2:] == [
        ("Closed Won", "Closed Won", True, False),
        ("Closed Lost", "Closed Lost", False, True),
    ]
    assert len(model.stages) == 7
    # record types with their sales processes, automation listed, not decompiled
    assert (
        "# Renewal 'Renewal', sales process Renewal Process: Renewal Review, Negotiation, Closed Won, "
        "Closed Lost" in text
    )
    assert "# New_Business 'New Business', sales process New Business Process: Prospecting" in text
    pipelines = {p.key: p for p in model.pipelines}
    assert (pipelines["new_business"].default, pipelines["new_business"].record_type) == (
        True,
        "New_Business",
    )
    renewal = pipelines["renewal"]
    assert (renewal.default, renewal.record_type, renewal.business_process) == (
        False,
        "Renewal",
        "Renewal Process",
    )
    assert [(s.stage, s.salesforce) for s in renewal.stages] == [
        ("negotiation", "Negotiation"),
        ("renewal_review", "Renewal Review"),
        ("closed_won", "Closed Won"),
        ("closed_lost", "Closed Lost"),
    ]
    assert "# validation rule Close_Date_Not_In_Past: The close date cannot be in the past." in text
    assert "# flow Renewal_Reminder: Renewal Reminder (CreateAndUpdate RecordAfterSave)" in text
    assert run_cli("validate", str(draft))[0] == 0


def test_plan_after_import_only_adds(draft, org, run_cli):
    plan = _plan(run_cli, draft)
    assert not [c for c in plan["changes"] if c["action"] == "delete"]
    created = {c["key"] for c in plan["changes"] if c["action"] == "create"}
    assert not created & {f"Opportunity.{n}" for n in SALESFORCE_FIELDS}
    assert "Opportunity.Handoff_Score__c" in created
    updated = [c for c in plan["changes"] if c["action"] == "update"]
    # only the org-wide Path switch; no existing field, rule, record type or flow
    assert [(c["kind"], c["key"], [d["path"] for d in c["differences"]]) for c in updated] == [
        ("Settings", "PathAssistant", ["pathAssistantEnabled"])
    ]


def test_apply_then_plan_is_empty_and_no_attribute_of_an_existing_field_changes(draft, org, run_cli):
    before = {n: org.org.fields[f"Opportunity.{n}"].xml() for n in SALESFORCE_FIELDS}
    snapshot = org.org.snapshot()
    code, out, err = run_cli("apply", "--spec", str(draft), "--env", "live", "--yes")
    assert code == 0, out + err
    assert _plan(run_cli, draft)["changes"] == []
    for name in SALESFORCE_FIELDS:  # every attribute, field by field: history tracking, descriptions...
        assert org.org.fields[f"Opportunity.{name}"].xml() == before[name], name
    goals = org.org.fields["Opportunity.Customer_Goals__c"]
    assert (goals.get("trackHistory"), goals.get("description")) == ("true", "Owned by Sales Ops since 2021")
    after = org.org.snapshot()
    for kind in ("RecordType", "BusinessProcess", "StandardValueSet"):
        assert after[kind] == snapshot[kind], kind
    # the org's own rules untouched; Handrail adds only rules of its own (the intake rating)
    assert {k: after["ValidationRule"][k] for k in snapshot["ValidationRule"]} == snapshot["ValidationRule"]
    assert {k.rsplit(".", 1)[1] for k in set(after["ValidationRule"]) - set(snapshot["ValidationRule"])} == {
        "Handoff_Intake_Rating"
    }
    assert after["Flow"]["Renewal_Reminder"] == snapshot["Flow"]["Renewal_Reminder"]


def test_import_refuses_to_overwrite_without_force(org, tmp_path, run_cli):
    envs = tmp_path / "environments.yaml"
    envs.write_text(ENVIRONMENTS)
    out = tmp_path / "handoff.yaml"
    out.write_text("mine\n")
    code, _, err = run_cli("import", "--spec", str(envs), "--env", "live", "--out", str(out))
    assert code == 2 and "already exists; pass --force" in err
    assert out.read_text() == "mine\n" and org.count("retrieve") == 0
    code, _, err = run_cli("import", "--spec", str(envs), "--env", "live", "--out", str(out), "--force")
    assert code == 0, err
    assert "salesforce: {api_name: Customer_Goals__c}" in out.read_text()


def test_import_of_an_unknown_environment_is_a_usage_error(tmp_path, run_cli):
    envs = tmp_path / "environments.yaml"
    envs.write_text(ENVIRONMENTS)
    code, _, err = run_cli("import", "--spec", str(envs), "--env", "prod", "--out", str(tmp_path / "x.yaml"))
    assert code == 2 and "--env prod: no such environment" in err and "choose one of: live" in err
    assert not (tmp_path / "x.yaml").exists()


def test_import_keeps_what_it_read_as_a_snapshot_that_imports_the_same(org, tmp_path, run_cli):
    envs = tmp_path / "environments.yaml"
    envs.write_text(ENVIRONMENTS + "  baseline: {target: snapshot, platform: salesforce, path: baseline}\n")
    live_draft, offline_draft = tmp_path / "live.yaml", tmp_path / "offline.yaml"
    args = ("import", "--spec", str(envs), "--env")
    code, _, err = run_cli(*args, "live", "--out", str(live_draft), "--snapshot", str(tmp_path / "baseline"))
    assert code == 0, err
    before = len(org.calls())
    code, _, err = run_cli(*args, "baseline", "--out", str(offline_draft))
    assert code == 0, err
    assert len(org.calls()) == before  # read from the folder
    drop = ("# ", "environments:")
    lines = lambda p: [x for x in p.read_text().splitlines() if not x.lstrip().startswith(drop)]  # noqa: E731
    assert lines(live_draft) == lines(offline_draft)
