"""Live audits of a HubSpot portal with several currencies: the example spec reads the ACV from
amount_in_home_currency (HubSpot's amount in the company currency), so a deal priced in another currency
lands in the segment of its converted amount."""

from __future__ import annotations

import dataclasses

from audit_live.compare import assert_same_figures, audit_json, offline_audit
from audit_live.seeding import generated, seed_hubspot

RATES = {"EUR": 0.8, "GBP": 0.5}  # 1 USD, the company currency, in each


def test_audit_reads_the_amount_in_the_company_currency(
    portal, hubspot_spec, example_model, run_cli, tmp_path
):
    assert example_model.deal.acv_hubspot == "amount_in_home_currency"
    portal.portal.set_currencies("USD", RATES)
    deals = seed_hubspot(portal.portal, example_model, generated(example_model, 400, seed=5))
    local = []
    for i, deal in enumerate(deals):  # every other deal priced in EUR or GBP, worth the same in USD
        record = portal.portal.records["deals"][deal.id]
        if i % 2 and deal.acv:
            code = "EUR" if i % 4 == 1 else "GBP"
            record["properties"].update(deal_currency_code=code, amount=str(round(deal.acv * RATES[code], 2)))
            portal.portal.derive("deals", record["properties"])
        local.append(dataclasses.replace(deal, acv=float(record["properties"]["amount"] or 0) or deal.acv))
    live = audit_json(run_cli, hubspot_spec, "--env", "live")
    assert_same_figures(live, offline_audit(run_cli, tmp_path, example_model, hubspot_spec, deals))
    (tmp_path / "raw").mkdir()
    raw = offline_audit(run_cli, tmp_path / "raw", example_model, hubspot_spec, local)
    assert raw["closed_won"] != live["closed_won"]  # read unconverted, deals would change segment
