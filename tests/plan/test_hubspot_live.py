"""plan / apply / diff against the fake HubSpot portal, through hubspot-api-client and the real CLI."""

from __future__ import annotations

import json
import time

import pytest
from plan.generated_spec import spec_text
from plan.live import HUBSPOT_ENV, MANAGERS, add_people, args, edit, live_spec

from handrail.specs.validate import load_spec
from handrail.targets.hubspot.target import render

ENV = HUBSPOT_ENV + MANAGERS
WRITES = ("POST", "PUT", "PATCH", "DELETE")
READ_OPERATIONS = {
    "properties.list",
    "groups.list",
    "validations.list",
    "flows.list",
    "flows.batch_read",
    "owners.list",
}


@pytest.fixture
def portal(fake_hubspot, monkeypatch):
    monkeypatch.setenv("TEST_HUBSPOT_TOKEN", fake_hubspot.token)
    monkeypatch.setenv("HANDRAIL_HUBSPOT_API_URL", fake_hubspot.url)
    monkeypatch.setenv("HANDRAIL_HUBSPOT_TIMEOUT", "5")  # generous: a loaded CI machine is slow
    add_people(fake_hubspot)
    return fake_hubspot


@pytest.fixture
def spec(tmp_path):
    return live_spec(tmp_path, ENV)


def writes(portal) -> list:
    return [c for c in portal.calls() if c.method in WRITES and c.operation not in READ_OPERATIONS]


def flow(portal, key: str) -> dict:
    return next(f for f in portal.portal.flows.values() if f["customProperties"].get("handrail_key") == key)


def owner(portal, email: str) -> dict:
    return next(o for o in portal.portal.owners if o["email"] == email)


def changed_resources(before, after) -> set[tuple[str, str]]:
    """What an offline build says differs between two specs."""
    old = {
        (r.kind, r.key): r.body for r in render(load_spec(before).model).resources if r.kind != "manual_step"
    }
    new = {
        (r.kind, r.key): r.body for r in render(load_spec(after).model).resources if r.kind != "manual_step"
    }
    return {k for k in new if old.get(k) != new[k]}


def planned(run_cli, spec) -> list[tuple[str, str]]:
    code, out, err = run_cli(*args(spec, "plan", "--json"))
    assert code == 0, err
    return [(c["kind"], c["key"]) for c in json.loads(out)["changes"]]


# -- round trip ---------------------------------------------------------------------------------------------
def test_round_trip_on_an_empty_portal(portal, spec, run_cli):
    code, out, err = run_cli(*args(spec, "plan", "--exit-code"))
    assert code == 4, err
    desired = [r for r in render(load_spec(spec).model).resources if r.kind != "manual_step"]
    assert f"{len(desired)} to create" in out
    code, out, err = run_cli(*args(spec, "apply"))
    assert code == 0, out + err
    assert f"applied {len(desired)} change(s)" in out
    properties = [p for p in portal.portal.live_properties("deals").values() if p["groupName"] == "handoff"]
    assert len(properties) == sum(r.kind == "property" for r in desired)
    assert len(portal.portal.flows) == sum(r.kind == "flow" for r in desired)
    assert portal.count("properties.batch_create") == 2 and portal.count("properties.create") == 0
    # people resolved through the Owners API: owner ids for assignments, user ids for e-mails
    handoff = json.dumps(flow(portal, "closed-won-handoff"))
    assert f'"staticValue": "{owner(portal, "cs-pool@example.com")["id"]}"' in handoff and "${" not in handoff
    escalation = json.dumps(flow(portal, "escalation-first_touch"))
    assert f'"user_ids": ["{owner(portal, "cs-lead@example.com")["userId"]}"]' in escalation
    code, out, err = run_cli(*args(spec, "plan", "--exit-code"))
    assert code == 0, out + err
    assert "no changes" in out
    assert portal.rejections == []


