"""Deals files on DuckDB: a CSV or Parquet export staged as the reader reads it, for `score` (the rule
tree printed as SQL, generators.rules.sql) and `audit` (generators.audit.duck).

The Python reader and engine stay the reference. This path takes a file only when it reads it the same
way: the columns are bound by the same DealReader, and any row the SQL staging cannot read exactly as the
reader would (a blank id, a value that is not a number or a checkbox, a date that is not ISO 8601 or
epoch milliseconds, a ragged row, a header DuckDB would rename) sends the whole file back to the Python
path, which then gives its located error or its result. `stage` and `scored_rows` return None then.
A Parquet file is read as text, each value as DuckDB prints it, by both paths.
"""

from __future__ import annotations

import csv
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from handrail.generators.data.columns import ColumnMap
from handrail.generators.data.csv_dialect import sniffed
from handrail.generators.data.reader import DealReader, Warn
from handrail.generators.data.staging import staging
from handrail.generators.rules.scoring import TIER_LABELS
from handrail.generators.rules.sql import literal, score_query
from handrail.specs.diagnostics import InputError
from handrail.specs.model import Model

BATCH = 50_000
MEMORY_BYTES = 10**9
MEMORY = "1GB"  # MEMORY_BYTES: DuckDB's GB is 10**9 bytes
SEPARATOR = "\x1f"  # joins missing-required labels inside SQL; split again here


@dataclass
class Staged:
    """A deals file on DuckDB: the view `deals` holds the staged columns and `unreadable` per row."""

    con: Any
    reader: DealReader
    warnings: list[str]
    spill: Any  # the spill folder, removed with this object


def _header(path: Path) -> tuple[list[str] | None, str]:
    """The header and the field separator (generators.data.csv_dialect)."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            delimiter = sniffed(handle)
            return next(csv.reader(handle, delimiter=delimiter), None), delimiter
    except (UnicodeDecodeError, csv.Error):
        return None, ","


def connect(spill: tempfile.TemporaryDirectory):
    """An in-memory DuckDB that spills past MEMORY into `spill`, not into the working directory (its
    default), so memory stays flat at any size.

    Rows stay in file order, as the Python reader yields them (per-deal output, the audit's first
    examples): DuckDB keeps a scan's order through projections, but its rewrite of a long IN list into a
    join does not, so that rewrite is off (the list is then tested in place, as fast). Time-zone offsets
    are read into UTC whatever the machine's zone: the session's zone is UTC. DuckDB's progress bar,
    on by default, would print into the command's output past two seconds: it is off."""
    import duckdb

    config = {"temp_directory": spill.name, "memory_limit": MEMORY, "disabled_optimizers": "in_clause"}
    con = duckdb.connect(config=config)
    con.execute("SET enable_progress_bar = false")
    try:
        con.execute("SET TimeZone = 'UTC'")
    except duckdb.Error:  # without the ICU extension, time stamps with a zone are UTC anyway
        pass
    return con


def estimated_rows(con, path: Path) -> int:
    """About how many deals `path` holds, without reading it: a Parquet file's row count, or a CSV's size
    over the mean length of its first lines (a cell spanning lines only raises the estimate)."""
    if path.suffix.lower() == ".parquet":
        (rows,) = con.execute(
            f"SELECT SUM(num_rows) FROM parquet_file_metadata({literal(str(path))})"
        ).fetchone()
        return int(rows or 0)
    with path.open("rb") as handle:
        sample = handle.read(1 << 20)
    lines = sample.count(b"\n") or 1
    return path.stat().st_size * lines // max(len(sample), 1)


def _source(con, path: Path) -> tuple[str, list[str]] | None:
    """The file as a relation of text columns, and its header; None when only the Python reader can
    read it the same way. Always read on all threads: DuckDB's reader on one thread drops a last row
    whose quote is never closed without an error, where the parallel reader stops with one."""
    if path.suffix.lower() == ".parquet":
        from handrail.generators.data.parquet import text_relation

        return text_relation(con, path)
    header, delimiter = _header(path)
    if path.suffix.lower() != ".csv" or not header:
        return None
    source = (
        f"read_csv({literal(str(path))}, header = true, all_varchar = true, delim = {literal(delimiter)}, "
        "quote = '\"', "
        "escape = '\"', auto_detect = false, columns = {"
        + ", ".join(f"{literal(h)}: 'VARCHAR'" for h in header)
        + "})"
    )
    return source, header


