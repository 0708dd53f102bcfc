"""Seeded random specs and deals, and the flow's and the engine's verdicts on them, for the parity tests."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from decimal import Decimal

from salesforce.flow_interpreter import Flow, Run

from handrail.generators.rules.scoring import TIER_LABELS, Deal, score_deal, summary
from handrail.specs.computed import computed_fields
from handrail.specs.model import (
    NUMBER_TYPES,
    TEXT_TYPES,
    Automation,
    DealSource,
    Field,
    Match,
    Model,
    Option,
    Quality,
    Range,
    Segment,
    Sla,
    Tiers,
)
from handrail.specs.naming import salesforce_field_name
from handrail.targets.salesforce.score_flow import score_flow
from handrail.targets.salesforce.xml import metadata_xml

TODAY = dt.date(2026, 3, 4)  # a Wednesday
FILLERS = ("tbd", "n/a", "none", "see notes", "improve efficiency", "-", "same as above")
CONTAINS = ("to be confirmed", "lorem", "tbc")
WHITESPACE = (" ", "  ", "\t", "\n", " \r\n")
ACV_BOUNDS = (0, 10000, 25000, 50000, 100000, 250000)
CYCLE_BOUNDS = (0, 7, 14, 30, 90)
TYPES = (
    "short_text",
    "long_text",
    "picklist",
    "multi_select",
    "number",
    "currency",
    "percent",
    "date",
    "datetime",
    "checkbox",
    "user",
)
EXPANSION = ("Existing Customer - Upgrade", "Existing Customer - Replacement")


def compile_flow(model: Model) -> Flow:
    pairs, problems = score_flow(model, "Active", "63.0")
    assert problems == []
    return Flow.parse(metadata_xml("Flow", pairs))


# --- random specs --------------------------------------------------------------------------------


def random_field(rng: random.Random, i: int, ftype: str) -> Field:
    key = f"f{i}_{ftype}"
    options: tuple[Option, ...] = ()
    quality = Quality()
    if ftype in TEXT_TYPES:
        quality = Quality(
            min_length=rng.choice((0, 5, 20, 40)),
            filler_phrases=tuple(rng.sample(FILLERS, rng.randint(0, 4))),
            generic_if_contains=tuple(rng.sample(CONTAINS, rng.randint(0, 2))),
        )
    if ftype in ("picklist", "multi_select"):
        count = rng.randint(1, 5)
        mode = rng.choice(("none", "some", "all"))
        options = tuple(
            Option(
                f"Opt {i}.{n}" if n else "Other",
                f"Option {n}",
                generic=(mode == "all" or (mode == "some" and n == 0)),
            )
            for n in range(count)
        )
    label = rng.choice((f"Field {i}", f'Field "{i}" & <co>', f"Field {i} \\ back", f"Feld {i} ünïcode"))
    return Field(
        key=key,
        label=label,
        type=ftype,
        section="other",
        weight=rng.choice((None, 1, 2, 3)),
        help="",
        description="",
        quality=quality,
        options=options,
        salesforce_name=salesforce_field_name("Hr", key),
    )


def random_range(rng: random.Random, bounds: tuple[int, ...]) -> Range:
    low, high = sorted(rng.sample(bounds, 2))
    kind = rng.choice(("gte_lt", "gt_lte", "lt", "gte"))
    if kind == "gte_lt":
        return Range(gte=low, lt=high)
    if kind == "gt_lte":
        return Range(gt=low, lte=high)
    return Range(lt=high) if kind == "lt" else Range(gte=low)


def random_match(rng: random.Random) -> Match:
    """A rule with at least one condition."""
    match = Match()
    while not match.dimensions:
        match = _maybe_match(rng)
    return match


def _maybe_match(rng: random.Random) -> Match:
    return Match(
        acv=random_range(rng, ACV_BOUNDS) if rng.random() < 0.6 else None,
        deal_type=rng.choice((None, None, "expansion", "new_business", "renewal")),
        partner_sourced=rng.choice((None, None, True, False)),
        sales_cycle_days=random_range(rng, CYCLE_BOUNDS) if rng.random() < 0.3 else None,
    )


def random_model(seed: int, base: Model) -> Model:
    rng = random.Random(seed)
    fields = [
        random_field(rng, i, t)
        for i, t in enumerate(rng.sample(TYPES, len(TYPES)) + list(rng.choices(TYPES, k=rng.randint(0, 6))))
    ]
    fields.append(
        Field(
            key="partner",
            label="Partner",
            type="checkbox",
            section="other",
            weight=None,
            help="",
            description="",
            quality=Quality(),
            salesforce_name="Hr_Partner__c",
        )
    )
    weighted = [f.key for f in fields if f.weight]
    segments = []
    for n in range(rng.randint(1, 4)):
        last = n == 3 or rng.random() < 0.3
        scored = tuple(k for k in weighted if rng.random() < 0.7)
        required = tuple(f.key for f in fields if rng.random() < 0.3)
        segments.append(
            Segment(
                key=f"seg_{n}",
                label=f"Segment {n}",
                description="",
                match=Match() if last else random_match(rng),
                motion="structured",
                required_fields=required,
                scored_fields=scored,
                csm_required_by=None,
                sla=Sla(),
            )
        )
        if last:
            break
    ready = rng.choice((70, 80, 85, 90.5))
    deal = DealSource(
        expansion_values_salesforce=EXPANSION[: rng.randint(0, 2)],
        renewal_values_salesforce=("Renewal",),
        partner_field="partner" if rng.random() < 0.8 else None,
    )
    return dataclasses.replace(
        base,
        name=f"Random {seed}",
        fields=tuple(fields),
        segments=tuple(segments),
        tiers=Tiers(ready=ready, gaps=rng.choice((40, 59.5, 60))),
        deal=deal,
        gates=(),
        automation=Automation(),
        computed=computed_fields(base.naming, tuple(segments)),
    )


# --- random deals --------------------------------------------------------------------------------


def random_text(rng: random.Random, f: Field):
    q = f.quality
    pad = lambda text: rng.choice(("",) + WHITESPACE) + text + rng.choice(("",) + WHITESPACE)  # noqa: E731
    kind = rng.choice(("none", "blank", "filler", "contains", "short", "exact", "long", "long"))
    if kind == "none":
        return None
    if kind == "blank":
        return rng.choice(WHITESPACE)
    if kind == "filler":
        phrase = rng.choice(q.filler_phrases or FILLERS)
        return pad(rng.choice((phrase, phrase.upper(), phrase.title())))
    if kind == "contains":
        phrase = rng.choice(q.generic_if_contains or CONTAINS)
        return pad(f"Goals are {phrase.upper() if rng.random() < 0.3 else phrase} for the rollout in Q3")
    if kind == "short":
        return pad("x" * rng.randint(1, max(1, q.min_length - 1)))
    if kind == "exact":
        return pad("y" * max(1, q.min_length))
    return pad("Cut onboarding time from 30 to 10 days\nfor 40 regional teams by June.")


def random_value(rng: random.Random, f: Field):
    if f.type in TEXT_TYPES:
        return random_text(rng, f)
    if rng.random() < 0.25:
        return None
    if f.type == "picklist":
        return rng.choice(f.options).value
    if f.type == "multi_select":
        return ";".join(o.value for o in rng.sample(f.options, rng.randint(1, len(f.options))))
    if f.type in NUMBER_TYPES:
        return rng.choice((0.0, 1.0, 12.5, 99999.99))
    if f.type == "date":
        return TODAY
    if f.type == "datetime":
        return dt.datetime(2026, 1, 2, 3, 4, tzinfo=dt.timezone.utc)
    if f.type == "checkbox":
        return rng.random() < 0.5
    return "005000000000001AAA"  # user


def random_deal(rng: random.Random, model: Model, n: int) -> tuple[Deal, dict]:
    """An engine Deal and the Opportunity record the flow sees, with the same facts."""
    values = {f.key: random_value(rng, f) for f in model.fields}
    acv = rng.choice((None, *[b + d for b in ACV_BOUNDS for d in (-0.01, 0, 0.01)]))
    kind = rng.random()
    deal_type_value = (
        rng.choice(model.deal.expansion_values_salesforce or ("New Customer",))
        if kind < 0.3
        else rng.choice(model.deal.renewal_values_salesforce or ("New Customer",))
        if kind < 0.5
        else rng.choice((None, "New Customer"))
    )
    deal_type = (
        "expansion"
        if deal_type_value in model.deal.expansion_values_salesforce
        else "renewal"
        if deal_type_value in model.deal.renewal_values_salesforce
        else "new_business"
    )
    cycle = rng.choice([b + d for b in CYCLE_BOUNDS for d in (-1, 0, 1)])
    close = TODAY + dt.timedelta(days=cycle)
    inserting = rng.random() < 0.3  # CreatedDate is blank while a deal is being inserted
    created_at = (
        None
        if inserting
        else dt.datetime.combine(TODAY, dt.time(rng.choice((0, 12, 23))), tzinfo=dt.timezone.utc)
    )
    if created_at is not None and rng.random() < 0.5:  # created earlier: the cycle counts from then
        created_at -= dt.timedelta(days=rng.choice((3, 20)))
    cycle_days = (close - (created_at.date() if created_at else TODAY)).days
    record = {
        "Amount": None if acv is None else Decimal(str(acv)),
        "Type": deal_type_value,
        "CloseDate": close,
        "CreatedDate": created_at,
        "StageName": "Prospecting",
    }
    for f in model.fields:
        value = values[f.key]
        if f.type in NUMBER_TYPES and value is not None:
            value = Decimal(str(value))
        if f.type == "checkbox":
            value = bool(value)
        record[f.salesforce_name] = value
    deal = Deal(id=str(n), values=values, acv=acv, deal_type=deal_type, sales_cycle_days=cycle_days)
    return deal, record


def flow_result(flow: Flow, record: dict, model: Model) -> dict:
    out = Run(flow, dict(record), today=TODAY).run().record
    c = model.computed_field
    return {
        k: out.get(c(k).salesforce_name)
        for k in ("segment", "score", "completeness", "tier", "missing_summary")
    }


def engine_result(model: Model, deal: Deal) -> dict:
    result = score_deal(model, deal)
    return {
        "segment": result.segment,
        "score": None if result.score is None else Decimal(repr(result.score)),
        "completeness": Decimal(repr(result.completeness)),
        "tier": TIER_LABELS[result.tier] if result.tier else None,
        "missing_summary": summary(model, result) or None,
    }


def normalized(result: dict) -> dict:
    out = dict(result)
    for key in ("score", "completeness"):
        out[key] = None if out[key] is None else Decimal(out[key]).normalize()
    out["missing_summary"] = out["missing_summary"] or None
    return out


def type_value(model: Model, deal_type: str) -> str | None:
    """The Opportunity Type value that makes a deal of `deal_type` (None: new business)."""
    listed = {
        "expansion": model.deal.expansion_values_salesforce,
        "renewal": model.deal.renewal_values_salesforce,
    }.get(deal_type)
    return listed[0] if listed else None