def test_spec_change_plans_exactly_that_change(portal, spec, run_cli, tmp_path):
    assert run_cli(*args(spec, "apply"))[0] == 0
    (tmp_path / "before").mkdir()
    before = tmp_path / "before" / "handoff.yaml"  # the file name is part of the workflow descriptions
    before.write_text(spec.read_text())
    edit(spec, "label: Seats Purchased", "label: Seats")
    assert planned(run_cli, spec) == [("property", "handoff_seats")]
    assert run_cli(*args(spec, "apply"))[0] == 0
    assert portal.portal.properties["deals"]["handoff_seats"]["label"] == "Seats"
    assert run_cli(*args(spec, "plan", "--exit-code"))[0] == 0

    before.write_text(spec.read_text())
    edit(spec, "require: {min_tier: ready}", "require: {min_score: 90}")
    expected = changed_resources(before, spec)
    assert ("flow", "gate-enterprise_ready") in expected
    assert set(planned(run_cli, spec)) == expected
    assert run_cli(*args(spec, "apply"))[0] == 0
    assert '"value": 89.95' in json.dumps(flow(portal, "gate-enterprise_ready")["enrollmentCriteria"])
    assert flow(portal, "gate-enterprise_ready")["revisionId"] == "2"
    assert run_cli(*args(spec, "plan", "--exit-code"))[0] == 0


# -- drift ---------------------------------------------------------------------------------------------------
def test_hand_edits_in_the_portal_are_drift(portal, spec, run_cli):
    run_cli(*args(spec, "apply"))
    deals = portal.portal.properties["deals"]
    deals["handoff_stakeholder_map"]["archived"] = True
    flow(portal, "gate-enterprise_ready")["isEnabled"] = False
    tier = deals["handoff_tier"]
    tier["calculationFormula"] = tier["calculationFormula"].replace("84.95", "69.95")
    portal.portal.validations[("deals", "handoff_business_goals")]["MIN_LENGTH"]["ruleArguments"] = ["5"]
    code, out, _ = run_cli(*args(spec, "diff", "--exit-code"))
    assert code == 4
    assert "field 'stakeholder_map' is missing in HubSpot (deleted or archived?)" in out
    assert "gate 'enterprise_ready' workflow is off in HubSpot; the spec says on" in out
    assert "computed field 'tier' calculationFormula in HubSpot: org " in out and ">= 69.95" in out
    assert (
        "field 'business_goals' MIN_LENGTH validation rule ruleArguments[0] in HubSpot: org '5', spec '"
    ) in out
    assert "Drift in live (hubspot): 1 to create, 3 to change, 0 to delete" in out


def test_option_order_is_not_drift_but_option_labels_are(portal, spec, run_cli):
    run_cli(*args(spec, "apply"))
    options = portal.portal.properties["deals"]["handoff_communication_prefs"]["options"]
    options.reverse()  # HubSpot may list options in another order; displayOrder is what counts
    assert run_cli(*args(spec, "diff", "--exit-code"))[0] == 0
    options[0]["label"] = "Renamed by hand"
    code, out, _ = run_cli(*args(spec, "diff", "--exit-code"))
    assert code == 4
    assert (
        "field 'communication_prefs' options[4].label in HubSpot: org 'Renamed by hand', spec 'Other'"
    ) in out


def test_items_dropped_from_the_spec_are_left_alone(portal, spec, run_cli):
    run_cli(*args(spec, "apply"))
    text = spec.read_text()
    start, end = text.index("  - key: onboarding_fee"), text.index("  - key: target_go_live")
    spec.write_text(text[:start] + text[end:])
    code, out, _ = run_cli(*args(spec, "apply"))
    assert code == 0 and "0 to delete" in out
    assert "left alone" in out and "property:handoff_onboarding_fee" in out
    assert not portal.portal.properties["deals"]["handoff_onboarding_fee"]["archived"]


def test_formulas_hubspot_rewrote_are_not_drift(portal, spec, run_cli):
    run_cli(*args(spec, "apply"))
    stored = portal.portal.properties["deals"]["handoff_segment"]["calculationFormula"]
    sent = next(
        r.body["calculationFormula"]
        for r in render(load_spec(spec).model).resources
        if r.key == "handoff_segment"
    )
    assert stored != sent and "equals" in stored  # the portal keeps its own spelling
    assert run_cli(*args(spec, "diff", "--exit-code"))[0] == 0


