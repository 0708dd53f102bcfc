"""Scores for many deals: per-deal rows streamed out, totals gathered as they pass."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from itertools import islice
from typing import Iterable, Iterator, TextIO

from handrail.generators.data.csv_cells import SafeWriter
from handrail.generators.rules.scoring import (
    GENERIC,
    MISSING,
    TIER_LABELS,
    Deal,
    HandoffScore,
    score_deal,
    summary,
)
from handrail.generators.rules.sql import literal
from handrail.specs.model import Model


@dataclass
class Totals:
    deals: int = 0
    tiers: Counter = field(default_factory=Counter)
    segments: Counter = field(default_factory=Counter)
    score_tenths: int = 0  # scores are exact tenths: summed as integers, the same average on any engine
    scored: int = 0
    considered: Counter = field(default_factory=Counter)  # field key -> deals where it counted
    populated: Counter = field(default_factory=Counter)
    generic: Counter = field(default_factory=Counter)

    def add(self, result: HandoffScore) -> None:
        self.deals += 1
        self.tiers[result.tier or "unscored"] += 1
        self.segments[result.segment or "none"] += 1
        if result.score is not None:
            self.score_tenths += round(result.score * 10)
            self.scored += 1
        for r in result.fields:
            self.considered[r.key] += 1
            if r.state != MISSING:
                self.populated[r.key] += 1
            if r.state == GENERIC:
                self.generic[r.key] += 1

    @property
    def average_score(self) -> float | None:
        return round(self.score_tenths / 10 / self.scored, 1) if self.scored else None

    def field_rates(self, model: Model) -> list[dict]:
        rows = []
        for f in model.fields:
            n = self.considered[f.key]
            if n:
                rows.append(
                    {
                        "field": f.key,
                        "label": f.label,
                        "deals": n,
                        "completion_rate": round(self.populated[f.key] / n * 100, 1),
                        "generic_rate": round(self.generic[f.key] / n * 100, 1),
                    }
                )
        return rows

    def as_dict(self, model: Model) -> dict:
        return {
            "deals": self.deals,
            "average_score": self.average_score,
            "tiers": {t: self.tiers.get(t, 0) for t in ("ready", "gaps", "blocked")},
            "segments": {s.key: self.segments.get(s.key, 0) for s in model.segments},
            "fields": self.field_rates(model),
        }

    @classmethod
    def from_sql(
        cls, con, model: Model, relation: str, also: tuple[str, ...] = (), fields: bool = True
    ) -> tuple["Totals", tuple]:
        """The same totals over the rows of generators.rules.sql.score_query (a table or a subquery), in one
        aggregate query on a DB-API connection; `also` are more aggregates to compute in the same pass,
        whose values come back second. Without `fields`, the per-field counts are left to the caller
        (add_field_counts)."""
        considered = [
            f.key
            for f in model.fields
            if fields and any(f.key in (*s.scored_fields, *s.required_fields) for s in model.segments)
        ]
        parts = ["COUNT(*)", "COUNT(score)", "SUM(CAST(ROUND(score * 10) AS BIGINT))"]
        tiers = ("ready", "gaps", "blocked")
        parts += [f"COUNT(*) FILTER (WHERE tier = '{k}')" for k in tiers] + ["COUNT(*) - COUNT(tier)"]
        segments = [seg.key for seg in model.segments]
        parts += [f"COUNT(*) FILTER (WHERE segment = {literal(k)})" for k in segments]
        parts.append("COUNT(*) - COUNT(segment)")
        for key in considered:
            state = f'"state_{key}"'
            parts += [
                f"COUNT({state})",
                f"COUNT(*) FILTER (WHERE {state} <> 'missing')",
                f"COUNT(*) FILTER (WHERE {state} = 'generic')",
            ]
        row = list(con.execute(f"SELECT {', '.join([*parts, *also])} FROM {relation}").fetchone())
        t = cls()
        t.deals, t.scored, tenths = row[:3]
        t.score_tenths = int(tenths or 0)
        at = 3
        for counter, keys, empty in ((t.tiers, tiers, "unscored"), (t.segments, segments, "none")):
            for key, count in zip((*keys, empty), row[at : at + len(keys) + 1]):
                if count:
                    counter[key] = count
            at += len(keys) + 1
        for key in considered:
            t.add_field_counts(key, *row[at : at + 3])
            at += 3
        return t, tuple(row[at:])

    def add_field_counts(self, key: str, considered: int, populated: int, generic: int) -> None:
        """Deals considering field `key`, filling it, and filling it with a generic value."""
        for counter, value in zip(
            (self.considered, self.populated, self.generic), (considered, populated, generic)
        ):
            if value:
                counter[key] += value


def score_all(model: Model, deals: Iterable[Deal], totals: Totals) -> Iterator[dict]:
    """Each deal's output row (deal_row), adding it to `totals` as it passes."""
    for deal in deals:
        result = score_deal(model, deal)
        totals.add(result)
        yield deal_row(model, deal, result)


