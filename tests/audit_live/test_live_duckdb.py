"""A live audit runs on DuckDB (generators.audit.live_duck): the fetched records are audited as an export
file by the same SQL, with the same report as the Python engine on the same records, for Salesforce and
HubSpot; a record the staging cannot read alike goes to the Python engine with its located error."""

from __future__ import annotations

import pytest
from audit_live.compare import audit_json
from audit_live.seeding import generated, seed_hubspot, seed_salesforce

from handrail.generators.audit import live_duck


@pytest.fixture
def duckdb_reports(monkeypatch):
    """The reports the DuckDB audit of the fetched records gave (None: it left them to Python)."""
    given = []

    def recorded(*args, **kwargs):
        report = audit_file(*args, **kwargs)
        given.append(report)
        return report

    audit_file = live_duck.audit_file
    monkeypatch.setattr(live_duck, "audit_file", recorded)
    return given


@pytest.mark.parametrize("crm", ["salesforce", "hubspot"])
def test_a_live_audit_runs_on_duckdb_with_the_python_engines_report(
    crm, org, portal, example_model, run_cli, duckdb_reports, request
):
    spec = request.getfixturevalue(f"{crm}_spec")  # one spec file per test folder
    deals = generated(example_model, 1_500, seed=23)
    (
        seed_salesforce(org.org, example_model, deals)
        if crm == "salesforce"
        else seed_hubspot(portal.portal, example_model, deals)
    )
    on_duckdb = audit_json(run_cli, spec, "--env", "live")
    assert len(duckdb_reports) == 1 and duckdb_reports[0] is not None
    on_python = audit_json(run_cli, spec, "--env", "live", "--engine", "python")
    assert len(duckdb_reports) == 1  # --engine python does not touch DuckDB
    assert on_duckdb["deals_read"] > 500 and on_duckdb["closed_won"]["deals"] > 300
    assert on_duckdb == on_python


def test_a_record_the_staging_cannot_read_goes_to_the_python_engine_with_its_error(
    org, salesforce_spec, example_model, run_cli, duckdb_reports
):
    deals = seed_salesforce(org.org, example_model, generated(example_model, 200, seed=5))
    rating = example_model.computed_field("csm_rating").salesforce_name
    won = next(d for d in deals if d.stage == "closed_won" and d.extra.get("closed_won_at"))
    org.org.records["Opportunity"][won.id][rating] = 7
    code, out, err = run_cli(
        "audit", "--env", "live", "--spec", str(salesforce_spec), "--as-of", "2026-04-30", "--format", "json"
    )
    assert duckdb_reports == [None]
    assert code == 3 and out == ""
    assert (
        f"environment 'live': Opportunity {won.id}: column '{rating}': 7 is not a rating from 1 to 5" in err
    )
