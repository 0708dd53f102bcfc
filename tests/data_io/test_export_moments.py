"""Date-times at the edges of what Python's datetime holds (years 1 to 9999, in UTC): the reader stops with
a located error instead of an internal one, the SQL staging reads exactly what the reader reads, and an
SLA whose deadline falls past the year 9999 stays pending on both engines."""

from __future__ import annotations

import duckdb
import pytest
from helpers import audit_on_both_engines

from handrail.generators.data.dates import DateParser
from handrail.generators.data.staging import moment

HEADER = "Id,Name,Amount,StageName,CloseDate,Handoff_Closed_Won_At__c\n"
OUT_OF_RANGE = [
    "0001-01-01T00:30:00+01:00",  # the year 0 in UTC
    "9999-12-31T23:30:00-01:00",  # the year 10000 in UTC
    "253402300800000",  # epoch milliseconds of 10000-01-01
    "999999999999999999",
]
EDGES = [
    "0001-01-01",
    "0001-01-01T00:00:00Z",
    "0001-01-01T01:30:00+01:00",
    "9999-12-31T23:59:59.999999Z",
    "9999-12-31T22:30:00-01:00",
    "253402300799999",
    "99999999999999",  # a float would read .998993 seconds
    "1767225600123",
    "0000-06-01",
    "00000000001",
    "10000-01-01",
    *OUT_OF_RANGE,
]


def test_the_sql_staging_reads_every_edge_moment_as_the_reader_does():
    con = duckdb.connect()
    try:
        con.execute("SET TimeZone = 'UTC'")  # as generators.data.duck.connect does
    except duckdb.Error:
        pass
    rows = con.execute(f"SELECT v, {moment('v')} FROM (SELECT UNNEST(?) AS v)", [EDGES]).fetchall()
    for text, staged in rows:
        try:
            expected = DateParser().datetime(text).replace(tzinfo=None)
        except ValueError:
            assert staged is None, text
            continue
        assert staged in (None, expected), text  # None: the file goes to the reader, which reads it
    on_sql = {"0001-01-01T01:30:00+01:00", "9999-12-31T23:59:59.999999Z", "253402300799999", "99999999999999"}
    assert not [text for text, staged in rows if text in on_sql and staged is None]


@pytest.mark.parametrize("value", OUT_OF_RANGE)
@pytest.mark.parametrize("engine", ["auto", "python"])
def test_a_moment_past_the_years_1_to_9999_stops_with_its_place(
    run_cli, tmp_path, example_spec, value, engine
):
    path = tmp_path / "deals.csv"
    path.write_text(HEADER + f"006A,Acme,150000,Closed Won,2026-01-01,{value}\n", encoding="utf-8")
    code, out, err = run_cli("audit", "--from", str(path), "--spec", str(example_spec), "--engine", engine)
    assert (code, out) == (3, "")
    assert (
        f"deals.csv:2: column 'Handoff_Closed_Won_At__c': '{value}' is not a moment between the years 1"
        in err
    )


def test_an_sla_due_past_the_year_9999_is_pending_on_both_engines(run_cli, tmp_path, example_spec):
    path = tmp_path / "deals.csv"
    path.write_text(
        HEADER + "006A,Acme,150000,Closed Won,9999-12-31,9999-12-31T23:00:00Z\n", encoding="utf-8"
    )
    reports = audit_on_both_engines(run_cli, path, example_spec)
    assert reports[0] == reports[1]
    code, out, err = run_cli("brief", "006A", "--from", str(path), "--spec", str(example_spec))
    assert code == 0, err
    assert "Close to kickoff: within 5 business days (open)" in out