def test_drift_repair_reports_each_item(portal, spec, run_cli):
    """An archived property keeps its name reserved, so recreating it fails; the rest is repaired."""
    run_cli(*args(spec, "apply"))
    portal.portal.properties["deals"]["handoff_onboarding_fee"]["archived"] = True
    flow(portal, "gate-enterprise_ready")["isEnabled"] = False
    code, out, err = run_cli(*args(spec, "apply"))
    assert code == 1, out + err
    assert "failed: property:handoff_onboarding_fee: " in out and "handoff.yaml:" in out and "archived" in out
    assert "applied 1 change(s)" in out and flow(portal, "gate-enterprise_ready")["isEnabled"] is True
    assert "HubSpot has no transactions" in out


# -- faults during apply -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "operation, fault",
    [
        ("properties.batch_create", dict(status=429, retry_after=0.05)),
        ("flows.create", dict(status=429, retry_after=0.05)),
        ("validations.put", dict(status=500, times=2)),
        ("validations.put", dict(drop_connection=True)),
        ("properties.list", dict(delay=6)),  # longer than the 5 s read timeout: a read is simply retried
        ("flows.list", dict(status=503)),
        ("owners.list", dict(drop_connection=True)),
    ],
)
def test_transient_faults_are_retried_where_repeating_is_safe(portal, spec, run_cli, operation, fault):
    portal.inject(operation, **fault)
    code, out, err = run_cli(*args(spec, "apply"))
    assert code == 0, out + err
    assert portal.count(operation) >= 2
    assert run_cli(*args(spec, "plan", "--exit-code"))[0] == 0


def test_a_lost_batch_reply_is_checked_by_rereading_not_resent(portal, spec, run_cli):
    portal.inject("properties.batch_create", drop_connection=True, when="after")
    code, out, err = run_cli(*args(spec, "apply"))
    assert code == 0, out + err
    assert portal.count("properties.batch_create") == 2  # each batch sent once
    assert "confirmed by re-reading HubSpot" in out
    assert run_cli(*args(spec, "plan", "--exit-code"))[0] == 0


def test_a_failed_create_is_reported_and_a_rerun_converges(portal, spec, run_cli):
    portal.inject("flows.create", status=500)
    code, out, err = run_cli(*args(spec, "apply"))
    assert code == 1
    failed = [line for line in out.splitlines() if line.startswith("  failed: ")]
    assert len(failed) == 1
    assert "flow:" in failed[0] and "HTTP 500" in failed[0] and "handoff.yaml:" in failed[0]
    assert "not in HubSpot when re-read" in failed[0]
    flow_count = sum(1 for r in render(load_spec(spec).model).resources if r.kind == "flow")
    assert portal.count("flows.create") == flow_count
    assert planned(run_cli, spec) == [("flow", failed[0].split("flow:")[1].split(":")[0])]
    assert run_cli(*args(spec, "apply"))[0] == 0
    assert run_cli(*args(spec, "plan", "--exit-code"))[0] == 0
    keys = [f["customProperties"]["handrail_key"] for f in portal.portal.flows.values()]
    assert len(keys) == len(set(keys))  # nothing created twice


def test_a_create_that_times_out_is_never_duplicated(portal, spec, run_cli):
    portal.inject("flows.create", delay=6)  # HubSpot carries it out after the client gave up
    code, out, _ = run_cli(*args(spec, "apply"))
    assert code == 1 and "it may still appear" in out
    total = sum(1 for r in render(load_spec(spec).model).resources if r.kind == "flow")
    deadline = time.monotonic() + 10
    while len(portal.portal.flows) < total and time.monotonic() < deadline:
        time.sleep(0.1)
    assert run_cli(*args(spec, "plan", "--exit-code"))[0] == 0
    assert len(portal.portal.flows) == total


