"""Read exported deals (CSV, Parquet, JSON, JSON Lines) into engine Deals, one at a time.

Columns are matched to deal attributes and handoff fields as generators.data.columns describes (export
labels, API names, spec keys and labels, and an optional column map), so a Salesforce report export or a
HubSpot deal export works as it is. A CSV export must have a deal name, stage and close date column;
without one the read stops and names the columns it found. Dates are read by generators.data.dates.

With `process_fields=True` the reader also fills `Deal.extra` with what audits and briefs need, parsed:
`close_date` and `created_date` (date), and the computed fields found in the file under the same kinds
of names (`score`, `completeness` as float; `closed_won_at`, `internal_handoff_at`, `first_touch_at`,
`kickoff_at` as UTC datetimes; `csm_rating` as int 1-5; `tier`, `segment`, `intake_status`,
`missing_summary` as text). Blank cells are left out.
"""

from __future__ import annotations

import csv
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any, Callable, Iterator

from handrail.generators.data import pipeline_column as pipes
from handrail.generators.data.api_records import decode, flat, record_list
from handrail.generators.data.columns import (
    IGNORE,
    REQUIRED,
    ROLES,
    ColumnMap,
    expected_names,
    missing_optional,
    normalise,
    repeated,
)
from handrail.generators.data.csv_dialect import sniffed
from handrail.generators.data.dates import DateParser
from handrail.generators.data.numbers import NOT_GROUPING, parse_number
from handrail.generators.data.stage_names import stage_lookup
from handrail.generators.rules.contacts import contact_roles
from handrail.generators.rules.scoring import Deal
from handrail.specs.diagnostics import InputError
from handrail.specs.model import NUMBER_TYPES, Field, Model

Warn = Callable[[str], None]
CHECKED = {"true", "1", "yes", "y", "x", "checked"}
UNCHECKED = {"false", "0", "no", "n", "", "unchecked"}


