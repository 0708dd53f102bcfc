"""plan against an org with multiple currencies warns when the segments' ACV thresholds read an amount
in each deal's own currency; a single-currency org, or a spec reading a number field, gets no warning."""

from __future__ import annotations

import pytest
from fakes.wsdl import MD
from plan.live import SALESFORCE_ENV, args, edit, live_spec

WARNING = "has multiple currencies, so Amount holds each deal's amount in the deal's own currency"


@pytest.fixture
def spec(tmp_path):
    return live_spec(tmp_path, SALESFORCE_ENV)


def test_plan_warns_in_a_multi_currency_org(org, spec, run_cli):
    org.org.enable_currencies("USD", {"EUR": 0.92})
    code, out, err = run_cli(*args(spec, "plan"))
    assert code == 0, err
    assert f"warning: deal.acv.salesforce: the org of environment 'live' {WARNING}" in err
    assert "handoff.yaml:" in err.split("warning:")[0].splitlines()[-1]  # at the first segment with a range
    assert "name a number field that holds the converted (or annual) amount" in err


def test_no_warning_in_a_single_currency_org(org, spec, run_cli):
    code, out, err = run_cli(*args(spec, "plan"))
    assert code == 0, err
    assert "multiple currencies" not in err


def test_no_warning_when_the_acv_is_a_number_field(org, spec, run_cli):
    org.org.enable_currencies("USD", {"EUR": 0.92})
    org.org.put_xml(  # the org's own number field (plan checks the ACV field exists and is a number)
        "CustomField",
        "Opportunity.ACV_USD__c",
        f'<CustomField xmlns="{MD}"><label>ACV (USD)</label><precision>18</precision><scale>2</scale>'
        "<type>Number</type></CustomField>",
    )
    org.org.add_record("Opportunity", Name="Converted", Amount=1000, ACV_USD__c=1000.0)
    edit(spec, "acv: {salesforce: Amount,", "acv: {salesforce: ACV_USD__c,")
    code, out, err = run_cli(*args(spec, "plan"))
    assert code == 0, err
    assert "multiple currencies" not in err
