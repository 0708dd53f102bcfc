"""`handrail brief`: find one deal in an export or live, and write its handoff brief for one role."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import click

from handrail.generators.audit.source import find_deal, open_feed
from handrail.generators.brief.document import render_brief
from handrail.generators.output.emit import emit
from handrail.specs.validate import load_spec


def write_brief(
    deal_ref: str,
    from_file: Path | None,
    env_name: str | None,
    spec: Path,
    role: str,
    fmt: str,
    templates: Path | None,
    out: Path | None,
    columns: Path | None,
    date_format: str | None,
    connect: Callable,
) -> None:
    """The brief of the deal `deal_ref` (id or name), to `out` or stdout."""
    feed = open_feed(from_file, env_name, "brief", columns, date_format, connect=connect)
    model = load_spec(spec).model
    text = render_brief(model, find_deal(feed, model, deal_ref), role, fmt, templates)
    emit(out, lambda handle: handle.write(text), inputs=(spec, from_file, columns))
    if out:
        click.echo(f"wrote the {role} brief for {deal_ref} to {out}", err=True)
