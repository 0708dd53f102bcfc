"""A live audit on DuckDB: the records fetched from the CRM are streamed to a temporary export file and
audited as one (generators.audit.duck), so a live audit and an audit of an export of the same deals run
the same SQL.

Each record is written twice as it arrives: as CSV cells the reader reads back to the same values (text
as it is, numbers in full, checkboxes as true/false, contact roles joined by `;`), and as the record
itself. When a record has a value no cell can carry alike, or the staging cannot read the file exactly
as the reader would, the records themselves go through the Python engine, with the same deals and the
same located errors as a live audit without DuckDB. Memory stays flat: both files are on disk.
"""

from __future__ import annotations

import csv
import pickle
import tempfile
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from handrail.generators.audit.duck import audit_file
from handrail.generators.audit.engine import AuditOptions, run_audit
from handrail.generators.data.live import to_deals
from handrail.specs.model import Model


class _NoCell(ValueError):
    """A value a CSV cell cannot carry so that the reader reads it back alike."""


def audit_records(
    model: Model, records: Iterable[dict[str, Any]], options: AuditOptions, where: Callable[[dict], str]
) -> dict:
    """The audit report of the live `records` (`where` names a record in an error). The file's column
    warnings are not given: they would name a temporary file, and a live read does not give them."""
    with tempfile.TemporaryDirectory(prefix="handrail-live-") as folder:
        cells, kept = Path(folder) / "deals.csv", Path(folder) / "records.pickle"
        exact = _write(records, cells, kept)
        report = audit_file(cells, model, options, None, None, _unsaid) if exact else None
        if report is None:
            report = run_audit(model, to_deals(model, _read(kept), where), options)
    return report


def _write(records: Iterable[dict[str, Any]], cells: Path, kept: Path) -> bool:
    """Every record to `kept`; as CSV to `cells` while each can be written alike. Whether all could."""
    exact, header, columns = True, None, set()
    with cells.open("w", newline="", encoding="utf-8") as out, kept.open("wb") as raw:
        writer = csv.writer(out)
        for record in records:
            pickle.dump(record, raw, protocol=pickle.HIGHEST_PROTOCOL)
            if not exact:
                continue
            if header is None:
                header, columns = list(record), set(record)
                writer.writerow(header)
            try:
                if any(record[k] is not None for k in record.keys() - columns):
                    raise _NoCell("a value in a column the first record did not have")
                writer.writerow([_cell(record.get(k)) for k in header])
            except _NoCell:
                exact = False
    return exact and header is not None


def _unsaid(line: str) -> None:
    """Drops a warning."""


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        if "\x00" in value:
            raise _NoCell("a NUL character")
        return value
    if isinstance(value, (list, tuple)) and all(isinstance(v, str) and ";" not in v for v in value):
        return ";".join(value)
    raise _NoCell(type(value).__name__)


def _read(kept: Path) -> Iterator[dict[str, Any]]:
    with kept.open("rb") as raw:
        while True:
            try:
                yield pickle.load(raw)
            except EOFError:
                return
