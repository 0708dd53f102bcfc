"""How often HubSpot's calculated score and tier agree with the scoring engine, on seeded random deals.

Two data sets from tests/hubspot/deal_samples.py, on the example spec:
  - random: every spelling a rep may type, including odd case, padding, whitespace-only and short text;
  - min-length: the same deals where each text value the MIN_LENGTH validation rule would refuse
    (non-empty, shorter than the field's minimum) was never saved, as HubSpot would leave it.
Agreement compares the engine's full rules (minimum length included) with the HubSpot value rounded
half up to one decimal, as the engine rounds; a blank score agrees only with a blank score.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from deal_samples import samples
from hubspot_records import HubSpotDeal

from handrail.generators.rules.scoring import TIER_LABELS, round_half_up, score_deal
from handrail.specs.model import TEXT_TYPES, Model

COUNT = 200
SEED = 20261202


@dataclass(frozen=True)
class Agreement:
    deals: int
    score: int
    tier: int

    def share(self, what: str) -> float:
        return 100.0 * getattr(self, what) / self.deals

    def describe(self, name: str) -> str:
        return (
            f"{name}: score {self.share('score'):.1f}%, tier {self.share('tier'):.1f}% of {self.deals} deals"
        )


def _obeying_min_length(model: Model, sample):
    """The sample without the text values a MIN_LENGTH rule refuses."""
    values, record = dict(sample.deal.values), dict(sample.record)
    for f in model.fields:
        value = values.get(f.key)
        if (
            f.type in TEXT_TYPES
            and f.quality.min_length
            and isinstance(value, str)
            and 0 < len(value) < f.quality.min_length
        ):
            values.pop(f.key)
            record.pop(f.hubspot_name, None)
    return replace(sample, deal=replace(sample.deal, values=values), record=record)


def agreement(model: Model, min_length_data: bool, count: int = COUNT, seed: int = SEED) -> Agreement:
    score = tier = 0
    deals = samples(model, count, seed, hubspot_expressible=False)
    if min_length_data:
        deals = [_obeying_min_length(model, s) for s in deals]
    for s in deals:
        engine = score_deal(model, s.deal)
        hubspot = HubSpotDeal(model, s.record)
        value = None if hubspot["score"] is None else round_half_up(hubspot["score"])
        score += value == engine.score
        tier += hubspot["tier"] == (None if engine.tier is None else TIER_LABELS[engine.tier])
    return Agreement(len(deals), score, tier)
