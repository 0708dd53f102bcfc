"""`handrail plan` against the fake portal says what its changes do: the open deals a raised gate would stop
(CRM search, https://developers.hubspot.com/docs/api-reference/crm-search-v3/guide, then the Python
engine), deals holding a removed option, and the workflows and calculated properties that use a retired
property (HubSpot refuses to archive a property a workflow uses:
https://knowledge.hubspot.com/properties/delete-or-restore-properties).
"""

from __future__ import annotations

import json
from collections import Counter

import pytest
from audit_live.seeding import generated, seed_hubspot
from plan.live import HUBSPOT_ENV, args, edit, live_spec

from handrail.generators.rules.gates import applicable_gates, gate_failure_reasons
from handrail.generators.rules.scoring import score_deal
from handrail.specs.validate import load_spec

PEOPLE = {
    "cs-pool@example.com": "Pool",
    "cs-manager@example.com": "Manager",
    "cs-lead@example.com": "Lead",
    "sales-lead@example.com": "Sales",
}
ENV = (
    HUBSPOT_ENV
    + "    csm_manager_email: cs-lead@example.com\n    owner_manager_email: sales-lead@example.com\n"
)


@pytest.fixture
def spec(tmp_path, portal, monkeypatch):
    monkeypatch.setenv("HANDRAIL_HUBSPOT_TIMEOUT", "30")  # a shared, loaded machine can be slow
    for email, last in PEOPLE.items():  # the people the spec assigns, as portal owners
        portal.portal.add_owner(email, "Casey", last)
    return live_spec(tmp_path, ENV)


def seed(portal, model, n: int = 150):
    """Generated deals across stages, segments and owners, stored as the portal holds them; the
    properties keep the types apply gave them."""
    kept = {k: dict(v) for k, v in portal.properties["deals"].items()}
    deals = seed_hubspot(portal, model, generated(model, n, seed=13))
    portal.properties["deals"].clear()
    portal.properties["deals"].update(kept)
    return deals


def hand_count(model, deals, gate_key: str) -> tuple[int, Counter]:
    gate = next(g for g in model.gates if g.key == gate_key)
    owners = Counter()
    for deal in deals:
        stage = model.stage(deal.stage)
        if stage.closed_won or stage.closed_lost:
            continue
        result = score_deal(model, deal)
        if gate in applicable_gates(model, gate.stage, result.segment) and gate_failure_reasons(
            model, gate, deal, result
        ):
            owners[deal.owner] += 1
    return sum(owners.values()), owners


def test_raising_a_gate_shows_the_open_deals_it_would_stop(portal, spec, run_cli):
    code, out, err = run_cli(*args(spec, "apply"))
    assert code == 0, out + err
    deals = seed(portal.portal, load_spec(spec).model)
    edit(spec, "require: {min_tier: ready}", "require: {min_score: 90}")
    total, owners = hand_count(load_spec(spec).model, deals, "enterprise_ready")
    assert total > 3

    code, out, err = run_cli(*args(spec, "plan", "--json"))
    assert code == 0, err
    change = next(c for c in json.loads(out)["changes"] if c["key"] == "gate-enterprise_ready")
    note = next(n for n in change["notes"] if n["kind"] == "impact")
    assert note["open_deals"] == total and note["by_owner"] == dict(owners)
    assert "Python engine" in note["how"]

    text = run_cli(*args(spec, "plan"))[1]
    assert f"> impact: raises gate 'enterprise_ready' 85 → 90: {total} open deals would be stopped" in text
    markdown = run_cli(*args(spec, "plan", "--format", "markdown"))[1]
    assert f"**impact:** raises gate 'enterprise_ready' 85 → 90: {total} open deals" in markdown

    portal.clear_log()
    assert run_cli(*args(spec, "plan", "--no-impact"))[0] == 0
    assert portal.count("search") == 0


def test_a_workflow_using_a_retired_property_is_named(portal, spec, run_cli):
    assert run_cli(*args(spec, "apply"))[0] == 0
    fee = "handoff_onboarding_fee"
    # someone's own workflow, shaped as HubSpot returns one, whose filters read the fee
    gate = next(
        f
        for f in portal.portal.flows.values()
        if f["customProperties"].get("handrail_key") == "gate-enterprise_ready"
    )
    mine = json.loads(json.dumps(gate).replace('"handoff_score"', f'"{fee}"'))
    mine.update(id="900001", name="Billing sync", customProperties={})
    mine.pop("uuid", None)
    portal.portal.flows["900001"] = mine
    text = spec.read_text()
    start, end = text.index("  - key: onboarding_fee"), text.index("  - key: target_go_live")
    spec.write_text(text[:start] + text[end:] + "\nretired:\n  fields: [onboarding_fee]\n")
    code, out, err = run_cli(*args(spec, "plan", "--json"))
    assert code == 0, err
    change = next(c for c in json.loads(out)["changes"] if c["key"] == fee)
    note = next(n for n in change["notes"] if n["kind"] == "dependency")
    assert note["used_by"] == ["workflow 'Billing sync'"] and note["archive_refused"] is True
    assert "HubSpot refuses to archive a property a workflow uses" in note["text"]


def test_removed_options_list_the_deals_holding_them(portal, spec, run_cli):
    assert run_cli(*args(spec, "apply"))[0] == 0
    prefs = "handoff_communication_prefs"
    held = portal.portal.add_deals(
        [{"dealname": "a", prefs: "Email updates"}, {"dealname": "b", prefs: "Email updates"}]
    )
    portal.portal.add_deals([{"dealname": "c", prefs: "Weekly call"}, {"dealname": "d"}])
    edit(spec, "      - Email updates\n", "")
    code, out, err = run_cli(*args(spec, "plan", "--json"))
    assert code == 0, err
    change = next(c for c in json.loads(out)["changes"] if c["key"] == prefs)
    note = next(n for n in change["notes"] if n["kind"] == "narrowing")
    assert note["ids"] == sorted(held) and note["why"] == "options Email updates removed"
