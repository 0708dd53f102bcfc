"""One convention for every command: how the spec is given, --format, runnable hints, exit codes, and
apply asking before it changes anything."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from helpers import ROOT

EXAMPLE = ROOT / "specs" / "examples"
HANDRAIL = [sys.executable, "-m", "handrail.cli"]


def components() -> int:
    """How many components the example spec builds for Salesforce: what a first apply creates."""
    from handrail.specs.validate import load_spec
    from handrail.targets.salesforce.render import render

    return len(render(load_spec(EXAMPLE / "handoff.yaml").model).resources)


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A folder with the example spec (a snapshot environment marked production too) as the working
    directory."""
    spec = yaml.safe_load((EXAMPLE / "handoff.yaml").read_text())
    spec["environments"]["live"] = {
        "target": "snapshot",
        "platform": "salesforce",
        "path": "live-org",
        "production": True,
    }
    (tmp_path / "handoff.yaml").write_text(yaml.safe_dump(spec, sort_keys=False))
    shutil.copy(EXAMPLE / "deals.csv", tmp_path / "deals.csv")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("HANDRAIL_SPEC", raising=False)
    return tmp_path


def elsewhere(tmp_path: Path) -> Path:
    other = tmp_path / "elsewhere"
    other.mkdir(exist_ok=True)
    return other


COMMAND_LINES = [
    ["validate"],
    ["score", "deals.csv"],
    ["build", "--target", "hubspot", "--out", "out-hubspot"],
    ["plan", "--env", "snapshot"],
    ["diff", "--env", "snapshot"],
    ["audit", "--from", "deals.csv"],
    ["brief", "Acme Corp", "--from", "deals.csv"],
    ["apply", "--env", "snapshot", "--yes"],
    ["snapshot", "--env", "snapshot", "--out", "baseline"],
]


@pytest.mark.parametrize("argv", COMMAND_LINES, ids=lambda a: a[0])
def test_every_command_takes_the_spec_by_option_and_by_environment(project, run_cli, monkeypatch, argv):
    code, _, err = run_cli(*argv, "--spec", str(project / "handoff.yaml"))
    assert code == 0, err
    monkeypatch.setenv("HANDRAIL_SPEC", str(project / "handoff.yaml"))
    monkeypatch.chdir(elsewhere(project))
    argv = [a if a not in ("deals.csv",) else str(project / a) for a in argv]
    code, _, err = run_cli(*argv)
    assert code == 0, err


@pytest.mark.parametrize("command", ["validate", "score", "audit", "brief", "plan", "apply", "diff"])
def test_every_command_with_output_has_one_format_option(run_cli, command):
    code, out, _ = run_cli(command, "--help")
    assert code == 0 and "--format" in out


@pytest.mark.parametrize(
    "command,alias",
    [("validate", "json"), ("plan", "json"), ("plan", "markdown"), ("diff", "json"), ("diff", "markdown")],
)
def test_old_flags_are_aliases_of_format(project, run_cli, command, alias):
    extra = [] if command == "validate" else ["--env", "snapshot"]
    assert run_cli(command, f"--{alias}", *extra)[:2] == run_cli(command, "--format", alias, *extra)[:2]
    code, _, err = run_cli(command, f"--{alias}", "--format", "text", *extra)
    assert code == 2 and "--format" in err


def test_a_missing_spec_names_both_ways_to_give_one(project, run_cli):
    (project / "handoff.yaml").unlink()
    for argv in (["validate"], ["plan", "--env", "snapshot"], ["score", "deals.csv"]):
        code, _, err = run_cli(*argv)
        assert code == 2 and "--spec" in err and "HANDRAIL_SPEC" in err, argv


def test_an_unknown_environment_is_a_usage_error_naming_the_choices(project, run_cli):
    code, _, err = run_cli("diff", "--env", "staging")
    assert code == 2 and "--env staging" in err and "snapshot" in err and "live" in err