def read_deals(
    path: str | Path,
    model: Model,
    *,
    process_fields: bool = False,
    columns: ColumnMap | None = None,
    date_format: str | None = None,
    warn: Warn | None = None,
) -> Iterator[Deal]:
    """Deals from a file, streamed; raises InputError with the file and row on bad data. `warn` gets one
    line when optional columns that segments match on are missing (default: printed to stderr)."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    suffix = path.suffix.lower()
    reader = DealReader(model, process_fields=process_fields, columns=columns, date_format=date_format)
    if suffix == ".csv":
        yield from _csv_rows(path, reader, warn or print_warning)
    elif suffix in (".json", ".jsonl", ".ndjson"):
        yield from _json_rows(path, reader, warn or print_warning, lines=suffix != ".json")
    elif suffix == ".parquet":
        from handrail.generators.data.parquet import parquet_rows

        yield from parquet_rows(path, reader, warn or print_warning)
    else:
        raise InputError(f"{path}: expected a .csv, .parquet, .json or .jsonl file")


def print_warning(message: str) -> None:
    print(message, file=sys.stderr)


def _silent(message: str) -> None:
    """Warnings about optional columns are given once, for the first record."""


def _csv_rows(path: Path, reader: "DealReader", warn: Warn) -> Iterator[Deal]:
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
    done = 0  # the last line of the last row read
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            delimiter = sniffed(handle)
            # strict: a quote never closed is an error, not the rest of the file read into one cell
            rows = csv.DictReader(handle, delimiter=delimiter, strict=True)
            if not rows.fieldnames:
                raise InputError(f"{path}: the file is empty")
            reader.bind(rows.fieldnames)
            reader.check_columns(str(path), warn)
            several, done = len(rows.fieldnames) > 1, rows.line_num
            for row in rows:
                # A Salesforce report export ends with footer lines of one cell ("Confidential Information
                # - Do Not Distribute", "Copyright ..."): a row of one field under a wider header is not a
                # deal.
                done = rows.line_num
                if several and None in row.values() and sum(v is not None for v in row.values()) <= 1:
                    continue
                yield reader.deal(row, f"{path}:{rows.line_num}")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{path}: not UTF-8 ({exc.reason} at byte {exc.start}); re-export as UTF-8"
        ) from None
    except csv.Error as exc:
        raise InputError(
            f"{path}:{done + 1}: malformed CSV ({exc}): a cell that starts with a quote must end with one "
            'before the next separator, and a quote inside it is written twice ("")'
        ) from None


def _json_rows(path: Path, reader: "DealReader", warn: Warn, lines: bool) -> Iterator[Deal]:
    try:
        with path.open(encoding="utf-8-sig") as handle:
            if lines:
                numbered = enumerate(handle, 1)
                records = ((n, decode(line, str(path), n)) for n, line in numbered if line.strip())
            else:
                records = enumerate(record_list(decode(handle.read(), str(path)), str(path)), 1)
            for n, record in records:
                if not isinstance(record, dict):
                    raise InputError(f"{path}: record {n} is not an object")
                record = flat(record)  # generators.data.api_records: HubSpot's and Salesforce's shapes
                if reader.bind(list(record)):  # a record with keys unlike the last one's is checked again
                    # A JSON record may leave out null values (API results do), but it must say which deal it
                    # is.
                    identity = () if reader.cols["id"] else ("name",)
                    reader.check_columns(f"{path}: record {n}", warn if n == 1 else _silent, identity)
                yield reader.deal(record, f"{path}: record {n}")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{path}: not UTF-8 ({exc.reason} at byte {exc.start}); re-export as UTF-8"
        ) from None


class DealReader:
    """Maps a record's columns to deal attributes and field keys; caches the mapping per header."""

    def __init__(
        self,
        model: Model,
        process_fields: bool = False,
        columns: ColumnMap | None = None,
        date_format: str | None = None,
    ):
        self.model = model
        self.process_fields = process_fields
        self.column_map = columns or ColumnMap()
        self.dates = DateParser(date_format)
        self.computed_names: dict[str, Field] = {}
        for f in model.computed:
            for name in (f.key, f.salesforce_name, f.hubspot_name, f.label):
                self.computed_names.setdefault(normalise(name), f)
        self.by_key = {f.key: f for f in model.fields}
        self.names: dict[str, Field] = {}
        for f in model.fields:
            for name in (f.key, f.salesforce_name, f.hubspot_name, f.label):
                self.names.setdefault(normalise(name), f)
        self.stage_by_value = stage_lookup(model)
        deal = model.deal
        self.expansion = {v.lower() for v in deal.expansion_values_salesforce + deal.expansion_values_hubspot}
        self.expansion.add("expansion")
        self.renewal = {v.lower() for v in deal.renewal_values_salesforce + deal.renewal_values_hubspot}
        self.renewal -= self.expansion
        self._header: tuple = ()
        self.pipeline_col: str | None = None

    def bind(self, header: list[str]) -> bool:
        """Map the columns of `header`; False when it is the header already bound."""
        header = tuple(header)
        if header == self._header:
            return False
        self._header = header
        self.header = [h for h in header if h is not None]
        self.pipeline_col = pipes.pipeline_column(self.model, self.header)
        mapped = self.column_map.targets
        lowered: dict[str, str] = {}
        for h in self.header:
            lowered.setdefault(normalise(h), h)
        unmapped = {k: col for k, col in lowered.items() if k not in mapped}
        chosen = {mapped[k]: col for k, col in lowered.items() if k in mapped and mapped[k] != IGNORE}
        self.field_columns = {self.names[k].key: col for k, col in unmapped.items() if k in self.names}
        self.computed_columns = {
            self.computed_names[k].key: col
            for k, col in unmapped.items()
            if k in self.computed_names and k not in self.names
        }

        def pick(options):
            return next((unmapped[o] for o in options if o in unmapped), None)

        self.cols = {role: chosen.get(role) or pick(names) for role, (_, names) in ROLES.items()}
        deal = self.model.deal  # the spec may name its own ACV and deal-type fields
        for name, own in (
            ("amount", (deal.acv_salesforce, deal.acv_hubspot)),
            ("type", (deal.deal_type_salesforce, deal.deal_type_hubspot)),
        ):
            if not self.cols[name]:
                self.cols[name] = pick([normalise(n) for n in own])
        for key, col in chosen.items():  # a map's choice wins over a column matched by name
            if key in self.by_key:
                self.field_columns[key] = col
            elif key not in ROLES:
                self.computed_columns[key] = col
        self.absent_from_map = [self.column_map.headers[k] for k in mapped if k not in lowered]
        return True

    def check_columns(self, where: str, warn: Warn, required: tuple[str, ...] = REQUIRED) -> None:
        """Stop when a required column is missing; warn once about missing columns segments match on."""
        missing = [role for role in required if not self.cols[role]]
        if missing:
            found = ", ".join(self.header) or "none"
            expected = "; ".join(f"{ROLES[r][0]}: {expected_names(r)}" for r in missing)
            raise InputError(
                f"{where}: no column for the {', '.join(ROLES[r][0] for r in missing)} "
                f"(expected {expected}); columns found: {found}\n  hint: name your columns in a "
                'column map and pass it with --columns map.yaml, e.g. "Opp Name": name'
            )
        used = {*self.cols.values(), *self.field_columns.values(), *self.computed_columns.values()}
        twice = repeated(self.header, used | {self.pipeline_col})
        if twice:
            raise InputError(f"{where}: column {twice}: keep one of them (remove or rename the others)")
        if self.absent_from_map:
            warn(
                f"warning: {where}: the column map names columns this file does not have: "
                f"{', '.join(self.absent_from_map)}"
            )
        effects = missing_optional(self.model, self.cols, self.field_columns)
        if effects:
            warn(f"warning: {where}: {'; '.join(effects)} (name the columns with --columns map.yaml)")

    def deal(self, row: dict, where: str) -> Deal:
        def get(name):
            col = self.cols[name]
            return row.get(col) if col else None

        values = {
            key: self._value(self.by_key[key], row.get(col), where, col)
            for key, col in self.field_columns.items()
        }
        pipeline = (
            pipes.read_pipeline(self.model, row.get(self.pipeline_col)) if self.model.pipelines else None
        )
        stage = pipes.deal_stage(self.stage_by_value, pipeline, get("stage"))
        cycle = _number(get("sales_cycle_days"), where, self.cols["sales_cycle_days"])
        if cycle is None and _filled(get("created_date")) and _filled(get("close_date")):
            cycle = float(
                (self._date(row, "close_date", where) - self._date(row, "created_date", where)).days
            )
        deal_type = str(get("type") or "").strip().lower()
        return Deal(
            id=str(get("id") or where.rsplit(":", 1)[-1].strip()),
            name=str(get("name") or ""),
            owner=str(get("owner") or ""),
            stage=stage,
            acv=_number(get("amount"), where, self.cols["amount"]),
            deal_type=(
                "expansion"
                if deal_type in self.expansion
                else "renewal"
                if deal_type in self.renewal
                else "new_business"
            ),
            sales_cycle_days=cycle,
            values=values,
            extra=self._process_values(row, where) if self.process_fields else {},
            contact_roles=contact_roles(get("contact_roles")),
            pipeline=pipeline.key if pipeline else None,
        )

    def _date(self, row: dict, role: str, where: str) -> date:
        col = self.cols[role]
        try:
            return self.dates.date(row[col])
        except ValueError as exc:
            raise InputError(f"{where}: column '{col}': {row[col]!r} {exc}") from None

    def _process_values(self, row: dict, where: str) -> dict[str, Any]:
        columns = [
            ("close_date", self.cols["close_date"]),
            ("created_date", self.cols["created_date"]),
            *self.computed_columns.items(),
        ]
        out = {}
        for key, col in columns:
            raw = row.get(col) if col else None
            if raw is None or (isinstance(raw, str) and not raw.strip()):
                continue
            parse = _PROCESS_PARSERS.get(key, _text)
            if parse is _as_datetime:
                parse = self.dates.datetime
            elif parse is _process_date:
                parse = self.dates.date
            try:
                out[key] = parse(raw)
            except ValueError as exc:
                raise InputError(f"{where}: column '{col}': {raw!r} {exc}") from None
        return out

    def _value(self, f: Field, raw: Any, where: str, column: str) -> Any:
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return None
        if f.type == "checkbox":
            text = str(raw).strip().lower()
            if text in CHECKED:
                return True
            if text in UNCHECKED:
                return False
            raise InputError(f"{where}: column '{column}': {raw!r} is not true or false")
        if f.type in NUMBER_TYPES:
            return _number(raw, where, column)
        return raw