def stage(
    path: Path,
    model: Model,
    columns: ColumnMap | None,
    date_format: str | None,
    process: bool = False,
    numbered: bool = False,
) -> Staged | None:
    """The file staged on DuckDB as the reader would read it (with the audit's process columns when
    `process`), or None when a file or a row must go to the Python reader (see the module docstring).

    `deals` keeps the file's order wherever DuckDB preserves insertion order (a plain SELECT over it,
    with preserve_insertion_order on): a table created from it has each row's place in the file as its
    rowid. With `numbered`, the view `numbered_deals` also has that place as `pos`, counted by a window
    that reads on one thread: for fetching a few rows by position (a LIMIT stops the read at the last)."""
    if date_format or path.suffix.lower() not in (".csv", ".parquet") or not path.is_file():
        return None
    import duckdb

    spill = tempfile.TemporaryDirectory(prefix="handrail-duckdb-")
    con = connect(spill)
    try:
        found = _source(con, path)
    except duckdb.Error:
        return None
    if found is None:
        return None
    source, header = found
    if len(set(header)) != len(header) or any(not h.strip() for h in header):
        return None
    reader = DealReader(model, columns=columns, process_fields=process)
    reader.bind(header)
    warnings: list[str] = []
    try:
        reader.check_columns(str(path), warnings.append)
    except InputError:
        return None  # the Python reader raises it
    if not reader.cols["id"]:
        return None
    staged = staging(model, reader, process)
    views = [("deals", source, "")]
    if numbered:
        views.append(
            (
                "numbered_deals",
                f"(SELECT ROW_NUMBER() OVER () - 1 AS hr_pos, * FROM {source})",
                "hr_pos AS pos, ",
            )
        )
    try:
        for name, relation, position in views:
            con.execute(
                f"CREATE TEMP VIEW {name} AS SELECT {position}"
                f"{', '.join(staged.columns)}, ({' OR '.join(staged.unreadable)}) AS unreadable "
                f"FROM (SELECT *, {', '.join(staged.first_level())} FROM {relation}) AS stripped"
            )
    except duckdb.Error:
        return None
    return Staged(con, reader, warnings, spill)


@dataclass
class Scored:
    """Per-deal rows (dicts shaped like score_report.deal_row) and the totals, from DuckDB."""

    rows: Iterator[dict]
    totals: Any
    spill: Any = None  # the spill folder, removed with this object


def scored_rows(
    path: Path,
    model: Model,
    columns: ColumnMap | None,
    date_format: str | None,
    warn: Warn,
    rows: bool = True,
) -> Scored | None:
    """Score `path` on DuckDB, or None when the Python reader must read it (see the module docstring).
    Without `rows`, only the totals are computed."""
    staged = stage(path, model, columns, date_format)
    if staged is None:
        return None
    import duckdb

    from handrail.generators.data.score_report import Totals

    # The file is read twice, never held: once for the totals (and to find a row the Python reader must
    # read), then, streamed, for the per-deal rows.
    unreadable = "COALESCE(BOOL_OR(unreadable), FALSE)"
    try:
        counted = f"({score_query(model, 'deals', SEPARATOR, ('unreadable',), texts=False)}) AS scored"
        totals, (bad,) = Totals.from_sql(staged.con, model, counted, also=(unreadable,))
        if bad:
            return None
    except duckdb.Error:
        return None
    for line in staged.warnings:
        warn(line)
    listed = score_query(model, "deals", SEPARATOR) if rows else None
    return Scored(_rows(staged.con, listed) if rows else iter(()), totals, staged.spill)


def _rows(con, query: str) -> Iterator[dict]:
    import duckdb

    columns = "id, name, segment, score, tier, completeness, missing_required, summary"
    try:
        cursor = con.execute(f"SELECT {columns} FROM ({query}) AS s")
        batches = iter(lambda: cursor.fetchmany(BATCH), [])
        for batch in batches:
            for ident, name, segment, score, tier, completeness, missing, summary in batch:
                yield {
                    "id": ident,
                    "name": name,
                    "segment": segment,
                    "score": score,
                    "tier": TIER_LABELS.get(tier, ""),
                    "completeness": completeness,
                    "missing_required": missing.split(SEPARATOR) if missing else [],
                    "summary": summary,
                }
    except duckdb.Error as exc:  # the first pass read the whole file: only the file changing gets here
        raise InputError(f"the deals file changed while it was being scored ({exc})") from None
