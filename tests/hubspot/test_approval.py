"""Opt-in conditional approval (beta Pipeline Rules API): the spec's `hubspot: {approvers: [...]}` under a
gate, its located errors, the `approvalStage` rule the build sends, and what the fake portal accepts.

Shape: `PublicApprovalStageRuleRequest` in ../shared/reference/hubspot/crm-pipeline-rules-2026-09-beta.json
(components.schemas; the PATCH body `PublicPipelineRulesPatchRequest.approvalStage` names it):
pipelineStageId,
approvalMode ALL | ANY, approverUserIds (strings), conditionalApprovalFilterBranch (a Public*FilterBranch),
which
"defines the conditions under which the approval is required". HubSpot allows one approval stage per pipeline
(`PublicPipelineRules.approvalStage` is one object).
"""

from __future__ import annotations

import json

import pytest
from deal_samples import samples, without_min_length
from fakes.hubspot_pipelines_api import member_errors
from helpers import EXAMPLE_SPEC, write_spec
from hubspot_records import HubSpotDeal
from test_workflows import failing_gates
from workflow_run import matches

from handrail.generators.rules.scoring import score_deal
from handrail.specs.diagnostics import SpecError
from handrail.specs.validate import load_spec
from handrail.targets.hubspot.limits import check_spec
from handrail.targets.hubspot.pipeline_rules import patch_body
from handrail.targets.hubspot.render import render

ALL_GATE = "    message: The handoff is not ready for Closed Won.\n"
ENTERPRISE_GATE = "    message: Enterprise handoffs must be Ready (85+) before Closed Won.\n"
COMMIT_GATE = "    message: Mid-Market deals need a named CSM before Commit.\n"


def spec_with(tmp_path, **blocks: str):
    """The example spec with `hubspot:` blocks added under the gates named by keyword (all, enterprise,
    commit)."""
    text = EXAMPLE_SPEC.read_text(encoding="utf-8")
    for which, block in blocks.items():
        anchor = {"all": ALL_GATE, "enterprise": ENTERPRISE_GATE, "commit": COMMIT_GATE}[which]
        assert anchor in text
        text = text.replace(anchor, anchor + block, 1)
    return write_spec(tmp_path, text)


def line_of(path, needle: str, nth: int = 1) -> int:
    """The line number of the nth gate line that starts with `needle` (after the gate's indentation)."""
    text = path.read_text().splitlines()
    start = text.index("gates:")
    lines = [i for i, line in enumerate(text, 1) if i > start and line.startswith("    " + needle)]
    return lines[nth - 1]


APPROVERS = '    hubspot: {approvers: ["1234567", 7654321]}\n'


@pytest.fixture(scope="module")
def approved(tmp_path_factory):
    path = spec_with(
        tmp_path_factory.mktemp("approved"),
        all=APPROVERS,
        enterprise='    hubspot:\n      approvers: ["7654321", "1234567"]\n',
    )
    model = load_spec(path).model
    return model, render(model, {"pipeline_rules": True})


# -- the spec addition
# ----------------------------------------------------------------------------------------


def test_approvers_resolve_into_the_model(approved):
    model, _ = approved
    named = {g.key: g.hubspot_approval for g in model.gates if g.hubspot_approval}
    assert set(named) == {"closed_won_not_blocked", "enterprise_ready"}
    assert named["closed_won_not_blocked"].approvers == ("1234567", "7654321")  # integers become id strings
    assert named["closed_won_not_blocked"].mode == "any"


