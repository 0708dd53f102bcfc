"""The deal record layout and property edit access: no HubSpot API sets or reads them, so they are
manual steps generated from the spec, which diff reports as not verifiable."""

from __future__ import annotations

import json

from helpers import EXAMPLE_SPEC

from handrail.specs.computed import READ_ONLY
from handrail.specs.validate import load_spec
from handrail.targets.hubspot.render import render
from handrail.targets.hubspot.target import TARGET


def _steps():
    model = load_spec(EXAMPLE_SPEC).model
    desired = render(model, {})
    steps = {s["id"]: s for s in json.loads(desired.files["manual-steps.json"])["steps"]}
    return model, desired, steps


def test_record_layout_lists_computed_first_then_sections_in_spec_order():
    model, _, steps = _steps()
    layout = steps["deal-record-layout"]
    assert layout["kind"] == "record_layout" and layout["verifiable"] is False
    first, *sections = layout["cards"]
    assert [p["name"] for p in first["properties"]] == [f.hubspot_name for f in model.computed]
    assert {p["name"] for p in first["properties"] if p["read_only"]} == {
        model.computed_field(k).hubspot_name for k in READ_ONLY
    }
    used = [s for s in model.sections if any(f.section == s.key for f in model.fields)]
    assert [c["card"] for c in sections] == [s.label for s in used]
    for card, section in zip(sections, used, strict=True):
        assert [p["name"] for p in card["properties"]] == [
            f.hubspot_name for f in model.fields if f.section == section.key
        ]
        assert not any(p["read_only"] for p in card["properties"])
    assert any("Record Customization" in line for line in layout["instructions"])


def test_only_customer_success_edits_intake_status_and_rating():
    model, _, steps = _steps()
    access = steps["deal-property-edit-access"]
    assert access["kind"] == "property_edit_access" and access["verifiable"] is False
    assert access["edit_by_team"] == {
        "team": "Customer Success",
        "properties": [model.computed_field(k).hubspot_name for k in ("intake_status", "csm_rating")],
    }
    assert set(access["read_only"]) == {model.computed_field(k).hubspot_name for k in READ_ONLY}
    text = " ".join(access["instructions"])
    assert "Edit property access" in text and "Customer Success" in text


def test_diff_reports_both_as_not_verifiable():
    _, desired, _ = _steps()
    manual = {r.key for r in desired.resources if r.kind == "manual_step"}
    assert {"deal-record-layout", "deal-property-edit-access"} <= manual
    assert "manual_step" in TARGET.unverifiable_kinds
    capabilities = desired.files["CAPABILITIES.md"].decode()
    assert "`deal-record-layout`, not verifiable by diff" in capabilities
    assert "`deal-property-edit-access`, not verifiable by diff" in capabilities