def test_a_failed_property_holds_back_what_depends_on_it(portal, spec, run_cli):
    portal.portal.add_group("deals", "handoff", "Sales to CS handoff", 5)
    portal.portal.properties["deals"]["handoff_business_goals"] = portal.portal.property_record(
        {
            "name": "handoff_business_goals",
            "label": "Goals",
            "type": "string",
            "fieldType": "text",
            "groupName": "handoff",
        }
    )
    portal.portal.properties["deals"]["handoff_business_goals"]["archived"] = True  # name reserved
    code, out, _ = run_cli(*args(spec, "apply"))
    assert code == 1
    assert "failed: property:handoff_business_goals: " in out and "already exists (archived)" in out
    assert "property_validation:handoff_business_goals/MIN_LENGTH not attempted" in out
    assert "restore it from HubSpot's archived properties" in out
    assert "property:handoff_score not attempted: it uses handoff_business_goals" in out
    assert "not attempted: " in out and "HubSpot has no transactions" in out


def test_a_lost_workflow_update_reply_is_confirmed_by_rereading(portal, spec, run_cli):
    run_cli(*args(spec, "apply"))
    edit(spec, "require: {min_tier: ready}", "require: {min_score: 90}")
    portal.inject("flows.replace", drop_connection=True, when="after")
    code, out, err = run_cli(*args(spec, "apply"))
    assert code == 0, out + err
    assert "confirmed by re-reading the workflow" in out
    assert run_cli(*args(spec, "plan", "--exit-code"))[0] == 0


def test_a_workflow_changed_during_apply_is_not_overwritten(portal, spec, run_cli):
    run_cli(*args(spec, "apply"))
    edit(spec, "require: {min_tier: ready}", "require: {min_score: 90}")
    gate = flow(portal, "gate-enterprise_ready")
    portal.inject(
        "flows.replace",
        status=409,
        body={
            "status": "error",
            "category": "CONFLICT",
            "message": "revisionId is stale",
            "correlationId": "x",
        },
    )
    gate["revisionId"] = "7"  # someone saved it in HubSpot after plan read it
    code, out, _ = run_cli(*args(spec, "apply"))
    assert code == 1
    assert "flow:gate-enterprise_ready" in out and "changed in HubSpot since plan read it" in out
    assert "nothing was overwritten" in out
    assert portal.count("flows.replace", path=f"/automation/v4/flows/{gate['id']}") == 1


# -- refusals and check-only ---------------------------------------------------------------------------------
def test_destructive_change_refused_before_any_write(portal, spec, run_cli):
    run_cli(*args(spec, "apply"))
    portal.clear_log()
    edit(spec, "      - {value: Other, generic: true}\n", "")
    code, _, err = run_cli(*args(spec, "apply"))
    assert code == 1 and "options 'Other' would be removed" in err
    assert writes(portal) == []


def test_retired_items_are_deleted_only_with_consent(portal, spec, run_cli):
    run_cli(*args(spec, "apply"))
    text = spec.read_text()
    start, end = text.index("  - key: onboarding_fee"), text.index("  - key: target_go_live")
    gate = text.index("  - key: enterprise_ready")
    text = text[:start] + text[end:gate] + text[text.index("automation:") :]
    spec.write_text(text + "\nretired:\n  fields: [onboarding_fee]\n  gates: [enterprise_ready]\n")
    code, _, err = run_cli(*args(spec, "apply"))
    assert code == 1 and "will be deleted" in err
    code, out, err = run_cli(*args(spec, "apply", "--allow-destructive"))
    assert code == 0, out + err
    assert portal.portal.properties["deals"]["handoff_onboarding_fee"]["archived"] is True
    assert not any(
        f["customProperties"].get("handrail_key") == "gate-enterprise_ready"
        for f in portal.portal.flows.values()
    )
    assert run_cli(*args(spec, "plan", "--exit-code"))[0] == 0


def test_stale_plan_refused(portal, spec, run_cli, tmp_path):
    run_cli(*args(spec, "apply"))
    edit(spec, "label: Seats Purchased", "label: Seats")
    plan = tmp_path / "plan.json"
    assert run_cli(*args(spec, "plan", "--out", str(plan)))[0] == 0
    portal.portal.properties["deals"]["handoff_seats"]["description"] = "edited by hand"
    portal.clear_log()
    code, _, err = run_cli(*args(spec, "apply", str(plan)))
    assert code == 1 and "the org changed since" in err and "property:handoff_seats" in err
    assert writes(portal) == []


