"""The staging's strip and blank tests (generators.data.staging) agree with Python's str.strip() on every
character str.isspace() names, at either edge, alone, and beside text of any script."""

from __future__ import annotations

import sys

import duckdb

from handrail.generators.data.staging import filled, strip
from handrail.generators.rules.sql import literal

SPACES = [chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()]
CORES = ["x", "Ok", "a b", "ÉCOLE", "e\u0301", "\u0600", "日本", "-", "~", "!", "\x7f", "\x00", "\x80"]


def _cells() -> list[str]:
    cells = ["", *SPACES, "".join(SPACES)]
    for core in CORES:
        cells.append(core)
        for space in SPACES:
            cells += [space + core, core + space, space + core + space, core + space + core]
    return cells


def test_strip_and_filled_read_every_cell_as_python_does():
    cells = _cells()
    con = duckdb.connect()
    con.execute("CREATE TABLE cells (n INTEGER, raw VARCHAR)")
    con.executemany("INSERT INTO cells VALUES (?, ?)", list(enumerate(cells)) + [(len(cells), None)])
    rows = con.execute(f"SELECT n, {strip('raw')}, {filled('raw')} FROM cells ORDER BY n").fetchall()
    for n, stripped, holds in rows:
        raw = cells[n] if n < len(cells) else ""
        assert (stripped, holds) == (raw.strip() or None, bool(raw.strip())), literal(raw)