@pytest.mark.parametrize(
    "block, words",
    [
        ('    hubspot: {approver: ["1234567"]}\n', "approver"),  # unknown key
        ('    hubspot: {approvers: "1234567"}\n', "expected a list"),  # not a list
        ("    hubspot: [1234567]\n", "expected a mapping"),  # not a mapping
        ("    hubspot: {approvers: []}\n", "should be non-empty"),  # empty list
        # "Each pipeline can have a unique approval stage with up to three approvers."
        # (https://knowledge.hubspot.com/object-settings/pipeline-approvals)
        ("    hubspot: {approvers: [1, 2, 3, 4]}\n", "too long"),
        ('    hubspot: {approvers: ["ana@example.com"]}\n', "ana@example.com"),  # not a user id
        ('    hubspot: {approvers: ["1234567"], approval_mode: some}\n', "some"),
    ],
)
def test_a_malformed_block_is_a_located_error(tmp_path, block, words):
    path = spec_with(tmp_path, enterprise=block)
    with pytest.raises(SpecError) as caught:
        load_spec(path)
    problems = [d for d in caught.value.diagnostics if d.is_error]
    assert problems and all(
        (p.span.file, p.span.line) == (str(path), line_of(path, "hubspot:")) for p in problems
    )
    assert all(p.path.startswith("gates[3].hubspot") for p in problems)
    assert any(words in p.message for p in problems), [p.message for p in problems]


def test_approvers_on_two_stages_are_a_located_error(tmp_path, run_cli):
    path = spec_with(tmp_path, commit=APPROVERS, enterprise=APPROVERS)
    # valid YAML and schema: the rule is HubSpot's, so the HubSpot target says it
    model = load_spec(path).model
    for diagnostics in (check_spec(model), _render_errors(model)):
        [problem] = [d for d in diagnostics if d.code == "hubspot-one-approval-stage"]
        assert problem.is_error and problem.path == "gates[3].hubspot"
        assert (problem.span.file, problem.span.line) == (str(path), line_of(path, "hubspot:", 2))
        assert "HubSpot allows one approval stage per pipeline" in problem.message
        assert "'enterprise_ready'" in problem.message and "'mid_market_csm'" in problem.message
    code, _, err = run_cli(
        "build",
        "--spec",
        str(path),
        "--target",
        "hubspot",
        "--pipeline-rules",
        "--out",
        str(tmp_path / "out"),
    )
    assert code == 3 and f"{path}:{line_of(path, 'hubspot:', 2)}:" in err
    assert "one approval stage per pipeline" in err and not (tmp_path / "out").exists()


def test_different_approvers_on_the_one_stage_are_a_located_error(tmp_path):
    path = spec_with(tmp_path, all=APPROVERS, enterprise='    hubspot: {approvers: ["1234567"]}\n')
    [problem] = [d for d in _render_errors(load_spec(path).model)]
    assert problem.code == "hubspot-one-approval-stage" and problem.span.line == line_of(path, "hubspot:", 2)


def _render_errors(model):
    with pytest.raises(SpecError) as caught:
        render(model, {"pipeline_rules": True})
    return [d for d in caught.value.diagnostics if d.is_error]


# -- the rule
# -------------------------------------------------------------------------------------------------


def test_the_build_sends_one_approval_stage_rule_for_closed_won(approved):
    model, desired = approved
    body = json.loads(desired.files["pipeline-rules/default.json"])
    assert body == patch_body(model)
    assert set(body) == {"noSkippingStagesRule", "approvalStage"}
    rule = body["approvalStage"]
    assert set(rule) == {
        "pipelineStageId",
        "approvalMode",
        "approverUserIds",
        "conditionalApprovalFilterBranch",
    }
    assert (rule["pipelineStageId"], rule["approvalMode"], rule["approverUserIds"]) == (
        "closedwon",
        "ANY",
        ["1234567", "7654321"],
    )
    assert body["noSkippingStagesRule"]["pipelineStageIds"] == ["decisionmakerboughtin", "contractsent"]
    manifest = json.loads(desired.files["requests.json"])["requests"]
    assert [(r["method"], r["path"]) for r in manifest if r["kind"] == "pipeline_rules"] == [
        ("PATCH", "/crm/pipelines-rules/2026-09-beta/0-3/default")
    ]


