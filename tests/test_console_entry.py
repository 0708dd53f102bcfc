"""The `handrail` console script ends read-only commands without the interpreter's teardown: the same
output, exit codes and a closed pipe as before; every other command runs and ends as usual."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import EXAMPLE_SPEC

from handrail.generators.commands.console import is_quick

EXE = shutil.which("handrail", path=str(Path(sys.executable).parent))


@pytest.mark.parametrize(
    "argv,quick",
    [
        (["validate", "x.yaml"], True),
        (["-v", "validate"], True),
        (["schema"], True),
        (["--help"], True),
        (["--version"], True),
        ([], True),
        (["score", "deals.csv", "--help"], False),
        (["plan", "--spec", "x.yaml"], False),
        (["-v", "audit", "--from", "validate"], False),
        (["init", "here"], False),
    ],
)
def test_quick_commands_are_the_read_only_ones(argv, quick):
    assert is_quick(argv) is quick


def _run(*argv: str, **kw) -> subprocess.CompletedProcess:
    assert EXE, "the handrail console script is not installed in this environment"
    return subprocess.run([EXE, *argv], capture_output=True, text=True, **kw)


def test_validate_prints_everything_and_keeps_its_exit_codes(tmp_path):
    ok = _run("validate", str(EXAMPLE_SPEC))
    assert ok.returncode == 0 and ok.stdout.endswith("stages)\n"), ok.stderr
    bad = tmp_path / "bad.yaml"
    bad.write_text(EXAMPLE_SPEC.read_text(encoding="utf-8").replace("weight: ", "weight: heavy-", 1))
    refused = _run("validate", str(bad))
    assert refused.returncode == 3 and f"{bad}:" in refused.stderr + refused.stdout
    missing = _run("validate", str(tmp_path / "none.yaml"))
    assert missing.returncode == 2 and "no spec at" in missing.stderr
    as_json = _run("validate", str(EXAMPLE_SPEC), "--format", "json")
    assert as_json.returncode == 0 and as_json.stdout.strip().startswith(("[", "{"))


def test_schema_into_a_closed_pipe_and_help_and_version():
    reader = subprocess.Popen(["head", "-c", "20"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    writer = subprocess.run([EXE, "schema"], stdout=reader.stdin, stderr=subprocess.PIPE, text=True)
    reader.stdin.close()
    assert len(reader.stdout.read()) == 20 and reader.wait() == 0
    assert writer.returncode == 0 and "Traceback" not in writer.stderr
    assert _run("--help").stdout.startswith("Usage: handrail")
    version = _run("--version")
    assert version.returncode == 0 and "version" in version.stdout


def test_other_commands_end_as_usual(tmp_path):
    out = tmp_path / "scores.csv"
    scored = _run(
        "score",
        "specs/examples/deals.csv",
        "--spec",
        str(EXAMPLE_SPEC),
        "--format",
        "csv",
        "--out",
        str(out),
        cwd=Path(__file__).resolve().parent.parent,
    )
    assert scored.returncode == 0, scored.stderr
    assert out.read_text(encoding="utf-8").count("\n") > 1
