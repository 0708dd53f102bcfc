"""A CSM pool in HubSpot is the workflow action "Rotate record to owner" (actionTypeId 0-11) into the CSM
property: apply sends it to the fake portal over HTTP with the pool's user ids, and the portal accepts that
shape, and only that shape (v4 action reference, "Rotate record to owner":
https://developers.hubspot.com/docs/api-reference/automation-automation-v4-v4/action-enrollment-reference).
"""

from __future__ import annotations

import copy

import pytest
import requests
from plan.live import HUBSPOT_ENV, MANAGERS, add_people, args, edit, live_spec

PEOPLE = {
    "cs-ann@example.com": ("Ann", "Pool"),
    "cs-bob@example.com": ("Bob", "Pool"),
    "cs-cid@example.com": ("Cid", "Pool"),
    "cs-manager@example.com": ("Morgan", "Manager"),
    "cs-lead@example.com": ("Lee", "Lead"),
    "sales-lead@example.com": ("Sam", "Sales"),
}
ENV = HUBSPOT_ENV + MANAGERS
POOL = "pool: [cs-ann@example.com, cs-bob@example.com, cs-cid@example.com]"


@pytest.fixture
def portal(portal):
    add_people(portal, PEOPLE)
    return portal


REGION = """  - key: region
    label: Region
    type: picklist
    options: [EMEA, Americas]
  - key: csm
"""
TERRITORY = """      - segments: all
        when: {region: [EMEA]}
        assign: cs-manager@example.com
      - segments: all
        assign: cs-manager@example.com
"""


@pytest.fixture
def applied(portal, tmp_path, run_cli):
    spec = live_spec(tmp_path, ENV)
    edit(spec, "assign: cs-pool@example.com", POOL)
    edit(spec, "  - key: csm\n", REGION)  # and a territory rule: a branch on the region
    edit(spec, "      - segments: all\n        assign: cs-manager@example.com\n", TERRITORY)
    code, out, err = run_cli(*args(spec, "apply"))
    assert code == 0, out + err
    code, out, err = run_cli(*args(spec, "plan", "--exit-code"))
    assert code == 0, out + err  # the portal's copy reads back as planned: no drift
    return next(
        f
        for f in portal.portal.flows.values()
        if f["customProperties"]["handrail_key"] == "closed-won-handoff"
    )


def _user_id(portal, email: str) -> str:
    return str(next(o["userId"] for o in portal.portal.owners if o["email"] == email))


def test_apply_sends_the_rotate_action_with_the_pools_user_ids(portal, applied, run_cli):
    (rotate,) = [a for a in applied["actions"] if a.get("actionTypeId") == "0-11"]
    assert rotate["fields"] == {
        "user_ids": [_user_id(portal, f"cs-{n}@example.com") for n in ("ann", "bob", "cid")],
        "target_property": "handoff_csm",
        "overwrite_current_owner": "false",  # keep_existing (the default) keeps a named CSM
    }
    (territory,) = [a for a in applied["actions"] if "region" in str(a.get("listBranches"))]
    assert territory["type"] == "LIST_BRANCH" and territory["listBranches"][0]["connection"]
    assert portal.rejections == []


def _post(portal, body: dict) -> requests.Response:
    return requests.post(
        portal.url + "/automation/v4/flows",
        json=body,
        headers={"Authorization": f"Bearer {portal.token}"},
        timeout=5,
    )


CHANGES = {
    "a JSON boolean": lambda f: f.update(overwrite_current_owner=False),
    "no overwrite flag": lambda f: f.pop("overwrite_current_owner"),
    "owner_ids": lambda f: f.update(owner_ids=f.pop("user_ids")),
    "users and teams": lambda f: f.update(team_ids=["7"]),
    "no users": lambda f: f.update(user_ids=[]),
    "a placeholder": lambda f: f.update(user_ids=["${user:cs-ann@example.com}"]),
    "no such user": lambda f: f.update(user_ids=["999999999"]),
    "not an owner property": lambda f: f.update(target_property="dealname"),
    "an unknown field": lambda f: f.update(round_robin="even"),
}


def test_the_portal_rejects_any_other_shape(portal, applied):
    body = {k: v for k, v in copy.deepcopy(applied).items() if k not in ("id", "revisionId", "uuid")}
    body["name"] += " (copy)"
    assert _post(portal, body).status_code == 201  # the shape apply sent is accepted as it is
    for what, change in CHANGES.items():
        changed = copy.deepcopy(body)
        (rotate,) = [a for a in changed["actions"] if a.get("actionTypeId") == "0-11"]
        change(rotate["fields"])
        reply = _post(portal, changed)
        assert reply.status_code == 400 and reply.json()["category"] == "VALIDATION_ERROR", (what, reply.text)
