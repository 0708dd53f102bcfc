"""Who set each SLA stop-clock of a won handoff: automation (a completed task, specs.clocks) or a person.

A clock is set when its timestamp has a value; it was stamped by automation when the deal's
`clocks_stamped` lists it, and entered by hand otherwise (typed by CS, imported, or stamped before
Handrail stamped clocks). The Python engine counts deal by deal (ClockSources.add); the SQL twin gives each
deal a "clock_set_<clock>" and a "clock_typed_<clock>" column (columns) that DuckDB sums (gather).
"""

from __future__ import annotations

from collections import Counter
from typing import Any, Mapping

from handrail.specs.clocks import CLOCKS, MARKER, SEPARATOR, stamped_by_automation


class ClockSources:
    def __init__(self) -> None:
        self.set: Counter = Counter()
        self.by_hand: Counter = Counter()

    def add(self, process: Mapping[str, Any]) -> None:
        for clock, event in CLOCKS.items():
            if process.get(event) is None:
                continue
            self.set[clock] += 1
            if not stamped_by_automation(process.get(MARKER), clock):
                self.by_hand[clock] += 1

    def as_dict(self) -> dict:
        return {
            clock: {
                "set": self.set[clock],
                "by_hand": self.by_hand[clock],
                "by_automation": self.set[clock] - self.by_hand[clock],
            }
            for clock in CLOCKS
        }


WORDS = {"internal_handoff": "internal handoff", "first_touch": "first CS touch", "kickoff": "kickoff"}


def hand_line(sources: dict) -> str | None:
    """One line for the reports: per clock, how many of the set clocks were entered by hand."""
    parts = [f"{WORDS[k]} {v['by_hand']:,} of {v['set']:,}" for k, v in sources.items() if v["set"]]
    return "Clocks entered by hand: " + ", ".join(parts) if parts else None


def names() -> list[str]:
    """The true/false columns `columns` makes, in order."""
    return [f"clock_{kind}_{clock}" for clock in CLOCKS for kind in ("set", "typed")]


def columns() -> list[str]:
    """Per clock: set, and set but not listed in clocks_stamped (a whole `;`-separated item, as
    stamped_by_automation splits it)."""
    listed = f"'{SEPARATOR}' || COALESCE({MARKER}, '') || '{SEPARATOR}'"
    out = []
    for clock, event in CLOCKS.items():
        out.append(f"{event} IS NOT NULL AS clock_set_{clock}")
        item = f"'{SEPARATOR}{clock}{SEPARATOR}'"
        out.append(f"({event} IS NOT NULL AND STRPOS({listed}, {item}) = 0) AS clock_typed_{clock}")
    return out


def gather(tally: ClockSources, rows, relation: str, where: str) -> None:
    """Sum the per-deal columns of `relation` (rows(query) runs a query) into `tally`."""
    parts = [f"COUNT(*) FILTER (WHERE {name})" for name in names()]
    ((*counts,),) = rows(f"SELECT {', '.join(parts)} FROM {relation} WHERE {where}")
    for i, clock in enumerate(CLOCKS):
        tally.set[clock], tally.by_hand[clock] = counts[2 * i], counts[2 * i + 1]
