"""Adopted HubSpot properties: which are adopted, and what keeps the portal's value."""

from __future__ import annotations

from helpers import EXAMPLE_SPEC

from handrail.specs.validate import load_spec
from handrail.targets.hubspot.adoption import UNSTATED, adopted_fields, keep_portal_values, unstated

SPEC = {
    "name": "channel",
    "label": "Communication Preferences",
    "groupName": "handoff",
    "description": "Managed by Handrail",
    "displayOrder": 3,
    "hidden": False,
    "formField": False,
    "hasUniqueValue": False,
    "options": [
        {"label": "Call", "value": "call", "displayOrder": 0, "hidden": False},
        {"label": "Mail", "value": "mail", "displayOrder": 1, "hidden": False},
    ],
}
PORTAL = {
    "name": "channel",
    "label": "Channel",
    "groupName": "dealinformation",
    "description": "How the customer likes to hear from us",
    "displayOrder": 12,
    "hidden": False,
    "formField": True,
    "options": [{"label": "Call", "value": "call", "displayOrder": 0, "hidden": True}],
}


def test_only_properties_named_apart_from_the_derived_name_are_adopted(tmp_path):
    spec = tmp_path / "handoff.yaml"
    text = EXAMPLE_SPEC.read_text()
    text = text.replace("  - key: seats\n", "  - key: seats\n    hubspot: {name: seat_count}\n", 1)
    text = text.replace(
        "  - key: discount\n", "  - key: discount\n    hubspot: {name: handoff_discount}\n", 1
    )
    spec.write_text(text)
    model = load_spec(spec).model
    assert list(adopted_fields(model)) == ["seat_count"]
    assert unstated(model.field("seats")) == UNSTATED | {"description"}  # no help, no description
    assert unstated(model.field("business_goals")) == UNSTATED


def test_unstated_attributes_and_hidden_options_keep_the_portal_value():
    body = keep_portal_values(SPEC, PORTAL, UNSTATED | {"description"})
    assert body == {
        **{k: v for k, v in SPEC.items() if k != "hasUniqueValue"},
        "groupName": "dealinformation",
        "description": "How the customer likes to hear from us",
        "displayOrder": 12,
        "formField": True,
        "options": [
            {"label": "Call", "value": "call", "displayOrder": 0, "hidden": True},
            {"label": "Mail", "value": "mail", "displayOrder": 1, "hidden": False},
        ],
    }
    # hasUniqueValue: the portal's read has none here, so there is nothing to send or compare