def test_the_rule_matches_the_beta_openapi_schema_strictly(approved):
    # PublicApprovalStageRuleRequest (crm-pipeline-rules-2026-09-beta.json), checked by the fake portal's
    # validator
    body = json.loads(approved[1].files["pipeline-rules/default.json"])
    for name, value in body.items():
        assert member_errors(name, value) == [], name


# the Enterprise size's new-logo segments: the enterprise_ready gate covers them, not renewals or expansions
ENTERPRISE = ("enterprise_channel", "enterprise_rapid_close", "enterprise")


def _score_branches(rule: dict) -> dict[tuple[str, ...], dict]:
    """Score filters of the condition, by the segments their branch names (() = every segment)."""
    out = {}
    for branch in rule["conditionalApprovalFilterBranch"]["filterBranches"]:
        segments = tuple(
            v
            for f in branch["filters"]
            if f["property"] == "handoff_segment"
            for v in f["operation"]["values"]
        )
        out.update({segments: f["operation"] for f in branch["filters"] if f["property"] == "handoff_score"})
    return out


def test_the_filter_holds_the_gates_minimum_score_and_required_fields(approved):
    rule = json.loads(approved[1].files["pipeline-rules/default.json"])["approvalStage"]
    condition = rule["conditionalApprovalFilterBranch"]
    assert (condition["filterBranchType"], condition["filters"]) == ("OR", [])
    assert all(
        b["filterBranchType"] == "AND" and not b["filterBranches"] for b in condition["filterBranches"]
    )
    # min_tier gaps (60) for everyone, ready (85) for Enterprise; half-up rounding reaches them at 59.95 /
    # 84.95; an empty score needs approval too
    assert _score_branches(rule) == {
        (): {
            "operationType": "NUMBER",
            "operator": "IS_LESS_THAN",
            "value": 59.95,
            "includeObjectsWithNoValueSet": True,
        },
        ENTERPRISE: {
            "operationType": "NUMBER",
            "operator": "IS_LESS_THAN",
            "value": 84.95,
            "includeObjectsWithNoValueSet": True,
        },
    }
    empty = {
        f["property"]
        for b in condition["filterBranches"]
        for f in b["filters"]
        if f["operation"]["operator"] == "IS_NOT_KNOWN"
    }
    assert {"handoff_business_goals", "handoff_products_scope", "handoff_risk_flags"} <= empty
    assert not any(f["property"] == "dealstage" for b in condition["filterBranches"] for f in b["filters"])


def test_approval_is_asked_exactly_for_the_deals_that_fail_the_approving_gates(approved):
    model, desired = approved
    condition = json.loads(desired.files["pipeline-rules/default.json"])["approvalStage"][
        "conditionalApprovalFilterBranch"
    ]
    relaxed, won = without_min_length(model), next(s for s in model.stages if s.closed_won)
    asked = 0
    for sample in samples(model, 250, seed=5):
        result = score_deal(relaxed, sample.deal)
        record = HubSpotDeal(model, sample.record).record
        failing = failing_gates(relaxed, sample.deal, result, won) & {
            "closed_won_not_blocked",
            "enterprise_ready",
        }
        assert matches(condition, record) == bool(failing), (failing, result.score)
        asked += bool(failing)
    assert 0 < asked < 250


def test_a_single_gate_with_all_mode(tmp_path):
    path = spec_with(tmp_path, enterprise='    hubspot: {approvers: ["42", "43"], approval_mode: all}\n')
    rule = patch_body(load_spec(path).model)["approvalStage"]
    assert (rule["approvalMode"], rule["approverUserIds"]) == ("ALL", ["42", "43"])
    assert _score_branches(rule) == {
        ENTERPRISE: {
            "operationType": "NUMBER",
            "operator": "IS_LESS_THAN",
            "value": 84.95,
            "includeObjectsWithNoValueSet": True,
        }
    }
    assert len(rule["conditionalApprovalFilterBranch"]["filterBranches"]) == 1  # the other gate is not in it


