"""The fake org's multiple currencies, through simple-salesforce: CurrencyIsoCode and CurrencyType exist
only once switched on; convertCurrency() converts in the SELECT list to the running user's currency and
is refused in WHERE, ORDER BY, on a field that is not a currency, and in a single-currency org."""

from __future__ import annotations

import pytest
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceMalformedRequest


@pytest.fixture
def sf(fake_salesforce):
    return Salesforce(session_id=fake_salesforce.session_id, instance_url=fake_salesforce.url, version="63.0")


def _fields(sf) -> set[str]:
    return {f["name"] for f in sf.Opportunity.describe()["fields"]}


def test_a_single_currency_org_has_no_currency_code_and_refuses_convert_currency(fake_salesforce, sf):
    fake_salesforce.org.add_record("Opportunity", Name="A", Amount=100.0)
    assert "CurrencyIsoCode" not in _fields(sf)
    with pytest.raises(SalesforceMalformedRequest, match="multiple currencies"):
        sf.query("SELECT convertCurrency(Amount) FROM Opportunity")


def test_convert_currency_converts_through_the_corporate_currency(fake_salesforce, sf):
    org = fake_salesforce.org
    org.add_record("Opportunity", Name="Before", Amount=1000.0)
    org.enable_currencies("USD", {"EUR": 0.8, "JPY": 150.0})
    org.add_record("Opportunity", Name="Euro", Amount=800.0, CurrencyIsoCode="EUR")
    org.add_record("Opportunity", Name="Yen", Amount=15000.0, CurrencyIsoCode="JPY")
    assert "CurrencyIsoCode" in _fields(sf)
    rows = sf.query("SELECT Name, CurrencyIsoCode, Amount, convertCurrency(Amount) FROM Opportunity")
    assert rows["totalSize"] == 3
    rows = sf.query("SELECT Name, CurrencyIsoCode, convertCurrency(Amount) FROM Opportunity")["records"]
    assert {(r["Name"], r["CurrencyIsoCode"], r["Amount"]) for r in rows} == {
        ("Before", "USD", 1000.0),  # existing deals are in the corporate currency
        ("Euro", "EUR", 1000.0),
        ("Yen", "JPY", 100.0),
    }
    rates = sf.query("SELECT IsoCode, ConversionRate, IsCorporate FROM CurrencyType")["records"]
    assert {(r["IsoCode"], r["ConversionRate"], r["IsCorporate"]) for r in rates} == {
        ("USD", 1.0, True),
        ("EUR", 0.8, False),
        ("JPY", 150.0, False),
    }


def test_convert_currency_is_for_the_select_list_and_currency_fields_only(fake_salesforce, sf):
    fake_salesforce.org.enable_currencies("USD", {"EUR": 0.8})
    for soql in (
        "SELECT Id FROM Opportunity WHERE convertCurrency(Amount) > 5",
        "SELECT Id FROM Opportunity ORDER BY convertCurrency(Amount)",
        "SELECT convertCurrency(Name) FROM Opportunity",
    ):
        with pytest.raises(SalesforceMalformedRequest):
            sf.query(soql)
