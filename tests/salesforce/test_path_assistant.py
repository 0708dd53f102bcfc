"""The Opportunity Path: one step per open stage with a Salesforce value, whose key fields and guidance are
what the next stage's gates require."""

from __future__ import annotations

import dataclasses
from html import escape

from lxml import etree

from handrail.targets.salesforce.path_assistant import KEY_FIELDS_MAX, path_component
from handrail.targets.salesforce.render import render
from handrail.targets.salesforce.validation_rules import error_message

NS = "{http://soap.sforce.com/2006/04/metadata}"
SOURCE = "force-app/main/default/pathAssistants/Handoff_Opportunity_Path.pathAssistant-meta.xml"


def steps(model) -> dict[str, tuple[list[str], str | None]]:
    root = etree.fromstring(render(model, {}).files[SOURCE])
    return {
        s.findtext(f"{NS}picklistValueName"): (
            [f.text for f in s.findall(f"{NS}fieldNames")],
            s.findtext(f"{NS}info"),
        )
        for s in root.iter(f"{NS}pathAssistantSteps")
    }


def test_one_step_per_open_stage_with_a_salesforce_value(example_model):
    open_stages = [
        s.salesforce
        for s in sorted(example_model.stages, key=lambda s: s.order)
        if s.salesforce and not (s.closed_won or s.closed_lost)
    ]
    assert list(steps(example_model)) == open_stages


def test_key_fields_and_guidance_come_from_the_next_stages_gates(example_model):
    ordered = sorted(example_model.stages, key=lambda s: s.order)
    by_value = steps(example_model)
    for i, stage in enumerate(ordered[:-1]):
        if stage.salesforce not in by_value:
            continue
        names, info = by_value[stage.salesforce]
        gates = [g for g in example_model.gates if g.stage == ordered[i + 1].key and g.active]
        assert len(names) <= KEY_FIELDS_MAX and len(names) == len(set(names))
        if not gates:
            assert names == [] and info is None
            continue
        for gate in gates:
            assert f"<p>{escape(error_message(example_model, gate), quote=False)}</p>" in info
        if any(g.require.csm_assigned for g in gates):
            assert example_model.csm_field.salesforce_name in names


def test_a_score_gate_shows_the_score_and_the_missing_summary(example_model):
    closed_won = next(s for s in example_model.stages if s.closed_won)
    gates = tuple(g for g in example_model.gates if g.stage == closed_won.key)
    score_only = [dataclasses.replace(g, require=dataclasses.replace(g.require, fields=())) for g in gates]
    model = dataclasses.replace(example_model, gates=tuple(score_only))
    last = list(steps(model).values())[-1][0]
    assert "Handoff_Score__c" in last and "Handoff_Missing_Summary__c" in last


def test_inactive_gates_and_markup_in_messages(example_model):
    gate = example_model.gates[0]
    loud = dataclasses.replace(gate, message="Need <b>CSM</b> & more")
    quiet = [dataclasses.replace(g, active=False) for g in example_model.gates[1:]]
    model = dataclasses.replace(example_model, gates=(loud, *quiet))
    infos = [info for _, info in steps(model).values() if info]
    assert len(infos) == 1 and "Need &lt;b&gt;CSM&lt;/b&gt; &amp; more" in infos[0]


def test_no_open_stage_with_a_salesforce_value_means_no_path(example_model):
    stages = tuple(
        dataclasses.replace(s, salesforce=None) if not (s.closed_won or s.closed_lost) else s
        for s in example_model.stages
    )
    assert path_component(dataclasses.replace(example_model, stages=stages)) is None
