"""Counters an audit keeps per group (segment, owner, month) and for gate violations."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from fractions import Fraction

from handrail.generators.rules.gates import GateFailure
from handrail.generators.rules.scoring import TIER_LABELS, Deal, HandoffScore
from handrail.specs.model import Model

TIER_KEYS = ("ready", "gaps", "blocked", "unscored")


@dataclass
class Group:
    """Totals for one segment, owner or month. Sums are exact (scores in tenths, completeness as required
    fields filled per number required), so any engine adding the same deals in any order gets the same
    figures."""

    deals: int = 0
    tiers: Counter = field(default_factory=Counter)
    score_tenths: int = 0
    scored: int = 0
    filled: Counter = field(default_factory=Counter)  # fields required -> required fields filled, summed
    violations: int = 0

    def add(self, result: HandoffScore, filled: int, required: int, violated: bool) -> None:
        self.deals += 1
        self.tiers[result.tier or "unscored"] += 1
        if result.score is not None:
            self.score_tenths += round(result.score * 10)
            self.scored += 1
        self.filled[required] += filled
        self.violations += violated

    def as_dict(self) -> dict:
        return {
            "deals": self.deals,
            "average_score": average(Fraction(self.score_tenths, 10), self.scored),
            "completion": average(completion_sum(self.filled), self.deals),
            "gate_violations": self.violations,
            **{t: self.tiers.get(t, 0) for t in TIER_KEYS},
        }


def completion_sum(filled: Counter) -> Fraction:
    """The deals' completeness percentages summed: filled / required x 100 each; a deal with nothing
    required (no segment, or a segment requiring nothing) is complete, and counts 1 under required 0."""
    return sum((Fraction(100 * n, r) if r else Fraction(100 * n) for r, n in filled.items()), Fraction(0))


class ViolationTally:
    def __init__(self, limit: int):
        self.deals = 0
        self.by_gate: Counter = Counter()
        self.examples: list[dict] = []
        self.limit = limit

    def add(self, deal: Deal, result: HandoffScore, failures: list[GateFailure]) -> None:
        self.deals += 1
        for failure in failures:
            self.by_gate[failure.gate.key] += 1
        if len(self.examples) < self.limit:
            self.examples.append(
                {
                    **deal_ref(deal, result),
                    "gates": [
                        {"gate": f.gate.key, "message": f.gate.message, "reasons": list(f.reasons)}
                        for f in failures
                    ],
                }
            )

    def as_dict(self, model: Model) -> dict:
        return {
            "deals": self.deals,
            "examples": self.examples,
            "by_gate": [
                {"gate": g.key, "stage": g.stage, "message": g.message, "deals": self.by_gate[g.key]}
                for g in model.gates
                if self.by_gate[g.key]
            ],
        }


def deal_ref(deal: Deal, result: HandoffScore) -> dict:
    """How a report names one deal."""
    return {
        "id": deal.id,
        "name": deal.name,
        "owner": deal.owner,
        "stage": deal.stage,
        "segment": result.segment,
        "score": result.score,
        "tier": TIER_LABELS.get(result.tier or "", ""),
    }


def average(total: Fraction | float, count: int) -> float | None:
    return round(float(Fraction(total) / count), 1) if count else None
