"""`audit` and `brief` count SLAs in the spec's business calendar (hand-made deals of
tests/audit/dealgen.py; see test_known_answers.py for the figures without a calendar).

Deal D closed Tuesday 10 Feb 2026 09:00 UTC and kicked off Wednesday 18 Feb 10:00 UTC: 6 weekdays
(11, 12, 13, 16, 17, 18), late for Mid-Market's 5. With Presidents' Day (16 Feb) a holiday it is 5: within.
"""

from __future__ import annotations

import json

import pytest
from audit.dealgen import hand_made, write_csv
from helpers import EXAMPLE_SPEC

CALENDAR = "calendar:\n  time_zone: America/New_York\n  holidays: [2026-02-16]\n"


@pytest.fixture
def files(tmp_path, example_model):
    export = tmp_path / "deals.csv"
    write_csv(export, example_model, hand_made())
    spec = tmp_path / "handoff.yaml"
    spec.write_text(EXAMPLE_SPEC.read_text() + "\n" + CALENDAR)
    return spec, export


def _kickoff(run_cli, spec, export, *engine):
    code, out, err = run_cli(
        "audit",
        "--from",
        str(export),
        "--spec",
        str(spec),
        "--as-of",
        "2026-04-30",
        "--format",
        "json",
        *engine,
    )
    assert code == 0, err
    sla = {row["sla"]: row for row in json.loads(out)["closed_won"]["sla"]}["kickoff"]
    return sla["within"], sla["breached"], sla["pending"], sla["unmeasured"], sla["compliance_rate"]


def test_a_holiday_makes_a_late_kickoff_on_time(run_cli, files):
    spec, export = files
    assert _kickoff(run_cli, EXAMPLE_SPEC, export) == (2, 2, 1, 1, 50.0)
    assert _kickoff(run_cli, spec, export) == (3, 1, 1, 1, 75.0)
    assert _kickoff(run_cli, spec, export, "--engine", "python") == (3, 1, 1, 1, 75.0)


def test_sql_refuses_to_print_slas_it_would_count_in_utc(run_cli, files):
    spec, _ = files
    code, _, err = run_cli("sql", "--spec", str(spec), "--query", "audit")
    assert code == 2 and "calendar:" in err and "handrail audit --from FILE" in err
    assert run_cli("sql", "--spec", str(spec), "--query", "score")[0] == 0


def test_brief_deadline_is_the_end_of_the_local_business_day(run_cli, files):
    spec, export = files
    code, out, err = run_cli("brief", "D", "--from", str(export), "--spec", str(spec))
    assert code == 0, err
    # 5 business days after Tue 10 Feb (Presidents' Day off): Wed 11, Thu 12, Fri 13, Tue 17, Wed 18,
    # until the end of Wednesday 18 February in New York.
    assert "Close to kickoff: within 5 business days, due 2026-02-18T23:59-05:00" in out
    assert (
        "Close to kickoff: within 5 business days, due 2026-02-18T23:59-05:00; done 2026-02-18T10:00Z (met)"
        in out
    )
