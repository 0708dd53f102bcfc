"""Deals saved from a CRM's API as JSON: the record list inside each shape, and each record as flat
columns.

Accepted: a list of records; `{"deals": [...]}`; HubSpot's search and list results (`{"results": [...]}`,
each `{"id": ..., "properties": {...}}`); a Salesforce REST query response (`{"totalSize", "done",
"records": [...]}`, each record with an `attributes` object and a parent's fields as a nested object:
https://developer.salesforce.com/docs/platform/api-rest/guide/dome-query.html), also inside the
Salesforce CLI's `{"status": 0, "result": {...}}` of `sf data query --json`. A parent's field becomes a
column named as Data Loader names it (`Owner.Name`).
"""

from __future__ import annotations

import json
from typing import Any

from handrail.specs.diagnostics import InputError

SHAPES = '[...], {"deals": [...]}, {"results": [...]} or {"records": [...]}'


def decode(text: str, path: str, line: int | None = None) -> Any:
    """A JSON document, or with `line` one JSON Lines record; an InputError at its place if invalid."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}:{line or exc.lineno}:{exc.colno}: invalid JSON: {exc.msg}") from None
    except RecursionError:
        raise InputError(f"{path}{f':{line}' if line else ''}: invalid JSON: nested too deeply") from None
    except ValueError as exc:  # an integer longer than Python converts (4,300 digits)
        raise InputError(f"{path}{f':{line}' if line else ''}: invalid JSON: {exc}") from None


def record_list(data: Any, where: str) -> list:
    """The records of a JSON document in one of the accepted shapes."""
    if isinstance(data, dict) and isinstance(data.get("result"), dict):  # sf ... --json
        data = data["result"]
    if isinstance(data, dict) and data.get("done") is False:
        raise InputError(
            f"{where}: this is one page of a Salesforce query (done: false, more at "
            f"{data.get('nextRecordsUrl')}): save every page, as `sf data query --json` does"
        )
    if isinstance(data, dict):
        data = next((data[k] for k in ("deals", "results", "records") if k in data), data)
    if not isinstance(data, list):
        raise InputError(f"{where}: expected a list of deals: {SHAPES}")
    return data


def flat(record: dict) -> dict:
    """HubSpot's properties beside the id; a Salesforce record without `attributes`, a parent's fields
    as `Parent.Field`."""
    if isinstance(record.get("properties"), dict):
        return {"id": record.get("id"), **record["properties"]}
    out: dict = {}
    for key, value in record.items():
        if key == "attributes" and isinstance(value, dict):
            continue
        if isinstance(value, dict):
            out.update({f"{key}.{k}": v for k, v in flat(value).items()})
        else:
            out[key] = value
    return out
