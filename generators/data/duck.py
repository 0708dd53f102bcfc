"""Scoring a CSV export on DuckDB: the rule tree printed as SQL (generators.rules.sql) over the file.

The Python reader and engine stay the reference. This path takes a file only when it reads it the same
way: the columns are bound by the same DealReader, and any row the SQL staging cannot read exactly as the
reader would (a blank id, a value that is not a number or a checkbox, a date that is not ISO 8601, a
ragged row, a header DuckDB would rename) sends the whole file back to the Python path, which then gives
its located error or its result. `scored_rows` returns None in that case.
"""

from __future__ import annotations

import csv
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from handrail.generators.data.columns import ColumnMap
from handrail.generators.data.reader import CHECKED, UNCHECKED, DealReader, Warn
from handrail.generators.rules.scoring import TIER_LABELS
from handrail.generators.rules.sql import literal, score_query
from handrail.specs.diagnostics import InputError
from handrail.specs.model import NUMBER_TYPES, Model

BATCH = 50_000
MEMORY = "1GB"
SEPARATOR = "\x1f"  # joins missing-required labels inside SQL; split again here


WHITE = "' \t\n\r\x0b\x0c'"  # what Python's str.strip() removes, in ASCII


def _blank(raw: str) -> str:
    return f"({raw} IS NULL OR LENGTH(TRIM({raw}, {WHITE})) = 0)"


def _number(raw: str) -> str:
    cleaned = f"REPLACE(REPLACE(REPLACE(TRIM({raw}), ',', ''), '$', ''), '%', '')"
    return f"CASE WHEN {_blank(raw)} THEN NULL ELSE TRY_CAST({cleaned} AS DOUBLE) END"


def _unreadable_number(raw: str) -> str:
    """Not a number as the reader parses one; NaN too: SQL orders it above every number, Python never."""
    return f"(NOT {_blank(raw)} AND COALESCE(ISNAN({_number(raw)}), TRUE))"


def _iso_date(raw: str) -> str:
    """A plain ISO date (2026-01-31); anything else is left to the Python reader's date parser."""
    iso = "'^\\d{4}-\\d{2}-\\d{2}$'"
    return f"CASE WHEN REGEXP_MATCHES(TRIM({raw}), {iso}) THEN TRY_CAST(TRIM({raw}) AS DATE) END"


def _words(values: set[str]) -> str:
    return ", ".join(literal(v) for v in sorted(values))


def _stripped_lower(raw: str) -> str:
    return f"LOWER(REGEXP_REPLACE({raw}, '^\\s+|\\s+$', '', 'g'))"


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


@dataclass
class Staging:
    """SELECT list and the checks that send a file back to the Python reader."""

    columns: list[str]
    unreadable: list[str]


