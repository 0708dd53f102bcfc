"""Read exported deals (CSV, JSON, JSON Lines) into engine Deals, one at a time.

Columns are matched to handoff fields by spec key, Salesforce API name, HubSpot internal name or label,
so a Salesforce report export or a HubSpot deal export works as it is.

With `process_fields=True` the reader also fills `Deal.extra` with what audits and briefs need, parsed:
`close_date` and `created_date` (date), and the computed fields found in the file under the same kinds
of names (`score`, `completeness` as float; `closed_won_at`, `internal_handoff_at`, `first_touch_at`,
`kickoff_at` as UTC datetimes; `csm_rating` as int 1-5; `tier`, `segment`, `intake_status`,
`missing_summary` as text). Blank cells are left out.
"""
from __future__ import annotations

import csv
import json
import sys
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, Iterator

from handrail.generators.scoring import Deal
from handrail.specs.diagnostics import InputError
from handrail.specs.model import NUMBER_TYPES, Field, Model

ID_COLUMNS = ("id", "deal_id", "opportunity_id", "hs_object_id")
NAME_COLUMNS = ("name", "deal_name", "opportunity_name", "dealname")
OWNER_COLUMNS = ("owner", "owner_name", "ownerid", "hubspot_owner_id", "opportunity_owner")
ACV_COLUMNS = ("acv", "amount", "arr")
TYPE_COLUMNS = ("deal_type", "type", "dealtype")
STAGE_COLUMNS = ("stage", "stagename", "dealstage")
CYCLE_COLUMNS = ("sales_cycle_days", "cycle_days")
CREATED_COLUMNS = ("created_date", "createddate", "createdate")
CLOSE_COLUMNS = ("close_date", "closedate")
_TRUE = {"true", "1", "yes", "y", "x", "checked"}
_FALSE = {"false", "0", "no", "n", "", "unchecked"}


