"""Parquet exports, read through DuckDB as text: each value as DuckDB prints it (dates and times as ISO
8601, booleans as true/false, numbers in full), so a Parquet file is read exactly as the same values in a
CSV export would be, by the Python reader and by the DuckDB path alike."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Iterator

from handrail.generators.rules.scoring import Deal
from handrail.generators.rules.sql import literal, quoted
from handrail.specs.diagnostics import InputError

if TYPE_CHECKING:
    from handrail.generators.data.reader import DealReader, Warn


def text_relation(con, path: Path) -> tuple[str, list[str]]:
    """(a relation of the file's columns cast to text, the column names); raises duckdb.Error."""
    source = f"read_parquet({literal(str(path))})"
    header = [row[0] for row in con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()]
    texts = ", ".join(f"CAST({quoted(h)} AS VARCHAR) AS {quoted(h)}" for h in header)
    return f"(SELECT {texts} FROM {source})", header


def parquet_rows(path: Path, reader: "DealReader", warn: "Warn") -> Iterator[Deal]:
    import duckdb

    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")  # it would print into the command's output
    try:
        relation, header = text_relation(con, path)
        cursor = con.execute(f"SELECT * FROM {relation}")
    except duckdb.Error as exc:
        raise InputError(f"{path}: not a readable Parquet file ({str(exc).splitlines()[0]})") from None
    reader.bind(header)
    reader.check_columns(str(path), warn)
    n = 0
    for batch in iter(lambda: cursor.fetchmany(10_000), []):
        for values in batch:
            n += 1
            yield reader.deal(dict(zip(header, values)), f"{path}: row {n}")
