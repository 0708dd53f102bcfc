"""`handrail audit --env` against the fake Salesforce org: REST paging, the Bulk API path, retries, errors."""

from __future__ import annotations

import io

from audit_live.compare import assert_same_figures, audit_json, offline_audit
from audit_live.seeding import generated, seed_salesforce

from handrail.generators.audit.source import with_progress
from handrail.generators.data.live import LiveFeed
from handrail.specs.validate import load_spec
from handrail.targets import deal_source
from handrail.targets.salesforce import deals as salesforce_deals


def test_rest_audit_pages_with_query_more_and_matches_the_export(
    org, salesforce_spec, example_model, run_cli, tmp_path
):
    deals = seed_salesforce(org.org, example_model, generated(example_model, 9_000))
    live = audit_json(run_cli, salesforce_spec, "--env", "live")
    offline = offline_audit(run_cli, tmp_path, example_model, salesforce_spec, deals)
    assert_same_figures(live, offline)
    assert live["deals_read"] > 4_000 and live["closed_won"]["deals"] > 3_000, live["deals_read"]
    assert org.count("query") == 2  # COUNT(), then the query itself
    assert org.count("queryMore") == (live["deals_read"] - 1) // 2_000
    assert org.count("bulk2.create") == 0
    soql = next(c for c in org.calls("query") if "Owner.Name" in c.query).query
    assert "CloseDate >= 2025-10-30" in soql and "Handoff_Csm__r.Name" in soql


def test_large_result_goes_through_the_bulk_api(
    org, salesforce_spec, example_model, run_cli, tmp_path, monkeypatch
):
    deals = seed_salesforce(org.org, example_model, generated(example_model, 3_000, seed=11))
    monkeypatch.setenv("HANDRAIL_SALESFORCE_BULK_THRESHOLD", "1000")
    # so that results come in pages (Sforce-Locator)
    monkeypatch.setattr(salesforce_deals, "BULK_PAGE", 1_000)
    org.inject("bulk2.results", status=503)
    live = audit_json(run_cli, salesforce_spec, "--env", "live")
    pages = -(-live["deals_read"] // 1_000)
    assert org.count("bulk2.create") == 1 and org.count("bulk2.status") >= 2
    assert org.count("bulk2.results") == pages + 1  # the 503 was retried
    assert org.count("queryMore") == 0
    assert_same_figures(live, offline_audit(run_cli, tmp_path, example_model, salesforce_spec, deals))


def test_rate_limit_and_server_error_while_paging_are_retried(
    org, salesforce_spec, example_model, run_cli, tmp_path
):
    deals = seed_salesforce(org.org, example_model, generated(example_model, 4_000, seed=3))
    org.inject("queryMore", status=429, retry_after=1)
    org.inject("queryMore", status=500)
    live = audit_json(run_cli, salesforce_spec, "--env", "live", since=None)
    assert [c.status for c in org.calls("queryMore")] == [429, 500, 200]
    assert_same_figures(
        live, offline_audit(run_cli, tmp_path, example_model, salesforce_spec, deals, since=None)
    )


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_progress_counts_against_what_the_org_said_it_will_send(org, salesforce_spec, example_model):
    seed_salesforce(org.org, example_model, generated(example_model, 1_000))
    feed = LiveFeed("live", deal_source)
    terminal = Terminal()
    read = sum(
        1
        for _ in with_progress(
            feed.deals(load_spec(salesforce_spec).model), terminal, every=300, total=lambda: feed.expected
        )
    )
    assert feed.expected == read
    assert terminal.getvalue().startswith(f"\rread 300 of {read:,} deals\rread 600 of {read:,} deals")
    assert terminal.getvalue().endswith(f"\rread {read:,} deals, done\n")
