"""`handrail build --target hubspot` and `handrail validate --target hubspot` as a user runs them."""

from __future__ import annotations

import json
import subprocess
import sys

from helpers import EXAMPLE_SPEC, write_spec

from handrail.specs.validate import load_spec
from handrail.targets.hubspot.render import render

EXAMPLE = EXAMPLE_SPEC.read_text(encoding="utf-8")


def test_build_writes_one_file_per_resource(run_cli, tmp_path):
    out = tmp_path / "hubspot"
    code, stdout, err = run_cli(
        "build", "--target", "hubspot", "--spec", str(EXAMPLE_SPEC), "--out", str(out)
    )
    assert code == 0, err
    written = {str(p.relative_to(out)) for p in out.rglob("*") if p.is_file()} - {".handrail-build.json"}
    assert {
        "CAPABILITIES.md",
        "requests.json",
        "manual-steps.json",
        "property-groups/handoff.json",
        "properties/handoff_score.json",
        "flows/gate-closed_won_not_blocked.json",
        "flows/closed-won-handoff.json",
        "property-validations/handoff_business_goals.MIN_LENGTH.json",
    } <= written
    assert f"wrote {len(written)} files to {out}" in stdout
    assert not any(p.startswith("pipeline-rules/") for p in written)
    expected = render(load_spec(EXAMPLE_SPEC).model, {}).files
    assert {p: (out / p).read_bytes() for p in written} == dict(expected)


def test_build_with_check_and_pipeline_rules(run_cli, tmp_path):
    out = tmp_path / "hubspot"
    code, stdout, err = run_cli(
        "build",
        "--target",
        "hubspot",
        "--spec",
        str(EXAMPLE_SPEC),
        "--out",
        str(out),
        "--check",
        "--pipeline-rules",
    )
    assert code == 0, err
    assert (
        "(checked against HubSpot's property types, formula grammar and workflow actions: all valid)"
        in stdout
    )
    rules = json.loads((out / "pipeline-rules/default.json").read_text())
    # Closed stages are never listed, so reps can still close an early deal as lost.
    assert rules["noSkippingStagesRule"]["pipelineStageIds"] == ["decisionmakerboughtin", "contractsent"]


def test_a_gated_stage_without_a_hubspot_id_fails_with_its_location(run_cli, tmp_path):
    text = EXAMPLE.replace(
        "{key: commit, label: Commit, salesforce: Commit, hubspot: contractsent}",
        "{key: commit, label: Commit, salesforce: Commit}",
    )
    spec = write_spec(tmp_path, text)
    line = text[: text.index("{key: commit,")].count("\n") + 1
    out = tmp_path / "out"
    code, _, err = run_cli("build", "--target", "hubspot", "--spec", str(spec), "--out", str(out))
    assert code == 3
    assert (
        f"{spec}:{line}:5: stages[4]: stage 'commit' has no hubspot stage id, but gate 'mid_market_csm'"
        in err
    )
    assert "Traceback" not in err and not out.exists()
    code, _, err = run_cli("validate", str(spec), "--target", "hubspot")
    assert code == 3 and f"{spec}:{line}:5:" in err


def test_an_unknown_stage_in_the_pipeline_definition_fails_with_its_location(run_cli, tmp_path):
    pipelines = tmp_path / "pipelines.json"
    pipelines.write_text(
        json.dumps(
            {
                "results": [
                    {
                        "id": "default",
                        "label": "Sales",
                        "stages": [
                            {"id": "closedwon", "metadata": {"isClosed": "true", "probability": "1.0"}}
                        ],
                    }
                ]
            }
        )
    )
    code, _, err = run_cli(
        "build",
        "--target",
        "hubspot",
        "--spec",
        str(EXAMPLE_SPEC),
        "--out",
        str(tmp_path / "o"),
        "--pipeline-definition",
        str(pipelines),
    )
    assert code == 3 and "pipeline 'default' has no stage 'contractsent'" in err
    line = EXAMPLE[: EXAMPLE.index("{key: commit,")].count("\n") + 1
    assert f"{EXAMPLE_SPEC}:{line}:5:" in err


def test_validate_for_hubspot_warns_what_it_cannot_enforce(run_cli):
    code, out, err = run_cli("validate", str(EXAMPLE_SPEC), "--target", "hubspot")
    assert code == 0 and "valid (" in out
    line = EXAMPLE[: EXAMPLE.index("  - key: business_goals")].count("\n") + 1
    assert (
        f"{EXAMPLE_SPEC}:{line}:5: warning: field 'business_goals': HubSpot formulas have no string length"
    ) in err


def test_build_does_not_import_the_hubspot_client(tmp_path):
    script = (
        "import sys\nfrom handrail.cli import main\n"
        "try:\n    main(sys.argv[1:])\nexcept SystemExit as exc:\n    code = exc.code\n"
        "assert not [m for m in sys.modules if m == 'hubspot' or m.startswith('hubspot.')], 'hubspot "
        "imported'\nsys.exit(code)\n"
    )
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            script,
            "build",
            "--target",
            "hubspot",
            "--spec",
            str(EXAMPLE_SPEC),
            "--out",
            str(tmp_path / "o"),
            "--check",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