def test_the_hint_after_saving_a_plan_runs_as_pasted(project, run_cli, monkeypatch):
    code, _, err = run_cli("plan", "--spec", "handoff.yaml", "--env", "snapshot", "--out", "plan.json")
    assert code == 0, err
    hint = re.search(r"apply it with: (.+)", err).group(1)
    argv = shlex.split(hint)
    assert argv[0] == "handrail"
    code, out, err = run_cli(*argv[1:])
    assert code == 0, err
    assert f"applied {components()} change(s)" in out


def test_check_only_says_nothing_was_saved(project, run_cli):
    code, out, _ = run_cli("apply", "--env", "snapshot", "--check-only")
    assert code == 0
    assert "validated; nothing was saved" in out and "applied 0" not in out
    assert not (project / "org-snapshot").exists()


def test_as_of_help_shows_a_date_not_a_format_string(run_cli):
    out = run_cli("audit", "--help")[1]
    assert "--as-of YYYY-MM-DD" in out and "%Y" not in out


# --- apply asks first -------------------------------------------------------------------------------------


def _apply_in_terminal(project: Path, answer: bytes, *argv: str) -> tuple[int, str]:
    """Run `handrail apply` with a real pseudo-terminal as its standard input and answer its question."""
    leader, follower = os.openpty()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    try:
        proc = subprocess.Popen(
            [*HANDRAIL, "apply", *argv],
            cwd=project,
            stdin=follower,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
        )
        os.write(leader, answer)
        out, err = proc.communicate(timeout=60)
    finally:
        os.close(leader)
        os.close(follower)
    return proc.returncode, (out + err).decode()


def _org_files(project: Path, name: str) -> list[Path]:
    return sorted((project / name).rglob("*.json")) if (project / name).exists() else []


def test_apply_on_a_terminal_shows_the_plan_and_asks(project):
    code, output = _apply_in_terminal(project, b"n\n", "--env", "snapshot")
    assert (
        code == 1 and f"{components()} to create" in output and "Apply these changes to snapshot?" in output
    )
    assert "nothing was applied" in output and not _org_files(project, "org-snapshot")
    code, output = _apply_in_terminal(project, b"y\n", "--env", "snapshot")
    assert code == 0 and f"applied {components()} change(s)" in output
    assert len(_org_files(project, "org-snapshot")) > 1


def test_production_is_never_changed_unasked(project):
    unattended = subprocess.run(
        [*HANDRAIL, "apply", "--env", "live"],
        cwd=project,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    assert unattended.returncode == 2 and "--yes" in unattended.stderr and "saved plan" in unattended.stderr
    assert not _org_files(project, "live-org")


def test_production_changes_with_a_saved_plan_or_yes(project, run_cli):
    assert run_cli("plan", "--env", "live", "--out", "plan.json")[0] == 0
    code, out, err = run_cli("apply", "--env", "live", "plan.json")
    assert code == 0, err
    # shown once, at plan
    assert (
        out.count("\n+ ") == 0 and f"applying plan.json: live (salesforce): {components()} to create" in out
    )
    shutil.rmtree(project / "live-org")
    code, out, err = run_cli("apply", "--env", "live", "--yes", "--format", "json")
    assert code == 0, err
    assert len(json.loads(out)["result"]["applied"]) == components()


def test_drift_lines_give_both_values(project, run_cli):
    assert run_cli("apply", "--env", "snapshot", "--yes")[0] == 0
    field = project / "org-snapshot" / "CustomField" / "Opportunity.Handoff_Business_Goals__c.json"
    body = json.loads(field.read_text())
    body["visibleLines"] = "2"
    field.write_text(json.dumps(body))
    code, out, _ = run_cli("diff", "--env", "snapshot", "--exit-code")
    assert code == 4
    assert "field 'business_goals' visibleLines in Salesforce: org '2', spec '5'" in out


def test_init_again_keeps_identical_files_and_refuses_changed_ones(tmp_path, run_cli):
    target = tmp_path / "crm"
    assert run_cli("init", str(target))[0] == 0
    code, out, _ = run_cli("init", str(target))
    assert code == 0 and out.count("(unchanged)") == 3
    (target / "handoff.yaml").write_text("# my edits\n")
    code, _, err = run_cli("init", str(target))
    assert code == 2 and "handoff.yaml" in err and "--force" in err
    assert (target / "handoff.yaml").read_text() == "# my edits\n"
