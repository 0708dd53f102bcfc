"""The playbook's situations on the default spec (sizes x motions), decided the same way by the engine, the
compiled Salesforce before-save flow and validation rules (run by the test interpreters), and the HubSpot
calculated properties (run by the formula interpreter):

- an Enterprise partner deal keeps the Enterprise gates and gets the partner's 72 h first-touch SLA;
- a $150K renewal closes with scope and terms;
- an expansion that fills what it requires is not Blocked;
- a rapid close of the five fields the playbook names scores 100, at any size.
The tier-driven tasks (Gaps: AE follow-up; Blocked: manager notice) are tested in test_tier_automation.py.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from deal_samples import CREATED, DAY
from hubspot_records import HubSpotDeal
from salesforce.flow_cases import type_value
from salesforce.flow_interpreter import Flow, Run
from salesforce.validation_formula import Record, evaluate

from handrail.generators.rules.gates import gate_failures
from handrail.generators.rules.scoring import TIER_LABELS, Deal, score_deal
from handrail.specs.model import NUMBER_TYPES
from handrail.targets.salesforce.score_flow import score_flow
from handrail.targets.salesforce.validation_rules import rule_components
from handrail.targets.salesforce.xml import metadata_xml

TODAY = dt.date(2026, 3, 4)
FILLED = {
    "business_goals": "Cut onboarding time by 40% for 400 agents within 90 days of go-live",
    "stakeholder_map": "Dana Lee (CFO, economic buyer), Sam Roe (VP Ops, champion), Ali Khan (IT lead)",
    "success_criteria": "95% of tickets auto-routed within 60 days of go-live",
    "risk_flags": "Security review pending with their CISO before rollout",
    "products_scope": "Platform Pro, 400 seats, SSO, Salesforce integration",
    "key_conversations": "Committed to a 30-day pilot; 10% discount for a 3-year term",
    "contract_terms": "3 years, renews 2029-03-01, annual billing",
    "communication_prefs": "Weekly call",
    "partner_contact": "Jo Park, jo@partner.example",
    "partner_support_tier": "Co-delivered",
    "csm": "005000000000CSMAAA",
}
FIVE = ("business_goals", "stakeholder_map", "products_scope", "risk_flags", "key_conversations")


def _values(*keys: str, partner: bool = False) -> dict:
    return {**{k: FILLED[k] for k in keys}, "partner_sourced": partner}


SITUATIONS = {
    # name: acv, deal type, cycle days, values, segment, tier, gates failing at Closed Won, first touch (h)
    "enterprise partner, everything filled": (
        500_000,
        "new_business",
        60,
        _values(*FILLED, partner=True),
        "enterprise_channel",
        "ready",
        set(),
        72,
    ),
    "enterprise partner, only Gaps": (
        500_000,
        "new_business",
        60,
        _values(*[k for k in FILLED if k not in ("success_criteria",)], partner=True),
        "enterprise_channel",
        "gaps",
        {"enterprise_ready", "closed_won_not_blocked"},  # Enterprise wants Ready; success criteria required
        72,
    ),
    "renewal of $150K with scope and terms": (
        150_000,
        "renewal",
        200,
        _values("products_scope", "contract_terms"),
        "enterprise_renewal",
        "gaps",
        set(),
        48,
    ),
    "expansion with what it requires": (
        80_000,
        "expansion",
        30,
        _values("products_scope", "contract_terms"),
        "mid_market_expansion",
        "ready",
        set(),
        48,
    ),
    "rapid close of the five, Enterprise size": (
        250_000,
        "new_business",
        7,
        _values(*FIVE, "csm"),
        "enterprise_rapid_close",
        "ready",
        set(),
        48,
    ),
    "rapid close of the five, SMB size": (
        10_000,
        "new_business",
        7,
        _values(*FIVE),
        "smb_rapid_close",
        "ready",
        set(),
        48,
    ),
}


def _deal(model, acv, kind, cycle, values) -> Deal:
    return Deal("d", values, acv=float(acv), deal_type=kind, sales_cycle_days=float(cycle))


def _salesforce(model, acv, kind, cycle, values) -> tuple[dict, list[str]]:
    """The record after the before-save flow, and the validation rules that stop it entering Closed Won."""
    flow = Flow.parse(metadata_xml("Flow", score_flow(model, "Active", "63.0")[0]))
    record = {
        "Amount": Decimal(acv),
        "Type": type_value(model, kind),
        "CloseDate": TODAY + dt.timedelta(days=cycle),
        "CreatedDate": dt.datetime.combine(TODAY, dt.time(9), tzinfo=dt.timezone.utc),
        "StageName": "Closed Won",
        "OwnerId": "005OWNER",
    }
    for f in model.fields:
        value = values.get(f.key)
        record[f.salesforce_name] = (
            bool(value)
            if f.type == "checkbox"
            else Decimal(str(value))
            if f.type in NUMBER_TYPES and value
            else value
        )
    saved = Run(flow, record, today=TODAY, users={}).run().record
    rules = [(c.name, dict(c.pairs)) for c in rule_components(model)]
    prior = dict(saved, StageName="Negotiation/Review")
    fired = [name for name, rule in rules if evaluate(rule["errorConditionFormula"], Record(saved, prior))]
    return saved, fired


def _hubspot(model, acv, kind, cycle, values) -> HubSpotDeal:
    record = {model.deal.acv_hubspot: repr(float(acv))}
    listed = {"expansion": model.deal.expansion_values_hubspot, "renewal": model.deal.renewal_values_hubspot}
    if kind in listed:
        record[model.deal.deal_type_hubspot] = listed[kind][0]
    record.update(createdate=str(CREATED), closedate=str(CREATED + cycle * DAY))
    for f in model.fields:
        value = values.get(f.key)
        if value is not None:
            record[f.hubspot_name] = ("true" if value else "false") if f.type == "checkbox" else str(value)
    return HubSpotDeal(model, record)


@pytest.mark.parametrize("name", SITUATIONS)
def test_the_seed_situations_on_every_engine(example_model, name):
    model = example_model
    acv, kind, cycle, values, segment, tier, gates, first_touch = SITUATIONS[name]
    result = score_deal(model, _deal(model, acv, kind, cycle, values))
    won = next(s for s in model.stages if s.closed_won)
    assert (result.segment, result.tier) == (segment, tier), result
    assert {
        f.gate.key for f in gate_failures(model, _deal(model, acv, kind, cycle, values), result, won.key)
    } == gates
    assert model.segment(segment).sla.first_touch_hours == first_touch
    c = model.computed_field
    saved, fired = _salesforce(model, acv, kind, cycle, values)
    assert (saved[c("segment").salesforce_name], saved[c("tier").salesforce_name]) == (
        segment,
        TIER_LABELS[tier],
    )
    assert Decimal(saved[c("score").salesforce_name]) == Decimal(repr(result.score))
    named = {rule.split("_", 1)[1].lower() for rule in fired}  # Handoff_Gate_<Key> -> gate_<key>
    assert {g for g in gates if not any(g in n for n in named)} == set(), (fired, gates)
    assert bool(fired) == bool(gates), fired
    hubspot = _hubspot(model, acv, kind, cycle, values)
    assert (hubspot["segment"], hubspot["tier"]) == (segment, TIER_LABELS[tier])


def test_enterprise_gates_cover_the_enterprise_partner_and_rapid_close_deals_not_renewals(example_model):
    gates = {g.key: set(g.segments) for g in example_model.gates}
    assert {"enterprise", "enterprise_channel", "enterprise_rapid_close"} == gates["enterprise_ready"]
    assert (
        "enterprise_renewal" not in gates["enterprise_csm"]
        and "enterprise_channel" in gates["enterprise_csm"]
    )
    assert "enterprise_renewal" in gates["closed_won_not_blocked"]
