"""Where audited and briefed deals come from: an export file today, a live org later.

Every source is a `DealFeed`: it streams engine Deals whose `extra` carries the process data
(`close_date`, `closed_won_at`, `first_touch_at`, the stored `score`, ...; see generators.deals), with
datetimes timezone-aware in UTC.
A live feed implements the same protocol (`fetch_deals(env, since) -> Iterator[Deal]` behind `deals`)
and `open_feed` is the one place that picks it.
"""
from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Iterable, Iterator, Protocol, TextIO

from handrail.generators.deals import read_deals
from handrail.generators.scoring import Deal
from handrail.specs.diagnostics import HandrailError, InputError
from handrail.specs.model import Model


class SourceChoiceError(HandrailError):
    """--from and --env used wrongly: a usage error."""

    exit_code = 2


class DealFeed(Protocol):
    description: str  # for messages: "deals.csv", "org production"

    def deals(self, model: Model, since: date | None = None) -> Iterator[Deal]:
        """Deals in source order; `since` is a hint a live source may use to fetch less (the audit still filters)."""
        ...


class FileFeed:
    def __init__(self, path: Path):
        self.path = Path(path)
        self.description = str(path)

    def deals(self, model: Model, since: date | None = None) -> Iterator[Deal]:
        return read_deals(self.path, model, process_fields=True)


def open_feed(from_file: Path | None, env: str | None, command: str) -> DealFeed:
    """The feed the options name; checked before the spec is read, so a wrong choice is reported first."""
    if from_file is not None and env is not None:
        raise SourceChoiceError(f"use either --from or --env with `handrail {command}`, not both")
    if env is not None:
        raise HandrailError(
            f"reading deals live from environment '{env}' is not available yet; export the deals from the CRM "
            f"(a Salesforce report or HubSpot deal export as CSV, JSON or JSON Lines) and run "
            f"`handrail {command} --from FILE` instead")
    if from_file is None:
        raise SourceChoiceError(f"say where the deals come from: `handrail {command} --from deals.csv`")
    return FileFeed(from_file)


def find_deal(feed: DealFeed, model: Model, reference: str) -> Deal:
    """The one deal whose id, or else whose name, is `reference` (names compared ignoring case)."""
    wanted = reference.strip().lower()
    by_name: list[Deal] = []
    count = 0
    for deal in feed.deals(model):
        count += 1
        if deal.id == reference.strip():
            return deal
        if deal.name.strip().lower() == wanted:
            by_name.append(deal)
    if len(by_name) == 1:
        return by_name[0]
    if by_name:
        ids = ", ".join(d.id for d in by_name[:10])
        raise InputError(f"{feed.description}: {len(by_name)} deals are named '{reference}' (ids {ids}); "
                         "pass the id instead")
    raise InputError(f"{feed.description}: no deal with id or name '{reference}' among {count} deals")


def with_progress(deals: Iterable[Deal], stream: TextIO, every: int = 10_000) -> Iterator[Deal]:
    """Pass deals through, showing a running count on `stream` when it is a terminal."""
    if not stream.isatty():
        yield from deals
        return
    n = 0
    for n, deal in enumerate(deals, 1):
        if n % every == 0:
            stream.write(f"\rread {n:,} deals")
            stream.flush()
        yield deal
    if n >= every:
        stream.write(f"\rread {n:,} deals, done\n")
        stream.flush()