def read_deals(path: str | Path, model: Model, *, process_fields: bool = False) -> Iterator[Deal]:
    """Deals from a file, streamed; raises InputError with the file and row on bad data."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    suffix = path.suffix.lower()
    reader = DealReader(model, process_fields=process_fields)
    if suffix == ".csv":
        yield from _csv_rows(path, reader)
    elif suffix in (".json", ".jsonl", ".ndjson"):
        yield from _json_rows(path, reader, lines=suffix != ".json")
    else:
        raise InputError(f"{path}: expected a .csv, .json or .jsonl file")


def _csv_rows(path: Path, reader: "DealReader") -> Iterator[Deal]:
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            rows = csv.DictReader(handle)
            if not rows.fieldnames:
                raise InputError(f"{path}: the file is empty")
            reader.bind(rows.fieldnames)
            for row in rows:
                yield reader.deal(row, f"{path}:{rows.line_num}")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 ({exc.reason} at byte {exc.start}); re-export as UTF-8") from None
    except csv.Error as exc:
        raise InputError(f"{path}: malformed CSV: {exc}") from None


def _json_rows(path: Path, reader: "DealReader", lines: bool) -> Iterator[Deal]:
    try:
        with path.open(encoding="utf-8-sig") as handle:
            if lines:
                records = ((n, json.loads(line)) for n, line in enumerate(handle, 1) if line.strip())
            else:
                data = json.load(handle)
                data = data.get("deals", data.get("results", data)) if isinstance(data, dict) else data
                if not isinstance(data, list):
                    raise InputError(f"{path}: expected a list of deals, or {{\"deals\": [...]}}")
                records = enumerate(data, 1)
            for n, record in records:
                if not isinstance(record, dict):
                    raise InputError(f"{path}: record {n} is not an object")
                if isinstance(record.get("properties"), dict):  # HubSpot's {"id": ..., "properties": {...}}
                    record = {"id": record.get("id"), **record["properties"]}
                reader.bind(list(record))
                yield reader.deal(record, f"{path}: record {n}")
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}:{exc.lineno}:{exc.colno}: invalid JSON: {exc.msg}") from None
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 ({exc.reason} at byte {exc.start}); re-export as UTF-8") from None


class DealReader:
    """Maps a record's columns to deal attributes and field keys; caches the mapping per header."""

    def __init__(self, model: Model, process_fields: bool = False):
        self.model = model
        self.process_fields = process_fields
        self.computed_names: dict[str, Field] = {}
        for f in model.computed:
            for name in (f.key, f.salesforce_name, f.hubspot_name, f.label):
                self.computed_names.setdefault(name.lower(), f)
        self.by_key = {f.key: f for f in model.fields}
        self.names: dict[str, Field] = {}
        for f in model.fields:
            for name in (f.key, f.salesforce_name, f.hubspot_name, f.label):
                self.names.setdefault(name.lower(), f)
        self.stage_by_value = {}
        for s in model.stages:
            for value in (s.key, s.label, s.salesforce, s.hubspot):
                if value:
                    self.stage_by_value.setdefault(value.lower(), s.key)
        deal = model.deal
        self.expansion = {v.lower() for v in deal.expansion_values_salesforce + deal.expansion_values_hubspot}
        self.expansion.add("expansion")
        self._header: tuple = ()

    def bind(self, header: list[str]) -> None:
        header = tuple(header)
        if header == self._header:
            return
        self._header = header
        lowered = {h.lower().strip(): h for h in header if h is not None}
        self.field_columns = {self.names[k].key: col for k, col in lowered.items() if k in self.names}
        self.computed_columns = {self.computed_names[k].key: col for k, col in lowered.items()
                                 if k in self.computed_names and k not in self.names}

        def pick(options):
            return next((lowered[o] for o in options if o in lowered), None)

        self.cols = {name: pick(opts) for name, opts in (
            ("id", ID_COLUMNS), ("name", NAME_COLUMNS), ("owner", OWNER_COLUMNS), ("acv", ACV_COLUMNS),
            ("type", TYPE_COLUMNS), ("stage", STAGE_COLUMNS), ("cycle", CYCLE_COLUMNS),
            ("created", CREATED_COLUMNS), ("close", CLOSE_COLUMNS))}
        deal = self.model.deal  # the spec may name its own ACV and deal-type fields
        for name, own in (("acv", (deal.acv_salesforce, deal.acv_hubspot)),
                          ("type", (deal.deal_type_salesforce, deal.deal_type_hubspot))):
            if not self.cols[name]:
                self.cols[name] = pick([n.lower() for n in own])

    def deal(self, row: dict, where: str) -> Deal:
        def get(name):
            col = self.cols[name]
            return row.get(col) if col else None

        values = {key: self._value(self.by_key[key], row.get(col), where, col)
                  for key, col in self.field_columns.items()}
        raw_stage = get("stage")
        stage = self.stage_by_value.get(str(raw_stage).strip().lower()) if raw_stage not in (None, "") else None
        cycle = _number(get("cycle"), where, self.cols["cycle"])
        if cycle is None and get("created") and get("close"):
            cycle = _days_between(get("created"), get("close"))
        deal_type = str(get("type") or "").strip().lower()
        return Deal(
            id=str(get("id") or where.rsplit(":", 1)[-1].strip()), name=str(get("name") or ""),
            owner=str(get("owner") or ""), stage=stage, acv=_number(get("acv"), where, self.cols["acv"]),
            deal_type="expansion" if deal_type in self.expansion else "new_business",
            sales_cycle_days=cycle, values=values,
            extra=self._process_values(row, where) if self.process_fields else {},
        )

    def _process_values(self, row: dict, where: str) -> dict[str, Any]:
        columns = [("close_date", self.cols["close"]), ("created_date", self.cols["created"]),
                   *self.computed_columns.items()]
        out = {}
        for key, col in columns:
            raw = row.get(col) if col else None
            if raw is None or (isinstance(raw, str) and not raw.strip()):
                continue
            try:
                out[key] = _PROCESS_PARSERS.get(key, _text)(raw)
            except ValueError as exc:
                raise InputError(f"{where}: column '{col}': {raw!r} {exc}") from None
        return out

    def _value(self, f: Field, raw: Any, where: str, column: str) -> Any:
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return None
        if f.type == "checkbox":
            text = str(raw).strip().lower()
            if text in _TRUE:
                return True
            if text in _FALSE:
                return False
            raise InputError(f"{where}: column '{column}': {raw!r} is not true or false")
        if f.type in NUMBER_TYPES:
            return _number(raw, where, column)
        return raw


def _number(raw: Any, where: str, column: str | None) -> float | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        return float(raw)
    text = str(raw).strip().replace(",", "").replace("$", "").replace("%", "")
    try:
        return float(text)
    except ValueError:
        raise InputError(f"{where}: column '{column}': {raw!r} is not a number") from None


def _days_between(start: str, end: str) -> float | None:
    try:
        a, b = (_as_date(start), _as_date(end))
    except ValueError:
        return None
    return float((b - a).days)


def _as_date(value: str) -> date:
    text = str(value).strip()
    if len(text) > 10:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).date()
    return date.fromisoformat(text)


def _as_datetime(value: Any) -> datetime:
    """ISO 8601 (a date alone means midnight) or epoch milliseconds as HubSpot exports them; naive means UTC."""
    text = str(value).strip()
    if text.isdigit() and len(text) >= 11:
        return datetime.fromtimestamp(int(text) / 1000, tz=timezone.utc)
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError("is not a date-time; use ISO 8601 such as 2026-01-31T09:30:00Z") from None
    return parsed.replace(tzinfo=timezone.utc) if parsed.tzinfo is None else parsed.astimezone(timezone.utc)


def _process_date(value: Any) -> date:
    return _as_datetime(value).date() if len(str(value).strip()) > 10 else _iso_date(value)


def _iso_date(value: Any) -> date:
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValueError("is not a date; use ISO 8601 such as 2026-01-31") from None


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
    "close_date": _process_date, "created_date": _process_date, "score": _process_number,
    "completeness": _process_number, "closed_won_at": _as_datetime, "internal_handoff_at": _as_datetime,
    "first_touch_at": _as_datetime, "kickoff_at": _as_datetime, "csm_rating": _rating,
}
