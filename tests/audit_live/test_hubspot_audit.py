"""`handrail audit --env` against the fake HubSpot portal: search paging, createdate windows past the
10,000-result cap, retries, errors."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from itertools import islice

from audit_live.compare import assert_same_figures, audit_json, offline_audit
from audit_live.seeding import define_properties, generated, hubspot_time, seed_hubspot

from handrail.generators.data.live import LiveFeed
from handrail.specs.validate import load_spec
from handrail.targets import deal_source


def searches(portal) -> list[dict]:
    return [json.loads(c.body) for c in portal.calls("search")]


def window_filters(body: dict) -> list[tuple[str, str]]:
    return sorted(
        {
            (f["operator"], f["value"])
            for g in body["filterGroups"]
            for f in g["filters"]
            if f["propertyName"] == "createdate"
        }
    )


def test_search_audit_matches_the_export(portal, hubspot_spec, example_model, run_cli, tmp_path):
    deals = seed_hubspot(portal.portal, example_model, generated(example_model, 3_000))
    live = audit_json(run_cli, hubspot_spec, "--env", "live")
    assert_same_figures(live, offline_audit(run_cli, tmp_path, example_model, hubspot_spec, deals))
    pages = -(-live["deals_read"] // 200)
    assert portal.count("search") == pages and portal.count("owners.list") == 1
    first = searches(portal)[0]
    assert first["limit"] == 200 and first["sorts"] == ["hs_object_id"] and "after" not in first
    assert {f["propertyName"] for g in first["filterGroups"] for f in g["filters"]} == {
        "dealstage",
        "closedate",
    }
    assert {"handoff_business_goals", "handoff_closed_won_at", "amount_in_home_currency", "dealtype"} <= set(
        first["properties"]
    )


def test_more_than_ten_thousand_deals_are_read_in_createdate_windows(
    portal, hubspot_spec, example_model, run_cli
):
    define_properties(portal.portal, example_model)
    start = datetime(2025, 5, 1, tzinfo=timezone.utc)
    ids = portal.portal.add_deals(
        {
            "dealname": f"Customer {i}",
            "dealstage": "closedwon",
            "amount": 30_000,
            "closedate": hubspot_time(start + timedelta(days=i % 360)),
            "createdate": hubspot_time(start + timedelta(minutes=37 * i)),
        }
        for i in range(12_000)
    )
    report = audit_json(run_cli, hubspot_spec, "--env", "live", since=None)
    assert report["deals_read"] == report["closed_won"]["deals"] == 12_000
    bodies = searches(portal)
    assert all(int(b.get("after", 0)) < 10_000 for b in bodies)
    assert all(c.status == 200 for c in portal.calls("search"))
    windows = {tuple(window_filters(b)) for b in bodies if window_filters(b) and b["limit"] == 200}
    assert len(windows) >= 2  # split until each window holds at most 10,000
    portal.clear_log()
    fetched = [d.id for d in LiveFeed("live", deal_source).deals(load_spec(hubspot_spec).model)]
    assert len(fetched) == len(set(fetched)) == 12_000 and set(fetched) == set(ids)


def test_rate_limit_and_server_error_while_paging_are_retried(portal, hubspot_spec, example_model):
    seeded = seed_hubspot(portal.portal, example_model, generated(example_model, 1_500, seed=5))
    deals = LiveFeed("live", deal_source).deals(load_spec(hubspot_spec).model)
    fetched = [d.id for d in islice(deals, 400)]  # two pages read
    portal.inject("search", status=429, retry_after=1)
    portal.inject("search", status=500)
    fetched += [d.id for d in deals]
    audited = {d.id for d in seeded if d.stage in ("closed_won", "negotiation", "commit")}
    assert len(fetched) == len(set(fetched)) and set(fetched) == audited
    assert [c.status for c in portal.calls("search")][2:5] == [429, 500, 200]


def test_a_portal_without_the_spec_properties_is_told_to_apply_first(portal, hubspot_spec, run_cli):
    code, _, err = run_cli("audit", "--env", "live", "--spec", str(hubspot_spec))
    assert code == 1
    assert (
        "environment 'live': the HubSpot portal's deals lacks 29 field(s) the spec names: "
        "handoff_business_goals" in err
    )
    assert "hint: apply the spec there first: handrail plan --env live" in err
    assert portal.count("search") == 0
