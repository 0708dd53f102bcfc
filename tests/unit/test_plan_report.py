"""The human plan lists every attribute that changes, with both values, as `plan --json` does."""

from __future__ import annotations

import json

from handrail.generators.plan.diff import UPDATE, Change, Plan, differences
from handrail.generators.plan.report import as_json, markdown, text
from handrail.generators.plan.resources import Origin
from handrail.targets.hubspot.target import describe as hubspot_describe
from handrail.targets.salesforce.drift import describe as salesforce_describe

BEFORE = {f"attribute{i}": f"org {i}" for i in range(10)} | {"trackHistory": "true"}
AFTER = {f"attribute{i}": f"spec {i}" for i in range(10)} | {"trackHistory": "false"}


def _plan(kind: str) -> Plan:
    change = Change(
        UPDATE,
        kind,
        "Opportunity.Goals__c",
        BEFORE,
        AFTER,
        tuple(differences(BEFORE, AFTER)),
        origin=Origin("field", "goals"),
    )
    return Plan("salesforce", "live", (change,))


def test_every_difference_is_in_text_markdown_and_json():
    for kind, describe, where in (
        ("CustomField", salesforce_describe, "Salesforce"),
        ("property", hubspot_describe, "HubSpot"),
    ):
        plan = _plan(kind)
        data = json.loads(as_json(plan, describe))["changes"][0]
        assert len(data["differences"]) == 11
        expected = [
            f"field 'goals' {d['path']} in {where}: org {d['before']!r}, spec {d['after']!r}"
            for d in data["differences"]
        ]
        assert data["description"] == expected
        printed = text(plan, describe).splitlines()
        assert [line.strip() for line in printed[2:13]] == expected
        table = markdown(plan, describe)
        assert all(line in table for line in expected)


def test_a_long_text_is_shown_around_its_first_difference():
    before, after = "x" * 200 + "old tail", "x" * 200 + "new tail"
    change = Change(UPDATE, "CustomField", "Opportunity.Goals__c", {"d": before}, {"d": after})
    change = Change(**{**change.__dict__, "differences": tuple(differences({"d": before}, {"d": after}))})
    (line,) = salesforce_describe(change)
    assert "old tail" in line and "new tail" in line and len(line) < 250
