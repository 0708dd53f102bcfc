"""The DuckDB path keeps the Python reader's row order past DuckDB's parallel scans and joins, and reads
date-times in UTC whatever the machine's time zone."""

from __future__ import annotations

import csv
import time
from datetime import datetime

import pytest
from helpers import EXAMPLE_SPEC

from handrail.generators.data.duck import scored_rows, stage
from handrail.specs.validate import load_spec

ROWS = 250_000  # past one DuckDB row group and one CSV buffer, so several threads share the scan


def _write(path, rows: int) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["Id", "Name", "Amount", "Type", "StageName", "CloseDate"])
        for n in range(rows):
            kind = "Existing Customer - Upgrade" if n % 7 == 0 else "New Customer"
            out.writerow([f"D{n:07d}", f"Deal {n}", 1000 * (n % 300), kind, "Closed Won", "2026-03-01"])


def test_per_deal_rows_come_out_in_file_order(tmp_path):
    path = tmp_path / "deals.csv"
    _write(path, ROWS)
    scored = scored_rows(path, load_spec(EXAMPLE_SPEC).model, None, None, print)
    assert scored is not None
    ids = [row["id"] for row in scored.rows]
    assert ids == [f"D{n:07d}" for n in range(ROWS)]


@pytest.fixture
def berlin(monkeypatch):
    monkeypatch.setenv("TZ", "Europe/Berlin")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_date_times_are_read_in_utc_in_any_time_zone(tmp_path, berlin):
    path = tmp_path / "deals.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["Id", "Name", "StageName", "CloseDate", "Handoff_Closed_Won_At__c"])
        out.writerow(["D1", "Zulu", "Closed Won", "", "2026-03-31T23:30:00Z"])
        out.writerow(["D2", "Offset", "Closed Won", "", "2026-04-01T01:30:00+02:00"])
        out.writerow(["D3", "Naive", "Closed Won", "", "2026-03-31 23:30"])
    staged = stage(path, load_spec(EXAMPLE_SPEC).model, None, None, process=True)
    assert staged is not None
    rows = staged.con.execute("SELECT closed_won_at FROM deals").fetchall()
    assert rows == [(datetime(2026, 3, 31, 23, 30),)] * 3


def test_the_audits_examples_are_the_first_in_file_order(tmp_path):
    """Every deal fails a gate and disagrees with its stored score by as much as every other: the
    examples are then the first deals of the file, as the Python engine lists them."""
    from handrail.generators.audit.duck import audit_file
    from handrail.generators.commands.audit import audit_options

    path = tmp_path / "deals.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["Id", "Name", "Amount", "Type", "StageName", "CloseDate", "Handoff_Score__c"])
        for n in range(ROWS):
            out.writerow([f"D{n:07d}", f"Deal {n}", 150000, "New Customer", "Closed Won", "2026-03-02", "99"])
    options = audit_options(None, None)
    report = audit_file(path, load_spec(EXAMPLE_SPEC).model, options, None, None, print)
    assert report is not None
    first = [f"D{n:07d}" for n in range(options.examples)]
    won = report["closed_won"]
    assert [e["id"] for e in won["gate_violations"]["examples"]] == first
    assert [e["id"] for e in won["score_disagreements"]["examples"]] == first


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_examples_far_into_the_file_are_read_back_from_their_own_rows(suffix, tmp_path):
    """Only three deals, one near the end of a file DuckDB reads on several threads (a CSV past one
    buffer, a Parquet file of many row groups), are closed won (and fail a gate, and disagree with their
    stored score): the examples are those three, in file order, each rebuilt from its own row (the name
    and amount come from the file again, by position)."""
    import duckdb

    from handrail.generators.audit.duck import audit_file
    from handrail.generators.commands.audit import audit_options

    picked = {7: 150000, ROWS // 2: 90000, ROWS - 2: 45000}
    path = tmp_path / "deals.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["Id", "Name", "Amount", "Type", "StageName", "CloseDate", "Handoff_Score__c"])
        for n in range(ROWS):
            won = n in picked
            stage_name, score = ("Closed Won", "99") if won else ("Closed Lost", "")
            amount = picked.get(n, 1000)
            out.writerow([f"D{n:07d}", f"Deal {n}", amount, "New Customer", stage_name, "2026-03-02", score])
    if suffix == ".parquet":
        parquet = tmp_path / "deals.parquet"
        con = duckdb.connect()
        con.execute(
            f"COPY (SELECT * FROM read_csv('{path}', all_varchar = true)) "
            f"TO '{parquet}' (ROW_GROUP_SIZE 10000)"
        )
        con.close()
        path = parquet
    report = audit_file(path, load_spec(EXAMPLE_SPEC).model, audit_options(None, None), None, None, print)
    assert report is not None
    won = report["closed_won"]
    expected = [(f"D{n:07d}", f"Deal {n}") for n in sorted(picked)]
    assert [(e["id"], e["name"]) for e in won["gate_violations"]["examples"]] == expected
    assert [(e["id"], e["name"]) for e in won["score_disagreements"]["examples"]] == expected
    assert won["deals"] == 3


def test_a_file_cut_short_while_it_is_audited_stops_with_an_error(tmp_path, monkeypatch):
    """The examples are read from the file again after the audit read it whole: a file that has since
    lost the rows they sit on stops with what happened and what to do, not a traceback."""
    from handrail.generators.audit import duck as audit_duck
    from handrail.generators.commands.audit import audit_options
    from handrail.specs.diagnostics import InputError

    path = tmp_path / "deals.csv"
    _write(path, 1000)
    read_again = audit_duck._staged

    def cut_then_read(con, model, positions, where):
        lines = path.read_text().splitlines(keepends=True)
        path.write_text("".join(lines[:3]))  # the header and two deals
        return read_again(con, model, positions, where)

    monkeypatch.setattr(audit_duck, "_staged", cut_then_read)
    with pytest.raises(InputError, match="changed while it was being audited; run the audit again"):
        audit_duck.audit_file(
            path, load_spec(EXAMPLE_SPEC).model, audit_options(None, None), None, None, print
        )


def test_duckdbs_progress_bar_is_off(tmp_path):
    """DuckDB prints a progress bar into the output of a query running past two seconds, by default."""
    import tempfile

    from handrail.generators.data.duck import connect

    spill = tempfile.TemporaryDirectory(dir=tmp_path)
    con = connect(spill)
    assert con.execute("SELECT current_setting('enable_progress_bar')").fetchone() == (False,)
    con.close()
