"""`handrail brief DEAL --env` against the fake org and portal: one deal fetched by id or name."""

from __future__ import annotations

import dataclasses
import json
import re

import pytest
from audit.dealgen import write_csv
from audit_live.seeding import generated, seed_hubspot, seed_salesforce


def without_time(text: str) -> str:
    return re.sub(r"generated \S+", "generated (time)", text)


@pytest.fixture
def brief(run_cli):
    def run(spec, deal, *source):
        code, out, err = run_cli("brief", deal, *source, "--spec", str(spec), "--role", "implementation")
        assert code == 0, err
        return without_time(out)

    return run


def exported(tmp_path, model, deals):
    path = tmp_path / "export.csv"
    write_csv(path, model, deals)
    return ["--from", str(path)]


def test_salesforce_deal_by_id_and_by_name(org, salesforce_spec, example_model, brief, tmp_path):
    deals = seed_salesforce(org.org, example_model, generated(example_model, 300))
    deal = next(d for d in deals if d.stage == "closed_won" and d.values.get("csm"))
    expected = brief(salesforce_spec, deal.id, *exported(tmp_path, example_model, deals))
    assert f"| Customer success manager | {deal.values['csm']} |" in expected  # the lookup's user, by name
    assert f"| Account executive | {deal.owner} |" in expected
    assert brief(salesforce_spec, deal.id, "--env", "live") == expected
    assert brief(salesforce_spec, deal.name.upper(), "--env", "live") == expected
    queries = [c.query for c in org.calls("query")]
    assert len(queries) == 2 and all(" WHERE Name = " in q for q in queries)
    assert org.count("queryMore") == 0 and org.count("bulk2.create") == 0  # never the whole org


def test_hubspot_deal_by_id_and_by_name(portal, hubspot_spec, example_model, brief, tmp_path):
    deals = seed_hubspot(portal.portal, example_model, generated(example_model, 300))
    deal = next(d for d in deals if d.stage == "closed_won" and d.values.get("csm") and d.owner)
    expected = brief(hubspot_spec, deal.id, *exported(tmp_path, example_model, deals))
    assert f"| Account executive | {deal.owner} |" in expected
    assert f"| Customer success manager | {deal.values['csm']} |" in expected
    assert brief(hubspot_spec, deal.id, "--env", "live") == expected
    assert brief(hubspot_spec, deal.name, "--env", "live") == expected
    bodies = [json.loads(c.body) for c in portal.calls("search")]
    assert len(bodies) == 2 and all(
        b["filterGroups"][0]["filters"][0]["propertyName"] == "dealname" for b in bodies
    )


def test_a_name_shared_by_two_deals_is_ambiguous(org, salesforce_spec, example_model, run_cli):
    deals = seed_salesforce(org.org, example_model, generated(example_model, 20))
    org.org.add_record("Opportunity", Name=deals[3].name, StageName="Closed Won", CloseDate="2026-01-05")
    code, _, err = run_cli("brief", deals[3].name, "--env", "live", "--spec", str(salesforce_spec))
    assert code == 3
    assert f"environment 'live': 2 deals are named '{deals[3].name}' (ids {deals[3].id}, " in err
    assert "pass the id instead" in err
    code, _, err = run_cli("brief", "Nobody Inc", "--env", "live", "--spec", str(salesforce_spec))
    assert code == 3 and "environment 'live': no deal with id or name 'Nobody Inc'" in err


def test_a_fifteen_character_salesforce_id_finds_its_deal(run_cli, tmp_path, example_model, example_spec):
    deals = generated(example_model, 5)
    deals = [dataclasses.replace(d, id=f"006{i:012d}AbC") for i, d in enumerate(deals)]
    source = exported(tmp_path, example_model, deals)
    code, out, err = run_cli("brief", deals[2].id[:15], *source, "--spec", str(example_spec))
    assert code == 0, err
    assert f"| Deal | {deals[2].id} ·" in out