def deal_row(model: Model, deal: Deal, result: HandoffScore) -> dict:
    return {
        "id": deal.id,
        "name": deal.name,
        "segment": result.segment,
        "score": result.score,
        "tier": TIER_LABELS.get(result.tier or "", ""),
        "completeness": result.completeness,
        "missing_required": [model.field(k).label for k in result.missing_required],
        "summary": summary(model, result),
    }


def write_text(
    model: Model, rows: Iterable[dict], totals: Totals, out: TextIO, per_deal: bool = True
) -> None:
    width = max([12, *(len(s.key) for s in model.segments)])
    if per_deal:
        out.write(
            f"{'deal':<24} {'segment':<{width}} {'score':>6} {'tier':<8} {'complete':>8}  missing / generic\n"
        )
    for row in rows:
        if not per_deal:
            continue
        name = (row["name"] or row["id"])[:24]
        score = "-" if row["score"] is None else f"{row['score']:.1f}"
        out.write(
            f"{name:<24} {row['segment'] or '-':<{width}} {score:>6} {row['tier'] or '-':<8} "
            f"{row['completeness']:>7.1f}%  {row['summary'] or '-'}\n"
        )
    write_totals_text(model, totals, out)


def write_totals_text(model: Model, totals: Totals, out: TextIO) -> None:
    t = totals.as_dict(model)
    avg = "-" if t["average_score"] is None else f"{t['average_score']:.1f}"
    out.write(f"\n{t['deals']} deals, average score {avg}\n")
    out.write("tiers: " + ", ".join(f"{TIER_LABELS[k]} {v}" for k, v in t["tiers"].items()) + "\n")
    out.write("segments: " + ", ".join(f"{k} {v}" for k, v in t["segments"].items() if v) + "\n")
    out.write(f"\n{'field':<28} {'deals':>6} {'completed':>10} {'generic':>8}\n")
    for row in t["fields"]:
        out.write(
            f"{row['label'][:28]:<28} {row['deals']:>6} {row['completion_rate']:>9.1f}% "
            f"{row['generic_rate']:>7.1f}%\n"
        )


def write_json(model: Model, rows: Iterable[dict], totals: Totals, out: TextIO) -> None:
    out.write('{"deals": [')
    for i, row in enumerate(rows):
        out.write(("," if i else "") + "\n  " + json.dumps(row, sort_keys=True))
    out.write('\n],\n"totals": ' + json.dumps(totals.as_dict(model), indent=2, sort_keys=True) + "}\n")


def write_csv(model: Model, rows: Iterable[dict], totals: Totals, out: TextIO) -> None:
    columns = ["id", "name", "segment", "score", "tier", "completeness", "missing_required", "summary"]
    writer = SafeWriter(out)
    writer.writerow(columns)
    cells = (
        (
            r["id"],
            r["name"],
            r["segment"],
            r["score"],
            r["tier"],
            r["completeness"],
            "; ".join(r["missing_required"]),
            r["summary"],
        )
        for r in rows
    )
    for batch in iter(lambda: list(islice(cells, 1000)), []):
        writer.writerows(batch)


WRITERS = {"text": write_text, "json": write_json, "csv": write_csv}
