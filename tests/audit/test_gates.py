"""Gate evaluation on single deals: each kind of requirement, which gates apply at which stage, the
reasons."""

from __future__ import annotations

import dataclasses

from audit.dealgen import SPECIFIC, deal
from helpers import write_spec

from handrail.generators.rules.gates import applicable_gates, failing_gates, gate_failures, is_gated_stage
from handrail.generators.rules.scoring import score_deal
from handrail.specs.validate import load_spec

ALL = tuple(SPECIFIC)


def keys(model, d):
    return [g.key for g in failing_gates(model, d, score_deal(model, d))]


def test_gates_apply_from_their_stage_onwards_and_never_when_lost(example_model):
    m = example_model
    assert [g.key for g in applicable_gates(m, "proposal", "mid_market")] == []
    assert [g.key for g in applicable_gates(m, "commit", "mid_market")] == ["mid_market_csm"]
    assert [g.key for g in applicable_gates(m, "closed_won", "mid_market")] == [
        "mid_market_csm",
        "closed_won_not_blocked",
    ]
    assert [g.key for g in applicable_gates(m, "closed_won", "enterprise")] == [
        "enterprise_csm",
        "closed_won_not_blocked",
        "enterprise_ready",
    ]
    assert applicable_gates(m, "closed_lost", "enterprise") == []
    assert applicable_gates(m, None, "smb") == []
    assert is_gated_stage(m, "negotiation") and not is_gated_stage(m, "discovery")


def test_a_complete_deal_passes_every_gate(example_model):
    assert keys(example_model, deal("ok", complete=ALL)) == []
    assert keys(example_model, deal("ok", acv=300_000, complete=ALL)) == []


def test_missing_csm(example_model):
    d = deal("x", complete=ALL, csm=None)
    failures = gate_failures(example_model, d, score_deal(example_model, d))
    assert [(f.gate.key, f.reasons) for f in failures] == [
        ("mid_market_csm", ("Customer Success Manager is empty",))
    ]


def test_score_floor_and_required_fields(example_model):
    # Enterprise requires Ready (85): 14/17 = 82.4 passes "not blocked" but not "ready"
    d = deal("e", acv=300_000, complete=[k for k in ALL if k not in ("risk_flags", "communication_prefs")])
    result = score_deal(example_model, d)
    failures = {f.gate.key: f.reasons for f in gate_failures(example_model, d, result)}
    assert result.score == 82.4
    assert failures == {
        "closed_won_not_blocked": ("Risk Flags is empty",),
        "enterprise_ready": ("score 82.4 is below 85",),
    }


def test_a_generic_value_counts_as_present_for_required_fields(example_model):
    d = deal("g", complete=ALL, generic=("success_criteria",))
    assert keys(example_model, d) == []


def test_inactive_gates_never_fail(example_model):
    model = dataclasses.replace(
        example_model, gates=tuple(dataclasses.replace(g, active=False) for g in example_model.gates)
    )
    assert keys(model, deal("bad", csm=None)) == []


def test_field_requirements_apply_at_later_stages_too(tmp_path):
    spec = write_spec(
        tmp_path,
        """version: 1
name: Gate checks
deal: {csm: {field: csm}}
fields:
  - {key: goals, label: Goals, type: long_text, weight: 3}
  - {key: scope, label: Scope, type: short_text}
  - {key: csm, label: CSM, type: user}
segments:
  - {key: all, label: All, match: {}, motion: structured}
stages:
  - {key: commit, label: Commit, salesforce: Commit, hubspot: contractsent}
  - {key: won, label: Won, salesforce: Closed Won, hubspot: closedwon, closed_won: true}
gates:
  - {key: scope_by_commit, stage: commit, require: {fields: [scope], csm_assigned: true},
     message: Scope first.}
  - {key: won_score, stage: won, require: {min_score: 50}, message: Score too low.}
""",
    )
    result = load_spec(spec)
    model = result.model
    d = deal(
        "d",
        stage="won",
        acv=10,
        values={"goals": "Grow revenue in the EMEA region by 20% in year one"},
        csm=None,
    )
    failures = {f.gate.key: f.reasons for f in gate_failures(model, d, score_deal(model, d))}
    # skipping Commit skips nothing
    assert failures == {"scope_by_commit": ("CSM is empty", "Scope is empty")}
    low = deal("l", stage="won", acv=10, values={"scope": "Core"}, csm="x@example.com")
    assert [(f.gate.key, f.reasons) for f in gate_failures(model, low, score_deal(model, low))] == [
        ("won_score", ("score 0.0 is below 50",))
    ]
    at_commit = deal("c", stage="commit", acv=10, values={"scope": "Core"}, csm="x@example.com")
    assert keys(model, at_commit) == []
