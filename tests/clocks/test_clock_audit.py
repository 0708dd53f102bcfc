"""`audit` counts the SLA clocks entered by hand: a set clock that the deal's SLA Clocks Stamped does not
list (whole `;`-separated items). Hand-computed cases, the same figures from the Python engine and the
DuckDB twin, and the line in the Markdown and HTML reports."""

from __future__ import annotations

import csv
import json
from datetime import date

import pytest
from helpers import EXAMPLE_DEALS, EXAMPLE_SPEC

from handrail.generators.audit.duck import audit_file
from handrail.generators.audit.engine import audit_options
from handrail.specs.validate import load_spec

CLOSED = "2026-03-02T09:00:00Z"
HOUR = "2026-03-02T{:02d}:00:00Z"
# (internal_handoff_at, first_touch_at, kickoff_at, clocks_stamped) per won deal
CASES = [
    (HOUR.format(12), HOUR.format(15), "2026-03-05T10:00:00Z", "internal_handoff;first_touch;kickoff"),
    (HOUR.format(12), HOUR.format(15), "", "internal_handoff"),  # first touch typed
    ("", "", "2026-03-05T10:00:00Z", ""),  # kickoff typed, nothing stamped
    ("", "", "", "first_touch"),  # listed but blank: not a set clock
    (HOUR.format(11), "", "", " internal_handoff "),  # the cell is trimmed, as every text cell
    (HOUR.format(11), "", "2026-03-06T10:00:00Z", "internal_handoffs;kickoffx"),  # no whole item: typed
    ("", HOUR.format(16), "", "kickoff;first_touch"),
]
EXPECTED = {
    "internal_handoff": {"set": 4, "by_hand": 1, "by_automation": 3},
    "first_touch": {"set": 3, "by_hand": 1, "by_automation": 2},
    "kickoff": {"set": 3, "by_hand": 2, "by_automation": 1},
}


@pytest.fixture(scope="module")
def deals(tmp_path_factory):
    with EXAMPLE_DEALS.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    won = next(r for r in rows if r["stage"] == "Closed Won")
    path = tmp_path_factory.mktemp("clocks") / "deals.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, [*rows[0], "clocks_stamped"])
        writer.writeheader()
        for i, (handoff, touch, kickoff, stamped) in enumerate(CASES):
            writer.writerow(
                {
                    **won,
                    "id": f"006C{i:02d}",
                    "close_date": "2026-03-02",
                    "closed_won_at": CLOSED,
                    "internal_handoff_at": handoff,
                    "first_touch_at": touch,
                    "kickoff_at": kickoff,
                    "clocks_stamped": stamped,
                }
            )
    return path


def _report(run_cli, deals, *extra) -> tuple[str, str]:
    code, out, err = run_cli(
        "audit", "--from", str(deals), "--spec", str(EXAMPLE_SPEC), "--as-of", "2026-03-20", *extra
    )
    assert code == 0, err
    return out


def test_python_and_duckdb_count_the_hand_entered_clocks_alike(deals, run_cli):
    model = load_spec(EXAMPLE_SPEC).model
    options = audit_options(None, date(2026, 3, 20))
    assert audit_file(deals, model, options, None, None, print) is not None, "DuckDB declined the file"
    on_duckdb = _report(run_cli, deals, "--format", "json")
    on_python = _report(run_cli, deals, "--format", "json", "--engine", "python")
    assert on_duckdb == on_python
    report = json.loads(on_python)
    assert report["closed_won"]["deals"] == len(CASES)
    assert report["closed_won"]["clock_sources"] == EXPECTED


def test_the_reports_say_how_many_clocks_were_typed(deals, run_cli):
    table = _report(run_cli, deals, "--format", "table")
    assert "Clocks entered by hand: internal handoff 1 of 4, first CS touch 1 of 3, kickoff 2 of 3" in table
    rows = _report(run_cli, deals, "--format", "csv").splitlines()
    assert "clock_source,kickoff,by_hand,2" in rows and "clock_source,first_touch,by_automation,2" in rows
    html = _report(run_cli, deals, "--format", "html")
    assert "Clocks entered by hand" in html and "kickoff 2 of 3" in html
