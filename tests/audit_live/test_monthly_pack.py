"""`handrail audit --env NAME --since 2m --format html`, the monthly review pack, against the fake Salesforce
org and HubSpot portal: the deals closed in the last two months, the alarms, per-AE figures, and each junk
field with its redesign; the same figures as the export of the same deals."""

from __future__ import annotations

import dataclasses
import json
import re
from datetime import date

import pytest
from audit.dealgen import utc
from audit.test_junk_fields import junk_deals
from audit_live.compare import AS_OF
from audit_live.seeding import seed_hubspot, seed_salesforce


def recent_junk() -> list:
    """The junk-field deals closed in March and April 2026, but two closed in January (before the period)."""
    deals = []
    for n, d in enumerate(junk_deals()):
        closed = date(2026, 3 + n % 2, 10 + n % 9) if n >= 2 else date(2026, 1, 15)
        extra = {
            **d.extra,
            "close_date": closed,
            "closed_won_at": utc(closed.year, closed.month, closed.day, 9),
        }
        deals.append(dataclasses.replace(d, owner=f"ae{n % 3}@example.com", extra=extra))
    return deals


@pytest.mark.parametrize("crm", ["salesforce", "hubspot"])
def test_monthly_pack_from_the_crm(crm, request, example_model, run_cli):
    spec = request.getfixturevalue(f"{crm}_spec")
    if crm == "salesforce":
        seed_salesforce(request.getfixturevalue("org").org, example_model, recent_junk())
    else:
        seed_hubspot(request.getfixturevalue("portal").portal, example_model, recent_junk())
    base = ["audit", "--env", "live", "--spec", str(spec), "--as-of", AS_OF, "--since", "2m"]
    code, page, err = run_cli(*base, "--format", "html")
    assert code == 0, err
    code, out, err = run_cli(*base, "--format", "json")
    assert code == 0, err
    report = json.loads(out)
    cw = report["closed_won"]
    assert report["since"] == "2026-02-28" and cw["deals"] == 22  # the two January deals are not in it
    assert page.count('<div class="card">') == 8
    assert f'<strong data-metric="junk_fields">{len(cw["junk_fields"])}</strong>' in page
    rows = dict(re.findall(r'<tr data-junk="([^"]+)" data-suggestion="([^"]+)">', page))
    assert rows["success_criteria"] == "picklist" and rows["communication_prefs"] == "drop_generic_options"
    assert "invoices auto-matched 95% in 60 days (" in page
    assert page.count('<tr data-owner="') == len(cw["by_owner"]) == 3  # per AE
    assert page.count('<tr data-junk-owner="') == len(cw["junk_by_owner"]) == 3
    assert "<h2>By AE (deal owner)</h2>" in page and "Alarms this period" in page