def _number(raw: Any, where: str, column: str | None) -> float | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        try:
            return float(raw)
        except OverflowError:  # an integer past the largest float
            digits = len(str(abs(raw)))
            raise InputError(f"{where}: column '{column}': a {digits}-digit number is too large") from None
    try:
        return parse_number(str(raw))
    except ValueError as exc:
        why = exc.args[0] if exc.args and exc.args[0] == NOT_GROUPING else "is not a number"
        raise InputError(f"{where}: column '{column}': {raw!r} {why}") from None


def _filled(value: Any) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def _as_datetime(value: Any) -> datetime:
    """Placeholder in _PROCESS_PARSERS: a reader parses date-times with its own DateParser."""
    return DateParser().datetime(value)


def _process_date(value: Any) -> date:
    """Placeholder in _PROCESS_PARSERS: a reader parses dates with its own DateParser."""
    return DateParser().date(value)


def _process_number(value: Any) -> float:
    try:
        return float(_number(value, "", None))  # type: ignore[arg-type]
    except InputError:
        raise ValueError("is not a number") from None


def _rating(value: Any) -> int:
    try:
        number = _process_number(value)
    except ValueError:
        number = 0.5
    if number != int(number) or not 1 <= number <= 5:
        raise ValueError("is not a rating from 1 to 5")
    return int(number)


def _text(value: Any) -> str:
    return str(value).strip()


_PROCESS_PARSERS = {
    "close_date": _process_date,
    "created_date": _process_date,
    "score": _process_number,
    "completeness": _process_number,
    "closed_won_at": _as_datetime,
    "internal_handoff_at": _as_datetime,
    "first_touch_at": _as_datetime,
    "kickoff_at": _as_datetime,
    "implementation_contact_at": _as_datetime,
    "csm_rating": _rating,
}
