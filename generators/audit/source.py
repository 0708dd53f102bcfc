"""Where audited and briefed deals come from: an export file (`--from`) or a live org (`--env`).

Every source is a `DealFeed`: it streams engine Deals whose `extra` carries the process data
(`close_date`, `closed_won_at`, `first_touch_at`, the stored `score`, ...; see generators.data.reader), with
datetimes timezone-aware in UTC. The live feed is generators.data.live.LiveFeed; `open_feed` is the
one place that picks a feed. A feed may also offer `matching(model, reference)`, the few deals a
brief can be about, so that a brief does not read a whole org.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Callable, Iterable, Iterator, Protocol, TextIO

from handrail.generators.data.reader import read_deals
from handrail.generators.rules.scoring import Deal
from handrail.specs.diagnostics import HandrailError, InputError
from handrail.specs.model import Model


class SourceChoiceError(HandrailError):
    """--from and --env used wrongly: a usage error."""

    exit_code = 2


class DealFeed(Protocol):
    description: str  # for messages: "deals.csv", "org production"

    def deals(self, model: Model, since: date | None = None) -> Iterator[Deal]:
        """Deals in source order; `since` is a hint a live source may use to fetch less (the audit still
        filters)."""
        ...


class FileFeed:
    def __init__(self, path: Path, columns: Path | None = None, date_format: str | None = None):
        self.path = Path(path)
        self.description = str(path)
        self.columns, self.date_format = columns, date_format  # --columns map.yaml, --date-format

    def deals(self, model: Model, since: date | None = None) -> Iterator[Deal]:
        from handrail.generators.data.columns import load_column_map

        columns = load_column_map(self.columns, model) if self.columns else None
        return read_deals(
            self.path, model, process_fields=True, columns=columns, date_format=self.date_format
        )


def open_feed(
    from_file: Path | None,
    env: str | None,
    command: str,
    columns: Path | None = None,
    date_format: str | None = None,
    connect=None,
) -> DealFeed:
    """The feed the options name; checked before the spec is read, so a wrong choice is reported first.
    `connect` turns an environment into its live deal source (handrail.targets.deal_source)."""
    if from_file is not None and env is not None:
        raise SourceChoiceError(f"use either --from or --env with `handrail {command}`, not both")
    if env is not None:
        from handrail.generators.data.live import LiveFeed

        return LiveFeed(env, connect)
    if from_file is None:
        raise SourceChoiceError(f"say where the deals come from: `handrail {command} --from deals.csv`")
    return FileFeed(from_file, columns, date_format)


def find_deal(feed: DealFeed, model: Model, reference: str) -> Deal:
    """The one deal whose id, or else whose name, is `reference` (names compared ignoring case; a
    Salesforce 15-character id matches its 18-character form)."""
    wanted = reference.strip().lower()
    by_name: list[Deal] = []
    count = 0
    matching = getattr(feed, "matching", None)
    for deal in matching(model, reference) if matching else feed.deals(model):
        count += 1
        if _same_id(deal.id, reference.strip()):
            return deal
        if deal.name.strip().lower() == wanted:
            by_name.append(deal)
    if len(by_name) == 1:
        return by_name[0]
    if by_name:
        ids = ", ".join(d.id for d in by_name[:10])
        raise InputError(
            f"{feed.description}: {len(by_name)} deals are named '{reference}' (ids {ids}); "
            "pass the id instead"
        )
    if matching:
        raise InputError(f"{feed.description}: no deal with id or name '{reference}'")
    raise InputError(f"{feed.description}: no deal with id or name '{reference}' among {count} deals")


def _same_id(deal_id: str, reference: str) -> bool:
    return deal_id == reference or (len(reference) == 15 and len(deal_id) == 18 and deal_id[:15] == reference)


def with_progress(
    deals: Iterable[Deal], stream: TextIO, every: int = 10_000, total: Callable[[], int | None] | None = None
) -> Iterator[Deal]:
    """Pass deals through, showing a running count on `stream` when it is a terminal; `total` says how
    many are coming, once the source knows (a live org counts before it sends)."""
    if not stream.isatty():
        yield from deals
        return
    n = 0
    for n, deal in enumerate(deals, 1):
        if n % every == 0:
            expected = total() if total else None
            stream.write(f"\rread {n:,} of {expected:,} deals" if expected else f"\rread {n:,} deals")
            stream.flush()
        yield deal
    if n >= every:
        stream.write(f"\rread {n:,} deals, done\n")
        stream.flush()
