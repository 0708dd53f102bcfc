"""Counters an audit keeps per group (segment, owner, month) and for gate violations."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from handrail.generators.rules.gates import GateFailure
from handrail.generators.rules.scoring import TIER_LABELS, Deal, HandoffScore
from handrail.specs.model import Model

TIER_KEYS = ("ready", "gaps", "blocked", "unscored")


@dataclass
class Group:
    """Totals for one segment, owner or month."""

    deals: int = 0
    tiers: Counter = field(default_factory=Counter)
    score_sum: float = 0.0
    scored: int = 0
    completeness_sum: float = 0.0
    violations: int = 0

    def add(self, result: HandoffScore, completeness: float, violated: bool) -> None:
        self.deals += 1
        self.tiers[result.tier or "unscored"] += 1
        if result.score is not None:
            self.score_sum += result.score
            self.scored += 1
        self.completeness_sum += completeness
        self.violations += violated

    def as_dict(self) -> dict:
        return {
            "deals": self.deals,
            "average_score": average(self.score_sum, self.scored),
            "completion": average(self.completeness_sum, self.deals),
            "gate_violations": self.violations,
            **{t: self.tiers.get(t, 0) for t in TIER_KEYS},
        }


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


def average(total: float, count: int) -> float | None:
    return round(total / count, 1) if count else None
