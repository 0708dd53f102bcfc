"""Rolling gates out in HubSpot: a gate in monitor mode flags the deal and leaves it in its stage, and the
deal still gets the stage's automation; the gate bypass does not exist there, which validate says.

The deal runs through every generated workflow (portal_run.py). HubSpot has no custom permissions, and a
workflow cannot tell which user made the change that enrolled a deal."""

from __future__ import annotations

import pytest
from helpers import EXAMPLE_SPEC
from portal_run import NOW, Portal, deal_record

from handrail.specs.validate import load_spec_text
from handrail.targets.hubspot.limits import check_spec

GOOD = {
    "business_goals": "Cut onboarding from 30 to 10 days for 40 regional teams by the end of June.",
    "stakeholder_map": "Dana Lee (CFO, economic buyer); Sam Ortiz (RevOps, champion); Kim Wu (IT lead).",
    "success_criteria": "TBD",
    "risk_flags": "IT security review must finish before SSO goes live; champion changes role in Q3.",
    "products_scope": "Enterprise plan, SSO add-on, Salesforce integration",
    "key_conversations": "Discount traded for a case study; SSO promised by go-live.",
}


def spec(monitor: bool, bypass: bool = False):
    text = EXAMPLE_SPEC.read_text()
    if monitor:
        text = text.replace(
            "    message: Enterprise handoffs must be Ready (85+) before Closed Won.\n",
            "    message: Enterprise handoffs must be Ready (85+) before Closed Won.\n    mode: monitor\n",
        )
    if bypass:
        text = text.replace("\nenvironments:\n", "\ngate_bypass: {}\n\nenvironments:\n")
    return load_spec_text(text, "handoff.yaml").model


def enterprise_gaps(model) -> Portal:
    """An Enterprise deal with Gaps (success criteria generic, contract and preferences empty), in Commit."""
    record = deal_record(model, GOOD, "500000")
    return Portal(model, record)


@pytest.mark.parametrize("monitor", [True, False], ids=["monitor", "enforce"])
def test_a_monitor_gate_flags_and_the_deal_stays_won(monitor):
    model = spec(monitor)
    portal = enterprise_gaps(model)
    assert portal.record[model.computed_field("tier").hubspot_name] == "Gaps"
    portal.edit(dealstage="closedwon")
    flags = model.computed_field("gate_flags").hubspot_name
    flagged_at = model.computed_field("gate_flagged_at").hubspot_name
    if monitor:
        assert portal.record["dealstage"] == "closedwon"
        assert portal.record[flags] == "enterprise_ready (monitor)" and portal.record[flagged_at] == NOW
        assert "closed-won-handoff" in portal.ran  # the close automation still runs
        assert portal.emails[0]["subject"].startswith("Would have been stopped at Closed Won")
    else:
        assert portal.record["dealstage"] == "contractsent"  # moved back
        assert portal.record.get(flags) is None and "closed-won-handoff" not in portal.ran


def test_the_bypass_is_not_available_in_hubspot_and_validate_says_so():
    model = spec(monitor=False, bypass=True)
    (problem,) = [d for d in check_spec(model) if d.code == "hubspot-no-bypass"]
    assert problem.span == model.gate_bypass.span and "mode: monitor" in problem.hint
    assert not any(d.code == "hubspot-no-bypass" for d in check_spec(spec(monitor=False)))
