"""`handrail score`: score an export of deals offline, one line per deal (or only the totals)."""

from __future__ import annotations

from pathlib import Path

import click

from handrail.generators.data.columns import load_column_map
from handrail.generators.data.duck import scored_rows
from handrail.generators.data.reader import print_warning, read_deals
from handrail.generators.data.score_report import WRITERS, Totals, score_all, write_text
from handrail.generators.output.emit import emit
from handrail.specs.validate import load_spec


def score_export(
    deals: Path,
    spec: Path,
    fmt: str,
    summary: bool,
    out: Path | None,
    columns: Path | None,
    date_format: str | None,
    engine: str = "auto",
) -> None:
    """Write the scores of every deal in `deals` as text, JSON or CSV, to `out` or stdout.

    engine "auto" scores a CSV on DuckDB (generators.data.duck) when it reads the file exactly as the
    Python reader would, and on the Python engine otherwise; "python" always uses the Python engine."""
    model = load_spec(spec).model
    column_map = load_column_map(columns, model) if columns else None
    per_deal = not (summary and fmt == "text")
    on_duckdb = (
        scored_rows(deals, model, column_map, date_format, print_warning, rows=per_deal)
        if engine != "python" and not model.pipelines  # the SQL reads no pipeline column
        else None
    )
    if on_duckdb is not None:  # the totals are already counted: rows are read only to be written
        rows, totals = on_duckdb.rows, on_duckdb.totals
    else:
        totals = Totals()
        rows = score_all(model, read_deals(deals, model, columns=column_map, date_format=date_format), totals)

    def write(handle) -> None:
        if fmt == "text":
            write_text(model, rows, totals, handle, per_deal=not summary)
        else:
            WRITERS[fmt](model, rows, totals, handle)

    # all or nothing: a bad row half-way leaves no partial output
    emit(out, write, inputs=(spec, deals, columns))
    if out:
        click.echo(f"wrote {totals.deals} scored deals to {out}", err=True)
