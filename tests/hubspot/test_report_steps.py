"""HubSpot has no API that creates a report (the reporting API beta manages report metadata and dashboard
widgets only: "you cannot currently: Create a report",
https://developers.hubspot.com/docs/api-reference/2027-03-beta/reporting/guide), so the manual steps carry
each review report's exact definition, built from the spec."""

from __future__ import annotations

import json

from helpers import EXAMPLE_SPEC

from handrail.specs.validate import load_spec_text
from handrail.targets.hubspot.render import render


def model_of(old: str = "", new: str = ""):
    text = EXAMPLE_SPEC.read_text()
    assert old in text
    return load_spec_text(text.replace(old, new, 1), str(EXAMPLE_SPEC)).model


def file_text(desired, name: str) -> str:
    data = desired.files[name]
    return (data() if callable(data) else data).decode("utf-8")


def reports(model) -> dict[str, dict]:
    steps = json.loads(file_text(render(model, {}), "manual-steps.json"))["steps"]
    return {s["report"]["key"]: s for s in steps if s["kind"] == "report"}


def test_one_manual_step_per_report_with_its_definition(example_model):
    steps = reports(example_model)
    assert list(steps) == [
        "quality_by_owner",
        "won_below_ready",
        "open_by_tier",
        "field_gaps",
        "sla_breaches",
        "intake_decisions",
    ]
    quality = steps["quality_by_owner"]
    assert quality["verifiable"] is False and quality["report"]["data_source"] == "deals"
    assert quality["report"]["filter_groups"] == [
        [
            {"property": "dealstage", "operator": "is any of", "values": ["closedwon"]},
            {"property": "closedate", "operator": "is", "values": ["This month"]},
        ]
    ]
    assert quality["report"]["group_by"] == ["hubspot_owner_id"]
    assert {"measure": "Average", "property": "handoff_score"} in quality["report"]["measures"]
    assert all("handrail audit --env" in s["instructions"][-1] for s in steps.values())
    capabilities = file_text(render(example_model, {}), "CAPABILITIES.md")
    assert "Build the report 'Handoff SLA breaches'" in capabilities


def test_the_definitions_follow_the_gated_stages_and_the_ready_threshold(example_model):
    steps = reports(example_model)
    open_filter = steps["open_by_tier"]["report"]["filter_groups"][0][0]
    assert open_filter["values"] == ["decisionmakerboughtin", "contractsent"]
    below = steps["won_below_ready"]["report"]["filter_groups"][0][-1]
    assert below == {"property": "handoff_score", "operator": "is less than", "values": [85]}
    changed = reports(model_of("  ready: 85\n", "  ready: 90\n"))
    assert changed["won_below_ready"]["report"]["filter_groups"][0][-1]["values"] == [90]
    moved = reports(
        model_of(
            "    stage: negotiation\n    segments: [enterprise]",
            "    stage: proposal\n    segments: [enterprise]",
        )
    )
    assert moved["open_by_tier"]["report"]["filter_groups"][0][0]["values"] == [
        "presentationscheduled",
        "contractsent",
    ]
    assert "presentationscheduled" in moved["open_by_tier"]["instructions"][1]


def test_sla_breaches_have_one_filter_group_per_first_touch_sla(example_model):
    groups = reports(example_model)["sla_breaches"]["report"]["filter_groups"]
    late = [g[-1]["values"] for g in groups]
    assert late == [["2 days ago"], ["3 days ago"]]
    channel = [s.key for s in example_model.segments if s.sla.first_touch_hours == 72]
    assert groups[1][2] == {"property": "handoff_segment", "operator": "is any of", "values": channel}
