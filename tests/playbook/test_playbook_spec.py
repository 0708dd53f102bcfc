"""`playbook:` in the spec: what it resolves to, and its mistakes, located (exit 3) with a hint."""

from __future__ import annotations

from pathlib import Path

import pytest

from handrail.specs.model import Requirement
from handrail.specs.validate import load_spec_text

MINIMAL = (Path(__file__).resolve().parent.parent / "specs" / "minimal.yaml").read_text()
FIELD = """  - key: post_sale_owner
    label: Post-Sale Owner
    type: short_text
"""
PLAYBOOK = """playbook:
  post_sale_owner:
    field: post_sale_owner
    segments: [enterprise]
    contact_within: {days: 10}
  ae_departure: {}
"""


def spec(playbook: str = PLAYBOOK, field: str = FIELD, base: str = MINIMAL) -> str:
    text = base.replace("segments:\n", field + "segments:\n", 1)
    return text.replace("environments:\n", playbook + "environments:\n", 1)


def test_the_post_sale_owner_is_required_in_its_segments_with_a_clock_and_an_escalation():
    model = load_spec_text(spec()).model
    enterprise, smb = model.segment("enterprise"), model.segment("smb")
    assert "post_sale_owner" in enterprise.required_fields and "post_sale_owner" not in smb.required_fields
    assert (enterprise.sla.implementation_contact_days, smb.sla.implementation_contact_days) == (10, None)
    (escalation,) = [
        e for e in model.automation.on_closed_won.escalations if e.sla == "implementation_contact"
    ]
    assert escalation.to == ("csm_manager",)  # the default
    assert "within 10 days" in escalation.message
    assert [f.key for f in model.computed][-2:] == ["implementation_contact_at", "recovery_owner"]
    assert model.playbook.ae_departure.recovery_owner == "owner_manager"
    assert model.playbook.ae_departure.due.describe() == "7 days"


def test_a_closed_won_gate_requires_the_post_sale_owner_unless_a_written_one_does():
    # minimal.yaml's Closed Won gate asks for a score only: the playbook adds its own
    gate = load_spec_text(spec()).model.gates[-1]
    assert (gate.key, gate.stage, gate.segments) == ("post_sale_owner", "won", ("enterprise",))
    assert gate.require == Requirement(fields=("post_sale_owner",))
    covered = spec(
        base=MINIMAL.replace("require: {min_score: 60}", "require: {segment_required_fields: true}")
    )
    assert [g.key for g in load_spec_text(covered).model.gates] == ["won_ready"]


def test_without_a_playbook_nothing_changes():
    plain, model = load_spec_text(MINIMAL).model, load_spec_text(spec(playbook="")).model
    assert model.playbook == plain.playbook
    assert [f.key for f in model.computed] == [f.key for f in plain.computed]
    assert model.automation == plain.automation


@pytest.mark.parametrize(
    "text, message, at",
    [
        (
            spec(PLAYBOOK.replace("field: post_sale_owner", "field: post_sales")),
            "unknown field",
            "post_sales",
        ),
        (spec(PLAYBOOK.replace("field: post_sale_owner", "field: scope")), "is a picklist", "field: scope"),
        (
            spec(PLAYBOOK.replace("segments: [enterprise]", "segments: [enterprize]")),
            "unknown segment",
            "enterprize",
        ),
        (spec(PLAYBOOK.replace("{days: 10}", "{days: 0}")), "", "days: 0"),
        (spec(field=FIELD.replace("post_sale_owner", "recovery_owner")), "reserved", "key: recovery_owner"),
        (
            spec().replace("deal:\n  csm: {field: csm}\n", ""),
            "deal.csm names no user field",
            "field: post_sale_owner",
        ),
        (spec(PLAYBOOK.replace("ae_departure: {}", "ae_departure: {recovery_owner: nobody}")), "", "nobody"),
    ],
    ids=["unknown-field", "field-type", "unknown-segment", "days", "reserved-key", "needs-csm", "recipient"],
)
def test_mistakes_are_located(text, message, at, tmp_path, run_cli):
    path = tmp_path / "handoff.yaml"
    path.write_text(text, encoding="utf-8")
    code, out, err = run_cli("validate", str(path))
    assert code == 3, out + err
    assert message in err
    index = text.index(at)
    line = text.count("\n", 0, index) + 1
    assert f"handoff.yaml:{line}:" in err, err


def test_a_named_recovery_owner_is_a_person_each_environment_resolves():
    from handrail.specs.people import usernames

    named = spec(PLAYBOOK.replace("ae_departure: {}", "ae_departure: {recovery_owner: revops@example.com}"))
    model = load_spec_text(named).model
    assert model.playbook.ae_departure.recovery_owner == "revops@example.com"
    assert "revops@example.com" in usernames(model)  # plan substitutes the environment's user
