"""`handrail validate --target salesforce`: what Salesforce cannot enforce as written, at the spec node."""

from __future__ import annotations

from helpers import ROOT, write_spec

from handrail.specs.validate import load_spec, load_spec_text
from handrail.targets.salesforce.render import check_spec

SEGMENT_SPEC = ROOT / "tests" / "specs" / "every_segment_match.yaml"


def test_a_gated_stage_without_a_stage_name_is_reported_at_the_stage():
    (warning,) = check_spec(load_spec(SEGMENT_SPEC).model)
    assert warning.code == "salesforce-stage" and not warning.is_error
    assert warning.message == (
        "stage 'legal' has no Salesforce StageName, but gate 'strategic_and_long_score' depends on it"
    )
    lines = SEGMENT_SPEC.read_text().splitlines()
    assert warning.span.line == lines.index("  - {key: legal, label: Legal review}") + 1


def test_an_unmapped_closed_won_stage_is_reported():
    text = SEGMENT_SPEC.read_text().replace(
        "{key: won, label: Won, salesforce: Closed Won, closed_won: true}",
        "{key: won, label: Won, closed_won: true}",
    )
    messages = [d.message for d in check_spec(load_spec_text(text, "s.yaml").model)]
    assert (
        "stage 'won' has no Salesforce StageName, but gate 'won_not_blocked', the close automation and "
        "SLA timestamps depend on it"
    ) in messages


def test_a_gate_that_requires_nothing_of_its_segments_is_reported():
    text = (
        SEGMENT_SPEC.read_text()
        .replace("segments: [expansion_partner, partner_large]", "segments: [expansion]")
        .replace("required_in: all", "required_in: [strategic]")
    )
    (warning,) = [d for d in check_spec(load_spec_text(text, "s.yaml").model) if d.code == "salesforce-gate"]
    assert (
        warning.message == "gate 'partner_fields' is not enforced in Salesforce: its segments require no "
        "field"
    )


def test_validate_prints_the_warnings_and_strict_fails(run_cli, tmp_path):
    spec = write_spec(tmp_path, SEGMENT_SPEC.read_text())
    code, stdout, stderr = run_cli("validate", str(spec), "--target", "salesforce")
    assert code == 0 and "valid" in stdout
    assert f"{spec}:" in stderr and "warning: stages: stage 'legal' has no Salesforce StageName" in stderr
    code, _, _ = run_cli("validate", str(spec), "--target", "salesforce", "--strict")
    assert code == 3
