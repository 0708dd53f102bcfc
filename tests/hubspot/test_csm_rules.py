"""CSM assignment rules in the HubSpot Closed Won workflow, run on deals by the workflow runner: territory
rules branch on deal properties, a pool is HubSpot's "Rotate record to owner" action (which rotates evenly:
30 closes over a pool of three give each ten), an account field in `when:` is a located spec error, and
what HubSpot cannot do (count open onboardings, copy the company's CSM) is a validate warning.

"Rotate record to owner" assigns records to the selected users in turn ("rotates evenly"), into the owner
property chosen in the action (HubSpot Knowledge Base, "Use workflow actions": Rotate record to owner):
https://knowledge.hubspot.com/workflows/choose-your-workflow-actions
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from workflow_run import run

from handrail.specs.diagnostics import SpecError
from handrail.specs.validate import load_spec
from handrail.targets.hubspot.flows import closed_won_flow
from handrail.targets.hubspot.limits import check_spec

SPEC = Path(__file__).parent.parent / "specs" / "offline" / "csm_rules.yaml"
ACCOUNT_WHEN = ", account.BillingCountry: [US, CA]"
CATCH_ALL = ["${user:cs.ann@example.com}", "${user:cs.bob@example.com}", "${user:cs.cid@example.com}"]


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    path = tmp_path_factory.mktemp("hubspot") / "handoff.yaml"
    path.write_text(SPEC.read_text().replace(ACCOUNT_WHEN, ""))
    return load_spec(path).model


@pytest.fixture(scope="module")
def workflow(model):
    return closed_won_flow(model).body


def deal(model, segment: str, **properties) -> dict:
    c = model.computed_field
    return {
        "dealstage": "closedwon",
        c("segment").hubspot_name: segment,
        c("tier").hubspot_name: "Ready",
        **properties,
    }


def csm_of(model, workflow, record: dict, turns: dict) -> str | None:
    prop = model.csm_field.hubspot_name
    for action, fields in run(workflow, record, turns):
        if action == "0-5" and fields["property_name"] == prop:
            return fields["value"]["staticValue"]
        if action == "0-11" and fields["target_property"] == prop:
            return fields["user_ids"][(turns[_rotate_id(workflow, fields)] - 1) % len(fields["user_ids"])]
    return None


def _rotate_id(workflow: dict, fields: dict) -> str:
    return next(a["actionId"] for a in workflow["actions"] if a.get("fields") is fields)


def test_thirty_closes_over_a_pool_of_three_give_each_ten(model, workflow):
    turns: dict = {}
    segments = ["smb", "expansion", "enterprise", "smb", "smb"] * 6  # the segments share one rotation
    picks = [csm_of(model, workflow, deal(model, s, handoff_region="APAC"), turns) for s in segments]
    assert Counter(picks) == {user: 10 for user in CATCH_ALL}
    assert picks[:4] == CATCH_ALL + CATCH_ALL[:1]
    rotations = [a for a in workflow["actions"] if a.get("actionTypeId") == "0-11"]
    assert len(rotations) == 2  # one per pool rule


def test_territory_rules_pick_by_region(model, workflow):
    region = model.field("region").hubspot_name
    turns: dict = {}
    picks = {
        r: csm_of(model, workflow, deal(model, "enterprise", **{region: r}), turns)
        for r in ("EMEA", "North America", "APAC")
    }
    assert picks == {
        "EMEA": "${user:emea.one@example.com}",
        "North America": "${owner:na.lead@example.com}",
        "APAC": CATCH_ALL[0],
    }


def test_the_rotation_replaces_a_named_csm_only_without_keep_existing(model, workflow):
    (rotate, *_) = [a for a in workflow["actions"] if a.get("actionTypeId") == "0-11"]
    assert rotate["fields"]["overwrite_current_owner"] == "true"  # the spec says keep_existing: false
    named = deal(model, "smb", handoff_region="APAC", handoff_csm="123")
    assert csm_of(model, workflow, named, {}) == CATCH_ALL[0]


def test_an_expansion_passes_the_account_csm_rule_over_with_a_warning(model, workflow):
    assert csm_of(model, workflow, deal(model, "expansion"), {}) == CATCH_ALL[0]
    warnings = [d for d in check_spec(model) if d.code == "hubspot-approximation"]
    assert sorted(d.span.line for d in warnings) == [39, 42]  # the account_csm and max_open rules
    assert any("cannot count open onboardings" in d.message for d in warnings)


def test_a_territory_on_an_account_field_is_a_located_error(run_cli):
    model = load_spec(SPEC).model
    with pytest.raises(SpecError) as caught:
        closed_won_flow(model)
    (problem,) = caught.value.diagnostics
    assert problem.span.line == 47 and "account.BillingCountry" in problem.message
    code, _, err = run_cli("validate", "--target", "hubspot", str(SPEC))
    assert code == 3 and f"{SPEC}:47:9: 'account.BillingCountry' names a Salesforce Account field" in err, err
    assert run_cli("validate", "--target", "salesforce", str(SPEC))[0] == 0
