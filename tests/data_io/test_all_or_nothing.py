"""Output is all or nothing: a command that fails half-way writes nothing to stdout or to its --out file."""

from __future__ import annotations

import io
import subprocess
import sys

import pytest
from helpers import ROOT

from handrail.generators.output.emit import emit

# Row 3 is bad: the first deal has already been scored (and, before, printed) when it is reached.
BAD_ROW = (
    "id,name,stage,close_date,amount\n006A,Acme,Closed Won,2026-01-05,1000\n006B,Bad,Closed "
    "Won,2026-01-06,lots\n"
)


@pytest.fixture
def bad_export(tmp_path):
    path = tmp_path / "deals.csv"
    path.write_text(BAD_ROW)
    return path


@pytest.mark.parametrize("fmt", ["text", "csv", "json"])
def test_score_redirected_to_a_file_leaves_it_empty(bad_export, example_spec, tmp_path, fmt):
    target = tmp_path / "out.txt"
    with target.open("w") as handle:  # the shell's `> out.txt`
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "handrail.cli",
                "score",
                str(bad_export),
                "--spec",
                str(example_spec),
                "--format",
                fmt,
            ],
            stdout=handle,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
            timeout=60,
        )
    assert proc.returncode == 3, proc.stderr
    assert "deals.csv:3: column 'amount': 'lots' is not a number" in proc.stderr
    assert target.read_text() == ""


@pytest.mark.parametrize(
    "command", [["score", "{export}"], ["audit", "--from", "{export}", "--format", "csv"]]
)
def test_failed_commands_print_nothing_and_keep_the_old_file(
    run_cli, bad_export, example_spec, tmp_path, command
):
    args = [a.format(export=bad_export) for a in command] + ["--spec", str(example_spec)]
    code, out, err = run_cli(*args)
    assert (code, out) == (3, ""), err
    old = tmp_path / "report.txt"
    old.write_text("last month's report\n")
    code, out, err = run_cli(*args, "--out", str(old))
    assert (code, out) == (3, "")
    assert old.read_text() == "last month's report\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["deals.csv", "report.txt"]  # no temporary left


def test_emit_spools_large_output_and_copies_it_whole():
    stream = io.StringIO()
    line = "x" * 99 + "\n"
    emit(None, lambda handle: handle.writelines(line for _ in range(60_000)), stream=stream)  # 6 MB: on disk
    assert stream.getvalue() == line * 60_000


def test_emit_writes_nothing_when_the_writer_fails():
    stream = io.StringIO()

    def write(handle):
        handle.write("header\n")
        raise ValueError("row 2")

    with pytest.raises(ValueError):
        emit(None, write, stream=stream)
    assert stream.getvalue() == ""


@pytest.mark.parametrize(
    "command, victim",
    [("score", "spec"), ("score", "deals"), ("audit", "spec"), ("audit", "deals"), ("plan", "spec")],
)
def test_out_never_overwrites_an_input(run_cli, tmp_path, command, victim):
    import shutil

    from helpers import EXAMPLE_SPEC, ROOT

    spec, deals = tmp_path / "handoff.yaml", tmp_path / "deals.csv"
    shutil.copy(EXAMPLE_SPEC, spec)
    shutil.copy(ROOT / "specs" / "examples" / "deals.csv", deals)
    before = {p: p.read_bytes() for p in (spec, deals)}
    target = spec if victim == "spec" else deals
    args = {
        "score": ["score", str(deals)],
        "audit": ["audit", "--from", str(deals)],
        "plan": ["plan", "--env", "snapshot"],
    }[command]
    code, _, err = run_cli(*args, "--spec", str(spec), "--out", str(target))
    assert code == 2 and "an input of this command" in err
    assert {p: p.read_bytes() for p in (spec, deals)} == before
