"""Rolling gates out in Salesforce: a gate in monitor mode flags the deal instead of refusing the save, and
holders of the gate bypass (integration users, admins) pass every enforced gate, their passes flagged.

Saves run as the org runs them (save_harness.py): the generated before-save flow, then the generated
validation rules, with the running user's custom permissions as $Permission reads them in both (Salesforce
Help, "$Permission": a global variable that is TRUE when the user holds the custom permission, available
in validation rules and flow formulas).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest
from helpers import EXAMPLE_SPEC
from salesforce.save_harness import Org, new_deal

from handrail.specs.validate import load_spec_text
from handrail.targets.salesforce.render import render

NOW = dt.datetime(2026, 3, 4, 15, 30, tzinfo=dt.timezone.utc)
BYPASS = "Handoff_Gate_Bypass"


def spec_text(monitor: bool = True, bypass: bool = True) -> str:
    text = EXAMPLE_SPEC.read_text()
    if monitor:
        text = text.replace(
            "    message: Enterprise handoffs must be Ready (85+) before Closed Won.\n",
            "    message: Enterprise handoffs must be Ready (85+) before Closed Won.\n    mode: monitor\n",
        )
    if bypass:
        text = text.replace("\nenvironments:\n", "\ngate_bypass: {}\n\nenvironments:\n")
    return text


@pytest.fixture(scope="module")
def model():
    return load_spec_text(spec_text(), "handoff.yaml").model


def enterprise(model, **generic) -> dict:
    """An Enterprise deal in Negotiation with a CSM; `generic` fields hold filler, contract and
    communication preferences are empty."""
    f = model.field
    deal = new_deal(model)
    deal.update(
        {
            "Amount": Decimal(500000),
            "StageName": "Negotiation/Review",
            f("contract_terms").salesforce_name: None,
            f("communication_prefs").salesforce_name: None,
            **{f(k).salesforce_name: "TBD" for k in generic},
        }
    )
    return deal


def flags(model, org) -> tuple[str | None, dt.datetime | None]:
    c = model.computed_field
    return org.record[c("gate_flags").salesforce_name], org.record[c("gate_flagged_at").salesforce_name]


def test_a_monitor_gate_flags_the_deal_and_saves(model):
    org = Org(model)
    assert org.save(NOW - dt.timedelta(days=2), **enterprise(model, success_criteria=1)) == []
    assert org.record[model.computed_field("tier").salesforce_name] == "Gaps"
    assert flags(model, org) == (None, None)  # entering Negotiation fails no gate
    assert org.save(NOW, StageName="Closed Won") == []  # enterprise_ready wants Ready: flagged, not refused
    assert org.record["StageName"] == "Closed Won"
    assert flags(model, org) == ("enterprise_ready (monitor)", NOW)
    later = NOW + dt.timedelta(hours=1)
    assert org.save(later, Description="a later edit") == []  # not a stage change: nothing new to flag
    assert flags(model, org) == ("enterprise_ready (monitor)", NOW)


def test_the_same_gate_enforced_refuses_the_save():
    enforced = load_spec_text(spec_text(monitor=False), "handoff.yaml").model
    org = Org(enforced)
    org.save(NOW - dt.timedelta(days=2), **enterprise(enforced, success_criteria=1))
    errors = org.save(NOW, StageName="Closed Won")
    assert len(errors) == 1 and errors[0].startswith("Enterprise handoffs must be Ready (85+)")
    assert org.record["StageName"] == "Negotiation/Review"


def test_an_integration_user_passes_with_the_bypass_and_is_stopped_without_it(model):
    blocked = enterprise(model, business_goals=1, stakeholder_map=1, success_criteria=1, risk_flags=1)
    org = Org(model)
    org.save(NOW - dt.timedelta(days=2), **blocked)
    assert org.record[model.computed_field("tier").salesforce_name] == "Blocked"
    errors = org.save(NOW, StageName="Closed Won")  # a sync user without the permission
    assert len(errors) == 1 and errors[0].startswith("The handoff is not ready for Closed Won.")
    assert org.record["StageName"] == "Negotiation/Review" and flags(model, org) == (None, None)
    assert org.save(NOW, frozenset({BYPASS}), StageName="Closed Won") == []  # the same update, holding it
    assert org.record["StageName"] == "Closed Won"
    assert flags(model, org) == ("closed_won_not_blocked (bypassed); enterprise_ready (monitor)", NOW)


def test_a_bypass_holder_who_meets_the_gates_is_not_flagged(model):
    org = Org(model)
    ready = new_deal(model)
    org.save(
        NOW - dt.timedelta(days=2), **dict(ready, Amount=Decimal(500000), StageName="Negotiation/Review")
    )
    assert org.save(NOW, frozenset({BYPASS}), StageName="Closed Won") == []
    assert flags(model, org) == (None, None)


def test_the_bypass_is_a_custom_permission_granted_by_a_permission_set_and_checked_by_each_rule(model):
    desired = render(model, {})
    kinds = {(r.kind, r.key) for r in desired.resources}
    assert ("CustomPermission", BYPASS) in kinds and ("PermissionSet", "Handoff_Gate_Bypass") in kinds
    rules = {r.key: r for r in desired.resources if r.kind == "ValidationRule"}
    assert "Opportunity.Handoff_Gate_Enterprise_Ready" not in rules  # monitor: the flow flags instead
    gate_rules = [k for k in rules if "_Gate_" in k]
    assert gate_rules and all(f"NOT($Permission.{BYPASS})" in str(rules[k].body) for k in gate_rules)
    without = render(dataclasses.replace(model, gate_bypass=None), {})
    assert not any(r.kind == "CustomPermission" for r in without.resources)
    assert not any("$Permission" in str(r.body) for r in without.resources if r.kind == "ValidationRule")


def test_bypass_holders_are_listed_per_environment_and_need_the_bypass(run_cli, tmp_path):
    text = spec_text(bypass=False).replace(
        "  sandbox:\n    target: salesforce\n",
        "  sandbox:\n    target: salesforce\n    permission_sets: {bypass: [sync@acme.com]}\n",
    )
    path = tmp_path / "handoff.yaml"
    path.write_text(text)
    code, _, err = run_cli("validate", str(path))
    line = text[: text.index("sync@acme.com")].count("\n") + 1
    assert code == 3 and "no gate_bypass" in err and f"{path}:{line}:" in err
    path.write_text(text.replace("\nenvironments:\n", "\ngate_bypass: {}\n\nenvironments:\n"))
    assert run_cli("validate", str(path))[0] == 0
