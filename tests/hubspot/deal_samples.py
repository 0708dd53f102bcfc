"""Seeded deals, each in two forms: the scoring engine's Deal and the HubSpot record (API strings).

Values cover every field type, every generic rule the spec declares, empty values and the segment
boundaries. `hubspot_expressible=False` adds the spellings HubSpot cannot catch (odd case, padding,
whitespace-only), for the tests that document that difference.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import date, datetime, timezone
from typing import Any

from handrail.generators.rules.scoring import Deal
from handrail.specs.model import TEXT_TYPES, Field, Model

CREATED = 1_767_225_600_000  # 2026-01-01T00:00:00Z
DAY = 86_400_000
AMOUNTS = (
    None,
    0,
    0.5,
    1,
    999,
    1000,
    1000.01,
    24999.99,
    25000,
    49999.99,
    50000,
    50000.01,
    99999.99,
    100000,
    100000.01,
    250000,
)
CYCLE_DAYS = (None, 0, 6, 7, 8, 13, 14, 15, 60)
SPECIFIC = "Cut onboarding from 90 to 30 days for 400 field agents by the end of Q3"
SHORT = "Pilot Q3"


@dataclass(frozen=True)
class Sample:
    deal: Deal
    record: dict[str, str]  # HubSpot property name -> value as the API returns it


def variants(phrase: str) -> list[str]:
    return list(dict.fromkeys([phrase, phrase.upper(), phrase.capitalize(), phrase.title()]))


def text_values(f: Field, hubspot_expressible: bool) -> list[Any]:
    q = f.quality
    out: list[Any] = [None, "", SPECIFIC, SPECIFIC, SHORT]
    out += [v for p in q.filler_phrases for v in variants(p)]
    out += [f"Scope is {v} until legal review" for p in q.generic_if_contains for v in variants(p)]
    if not hubspot_expressible:
        out += ["   "] + [f" {p} " for p in q.filler_phrases] + [_odd_case(p) for p in q.filler_phrases]
    return out


def _odd_case(phrase: str) -> str:
    return "".join(c.upper() if i % 2 else c.lower() for i, c in enumerate(phrase))


def _epoch(day: date) -> str:
    return str(int(datetime(day.year, day.month, day.day, tzinfo=timezone.utc).timestamp() * 1000))


def field_value(
    rng: random.Random, f: Field, hubspot_expressible: bool, strong: bool
) -> tuple[Any, str | None]:
    """(engine value, HubSpot value); a strong deal fills every field with a specific value."""
    if strong:
        return _strong_value(f)
    if f.type in TEXT_TYPES:
        value = rng.choice(text_values(f, hubspot_expressible))
        return value, value
    if rng.random() < 0.25:
        return None, None
    if f.type == "picklist":
        value = rng.choice([o.value for o in f.options])
        return value, value
    if f.type == "multi_select":
        chosen = [o.value for o in f.options if rng.random() < 0.4] or [rng.choice(f.options).value]
        return chosen, ";".join(chosen)
    if f.type in ("number", "currency", "percent"):
        value = rng.choice([0.0, 12.5, 400.0])
        return value, repr(value)
    if f.type in ("date", "datetime"):
        day = date(2026, 3, rng.randint(1, 28))
        return day.isoformat(), _epoch(day)
    if f.type == "checkbox":
        value = rng.choice([True, False])
        return value, "true" if value else "false"
    if f.type == "user":
        return "u-12345", "12345"
    raise AssertionError(f.type)


def _strong_value(f: Field) -> tuple[Any, str]:
    if f.type in TEXT_TYPES:
        return SPECIFIC, SPECIFIC
    if f.type in ("picklist", "multi_select"):
        value = next((o.value for o in f.options if not o.generic), f.options[0].value)
        return (value if f.type == "picklist" else [value]), value
    if f.type in ("number", "currency", "percent"):
        return 10.0, "10.0"
    if f.type in ("date", "datetime"):
        return "2026-03-02", _epoch(date(2026, 3, 2))
    if f.type == "checkbox":
        return True, "true"
    return "u-12345", "12345"


def sample(rng: random.Random, model: Model, n: int, hubspot_expressible: bool = True) -> Sample:
    values, record = {}, {}
    strong = rng.random() < 0.2
    partner = model.partner_field
    for f in model.fields:
        engine, hubspot = field_value(rng, f, hubspot_expressible, strong and f != partner)
        if engine is not None:
            values[f.key] = engine
        if hubspot is not None:
            record[f.hubspot_name] = hubspot
    amount = rng.choice(AMOUNTS)
    kinds = model.deal.expansion_values_hubspot + model.deal.renewal_values_hubspot
    deal_type = rng.choice([None, "newbusiness", *kinds])
    cycle = rng.choice(CYCLE_DAYS)
    if amount is not None:
        record[model.deal.acv_hubspot] = repr(float(amount))
    if deal_type is not None:
        record[model.deal.deal_type_hubspot] = deal_type
    if cycle is not None:
        record.update(createdate=str(CREATED), closedate=str(CREATED + cycle * DAY))
    elif rng.random() < 0.5:
        record["createdate"] = str(CREATED)
    deal = Deal(
        id=f"deal-{n}",
        values=values,
        acv=None if amount is None else float(amount),
        deal_type=(
            "expansion"
            if deal_type in model.deal.expansion_values_hubspot
            else "renewal"
            if deal_type in model.deal.renewal_values_hubspot
            else "new_business"
        ),
        sales_cycle_days=None if cycle is None else float(cycle),
        contact_roles=contact_roles(rng, model, strong, record),
    )
    return Sample(deal, record)


OTHER_ROLES = ("Influencer", "Evaluator", "Technical Buyer")


def contact_roles(rng: random.Random, model: Model, strong: bool, record: dict) -> tuple[str, ...]:
    """For a spec with contact-based fields: 0 to 5 contacts, every one with a role, the required roles
    first (so a count that reaches the rule's minimum and its roles has them all: what HubSpot's count
    can tell); num_associated_contacts in the record. No rng draws for other specs."""
    rules = [f.contacts for f in model.fields if f.contacts]
    if not rules:
        return ()
    required = list(dict.fromkeys(r for rule in rules for r in rule.roles))
    count = 5 if strong else rng.randint(0, 5)
    roles = (required + [rng.choice(OTHER_ROLES) for _ in range(count)])[:count]
    if count or rng.random() < 0.5:
        record["num_associated_contacts"] = str(count)
    return tuple(roles)


def samples(model: Model, count: int, seed: int, hubspot_expressible: bool = True) -> list[Sample]:
    rng = random.Random(seed)
    return [sample(rng, model, n, hubspot_expressible) for n in range(count)]


def without_min_length(model: Model) -> Model:
    """The engine's rules minus the one HubSpot formulas cannot express."""
    return replace(
        model, fields=tuple(replace(f, quality=replace(f.quality, min_length=0)) for f in model.fields)
    )


def property_types(model: Model, properties: dict[str, dict]) -> dict[str, str]:
    """Every property the formulas may read, with its HubSpot type."""
    types = {name: body["type"] for name, body in properties.items()}
    types.update(
        {
            model.deal.acv_hubspot: "number",
            model.deal.deal_type_hubspot: "enumeration",
            "createdate": "datetime",
            "closedate": "datetime",
            "num_associated_contacts": "number",
            "pipeline": "enumeration",  # the deal's pipeline id, read by segments naming pipelines
        }
    )
    return types