def test_without_approvers_nothing_changes(approved, tmp_path):
    plain = load_spec(EXAMPLE_SPEC).model
    assert patch_body(plain) == {
        "noSkippingStagesRule": {
            "enabledForAllStages": False,
            "pipelineStageIds": ["decisionmakerboughtin", "contractsent"],
        }
    }
    model, _ = approved
    # approvers without --pipeline-rules: no rule; every request body is the same as without approvers
    with_approvers, without = render(model, {}).files, render(plain, {}).files
    assert set(with_approvers) == set(without)
    assert [p for p in without if with_approvers[p] != without[p]] == ["CAPABILITIES.md"]


# -- CAPABILITIES.md
# ------------------------------------------------------------------------------------------


def test_capabilities_name_the_enforcement_of_each_build(approved):
    model, desired = approved
    plain = load_spec(EXAMPLE_SPEC).model
    texts = {
        "workflows": render(plain, {}),
        "no skipping": render(plain, {"pipeline_rules": True}),
        "approval": desired,
        "approvers without the flag": render(model, {}),
    }
    texts = {k: v.files["CAPABILITIES.md"].decode() for k, v in texts.items()}
    assert "**Enforcement: gate workflows only.**" in texts["workflows"]
    assert "**Enforcement: gate workflows + no-skipping rule.**" in texts["no skipping"]
    assert "**Enforcement: gate workflows + no-skipping rule + conditional approval.**" in texts["approval"]
    assert "**Enforcement: gate workflows only.**" in texts["approvers without the flag"]
    assert "generated only with `--pipeline-rules`" in texts["approvers without the flag"]
    for key in ("workflows", "no skipping", "approvers without the flag"):
        assert "gates no stage before the move" in texts[key]
    approval = texts["approval"]
    assert "Closed Won (`closedwon`)" in approval and "`1234567`, `7654321`" in approval
    assert "An approval does not waive the gate" in approval and "one approval stage per pipeline" in approval
    assert "| Gates before the move |" in approval and "1 (no skipping and conditional approval)" in approval


ONLY_CLOSED_WON = """\
version: 1
name: Only Closed Won
deal:
  csm: {field: csm}
fields:
  - {key: goals, label: Goals, type: long_text, weight: 3}
  - {key: csm, label: CSM, type: user}
segments:
  - {key: everyone, label: Everyone, match: {}, motion: automated}
stages:
  - {key: commit, label: Commit, salesforce: Commit, hubspot: contractsent}
  - {key: won, label: Won, salesforce: Closed Won, hubspot: closedwon, closed_won: true}
gates:
  - key: won_ready
    stage: won
    require: {min_score: 50, fields: [goals]}
    message: Not ready.
    hubspot: {approvers: [42]}
"""


def test_a_gate_on_closed_won_only_gets_the_approval_rule_alone(tmp_path):
    model = load_spec(write_spec(tmp_path, ONLY_CLOSED_WON)).model
    desired = render(model, {"pipeline_rules": True})
    body = json.loads(desired.files["pipeline-rules/default.json"])
    assert set(body) == {"approvalStage"}  # no open stage after the gate: no no-skipping rule
    branches = body["approvalStage"]["conditionalApprovalFilterBranch"]["filterBranches"]
    assert [[(f["property"], f["operation"]["operator"]) for f in b["filters"]] for b in branches] == [
        # one segment: no segment filter
        [("handoff_goals", "IS_NOT_KNOWN")],
        [("handoff_score", "IS_LESS_THAN")],
    ]
    assert branches[1]["filters"][0]["operation"]["value"] == 49.95
    text = desired.files["CAPABILITIES.md"].decode()
    assert "**Enforcement: gate workflows + conditional approval.**" in text and "'no skipping'" not in text
    assert not render(model, {}).files.get("pipeline-rules/default.json")
