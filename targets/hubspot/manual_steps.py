"""What an admin must do by hand in HubSpot, as data (manual-steps.json) and as a checklist.

Conditional stage properties ("required when a deal enters this stage") have no public API, neither
to set nor to read, so Handrail lists them and `diff` reports them as not verifiable. They apply to
every deal entering the stage, so only properties every segment needs there can be made required;
segment-specific ones stay with the gate workflow. People the spec names by manager role need a
HubSpot user bound to them.
"""

from __future__ import annotations

from typing import Any

from handrail.specs.computed import READ_ONLY
from handrail.specs.model import Model
from handrail.targets.hubspot.actions import MANAGER_ROLES, placeholders
from handrail.targets.hubspot.filters import combined
from handrail.targets.hubspot.flows import applicable_gates
from handrail.targets.hubspot.report_steps import report_steps


def stage_requirements(model: Model) -> list[dict[str, Any]]:
    """Per stage with gates: properties every segment needs there, and those only some segments need."""
    out = []
    for stage in model.stages:
        gates = applicable_gates(model, stage)
        if not gates or not stage.hubspot:
            continue
        needed = {s.key: {f.key for f in combined(model, gates, s.key).fields} for s in model.segments}
        every = set.intersection(*needed.values()) if needed else set()
        some = {k for keys in needed.values() for k in keys} - every
        if not every and not some:
            continue
        out.append(
            {
                "stage": stage,
                "gates": [g.key for g in gates],
                "require": [model.field(k) for k in [f.key for f in model.fields] if k in every],
                "segment_only": [
                    (model.field(k), [s for s, keys in needed.items() if k in keys])
                    for k in [f.key for f in model.fields]
                    if k in some
                ],
            }
        )
    return out


def manual_steps(model: Model, pipeline: str) -> dict[str, Any]:
    steps = []
    for item in stage_requirements(model):
        stage = item["stage"]
        labels = ", ".join(f.label for f in item["require"])
        instructions = [
            "In HubSpot, open Settings > Objects > Deals > Pipelines.",
            f"Select the pipeline '{pipeline}' and open the stage properties of '{stage.label}' (id "
            f"{stage.hubspot}).",
        ]
        if item["require"]:
            instructions.append(f"Add these properties and mark each one required: {labels}.")
        else:
            instructions.append("Nothing can be required for every deal here; leave the stage as it is.")
        if item["segment_only"]:
            instructions.append(
                "Do not require these here (only some segments need them; the gate workflow "
                "enforces them): "
                + "; ".join(
                    f"{f.label} ({', '.join(model.segment(s).label for s in segs)})"
                    for f, segs in item["segment_only"]
                )
                + "."
            )
        instructions.append(
            "Save. Handrail cannot read this setting back, so diff reports it as not verifiable."
        )
        steps.append(
            {
                "id": f"conditional-stage-properties-{stage.key}",
                "kind": "conditional_stage_properties",
                "verifiable": False,
                "title": f"Require handoff properties when deals enter {stage.label}",
                "pipeline": pipeline,
                "stage": {"key": stage.key, "label": stage.label, "hubspot": stage.hubspot},
                "gates": item["gates"],
                "require": [{"name": f.hubspot_name, "label": f.label} for f in item["require"]],
                "segment_only": [
                    {"name": f.hubspot_name, "label": f.label, "segments": segs}
                    for f, segs in item["segment_only"]
                ],
                "instructions": instructions,
            }
        )
    steps += [record_layout_step(model), edit_permissions_step(model), *report_steps(model)]
    bindings = []
    for placeholder, person in placeholders(model):
        role = person in MANAGER_ROLES
        bindings.append(
            {
                "placeholder": placeholder,
                "person": person,
                "kind": placeholder[2 : placeholder.index(":")],
                "resolved_by": "admin" if role else "apply",
                "how": (
                    f"HubSpot users have no manager: choose the HubSpot user who acts as '{person}' and give "
                    "apply their e-mail address."
                    if role
                    else f"apply looks up {person} with GET /crm/v3/owners?email={person} "
                    "(owner id for owner fields and tasks, user id for notifications)."
                ),
            }
        )
    for binding in bindings:
        if binding["resolved_by"] == "admin":
            steps.append(
                {
                    "id": f"bind-{binding['person']}-{binding['kind']}",
                    "kind": "bind_role",
                    "verifiable": True,
                    "title": f"Bind the role '{binding['person']}' to a HubSpot user",
                    "placeholder": binding["placeholder"],
                    "instructions": [binding["how"]],
                }
            )
    return {"pipeline": pipeline, "steps": steps, "bindings": bindings}