def staging(model: Model, reader: DealReader) -> Staging:
    cols, columns, bad = reader.cols, [], []

    def raw(role: str) -> str | None:
        return _quoted(cols[role]) if cols[role] else None

    ident = raw("id")
    columns.append(f"{ident} AS id")
    bad.append(_blank(ident))
    columns.append(f"COALESCE({raw('name')}, '') AS name" if cols["name"] else "'' AS name")
    amount = raw("amount")
    columns.append(f"{_number(amount)} AS acv" if amount else "CAST(NULL AS DOUBLE) AS acv")
    if amount:
        bad.append(_unreadable_number(amount))
    kind = raw("type")
    expansion = f"{_stripped_lower(kind)} IN ({_words(reader.expansion)})" if kind else "FALSE"
    columns.append(f"COALESCE({expansion}, FALSE) AS expansion")
    cycle = raw("sales_cycle_days")
    created, close = raw("created_date"), raw("close_date")
    days = "CAST(NULL AS DOUBLE)"
    if created and close:
        both = f"NOT {_blank(created)} AND NOT {_blank(close)}"
        days = f"CASE WHEN {both} THEN CAST({_iso_date(close)} - {_iso_date(created)} AS DOUBLE) END"
        bad.append(f"({both} AND ({days}) IS NULL)")
    if cycle:
        bad.append(_unreadable_number(cycle))
        days = f"COALESCE({_number(cycle)}, {days})"
    columns.append(f"{days} AS cycle_days")
    for key, col in reader.field_columns.items():
        f, value = model.field(key), _quoted(col)
        if f.type == "checkbox":
            text = _stripped_lower(value)
            columns.append(
                f"CASE WHEN {_blank(value)} THEN NULL WHEN {text} IN ({_words(CHECKED)}) THEN TRUE "
                f"WHEN {text} IN ({_words(UNCHECKED)}) THEN FALSE END AS {_quoted(key)}"
            )
            bad.append(f"(NOT {_blank(value)} AND {text} NOT IN ({_words(CHECKED | UNCHECKED)}))")
        elif f.type in NUMBER_TYPES:
            columns.append(f"{_number(value)} AS {_quoted(key)}")
            bad.append(_unreadable_number(value))
        else:
            columns.append(f"CASE WHEN {_blank(value)} THEN NULL ELSE {value} END AS {_quoted(key)}")
    for f in model.fields:  # fields the file has no column for are empty
        if f.key not in reader.field_columns:
            kind = "BOOLEAN" if f.type == "checkbox" else "DOUBLE" if f.type in NUMBER_TYPES else "VARCHAR"
            columns.append(f"CAST(NULL AS {kind}) AS {_quoted(f.key)}")
    return Staging(columns, bad)


@dataclass
class Scored:
    """Per-deal rows (dicts shaped like score_report.deal_row) and the totals, from DuckDB."""

    rows: Iterator[dict]
    totals: Any
    spill: Any = None  # the spill folder, removed with this object


def _header(path: Path) -> list[str] | None:
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            return next(csv.reader(handle), None)
    except (UnicodeDecodeError, csv.Error):
        return None


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
    if path.suffix.lower() != ".csv" or date_format:
        return None
    header = _header(path)
    if not header or len(set(header)) != len(header) or any(not h.strip() for h in header):
        return None
    reader = DealReader(model, columns=columns)
    reader.bind(header)
    warnings: list[str] = []
    try:
        reader.check_columns(str(path), warnings.append)
    except InputError:
        return None  # the Python reader raises it
    if not reader.cols["id"]:
        return None
    import duckdb

    from handrail.generators.data.score_report import Totals

    # Memory stays flat at any size: past MEMORY DuckDB spills to disk, into a folder of ours (not the
    # working directory, its default), removed when the scores have been written.
    spill = tempfile.TemporaryDirectory(prefix="handrail-duckdb-")
    con = duckdb.connect(config={"temp_directory": spill.name, "memory_limit": MEMORY})
    source = (
        f"read_csv({literal(str(path))}, header = true, all_varchar = true, delim = ',', quote = '\"', "
        "escape = '\"', auto_detect = false, columns = {"
        + ", ".join(f"{literal(h)}: 'VARCHAR'" for h in header)
        + "})"
    )
    # The file is staged as a view and read twice, never held: once for the totals (and to find a row the
    # Python reader must read), then, streamed, for the per-deal rows.
    staged = staging(model, reader)
    unreadable = "COALESCE(BOOL_OR(unreadable), FALSE)"
    try:
        con.execute(
            f"CREATE TEMP VIEW deals AS SELECT {', '.join(staged.columns)}, "
            f"({' OR '.join(staged.unreadable)}) AS unreadable FROM {source}"
        )
        counted = f"({score_query(model, 'deals', SEPARATOR, ('unreadable',), texts=False)}) AS scored"
        totals, (bad,) = Totals.from_sql(con, model, counted, also=(unreadable,))
        if bad:
            return None
    except duckdb.Error:
        return None
    for line in warnings:
        warn(line)
    listed = score_query(model, "deals", SEPARATOR) if rows else None
    return Scored(_rows(con, listed) if rows else iter(()), totals, spill)


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
