"""The command line as a user runs it: help, exit codes, output formats, no tracebacks."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

import pytest

COMMANDS = ["validate", "schema", "score", "init", "build", "plan", "apply", "diff", "audit", "brief"]


@pytest.mark.parametrize("command", [None, *COMMANDS])
def test_help_everywhere_with_examples(run_cli, command):
    args = [command, "--help"] if command else ["--help"]
    code, out, _ = run_cli(*args)
    assert code == 0
    assert "Usage: handrail" in out
    if command not in (None,):
        assert "handrail " + command in out  # an example line


def test_validate_example(run_cli, example_spec):
    code, out, err = run_cli("validate", str(example_spec))
    assert code == 0, err
    assert "valid (20 fields, 8 weighted, 15 segments, 4 gates, 7 stages)" in out


def test_usage_error_is_exit_2(run_cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("HANDRAIL_SPEC", raising=False)
    code, _, err = run_cli("validate")
    assert code == 2 and "--spec" in err and "HANDRAIL_SPEC" in err
    code, _, err = run_cli("frobnicate")
    assert code == 2


def test_schema_is_json_schema(run_cli):
    code, out, _ = run_cli("schema")
    schema = json.loads(out)
    assert code == 0 and schema["$schema"].endswith("2020-12/schema") and "fields" in schema["properties"]


def test_schema_accepts_the_example(example_spec):
    import yaml
    from jsonschema import Draft202012Validator

    from handrail.specs.schema_check import schema

    Draft202012Validator.check_schema(schema())
    assert not list(Draft202012Validator(schema()).iter_errors(yaml.safe_load(example_spec.read_text())))


def test_score_text_reports_worked_example_and_totals(run_cli, example_spec):
    code, out, err = run_cli("score", str(example_spec.parent / "deals.csv"), "--spec", str(example_spec))
    assert code == 0, err
    acme = next(line for line in out.splitlines() if line.startswith("Acme Corp"))
    assert "73.5 Gaps" in acme and "Success Criteria (generic)" in acme
    assert "10 deals" in out and "tiers: Ready 5, Gaps 2, Blocked 3" in out
    assert "Customer Business Goals" in out.split("field")[-1]  # per-field completion table


def test_score_json_and_csv(run_cli, example_spec, tmp_path):
    deals = str(example_spec.parent / "deals.csv")
    code, out, _ = run_cli("score", deals, "--spec", str(example_spec), "--format", "json")
    report = json.loads(out)
    assert code == 0 and len(report["deals"]) == 10
    assert report["deals"][0]["score"] == 73.5
    assert report["totals"]["tiers"] == {"ready": 5, "gaps": 2, "blocked": 3}
    rates = {r["field"]: r for r in report["totals"]["fields"]}
    assert rates["risk_flags"]["completion_rate"] == 44.4  # 4 of the 9 deals whose segment counts it
    code, out, _ = run_cli("score", deals, "--spec", str(example_spec), "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rows[0]["tier"] == "Gaps" and rows[0]["score"] == "73.5"


def test_score_out_file_and_summary(run_cli, example_spec, tmp_path):
    out_file = tmp_path / "scores.json"
    code, _, err = run_cli(
        "score",
        str(example_spec.parent / "deals.csv"),
        "--spec",
        str(example_spec),
        "--format",
        "json",
        "--out",
        str(out_file),
    )
    assert code == 0 and "wrote 10 scored deals" in err
    assert json.loads(out_file.read_text())["totals"]["deals"] == 10
    code, out, _ = run_cli(
        "score", str(example_spec.parent / "deals.csv"), "--spec", str(example_spec), "--summary"
    )
    assert "Acme Corp" not in out and "10 deals" in out


def test_score_bad_deals_file_leaves_no_output(run_cli, example_spec, tmp_path):
    deals = tmp_path / "deals.csv"
    deals.write_text("id,name,stage,close_date,amount\n1,A,Commit,2026-01-01,5\n2,B,Commit,2026-01-01,lots\n")
    out_file = tmp_path / "scores.json"
    code, _, err = run_cli("score", str(deals), "--spec", str(example_spec), "--out", str(out_file))
    assert code == 3 and "'lots' is not a number" in err and "Traceback" not in err
    assert not out_file.exists() and not list(tmp_path.glob(".scores*"))


def test_score_with_invalid_spec_prints_diagnostics(run_cli, example_spec, tmp_path):
    spec = tmp_path / "handoff.yaml"
    spec.write_text(example_spec.read_text().replace("stage: commit\n", "stage: comit\n", 1))
    code, _, err = run_cli("score", str(example_spec.parent / "deals.csv"), "--spec", str(spec))
    assert code == 3 and "unknown stage 'comit'" in err and f"{spec}:" in err


def test_init_scaffolds_a_valid_spec(run_cli, tmp_path):
    target = tmp_path / "crm"
    code, out, _ = run_cli("init", str(target))
    assert code == 0
    assert sorted(p.name for p in target.iterdir()) == ["deals.csv", "handoff.schema.json", "handoff.yaml"]
    assert run_cli("validate", str(target / "handoff.yaml"))[0] == 0
    (target / "deals.csv").write_text("edited\n")
    code, _, err = run_cli("init", str(target))
    assert code == 2 and "--force" in err
    assert run_cli("init", str(target), "--force")[0] == 0


def test_validate_strict_turns_warnings_into_failure(run_cli, tmp_path):
    from helpers import MINIMAL_SPEC

    spec = tmp_path / "handoff.yaml"
    spec.write_text(MINIMAL_SPEC.read_text().replace("{acv: {gte: 25000}}", "{acv: {gte: 20000}}"))
    assert run_cli("validate", str(spec))[0] == 0
    code, _, err = run_cli("validate", "--strict", str(spec))
    assert code == 3 and "warning: segments:" in err


@pytest.mark.parametrize(
    "argv",
    [
        ["--help"],
        ["validate", "specs/examples/handoff.yaml"],
        ["schema"],
        ["score", "specs/examples/deals.csv", "--spec", "specs/examples/handoff.yaml"],
    ],
)
def test_offline_commands_do_not_import_crm_clients(argv):
    code = (
        "import sys\nfrom handrail.cli import main\n"
        "try:\n    main(%r)\nexcept SystemExit as e:\n    assert e.code == 0, e.code\n"
        "loaded = [m for m in sys.modules if m.split('.')[0] in "
        "('simple_salesforce', 'hubspot', 'requests', 'zeep')]\n"
        "sys.stderr.write(repr(loaded))\nassert not loaded, loaded\n"
    ) % argv
    from helpers import ROOT

    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]


@pytest.mark.parametrize(
    "argv,redacting",
    [
        (["validate", "specs/examples/handoff.yaml"], False),
        (["-v", "validate", "specs/examples/handoff.yaml", "--target", "salesforce"], False),
        (["score", "specs/examples/deals.csv", "--spec", "specs/examples/handoff.yaml"], True),
    ],
)
def test_only_commands_that_may_log_start_with_the_redacting_record_factory(argv, redacting):
    """validate never logs, so it starts without importing the redaction patterns; the others redact every
    log record from the start."""
    code = (
        "import sys\nfrom handrail.cli import main\n"
        "try:\n    main(%r)\nexcept SystemExit as e:\n    assert e.code == 0, e.code\n"
        "import logging\n"
        "print('handrail.targets.transport.redact' in sys.modules, "
        "getattr(logging.getLogRecordFactory(), 'handrail_redacting', False))\n"
    ) % argv
    from helpers import ROOT

    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.splitlines()[-1] == f"{redacting} {redacting}"


def test_console_script_runs():
    from helpers import EXAMPLE_SPEC

    exe = __import__("shutil").which("handrail", path=str(__import__("pathlib").Path(sys.executable).parent))
    assert exe, "the handrail console script is not installed in this environment"
    result = subprocess.run([exe, "validate", str(EXAMPLE_SPEC)], capture_output=True, text=True)
    assert result.returncode == 0 and "valid" in result.stdout