def test_saved_plan_applies(portal, spec, run_cli, tmp_path):
    plan = tmp_path / "plan.json"
    assert run_cli(*args(spec, "plan", "--out", str(plan)))[0] == 0
    assert run_cli(*args(spec, "apply", str(plan)))[0] == 0
    assert run_cli(*args(spec, "plan", "--exit-code"))[0] == 0


def test_check_only_sends_nothing(portal, spec, run_cli):
    code, out, err = run_cli(*args(spec, "apply", "--check-only"))
    assert code == 0, err
    assert "HubSpot has no validate-only mode, so nothing was sent" in out
    assert writes(portal) == [] and not portal.portal.flows


# -- people --------------------------------------------------------------------------------------------------
def test_people_the_portal_lacks_are_spec_errors(portal, spec, run_cli):
    portal.portal.owners = [o for o in portal.portal.owners if o["email"] != "cs-pool@example.com"]
    code, _, err = run_cli(*args(spec, "plan"))
    assert code == 3
    assert "handoff.yaml:" in err
    assert "'cs-pool@example.com' is not an active owner in the HubSpot portal" in err


def test_a_manager_role_needs_a_binding(portal, tmp_path, run_cli):
    spec = live_spec(tmp_path, HUBSPOT_ENV)
    code, _, err = run_cli(*args(spec, "plan"))
    assert code == 3 and "'csm_manager' needs a user bound to it" in err
    assert "set environments.live.csm_manager_email" in err and "handoff.yaml:" in err


# -- secrets -------------------------------------------------------------------------------------------------
def test_token_never_appears_in_output(portal, spec, run_cli, caplog):
    caplog.set_level("DEBUG")
    code, out, err = run_cli(*args(spec, "apply"))
    text = out + err
    portal.inject("properties.list", status=401, times=5)
    code, out, err = run_cli(*args(spec, "diff"))
    assert code == 1 and "HTTP 401" in err
    text += out + err + caplog.text
    assert portal.token not in text and portal.token.split("-")[-1] not in text


