"""Numbers in exports (generators.data.numbers): a comma only groups digits, so a decimal-comma export
stops with what to do instead of being read a thousand times off, on both engines alike.

A user's locale sets the commas and periods of numbers in a Salesforce report export (Salesforce Help,
"Locales Overview", https://help.salesforce.com/s/articleView?id=xcloud.admin_locales_overview.htm):
English locales write 150,000.00 (India's 1,50,000.00), German, French or Spanish ones 150.000,00.
"""

from __future__ import annotations

import itertools

import duckdb
import pytest

from handrail.generators.data.numbers import parse_number
from handrail.generators.data.reader import read_deals
from handrail.generators.data.staging import number, unreadable_number
from handrail.specs.diagnostics import InputError

HEADER = "Id,Name,Amount,StageName,CloseDate\n"
READ = {
    "150000": 150000.0,
    "150000.5": 150000.5,
    "150,000": 150000.0,
    "150,000.00": 150000.0,
    "$250,000.00": 250000.0,
    "1,000,000": 1000000.0,
    "1,50,000.00": 150000.0,  # India
    "12,34,567": 1234567.0,
    "-$1,000": -1000.0,
    "15%": 15.0,
    "0,004": 4.0,  # grouping, as an English locale reads it
}
REFUSED = ["150.000,00", "1,5", "150000,00", "1.234,56", "1,2345", ",500", "1,,000", "1,000,00", "12,3,456"]


def deals_file(tmp_path, amount: str):
    path = tmp_path / "deals.csv"
    path.write_text(HEADER + f'006A,Acme,"{amount}",Closed Won,2026-01-15\n', encoding="utf-8")
    return path


@pytest.mark.parametrize("amount, value", READ.items())
def test_grouped_and_plain_numbers_are_read(example_model, tmp_path, amount, value):
    (deal,) = read_deals(deals_file(tmp_path, amount), example_model)
    assert deal.acv == value


@pytest.mark.parametrize("amount", REFUSED)
def test_a_comma_that_groups_nothing_stops_with_what_to_do(example_model, tmp_path, amount):
    with pytest.raises(InputError) as caught:
        list(read_deals(deals_file(tmp_path, amount), example_model))
    message = str(caught.value)
    assert f"deals.csv:2: column 'Amount': '{amount}'" in message
    assert "decimal comma" in message and "English locale" in message


@pytest.mark.parametrize("engine", ["auto", "python"])
def test_score_refuses_a_decimal_comma_export_on_either_engine(run_cli, tmp_path, example_spec, engine):
    path = deals_file(tmp_path, "150.000,00")
    code, out, err = run_cli("score", str(path), "--spec", str(example_spec), "--summary", "--engine", engine)
    assert code == 3 and out == ""
    assert "deals.csv:2: column 'Amount': '150.000,00' has a comma that does not group thousands" in err


def _candidates() -> list[str]:
    parts = ["", "1", "12", "123", "1234", "0"]
    seps = ["", ",", ".", ",,"]
    cells = {"".join(p) for p in itertools.product(parts, seps, parts, seps, parts)}
    cells |= {
        f"{sign}{cur}{cell}{pct}"
        for cell in list(cells)[:400]
        for sign in ("", "-")
        for cur in ("", "$")
        for pct in ("", "%")
    }
    return sorted(cells | set(READ) | set(REFUSED) | {"1e3", "1,000e3", "$ 1,000", "1,000.", "inf", "nan"})


def test_the_sql_staging_refuses_every_number_the_reader_refuses_and_reads_the_rest_alike():
    """Every value the reader refuses is unreadable in SQL (the file then goes to the reader, which gives
    its located error); every value SQL reads, the reader reads to the same number; and the usual forms
    stay on the SQL path."""
    cells = _candidates()
    con = duckdb.connect()
    con.execute("CREATE TABLE cells (n INTEGER, raw VARCHAR)")
    con.executemany("INSERT INTO cells VALUES (?, ?)", list(enumerate(cells)))
    rows = con.execute(
        f"SELECT n, {number('raw')}, {unreadable_number('raw')} FROM cells ORDER BY n"
    ).fetchall()
    for n, value, unreadable in rows:
        raw = cells[n]
        try:
            expected = parse_number(raw)
        except ValueError:
            assert unreadable, raw
            continue
        if expected != expected:  # NaN: SQL leaves it to the reader
            assert unreadable, raw
        elif not unreadable:
            assert value == expected, raw
    assert not [cells[n] for n, _, unreadable in rows if cells[n] in READ and unreadable]
