"""Contact-based completion in the Salesforce flows: the score flow reads the deal's Opportunity Contact
Roles and credits the field exactly as the engine does, and a contact-role change saves the deal again.

The score flow and the contact-role flow are run by the flow interpreter (salesforce/flow_interpreter.py)
on seeded random deals with 0, some, enough contact roles, and enough without a required role.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import random
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
from helpers import shared_path
from salesforce.flow_cases import TODAY, compile_flow, engine_result, normalized, random_deal, random_model
from salesforce.flow_interpreter import Flow, Run

from handrail.generators.rules.scoring import score_deal
from handrail.specs.contacts import ContactRule
from handrail.specs.model import TEXT_TYPES
from handrail.specs.validate import load_spec
from handrail.targets.salesforce import flows
from handrail.targets.salesforce.render import render, verify
from handrail.targets.salesforce.xml import metadata_xml

SPEC = Path(__file__).parent.parent / "specs" / "offline" / "contact_roles.yaml"
ROLES = ("Economic Buyer", "Champion", "Technical Buyer", "Influencer", "Evaluator", "Decision Maker")
DEAL_ID = "006000000000001AAA"


@pytest.fixture(scope="module")
def model():
    return load_spec(SPEC).model


def contact_role_records(roles: list[str | None], deal_id: str = DEAL_ID) -> list[dict]:
    """The org's OpportunityContactRole rows: the deal's, and one of another deal that must not count."""
    rows = [{"Id": f"00K{n:015d}", "OpportunityId": deal_id, "Role": r} for n, r in enumerate(roles)]
    return rows + [{"Id": "00K999999999999999", "OpportunityId": "006999999999999AAA", "Role": "Champion"}]


def random_roles(rng: random.Random, rule: ContactRule) -> tuple[str, list[str | None]]:
    """A kind of deal (none, some, enough, no_required) and its contacts' roles, blanks (no role) mixed in."""
    kind = rng.choice(("none", "some", "enough", "enough", "no_required"))
    blanks = [rng.choice((None, "")) for _ in range(rng.randint(0, 2))]
    if kind == "none":
        roles: list[str | None] = []
    elif kind == "some":
        roles = rng.choices(ROLES, k=rng.randint(1, rule.min - 1)) if rule.min > 1 else []
        kind = kind if roles else "none"
    elif kind == "enough":
        roles = list(rule.roles) + rng.choices(
            ROLES, k=max(0, rule.min - len(rule.roles)) + rng.randint(0, 2)
        )
    else:
        others = [r for r in ROLES if r not in rule.roles[:1]]
        roles = rng.choices(others, k=max(rule.min, 1) + rng.randint(0, 2))
        kind = kind if rule.roles else "enough"
    roles = roles + blanks
    rng.shuffle(roles)
    return kind, roles


def flow_result(flow: Flow, record: dict, model, rows: list[dict]) -> dict:
    out = Run(flow, dict(record), today=TODAY, contact_roles=rows).run().record
    c = model.computed_field
    return {
        k: out.get(c(k).salesforce_name)
        for k in ("segment", "score", "completeness", "tier", "missing_summary")
    }


def check_deals(model, count: int, seed: int) -> Counter:
    flow = compile_flow(model)
    rng = random.Random(seed)
    rule_fields = [f for f in model.fields if f.contacts]
    kinds: Counter = Counter()
    for n in range(count):
        deal, record = random_deal(rng, model, n)
        kind, roles = random_roles(rng, rule_fields[0].contacts)
        kinds[kind] += 1
        deal = dataclasses.replace(deal, contact_roles=tuple(roles))
        record["Id"] = None if rng.random() < 0.05 else DEAL_ID  # no Id yet: the deal is being inserted
        if record["Id"] is None:
            deal = dataclasses.replace(deal, contact_roles=())
        expected = engine_result(model, deal)
        actual = flow_result(flow, record, model, contact_role_records(roles))
        assert normalized(actual) == normalized(expected), (n, kind, roles, deal)
        for f in rule_fields:
            states = {r.key: r.state for r in score_deal(model, deal).fields}
            kinds[(kind, states.get(f.key))] += 1
    return kinds


def test_the_contact_role_spec_agrees_with_the_engine_on_1200_deals(model):
    kinds = check_deals(model, 1200, 20261203)
    assert {"none", "some", "enough", "no_required"} <= set(kinds)
    # each kind reached the engine's state for it (where the deal's segment scores or requires the field)
    assert kinds[("none", "missing")] and kinds[("some", "generic")]
    assert kinds[("enough", "complete")] and kinds[("no_required", "generic")]
    assert min(kinds[k] for k in ("none", "some", "enough", "no_required")) >= 100