# No public API sets the deal record's layout or a property's edit access, so both are manual steps
# that diff reports as not verifiable. Checked in the docs: the CRM cards API
# (developers.hubspot.com/docs/api-reference/crm-public-app-crm-cards-v3/guide and
# .../legacy/crm/extensions/crm-cards/create-crm-card) only adds app cards filled from an external
# URL, not property cards or the record layout; the properties API's fieldLevelPermission is
# read-only and always empty (developers.hubspot.com/changelog/addition-of-a-new-fieldlevelpermission-field).
CS_EDITABLE = ("intake_status", "csm_rating")


def record_layout_step(model: Model) -> dict[str, Any]:
    """The deal record's cards: the computed properties first, then the spec's sections in order."""
    cards = [
        {
            "card": "Handoff",
            "properties": [
                {"name": f.hubspot_name, "label": f.label, "read_only": f.key in READ_ONLY}
                for f in model.computed
            ],
        }
    ]
    for section in model.sections:
        fields = [f for f in model.fields if f.section == section.key]
        if fields:
            cards.append(
                {
                    "card": section.label,
                    "properties": [
                        {"name": f.hubspot_name, "label": f.label, "read_only": False} for f in fields
                    ],
                }
            )
    instructions = [
        "In HubSpot, open Settings > Objects > Deals > Record Customization and edit the default view "
        "(or the view your deal teams use)."
    ]
    for card in cards:
        names = ", ".join(
            f"{p['label']}{' (read-only)' if p['read_only'] else ''}" for p in card["properties"]
        )
        instructions.append(f"Add a property card '{card['card']}' with, in this order: {names}.")
    instructions.append("Save. Handrail cannot read the layout back, so diff reports it as not verifiable.")
    return {
        "id": "deal-record-layout",
        "kind": "record_layout",
        "verifiable": False,
        "title": "Show the handoff on the deal record",
        "cards": cards,
        "instructions": instructions,
    }


def edit_permissions_step(model: Model) -> dict[str, Any]:
    """Who may edit which handoff property: the CS team alone edits intake status and rating."""
    cs_only = [model.computed_field(k) for k in CS_EDITABLE]
    read_only = [f for f in model.computed if f.key in READ_ONLY]
    instructions = [
        "In HubSpot (Enterprise), open Settings > Properties > Deal properties.",
        *(
            f"Open '{f.label}' ({f.hubspot_name}), choose Edit property access, and let everyone view it "
            "but only the Customer Success team edit it."
            for f in cs_only
        ),
        "Set these to view-only for everyone (Handrail's workflows and formulas write them): "
        + ", ".join(f"{f.label} ({f.hubspot_name})" for f in read_only)
        + ".",
        "Save. Handrail cannot read property access back, so diff reports it as not verifiable.",
    ]
    return {
        "id": "deal-property-edit-access",
        "kind": "property_edit_access",
        "verifiable": False,
        "title": "Let only Customer Success edit intake status and rating",
        "edit_by_team": {"team": "Customer Success", "properties": [f.hubspot_name for f in cs_only]},
        "read_only": [f.hubspot_name for f in read_only],
        "instructions": instructions,
    }
