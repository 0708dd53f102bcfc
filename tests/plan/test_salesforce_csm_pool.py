"""A CSM pool end to end in Salesforce: plan resolves the pool's usernames in the sandbox (username_suffix),
apply deploys the before-save flow to the fake org (checked against the Metadata API schema), a second plan
finds nothing to change (the sorted Get Records reads back as deployed), and the flow the org holds, run
over 30 successive closes, gives each of the three CSMs ten deals."""

from __future__ import annotations

from collections import Counter

import pytest
from lxml import etree
from plan.live import args, edit, live_spec
from salesforce.flow_interpreter import Flow
from salesforce.test_csm_rules import Org

from handrail.specs.validate import load_spec

ENVIRONMENTS = """
  live:
    target: salesforce
    auth: access_token
    access_token_env: TEST_SF_ACCESS_TOKEN
    instance_url_env: TEST_SF_INSTANCE_URL
    username_suffix: .uat
"""
POOL = ("cs-ann@example.com", "cs-bob@example.com", "cs-cid@example.com")
IDS = {}


@pytest.fixture
def org(org):
    for username in (*POOL, "cs-manager@example.com"):
        IDS[username] = org.org.add_record("User", Name=username, Username=username + ".uat", IsActive=True)
    return org


def test_a_pool_deploys_and_rotates_evenly(org, tmp_path, run_cli):
    spec = live_spec(tmp_path, ENVIRONMENTS)
    edit(spec, "assign: cs-pool@example.com", f"pool: [{', '.join(POOL)}]\n        max_open: 20")
    code, out, err = run_cli(*args(spec, "apply"))
    assert code == 0, out + err
    code, out, err = run_cli(*args(spec, "plan", "--exit-code"))
    assert code == 0, out + err
    deployed = org.org.components["Flow"]["Handoff_Score_Before_Save"].element
    flow = Flow.parse(etree.tostring(deployed))
    users = {u + ".uat": IDS[u] for u in (*POOL, "cs-manager@example.com")}
    deals = Org(load_spec(spec).model, flow, users)
    picks = [deals.csm(deals.close(n, amount=5_000)) for n in range(30)]
    assert Counter(picks) == {IDS[u]: 10 for u in POOL}
