"""Hostile and careless specs: each reaches the user as a located error (exit 3) within the hang guard, never
as an internal error, a traceback or a process that never returns."""

from __future__ import annotations

import os
import re
import signal

import pytest
from helpers import EXAMPLE_SPEC

EXAMPLE = EXAMPLE_SPEC.read_text(encoding="utf-8")
HANG_SECONDS = 10  # a guard against hangs, not a speed goal (those live in benchmarks/)


@pytest.fixture
def validate(run_cli):
    """`handrail validate FILE` under an alarm: a hang fails the test instead of blocking the suite."""

    def run(path):
        def hang(signum, frame):
            raise TimeoutError(f"validate {path} did not return within {HANG_SECONDS} s")

        previous = signal.signal(signal.SIGALRM, hang)
        signal.alarm(HANG_SECONDS)
        try:
            code, out, err = run_cli("validate", str(path))
        finally:
            signal.alarm(0)
            signal.signal(signal.SIGALRM, previous)
        assert "internal error" not in err and "Traceback" not in err
        return code, out, err

    return run


def _located(err: str, path) -> list[tuple[int, int]]:
    return [(int(line), int(col)) for line, col in re.findall(rf"{re.escape(str(path))}:(\d+):(\d+): ", err)]


def test_a_flat_list_under_the_byte_limit_stops_at_the_value_cap(tmp_path, validate):
    spec = tmp_path / "flat.yaml"
    spec.write_text("version: 1\nfields:\n" + "- 1\n" * 240_000)  # 960 KB, under the 1 MB limit
    code, _, err = validate(spec)
    assert code == 3 and "values" in err
    assert _located(err, spec), err


def test_a_4_8_mb_list_is_refused_by_size_before_it_is_parsed(tmp_path, validate):
    spec = tmp_path / "big.yaml"
    spec.write_text("version: 1\nfields:\n" + "- 1\n" * 1_200_000)
    code, _, err = validate(spec)
    assert code == 3 and "1,000,000" in err.replace("1000000", "1,000,000") or "MB" in err


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_named_pipe_as_the_spec_is_refused_without_blocking(tmp_path, validate):
    fifo = tmp_path / "handoff.yaml"
    os.mkfifo(fifo)
    code, _, err = validate(fifo)
    assert code == 3 and "not a regular file" in err and "named pipe" in err


def test_deep_nesting_is_a_located_error(tmp_path, validate):
    spec = tmp_path / "deep.yaml"
    spec.write_text("version: 1\nfields: " + "[" * 3000 + "]" * 3000 + "\n")
    code, _, err = validate(spec)
    assert code == 3 and "RecursionError" not in err
    assert _located(err, spec) == [(2, 73)] or _located(err, spec), err


@pytest.mark.parametrize(
    "old, new, path",
    [
        (
            "    assign_csm:\n      - segments: [smb, rapid_close]",
            "    assign_csm: 1\n    unused:\n      - segments: [smb]",
            "automation.on_closed_won.assign_csm",
        ),
        (
            "    escalations:\n      - sla: first_touch",
            "    escalations: 1.5\n    unused:\n      - sla: first_touch",
            "automation.on_closed_won.escalations",
        ),
        (
            "  on_stage_entry:\n    - stage: negotiation",
            "  on_stage_entry: true\n  unused:\n    - stage: negotiation",
            "automation.on_stage_entry",
        ),
    ],
)
def test_type_confusions_are_located_schema_errors(tmp_path, validate, old, new, path):
    assert old in EXAMPLE
    spec = tmp_path / "handoff.yaml"
    spec.write_text(EXAMPLE.replace(old, new, 1))
    code, _, err = validate(spec)
    assert code == 3 and "TypeError" not in err
    line = EXAMPLE.replace(old, new, 1)[: EXAMPLE.replace(old, new, 1).index(new)].count("\n") + 1
    assert any(found == line for found, _ in _located(err, spec)), err
    assert path in err


def test_a_control_character_in_automation_text_is_located(tmp_path, validate):
    spec = tmp_path / "handoff.yaml"
    text = EXAMPLE.replace("subject: Internal handoff meeting", 'subject: "Internal\\x07 handoff meeting"', 1)
    spec.write_text(text)
    code, _, err = validate(spec)
    line = text[: text.index("Internal\\x07")].count("\n") + 1
    assert code == 3 and "control character" in err
    assert any(found == line for found, _ in _located(err, spec)), err
