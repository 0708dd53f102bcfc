"""CSM assignment rules in the before-save flow, run by the flow interpreter over successive closes: a pool
rotates (30 closes over 3 CSMs give 10 each), skips inactive members and, with max_open, members whose
open onboardings (won, no kickoff yet) reach the cap; territory rules pick by a deal field and an Account
field; an expansion takes the account's CSM, and a blank one passes the deal to the next rule.

Get Records with a sort field and "only the first record" returns the first row of the query ordered by
that field (Salesforce Help, "Flow Element: Get Records": "Sort Order" and "How Many Records to Store"),
which is how the flow finds the last deal the pool won without a stored counter:
https://help.salesforce.com/s/articleView?id=sf.flow_ref_elements_data_get.htm
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
from salesforce.flow_interpreter import Flow, Run

from handrail.specs.validate import load_spec
from handrail.targets.salesforce.flows import components
from handrail.targets.salesforce.schema import validate_xml
from handrail.targets.salesforce.xml import metadata_xml

SPEC = Path(__file__).parent.parent / "specs" / "offline" / "csm_rules.yaml"
START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.timezone.utc)
POOL = {"cs.ann@example.com": "005ANN", "cs.bob@example.com": "005BOB", "cs.cid@example.com": "005CID"}
EMEA = {"emea.one@example.com": "005EONE", "emea.two@example.com": "005ETWO"}
USERS = {**POOL, **EMEA, "na.lead@example.com": "005NA"}


@pytest.fixture(scope="module")
def model():
    return load_spec(SPEC).model


@pytest.fixture(scope="module")
def before_save(model):
    (score,) = [c for c in components(model, {}) if c.name.endswith("Score_Before_Save")]
    data = metadata_xml(score.type, score.pairs)
    assert validate_xml(f"{score.name}.flow-meta.xml", data) == []
    return Flow.parse(data)


class Org:
    """The org's deals as the flow's Get Records sees them; each close saves the deal the flow returned."""

    def __init__(self, model, flow: Flow, users: dict[str, str] = USERS):
        self.model, self.flow, self.users = model, flow, users
        self.deals: list[dict] = []

    def close(self, n: int, *, amount=10_000, region=None, deal_type=None, account=None, **fields) -> dict:
        f, c = self.model.field, self.model.computed_field
        record = {x.salesforce_name: None for x in self.model.fields + self.model.computed}
        record.update(
            {
                "Id": f"006D{n:04}",
                "Amount": Decimal(amount),
                "CloseDate": dt.date(2026, 3, 1),
                "CreatedDate": None,
                "Type": deal_type,
                "StageName": "Closed Won",
                "Account": account,
                **fields,
            }
        )
        if region is not None:
            record[f("region").salesforce_name] = region
        prior = dict(record, StageName="Commit")
        now = START + dt.timedelta(minutes=n)
        run = Run(
            self.flow, record, prior=prior, now=now, users=self.users, records={"Opportunity": self.deals}
        )
        saved = run.run().record
        assert saved[c("closed_won_at").salesforce_name] == now
        self.deals.append(saved)
        return saved

    def csm(self, deal: dict) -> str | None:
        return deal[self.model.field("csm").salesforce_name]


def test_thirty_closes_over_a_pool_of_three_give_each_ten_in_turn(model, before_save):
    org = Org(model, before_save)
    assigned = [org.csm(org.close(n)) for n in range(30)]
    assert Counter(assigned) == {"005ANN": 10, "005BOB": 10, "005CID": 10}
    assert assigned[:6] == ["005ANN", "005BOB", "005CID", "005ANN", "005BOB", "005CID"]


def test_the_rotation_continues_after_the_last_deal_the_pool_won(model, before_save):
    org = Org(model, before_save)
    org.deals.append(  # won earlier, by the pool's second member
        {
            "Id": "006OLD",
            model.field("csm").salesforce_name: "005BOB",
            model.computed_field("closed_won_at").salesforce_name: START - dt.timedelta(days=1),
        }
    )
    assert org.csm(org.close(1)) == "005CID"
    assert org.csm(org.close(2)) == "005ANN"


def test_an_inactive_member_is_skipped(model, before_save):
    active = {u: i for u, i in USERS.items() if u != "cs.bob@example.com"}
    org = Org(model, before_save, active)
    assert [org.csm(org.close(n)) for n in range(6)] == ["005ANN", "005CID"] * 3


def test_territory_rules_pick_by_region(model, before_save):
    org = Org(model, before_save)
    emea = org.close(1, region="EMEA")
    na_us = org.close(2, region="North America", account={"BillingCountry": "US"})
    na_de = org.close(3, region="North America", account={"BillingCountry": "DE"})  # not the NA territory
    apac = org.close(4, region="APAC")
    assert [org.csm(d) for d in (emea, na_us, na_de, apac)] == ["005EONE", "005NA", "005ANN", "005BOB"]


def test_capacity_skips_a_full_csm_and_a_full_pool_passes_to_the_next_rule(model, before_save):
    org = Org(model, before_save)
    kickoff = model.computed_field("kickoff_at").salesforce_name
    picks = [org.csm(org.close(n, region="EMEA")) for n in range(4)]
    assert picks == ["005EONE", "005ETWO", "005EONE", "005ETWO"]  # two open each: the cap
    assert org.csm(org.close(10, region="EMEA")) == "005ANN"  # both full: the catch-all pool
    org.deals[0][kickoff] = START  # emea.one's first onboarding kicked off: room for one more
    assert org.csm(org.close(11, region="EMEA")) == "005EONE"
    assert org.csm(org.close(12, region="EMEA")) == "005BOB"


def test_an_expansion_takes_the_accounts_csm_or_goes_on_to_the_next_rule(model, before_save):
    org = Org(model, before_save)
    upgrade = "Existing Customer - Upgrade"
    owned = org.close(1, deal_type=upgrade, account={"Customer_Success_Manager__c": "005ACCTCSM"})
    blank = org.close(2, deal_type=upgrade, account={"Customer_Success_Manager__c": None})
    assert owned[model.computed_field("segment").salesforce_name] == "expansion"
    assert org.csm(owned) == "005ACCTCSM"
    assert org.csm(blank) == "005ANN"  # the pool: the account's deal did not come from it


def test_keep_existing_keeps_a_named_csm(model, before_save, tmp_path):
    text = SPEC.read_text().replace("keep_existing: false", "keep_existing: true")
    kept = load_spec(_write(tmp_path, text)).model
    (score,) = [c for c in components(kept, {}) if c.name.endswith("Score_Before_Save")]
    org = Org(kept, Flow.parse(metadata_xml(score.type, score.pairs)))
    csm = kept.field("csm").salesforce_name
    assert org.csm(org.close(1, **{csm: "005NAMED"})) == "005NAMED"
    assert org.csm(org.close(2)) == "005ANN"


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "handoff.yaml"
    path.write_text(text)
    return path


def test_pool_members_are_looked_up_by_this_environments_usernames(model, before_save):
    from handrail.specs.people import usernames
    from handrail.targets.salesforce.people import substitute

    (score,) = [c for c in components(model, {}) if c.name.endswith("Score_Before_Save")]
    xml = metadata_xml(score.type, score.pairs).decode()
    assert set(POOL) <= set(usernames(model))  # plan asks the org for each of them
    resolved = substitute(xml, {"cs.bob@example.com": "cs.bob@example.com.uat"})
    assert "<stringValue>cs.bob@example.com.uat</stringValue>" in resolved
    assert "<stringValue>cs.bob@example.com</stringValue>" not in resolved
