"""`handrail brief`: find one deal in an export or live, and write its handoff brief for one role; or
attach the briefs of newly won deals to them in the CRM (generators/brief/delivery.py)."""

from __future__ import annotations

from datetime import datetime, timezone
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


def deliver_briefs(
    deal_ref: str | None,
    env_name: str,
    spec: Path,
    closed_since: str | None,
    role: str,
    templates: Path | None,
    deliver: bool,
    connect: Callable,
    now: datetime | None = None,
) -> None:
    """Attach the brief of each deal won since `closed_since` (or of the one deal `deal_ref`) to the deal
    in environment `env_name`; without `deliver`, list what would be attached."""
    from handrail.generators.brief.delivery import briefs_for, window_start, won_since

    now = now or datetime.now(timezone.utc)
    feed = open_feed(None, env_name, "brief", connect=connect)
    model = load_spec(spec).model
    if deal_ref is not None:
        deals = [find_deal(feed, model, deal_ref)]
    else:
        try:
            start = window_start(closed_since or "", now)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="'--closed-since'") from None
        deals = list(won_since(model, feed.deals(model, start.date()), start))
    briefs = briefs_for(model, deals, role, templates, now)
    where = f"environment '{env_name}'"
    if not deliver:
        click.echo(f"would deliver {len(briefs)} brief(s) to {where} (add --deliver to attach them):")
        for b in briefs:
            click.echo(f"  {b.deal_id}  {b.deal_name}")
        return
    outcomes = feed.notes(model).deliver(briefs) if briefs else []
    for b, outcome in zip(briefs, outcomes):
        click.echo(f"  {outcome:<9}  {b.deal_id}  {b.deal_name}")
    counts = {k: outcomes.count(k) for k in ("created", "updated", "unchanged")}
    click.echo(
        f"delivered {len(briefs)} brief(s) to {where}: " + ", ".join(f"{n} {k}" for k, n in counts.items())
    )


def run_brief(
    *,
    deal_ref: str | None,
    from_file: Path | None,
    env_name: str | None,
    spec: Path,
    role: str,
    fmt: str,
    templates: Path | None,
    out: Path | None,
    columns: Path | None,
    date_format: str | None,
    closed_since: str | None,
    deliver: bool,
    connect: Callable,
) -> None:
    """`handrail brief` as the command line gives it: one brief written, or briefs delivered."""
    if closed_since is not None and deal_ref is not None:
        raise click.UsageError("give either DEAL or --closed-since, not both")
    if deal_ref is None and closed_since is None:
        raise click.UsageError("say which deal: DEAL, or --env NAME --closed-since 1d for every new win")
    if closed_since is None and not deliver:
        write_brief(
            deal_ref, from_file, env_name, spec, role, fmt, templates, out, columns, date_format, connect
        )
        return
    if env_name is None:
        raise click.UsageError("--closed-since and --deliver read and write a live CRM: add --env NAME")
    if out is not None or from_file is not None or fmt != "md":
        raise click.UsageError("--closed-since and --deliver take no --from, --out or --format")
    deliver_briefs(deal_ref, env_name, spec, closed_since, role, templates, deliver, connect)
