"""Live audits and briefs read the deals' contact roles when the spec has a contact rule (complete_when:
contacts): Salesforce Opportunity Contact Roles, HubSpot deal-contact association labels (associations v4).
Through the real clients against the fakes over HTTP; the live figures equal those of an export whose
Contact Roles column holds the same roles."""

from __future__ import annotations

import csv
import random
import shutil
from pathlib import Path

import pytest
from audit.dealgen import write_csv
from audit_live.compare import assert_same_figures, audit_json
from audit_live.seeding import HUBSPOT_ENV, SALESFORCE_ENV, generated, seed_hubspot, seed_salesforce
from fakes import hubspot_associations_api as associations
from fakes.salesforce_contact_roles import add_contact_role, enable

from handrail.generators.plan.environments import environment
from handrail.generators.rules.contacts import contact_roles
from handrail.specs.validate import load_spec
from handrail.targets import deal_source
from handrail.targets.salesforce import deals as salesforce_deals

SPEC = Path(__file__).parent.parent / "specs" / "offline" / "contact_roles.yaml"
ROLES = ("Economic Buyer", "Champion", "Technical Buyer", "Influencer", None)


def contact_spec(tmp_path: Path, env: str) -> Path:
    spec = tmp_path / "handoff.yaml"
    shutil.copy(SPEC, spec)
    spec.write_text(spec.read_text().replace("environments:\n", "environments:" + env, 1))
    return spec


@pytest.fixture
def model():
    return load_spec(SPEC).model


def random_roles(rng: random.Random) -> list[str | None]:
    """0 to 5 contacts; None is a contact without a role (or label)."""
    return [rng.choice(ROLES) for _ in range(rng.choice((0, 0, 1, 2, 3, 3, 4, 5)))]


def export_with_roles(tmp_path: Path, model, deals, roles: dict[str, list]) -> list[str]:
    """An export of the deals with a Contact Roles column ('a;b;c', contacts without a role left out), read
    by `audit --from` (on DuckDB), to compare with the live audit on the Python engine."""
    path = tmp_path / "export.csv"
    write_csv(path, model, deals)
    rows = list(csv.reader(path.open(encoding="utf-8")))
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow([*rows[0], "Contact Roles"])
        for row in rows[1:]:
            writer.writerow([*row, ";".join(r for r in roles.get(row[0], []) if r)])
    return ["--from", str(path)]


# -- Salesforce ---------------------------------------------------------------------------------------------
def seed_roles(org, deals, seed: int = 5) -> dict[str, list]:
    rng, roles = random.Random(seed), {}
    for deal in deals:
        roles[deal.id] = random_roles(rng)
        for role in roles[deal.id]:
            add_contact_role(org.org, deal.id, role)
    return roles


def test_salesforce_audit_reads_contact_roles(org, model, run_cli, tmp_path):
    enable(org)
    spec = contact_spec(tmp_path, SALESFORCE_ENV)
    deals = seed_salesforce(org.org, model, generated(model, 600))
    roles = seed_roles(org, deals)
    live = audit_json(run_cli, spec, "--env", "live")
    offline = audit_json(run_cli, spec, *export_with_roles(tmp_path, model, deals, roles))
    assert_same_figures(live, offline)
    without = audit_json(run_cli, spec, *export_with_roles(tmp_path, model, deals, {}))
    assert without["closed_won"] != live["closed_won"]  # the roles changed the figures
    soql = [c.query for c in org.calls("query") if "OpportunityContactRole" in c.query]
    assert len(soql) == 1 and "Role != null" in soql[0] and "Opportunity.StageName IN (" in soql[0]
    assert "Opportunity.CloseDate >= " in soql[0]


def test_salesforce_bulk_path_reads_contact_roles_through_the_bulk_api(
    org, model, run_cli, tmp_path, monkeypatch
):
    enable(org)
    spec = contact_spec(tmp_path, SALESFORCE_ENV)
    deals = seed_salesforce(org.org, model, generated(model, 1_500, seed=4))
    roles = seed_roles(org, deals, seed=6)
    monkeypatch.setenv("HANDRAIL_SALESFORCE_BULK_THRESHOLD", "500")
    monkeypatch.setattr(salesforce_deals, "BULK_PAGE", 700)
    live = audit_json(run_cli, spec, "--env", "live")
    assert org.count("bulk2.create") == 2  # the deals, then their contact roles
    assert not any("OpportunityContactRole" in c.query for c in org.calls("query"))
    assert_same_figures(live, audit_json(run_cli, spec, *export_with_roles(tmp_path, model, deals, roles)))


