"""`handrail score`: score an export of deals offline, one line per deal (or only the totals)."""
from __future__ import annotations

from pathlib import Path

import click

from handrail.generators.data.columns import load_column_map
from handrail.generators.data.reader import read_deals
from handrail.generators.data.score_report import WRITERS, Totals, score_all, write_text
from handrail.generators.output.emit import emit
from handrail.specs.validate import load_spec


def score_export(deals: Path, spec: Path, fmt: str, summary: bool, out: Path | None, columns: Path | None,
                 date_format: str | None) -> None:
    """Write the scores of every deal in `deals` as text, JSON or CSV, to `out` or stdout."""
    model = load_spec(spec).model
    totals = Totals()
    column_map = load_column_map(columns, model) if columns else None
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
