"""The Opportunity Path: at each open stage, the fields the next stage's gates ask for, and their messages.

A rep sees on the Path what the validation rule of the next stage will require before it stops them:
each step's key fields are the union of the fields that stage's active gates require (a named CSM, the
gate's fields, the fields any of its segments require, and for a minimum score or tier the score and
the missing summary), capped at Salesforce's five key fields per step; its guidance for success is the
gates' validation-rule messages, as escaped rich text. Steps are the spec's open stages that have a
Salesforce value, on the master record type (one path per record type and object: an org that already
has an Opportunity path for the master record type must retire it first). A spec with `pipelines:` has
one Path per pipeline with a record type (per sales process), its steps that pipeline's stage values and
its key fields those of the gates that apply to the pipeline; a default pipeline without a record type
keeps the master record type's Path. Path itself is an org
setting ("Enable Path"): the Metadata API deploys a PathAssistant without it, so the build also carries
PathAssistantSettings with pathAssistantEnabled, and nothing else of that settings file (a settings
deploy leaves the settings it does not name as they are; plan compares only that one).
"""

from __future__ import annotations

from html import escape

from handrail.generators.rules import tree
from handrail.specs.model import Field, Gate, Model
from handrail.specs.naming import camel
from handrail.specs.pipelines import Pipeline, gate_pipelines, pipelines_of
from handrail.targets.salesforce.components import Component
from handrail.targets.salesforce.validation_rules import error_message

KEY_FIELDS_MAX = 5
MASTER = "__MASTER__"


def path_name(model: Model) -> str:
    return f"{model.naming.salesforce_prefix or 'Handrail'}_Opportunity_Path"


def gate_fields(model: Model, gate: Gate) -> list[Field]:
    """The fields the gate requires, each once, most telling first (the cap keeps the head): a named CSM
    and the gate's own fields, the score and the missing summary, the fields every segment of the gate
    requires, then those only some segments require."""
    ranked: list[tuple[int, Field]] = []
    for node in tree.rules_for(model).gate(gate.key):
        if isinstance(node, tree.Empty):
            ranked.append((0, node.field))
        elif isinstance(node, tree.ScoreBelow):
            ranked += [(1, model.computed_field("score")), (1, model.computed_field("missing_summary"))]
        elif isinstance(node, tree.EmptyInSegments):
            rank = 2 if set(node.universe) <= set(node.segments) else 3
            ranked += [(rank, f) for f in node.fields]
    out: dict[str, Field] = {}
    for _, f in sorted(ranked, key=lambda pair: pair[0]):
        out.setdefault(f.key, f)
    return list(out.values())


def step_for(model: Model, next_key: str, pipeline: Pipeline | None = None) -> tuple[list[str], str | None]:
    """(key field API names, guidance) for a step whose next stage is next_key (in ``pipeline``: only the
    gates that apply to it)."""
    gates = [
        g
        for g in model.gates
        if g.stage == next_key and g.active and (pipeline is None or pipeline in gate_pipelines(model, g))
    ]
    fields: dict[str, Field] = {}
    messages = []
    for gate in gates:
        required = gate_fields(model, gate)
        if not required:
            continue
        for f in required:
            fields.setdefault(f.key, f)
        messages.append(error_message(model, gate))
    names = [f.salesforce_name for f in fields.values()][:KEY_FIELDS_MAX]
    info = "".join(f"<p>{escape(m, quote=False)}</p>" for m in messages) or None
    return names, info


def path_component(model: Model) -> Component | None:
    """The Path of a spec without pipelines, or None when no open stage has a Salesforce value."""
    paths = path_components(model)
    return paths[0] if paths else None


def path_components(model: Model) -> list[Component]:
    """One Path per pipeline (the master record type's for a spec without pipelines)."""
    if not model.pipelines:
        (pipeline,) = pipelines_of(model)
        one = _path(model, pipeline, path_name(model), None)
        return [one] if one else []
    out = []
    for pipeline in model.pipelines:
        name = f"{model.naming.salesforce_prefix or 'Handrail'}_Opportunity_{camel(pipeline.key)}_Path"
        component = _path(model, pipeline, name, pipeline.label)
        if component:
            out.append(component)
    return out


def _path(model: Model, pipeline: Pipeline, name: str, suffix: str | None) -> Component | None:
    stages = [s for s in sorted(model.stages, key=lambda s: s.order) if pipeline.stage(s.key)]
    scoped = pipeline if model.pipelines else None
    steps = []
    for i, stage in enumerate(stages):
        value = pipeline.value(stage.key, "salesforce")
        if stage.closed_won or stage.closed_lost or not value:
            continue
        names, info = step_for(model, stages[i + 1].key, scoped) if i + 1 < len(stages) else ([], None)
        steps.append([*(("fieldNames", n) for n in names), ("info", info), ("picklistValueName", value)])
    if not steps:
        return None
    label = f"{(model.naming.salesforce_prefix or 'Handrail').replace('_', ' ')} Opportunity Path"
    pairs = (
        ("active", True),
        ("entityName", "Opportunity"),
        ("fieldName", "StageName"),
        ("masterLabel", f"{label} ({suffix})" if suffix else label),
        ("pathAssistantSteps", steps),
        ("recordTypeName", (pipeline.record_type or MASTER) if model.pipelines else MASTER),
    )
    return Component("PathAssistant", name, pairs)


SETTINGS_OWNED = {"PathAssistant": ("pathAssistantEnabled",)}  # the settings Handrail sets, per file


def path_settings_component() -> Component:
    """Setup > Path Settings > Enable: without it no rep sees a Path."""
    return Component("Settings", "PathAssistant", (("pathAssistantEnabled", True),))
