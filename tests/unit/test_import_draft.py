"""The draft `handrail import` writes, from inventories made here: it validates, reads back what the org
holds, and marks every guess for review."""

from __future__ import annotations

import pytest

from handrail.generators.importing.draft import render, scalar
from handrail.generators.importing.inventory import CrmField, CrmPipeline, CrmStage, Inventory
from handrail.generators.importing.mapping import map_fields
from handrail.specs.computed import RESERVED
from handrail.specs.loader import load_bytes
from handrail.specs.validate import load_spec_text

ENVS = {"prod": {"target": "salesforce", "auth": "sf_cli", "sf_alias": "prod"}}
STAGES = [CrmStage("Open", "Open"), CrmStage("Won", "Won", True, True), CrmStage("Lost", "Lost", False, True)]


def _draft(fields, platform="salesforce", stages=STAGES, pipelines=(), envs=ENVS):
    inv = Inventory(platform, "prod", list(fields), list(stages), list(pipelines))
    text = render(inv, envs, "prod", set(RESERVED))
    return text, load_spec_text(text, "draft.yaml").model


@pytest.mark.parametrize(
    "value",
    [
        "plain",
        "yes",
        "No",
        "null",
        "a: b",
        "# not a comment",
        'say "hi"',
        "it's",
        "Ünïcode – dash",
        "123",
        "- x",
        "",
    ],
)
def test_scalars_read_back_as_written(value):
    assert load_bytes(f"k: {scalar(value)}\n".encode(), "x.yaml").data == {"k": value}


def test_labels_and_help_with_yaml_syntax_read_back_exactly():
    label, help_text = 'Goals: "why" #1', "Line one\nline two: with 'quotes' & # signs"
    text, model = _draft(
        [CrmField("Goals__c", label, "LongTextArea", "long_text", help=help_text, length=5000)]
    )
    (f,) = model.fields
    assert (f.label, f.help, f.length, f.salesforce_name) == (label, help_text, 5000, "Goals__c")
    assert "# review: Goals__c (LongTextArea): 'goals' in its name: rubric item business_goals" in text


def test_without_a_rubric_match_every_adopted_field_weighs_one():
    text, model = _draft([CrmField("Partner__c", "Partner", "Text", "short_text", length=80)])
    assert [(f.key, f.weight) for f in model.fields] == [("partner", 1)]
    assert "weight 1: no field maps to a rubric item" in text


def test_keys_never_take_a_computed_fields_key_or_each_others():
    fields = [
        CrmField("Score__c", "Risk score", "Number", "number", precision=3, scale=0),
        CrmField("Risk_Score__c", "Risk score 2", "Number", "number", precision=3, scale=0),
        CrmField("RiskScore__c", "Risk score 3", "Number", "number", precision=3, scale=0),
    ]
    mapped, _ = map_fields(fields, set(RESERVED))
    assert [m.key for m in mapped] == ["score_2", "risk_score", "risk_score_2"]
    _draft(fields)


def test_each_rubric_item_is_given_once_and_only_to_text():
    fields = [
        CrmField("Goals__c", "Goals", "LongTextArea", "long_text", length=1000),
        CrmField("Other_Goals__c", "Other goals", "LongTextArea", "long_text", length=1000),
        CrmField("Risk_Count__c", "Risk count", "Number", "number", precision=3, scale=0),
    ]
    mapped, _ = map_fields(fields)
    assert [(m.section, m.weight) for m in mapped] == [("goals", 3), ("goals", None), ("risks", None)]


def test_unmapped_and_untyped_fields_are_listed_not_adopted():
    fields = [
        CrmField("Region__c", "Region", "Text", "short_text", length=40),
        CrmField("Email__c", "Champion email", "Email", None, why="the spec has no Email type"),
    ]
    text, model = _draft(fields)
    assert [f.key for f in model.fields][:2] == ["business_goals", "stakeholder_map"]  # the seed rubric
    assert not [f for f in model.fields if f.salesforce_name in ("Region__c", "Email__c")]
    assert "# Region__c: Text, 'Region'" in text
    assert "# Email__c: Email, 'Champion email' (the spec has no Email type)" in text


def test_generic_picklist_values_are_marked_for_review():
    options = (("a", "Weekly call"), ("o", "Other"))
    text, model = _draft(
        [CrmField("comms", "Communication", "enumeration/select", "picklist", options=options)], "hubspot"
    )
    assert [(o.value, o.label, o.generic) for o in model.fields[0].options] == [
        ("a", "Weekly call", False),
        ("o", "Other", True),
    ]
    assert "# review: 'Other' earns half credit (generic)" in text


def test_no_stages_read_gives_placeholder_stages_that_validate():
    text, model = _draft([], platform="hubspot", stages=[])
    assert [s.key for s in model.stages] == ["open", "closed_won", "closed_lost"]
    assert "placeholder stages" in text


def test_a_single_record_type_is_listed_not_declared():
    rt = CrmPipeline("Sales", "Sales", tuple(STAGES), process="Sales Process")
    text, model = _draft([], pipelines=[rt])
    assert model.pipelines == () or len(model.pipelines) <= 1
    assert "# Sales 'Sales', sales process Sales Process: Open, Won, Lost" in text
    assert "\npipelines:" not in text


def test_environments_are_kept_as_written():
    envs = {
        "prod": {
            "target": "salesforce",
            "auth": "sf_cli",
            "sf_alias": "p",
            "production": True,
            "login_url": "https://login.salesforce.com",
        },
        "snap": {"target": "snapshot", "platform": "salesforce", "path": "org state"},
        "hs": {
            "target": "hubspot",
            "auth": "private_app",
            "token_env": "T",
            "hubspot_stages": {"commit": "1"},
        },
    }
    _, model = _draft([], envs=envs)
    prod = model.environment("prod")
    assert prod.production and prod.get("login_url") == "https://login.salesforce.com"
    assert model.environment("snap").get("path") == "org state"
    assert not model.environment("hs").hubspot_stages  # keyed by the old spec's stages: for review


def test_long_hubspot_names_get_keys_whose_salesforce_names_fit():
    name = "customer_business_goals_and_objectives_for_the_first_ninety_days"
    _, model = _draft([CrmField(name, "Goals", "string/textarea", "long_text")], platform="hubspot")
    (f,) = model.fields
    assert f.hubspot_name == name and len(f.salesforce_name.removesuffix("__c")) <= 40


def test_a_managed_package_field_is_listed_not_adopted():
    from handrail.targets.salesforce.importer import crm_field

    f = crm_field("acme__Goals__c", {"type": "LongTextArea", "label": "Goals", "length": "1000"})
    assert f.spec_type is None and "double underscore" in f.why


def test_a_multi_select_shown_in_other_than_four_lines_is_marked_for_review():
    from handrail.targets.salesforce.importer import crm_field

    values = {"value": [{"fullName": "A", "default": "false", "label": "A"}]}
    body = {"type": "MultiselectPicklist", "label": "M", "visibleLines": "6"}
    f = crm_field("M__c", {**body, "valueSet": {"restricted": "true", "valueSetDefinition": values}})
    assert f.spec_type == "multi_select" and "shown in 6 lines" in f.why