def test_verbose_logs_are_redacted(portal, spec, test_authority):
    import os
    import subprocess
    import sys

    env = {
        **os.environ,
        "TEST_HUBSPOT_TOKEN": portal.token,
        "HANDRAIL_HUBSPOT_API_URL": portal.url,
        "REQUESTS_CA_BUNDLE": test_authority.ca_file,
    }
    result = subprocess.run(
        [sys.executable, "-m", "handrail.cli", "-v", *args(spec, "apply")],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "properties.batch_create -> ok" in result.stderr and "/automation/v4/flows" in result.stderr
    assert portal.token not in result.stdout + result.stderr


# -- cost of a drift check -----------------------------------------------------------------------------------
def test_drift_check_costs_a_constant_number_of_calls(portal, tmp_path, run_cli):
    counts = {}
    for fields in (10, 100):
        portal.reset()
        folder = tmp_path / str(fields)
        folder.mkdir()
        spec = folder / "handoff.yaml"
        spec.write_text(spec_text(fields, HUBSPOT_ENV))
        assert run_cli(*args(spec, "apply"))[0] == 0
        portal.clear_log()
        code, out, err = run_cli(*args(spec, "diff", "--exit-code"))
        assert code == 0, out + err
        counts[fields] = [c.operation for c in portal.calls()]
    assert counts[10] == counts[100]
    assert sorted(counts[100]) == sorted(
        [
            "properties.list",
            "groups.list",
            "validations.list",
            "flows.list",
            "flows.batch_read",
            "pipelines.list",
        ]
    )


# -- opt-in pipeline rules -----------------------------------------------------------------------------------
def test_pipeline_rules_round_trip(portal, spec):
    from handrail.targets.pipeline import apply, make_plan

    model = load_spec(spec).model
    options = {"pipeline_rules": True}
    rules = make_plan(model, "live", options).plan
    assert [c.ident for c in rules.pending if c.kind == "pipeline_rules"] == ["pipeline_rules:default"]
    _, result = apply(model, "live", saved=None, spec_path=spec, allow_destructive=False, options=options)
    assert result.ok and "pipeline_rules:default" in result.applied
    governance = portal.portal.pipeline_rules[("0-3", "default")]["governanceValidationRules"]
    stored = governance["noSkippingStagesRule"]
    assert "closedwon" not in stored["pipelineStageIds"] and "contractsent" in stored["pipelineStageIds"]
    assert not make_plan(model, "live", options).plan.pending


# -- opt-in conditional approval (PublicApprovalStageRuleRequest, ../shared/reference/hubspot/
# crm-pipeline-rules-2026-09-beta.json; the fake checks each PATCH member against its schema strictly) -------
APPROVERS = '    hubspot: {approvers: ["1234567", "7654321"]}\n'
ENTERPRISE_GATE = "    message: Enterprise handoffs must be Ready (85+) before Closed Won.\n"


def test_conditional_approval_round_trip(portal, spec):
    from handrail.targets.pipeline import apply, make_plan

    edit(spec, ENTERPRISE_GATE, ENTERPRISE_GATE + APPROVERS)
    model = load_spec(spec).model
    options = {"pipeline_rules": True}
    built = json.loads(render(model, options).files["pipeline-rules/default.json"])
    assert built["approvalStage"]["pipelineStageId"] == "closedwon"
    _, result = apply(model, "live", saved=None, spec_path=spec, allow_destructive=False, options=options)
    assert result.ok and "pipeline_rules:default" in result.applied
    stored = portal.portal.pipeline_rules[("0-3", "default")]
    assert stored["approvalStage"] == built["approvalStage"]
    assert "closedwon" not in stored["governanceValidationRules"]["noSkippingStagesRule"]["pipelineStageIds"]
    assert not make_plan(model, "live", options).plan.pending  # read back, it plans empty

    edit(spec, APPROVERS, '    hubspot: {approvers: ["1234567"], approval_mode: all}\n')
    model = load_spec(spec).model
    changed = make_plan(model, "live", options).plan.pending
    assert [(c.ident, c.action) for c in changed] == [("pipeline_rules:default", "update")]
    _, result = apply(model, "live", saved=None, spec_path=spec, allow_destructive=False, options=options)
    assert result.ok
    rule = portal.portal.pipeline_rules[("0-3", "default")]["approvalStage"]
    assert (rule["approvalMode"], rule["approverUserIds"]) == ("ALL", ["1234567"])


@pytest.mark.parametrize(
    "change, words",
    [
        (lambda r: r.pop("approvalMode"), "'approvalMode' is a required property"),
        (lambda r: r.update(approvalMode="any"), "'any' is not one of ['ALL', 'ANY']"),
        (lambda r: r.update(approverUserIds=[1234567]), "is not of type 'string'"),
        (lambda r: r.update(approvers=["1234567"]), "approvers: not a member"),
        (
            lambda r: r.update(pipelineStageId="nosuchstage"),
            "'nosuchstage' is not a stage of pipeline default",
        ),
        (
            lambda r: r["conditionalApprovalFilterBranch"]["filterBranches"][0]["filters"][0][
                "operation"
            ].update(operationType="NUMBERS"),
            "is not valid under any of the given schemas",
        ),
    ],
)
def test_the_fake_refuses_approval_rules_the_beta_schema_does_not_allow(portal, spec, change, words):
    import requests

    edit(spec, ENTERPRISE_GATE, ENTERPRISE_GATE + APPROVERS)
    files = render(load_spec(spec).model, {"pipeline_rules": True}).files
    body = json.loads(files["pipeline-rules/default.json"])
    change(body["approvalStage"])
    answer = requests.patch(
        portal.url + "/crm/pipelines-rules/2026-09-beta/0-3/default",
        json=body,
        timeout=5,
        headers={"Authorization": f"Bearer {portal.token}"},
    )
    assert answer.status_code == 400 and answer.json()["category"] == "VALIDATION_ERROR"
    assert any(words in e["message"] for e in answer.json()["errors"]), answer.json()
    assert "approvalStage" not in portal.portal.pipeline_rules.get(("0-3", "default"), {})