def test_salesforce_brief_reads_one_deals_contact_roles(org, model, tmp_path, monkeypatch):
    enable(org)
    spec = contact_spec(tmp_path, SALESFORCE_ENV)
    live_model = load_spec(spec).model
    deals = seed_salesforce(org.org, model, generated(model, 20))
    add_contact_role(org.org, deals[0].id, "Champion")
    add_contact_role(org.org, deals[0].id, None)
    add_contact_role(org.org, deals[0].id, "Economic Buyer")
    add_contact_role(org.org, deals[1].id, "Influencer")
    source = deal_source(environment(live_model, "live"), live_model)
    (found,) = list(source.matching(deals[0].id))
    assert contact_roles(found.contact_roles) == ("Champion", "Economic Buyer")


def test_a_spec_without_a_contact_rule_reads_no_contact_roles(org, example_model, run_cli, tmp_path):
    enable(org)
    spec = contact_spec(tmp_path, SALESFORCE_ENV)
    spec.write_text(
        spec.read_text().replace(
            "    complete_when: {contacts: {min: 3, roles: [Economic Buyer, Champion]}}\n", ""
        )
    )
    seed_salesforce(org.org, example_model, generated(example_model, 50))
    audit_json(run_cli, spec, "--env", "live")
    assert not any("OpportunityContactRole" in c.query for c in org.calls("query"))


# -- HubSpot ------------------------------------------------------------------------------------------------
def label_contacts(portal, deals, seed: int = 8) -> dict[str, list]:
    rng, roles = random.Random(seed), {}
    for deal in deals:
        roles[deal.id] = random_roles(rng)
        for role in roles[deal.id]:
            associations.add_contact(portal.portal, deal.id, [role] if role else [])
    return roles


def test_hubspot_audit_reads_association_labels(portal, model, run_cli, tmp_path, monkeypatch):
    spec = contact_spec(tmp_path, HUBSPOT_ENV)
    deals = seed_hubspot(portal.portal, model, generated(model, 450))
    roles = label_contacts(portal, deals)
    monkeypatch.setattr(associations, "PAGE", 2)  # a deal's contacts come in pages of two
    live = audit_json(run_cli, spec, "--env", "live")
    assert_same_figures(live, audit_json(run_cli, spec, *export_with_roles(tmp_path, model, deals, roles)))
    calls = portal.calls("associations.batch_read")
    assert calls and all(c.status in (200, 207) for c in calls)
    assert any(c.status == 207 for c in calls)  # deals without contacts come back as errors
    assert portal.rejections == []


def test_hubspot_brief_counts_each_label_of_a_contact(portal, model, tmp_path):
    spec = contact_spec(tmp_path, HUBSPOT_ENV)
    live_model = load_spec(spec).model
    deals = seed_hubspot(portal.portal, model, generated(model, 10))
    associations.add_contact(portal.portal, deals[0].id, ["Champion", "Economic Buyer"])
    associations.add_contact(portal.portal, deals[0].id, [])
    source = deal_source(environment(live_model, "live"), live_model)
    (found,) = list(source.matching(deals[0].id))
    assert sorted(contact_roles(found.contact_roles)) == ["Champion", "Economic Buyer"]


def test_hubspot_without_a_contact_rule_reads_no_associations(portal, example_model, run_cli, tmp_path):
    spec = contact_spec(tmp_path, HUBSPOT_ENV)
    spec.write_text(
        spec.read_text().replace(
            "    complete_when: {contacts: {min: 3, roles: [Economic Buyer, Champion]}}\n", ""
        )
    )
    seed_hubspot(portal.portal, example_model, generated(example_model, 30))
    audit_json(run_cli, spec, "--env", "live")
    assert portal.count("associations.batch_read") == 0
