"""`handrail audit`: read deals from an export or live, audit their handoffs, and write the report."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Callable

import click

from handrail.generators.audit.engine import audit_options, run_audit
from handrail.generators.audit.render import write_audit
from handrail.generators.audit.source import open_feed, with_progress
from handrail.generators.output.emit import emit
from handrail.specs.validate import load_spec


def audit_deals(
    from_file: Path | None,
    env_name: str | None,
    spec: Path,
    since: str | None,
    as_of,
    fmt: str,
    out: Path | None,
    columns: Path | None,
    date_format: str | None,
    connect: Callable,
    engine: str = "auto",
) -> None:
    """Audit the deals of `from_file`, or of environment `env_name` read through `connect`.

    engine "auto" audits a CSV or Parquet file on DuckDB (generators.audit.duck) when it reads the file
    exactly as the Python reader would and the spec has no business calendar of its own, and on the Python
    engine otherwise; "python" always uses the Python engine."""
    feed = open_feed(from_file, env_name, "audit", columns, date_format, connect=connect)
    model = load_spec(spec).model
    try:
        options = audit_options(since, as_of.date() if as_of else None)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="'--since'") from None
    report = None
    # The SQL prints weekday arithmetic in UTC: a business calendar of the spec's own is the Python engine's.
    on_duckdb = engine != "python" and model.calendar.is_default and not model.pipelines
    if from_file is not None and on_duckdb:
        from handrail.generators.audit.duck import audit_file
        from handrail.generators.data.columns import load_column_map
        from handrail.generators.data.reader import print_warning

        column_map = load_column_map(columns, model) if columns else None
        report = audit_file(from_file, model, options, column_map, date_format, print_warning)
    if report is None:
        deals = feed.deals(model, options.since)
        records = getattr(deals, "records", None)  # a live feed's (generators.data.live.LiveDeals)
        expected = lambda: getattr(feed, "expected", None)  # noqa: E731
        if records is not None and on_duckdb:
            from handrail.generators.audit.live_duck import audit_records

            fetched = with_progress(records, sys.stderr, total=expected)
            report = audit_records(model, fetched, options, deals.where)
        else:
            report = run_audit(model, with_progress(deals, sys.stderr, total=expected), options)
    emit(out, lambda handle: write_audit(report, fmt, handle), inputs=(spec, from_file, columns))
    if out:
        click.echo(f"wrote the audit of {report['deals_read']:,} deals to {out}", err=True)
