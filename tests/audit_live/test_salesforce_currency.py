"""Live audits of a Salesforce org with multiple currencies: the deals' ACV is read as
convertCurrency(Amount), so a deal in another currency lands in the segment of its converted amount,
through the REST query and the Bulk API alike."""

from __future__ import annotations

import dataclasses

import pytest
from audit_live.compare import assert_same_figures, audit_json, offline_audit
from audit_live.seeding import generated, seed_salesforce

RATES = {"EUR": 0.8, "GBP": 0.5}  # ConversionRate against USD, the corporate currency


def _in_local_currencies(org, deals) -> list:
    """Every other deal priced in EUR or GBP: its Amount in that currency, worth the same in USD."""
    org.enable_currencies("USD", RATES)
    local = []
    for i, deal in enumerate(deals):
        record = org.records["Opportunity"][deal.id]
        if i % 2 and deal.acv:
            iso = "EUR" if i % 4 == 1 else "GBP"
            record["CurrencyIsoCode"], record["Amount"] = iso, round(deal.acv * RATES[iso], 2)
        local.append(dataclasses.replace(deal, acv=record["Amount"]))
    return local


@pytest.mark.parametrize("bulk", [False, True])
def test_audit_reads_converted_amounts(
    org, salesforce_spec, example_model, run_cli, tmp_path, monkeypatch, bulk
):
    deals = seed_salesforce(org.org, example_model, generated(example_model, 600, seed=5))
    local = _in_local_currencies(org.org, deals)
    if bulk:
        monkeypatch.setenv("HANDRAIL_SALESFORCE_BULK_THRESHOLD", "100")
    live = audit_json(run_cli, salesforce_spec, "--env", "live")

    soql = next(c for c in org.calls("query") if "Owner.Name" in c.query) if not bulk else None
    if soql is not None:
        assert "convertCurrency(Amount)" in soql.query
    else:
        assert org.count("bulk2.create") == 1
    converted = offline_audit(run_cli, tmp_path, example_model, salesforce_spec, deals)
    assert_same_figures(live, converted)  # the segments of the USD amounts
    (tmp_path / "raw").mkdir()
    raw = offline_audit(run_cli, tmp_path / "raw", example_model, salesforce_spec, local)
    assert raw["closed_won"] != live["closed_won"]  # read unconverted, deals would change segment


def test_a_single_currency_org_reads_amount_as_it_is(org, salesforce_spec, example_model, run_cli):
    seed_salesforce(org.org, example_model, generated(example_model, 50, seed=5))
    audit_json(run_cli, salesforce_spec, "--env", "live")
    soql = next(c for c in org.calls("query") if "Owner.Name" in c.query).query
    assert "convertCurrency" not in soql and "Amount" in soql