@pytest.mark.parametrize("seed", range(6))
def test_random_specs_with_a_contact_rule_agree_with_the_engine(seed, model):
    base = random_model(seed, model)
    rng = random.Random(seed)
    text = [f for f in base.fields if f.type in TEXT_TYPES]
    chosen = rng.choice(text)
    rule = ContactRule(rng.randint(1, 4), tuple(rng.sample(ROLES[:3], rng.randint(0, 2))))
    fields = tuple(dataclasses.replace(f, contacts=rule) if f is chosen else f for f in base.fields)
    segments = tuple(
        dataclasses.replace(s, required_fields=(*s.required_fields, chosen.key))
        if n == 0 and chosen.key not in s.required_fields
        else s
        for n, s in enumerate(base.segments)
    )
    check_deals(dataclasses.replace(base, fields=fields, segments=segments), 120, seed)


def test_the_flow_reads_roles_and_counts_contacts_without_a_role_as_none(model):
    flow = compile_flow(model)
    record = {"Id": DEAL_ID, "Amount": None, "Type": None, "StageName": "Prospecting"}
    run = Run(
        flow, record, today=TODAY, contact_roles=contact_role_records(["Champion", None, "Economic Buyer"])
    )
    run.run()
    assert run.visited[:4] == [
        "Get_Contact_Roles",
        "Get_Contact_Role_1",
        "Get_Contact_Role_2",
        "Count_Contact_Roles",
    ]
    assert run.variables["Contact_Role_Count"] == 2
    assert run.formula("Completion_Stakeholder_Map") == 0.5


def test_the_example_spec_reads_no_contact_roles():
    example = load_spec(Path(__file__).parents[2] / "specs" / "examples" / "handoff.yaml").model
    assert "Get_Contact_Roles" not in compile_flow(example).nodes
    assert not any(c.name.endswith("Contact_Roles_After_Save") for c in flows.components(example, {}))


# --- a contact-role change rescores the deal ---------------------------------------------------------
# Opportunity Contact Roles take Apex triggers, validation rules and custom fields since Winter '20
# (Salesforce release notes, "Customize Opportunity Contact Roles for Better Tracking and Reporting",
# https://releasenotes.docs.salesforce.com/en-us/winter20/release-notes/rn_sales_opportunity_contact_roles_customize.htm),
# so a save of one runs record-triggered automation. The generated flow is after-save on create and update:
# it updates the deal, with no field changed, which runs the before-save score flow.


def rescore_flow(model) -> Flow:
    component = next(c for c in flows.components(model, {}) if c.name == "Handoff_Contact_Roles_After_Save")
    return Flow.parse(metadata_xml("Flow", component.pairs))


def test_a_contact_role_save_updates_its_deal_and_the_score_follows(model):
    flow = rescore_flow(model)
    start = flow.start
    ns = "{http://soap.sforce.com/2006/04/metadata}"
    assert start.find(ns + "object").text == "OpportunityContactRole"
    assert start.find(ns + "triggerType").text == "RecordAfterSave"
    assert start.find(ns + "recordTriggerType").text == "CreateAndUpdate"
    run = Run(flow, {"Id": "00K000000000001AAA", "OpportunityId": DEAL_ID, "Role": "Champion"}).run()
    assert run.updated == [{"Id": DEAL_ID}]  # the deal's update: no field changed, the score flow runs

    score = compile_flow(model)
    deal, record = random_deal(random.Random(3), model, 0)
    record.update({"Id": DEAL_ID, "Amount": Decimal(150000), "Type": None})
    before = flow_result(score, record, model, contact_role_records(["Champion", "Economic Buyer"]))
    after = flow_result(
        score, record, model, contact_role_records(["Champion", "Economic Buyer", "Influencer"])
    )
    assert "Stakeholder Map (generic)" in (before["missing_summary"] or "")
    assert "Stakeholder Map" not in (after["missing_summary"] or "")


def test_a_failed_deal_update_never_blocks_the_contact_role_save(model):
    run = Run(rescore_flow(model), {"Id": "00K000000000001AAA", "OpportunityId": None}).run()
    assert run.updated == [] and run.visited[-1] == "Keep_Failure_Message"


# --- the metadata ------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["source", "mdapi"])
def test_the_contact_role_build_is_schema_valid(model, fmt, tmp_path):
    desired = render(model, {"format": fmt})
    assert verify(desired, {"format": fmt}) == []
    script = shared_path("reference", "salesforce", "extract_xsd.py")
    spec = importlib.util.spec_from_file_location("extract_xsd", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    flows_checked = 0
    for rel, data in desired.files.items():
        if ".flow" in rel:
            path = tmp_path / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            assert module.validate_file(str(path)) == [], rel
            flows_checked += 1
    assert any("Contact_Roles_After_Save.flow" in rel for rel in desired.files)
    assert flows_checked >= 3
