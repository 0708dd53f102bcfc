"""The HubSpot target: the model compiled into the request bodies Handrail sends, one file per resource.

    render(model, options) -> Desired     options: pipeline_rules (bool), pipeline_definition (a saved
                                          GET /crm/v3/pipelines/deals), pipeline_id
    check_spec(model) -> diagnostics      what HubSpot cannot enforce exactly (targets.hubspot.limits)
    verify(desired, options) -> errors    offline checks of the output (targets.hubspot.verify)

Offline: nothing here imports the HubSpot client.
"""

from __future__ import annotations

import json
from functools import partial
from typing import Any, Callable, Iterator, Mapping

from handrail.generators.plan.resources import Desired, Origin, Resource
from handrail.specs.diagnostics import InputError, SpecError
from handrail.specs.model import Field, Model
from handrail.targets.hubspot.flows import flows as build_flows
from handrail.targets.hubspot.formula_size import check as check_formula_sizes
from handrail.targets.hubspot.limits import check_spec
from handrail.targets.hubspot.manual_steps import manual_steps
from handrail.targets.hubspot.pipeline_rules import check_approvals, patch_body
from handrail.targets.hubspot.properties import group, properties
from handrail.targets.hubspot.stages import DEFAULT_PIPELINE, check_stages, choose_pipeline, load_pipelines
from handrail.targets.hubspot.validations import validation_rules
from handrail.targets.hubspot.verify import VERIFY_SCOPE, verify
from handrail.targets.hubspot.vocabulary import (
    FLOWS_PATH,
    PIPELINE_RULES_PATH,
    PROPERTIES_PATH,
    PROPERTY_GROUPS_PATH,
    VALIDATION_PATH,
)

__all__ = ["render", "check_spec", "verify", "VERIFY_SCOPE"]
MANIFEST = "requests.json"
MANUAL_STEPS = "manual-steps.json"
CAPABILITIES = "CAPABILITIES.md"


def dump(body: Any) -> bytes:
    return (json.dumps(body, sort_keys=True, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


class Files(Mapping[str, bytes]):
    """The files of `build --out`, each made into bytes when first read: plan and diff never read them
    (for a 500-field spec, dumping them all was half of render's time)."""

    def __init__(self, makers: Mapping[str, Callable[[], bytes]]):
        self._makers = dict(sorted(makers.items()))
        self._made: dict[str, bytes] = {}

    def __getitem__(self, path: str) -> bytes:
        if path not in self._made:
            self._made[path] = self._makers[path]()
        return self._made[path]

    def __contains__(self, path: object) -> bool:
        return path in self._makers

    def __iter__(self) -> Iterator[str]:
        return iter(self._makers)

    def __len__(self) -> int:
        return len(self._makers)

    def __repr__(self) -> str:
        return f"Files({list(self._makers)})"


def _pipeline(model: Model, options: dict) -> tuple[str, Any]:
    definition = options.get("pipeline_definition")
    wanted = options.get("pipeline_id")
    if not definition:
        return wanted or DEFAULT_PIPELINE, None
    pipeline = choose_pipeline(model, load_pipelines(definition), wanted)
    if pipeline is None:
        raise InputError(
            f"{definition}: no pipeline '{wanted}'" if wanted else f"{definition}: holds no pipeline"
        )
    return pipeline.id, pipeline


def _formulas(model: Model, props) -> dict[str, str]:
    """Calculated formulas by computed-field key."""
    keys = {f.hubspot_name: f.key for f in model.computed}
    return {
        keys[b["name"]]: b["calculationFormula"]
        for _, b in props
        if b.get("fieldType") == "calculation_equation"
    }


def _field_origin(model: Model, f: Field) -> Origin:
    """A property (or its validation rule) stands for a spec field, or for a field Handrail computes."""
    computed = any(c.key == f.key for c in model.computed)
    return Origin("computed field" if computed else "field", f.key, f.span)


def render(model: Model, options: dict | None = None) -> Desired:
    options = options or {}
    pipeline_id, pipeline = _pipeline(model, options)
    diagnostics = check_stages(model, pipeline) + check_approvals(model)
    if any(d.is_error for d in diagnostics):
        raise SpecError(diagnostics)

    resources: list[Resource] = []
    files: dict[str, Callable[[], bytes]] = {}  # bodies are not changed after render: dumped when read
    requests: list[dict[str, str]] = []
    names: dict[str, str] = {}

    def add(
        kind: str,
        key: str,
        body: dict,
        file: str,
        method: str | None,
        path: str | None,
        source,
        origin: Origin,
        facts: Mapping[str, Any] | None = None,
    ) -> None:
        resources.append(Resource(kind, key, body, source, origin, facts or {}))
        files[file] = partial(dump, body)
        names[key] = file
        if method:
            requests.append({"kind": kind, "key": key, "method": method, "path": path, "file": file})

    group_body = group(model)
    add(
        "property_group",
        group_body["name"],
        group_body,
        f"property-groups/{group_body['name']}.json",
        "POST",
        PROPERTY_GROUPS_PATH,
        None,
        Origin("property_group", group_body["name"]),
    )
    props = properties(model)
    too_long = check_formula_sizes(model, _formulas(model, props))
    if too_long:
        raise SpecError(too_long)
    for f, body in props:
        add(
            "property",
            body["name"],
            body,
            f"properties/{body['name']}.json",
            "POST",
            PROPERTIES_PATH,
            f.span,
            _field_origin(model, f),
        )
    rules = validation_rules(model)
    for rule in rules:
        path = VALIDATION_PATH.format(property=rule.field.hubspot_name, rule=rule.rule_type)
        add(
            "property_validation",
            rule.key,
            rule.body,
            f"property-validations/{rule.field.hubspot_name}.{rule.rule_type}.json",
            "PUT",
            path,
            rule.field.span,
            _field_origin(model, rule.field),
        )
    flows = build_flows(model)
    for flow in flows:
        add(
            "flow",
            flow.key,
            flow.body,
            f"flows/{flow.key}.json",
            "POST",
            FLOWS_PATH,
            flow.source,
            flow.origin or Origin("flow", flow.key),
            flow.facts,
        )
    rule_sets = []
    if options.get("pipeline_rules"):  # with pipelines: one set per HubSpot pipeline, its own stage ids
        rule_sets = [(p.hubspot_id, patch_body(model, p)) for p in model.pipelines if p.hubspot_id] or [
            (pipeline_id, patch_body(model))
        ]
    rules_body = next((body for _, body in rule_sets if body), None)
    for rules_pipeline, body in rule_sets:
        if body:
            add(
                "pipeline_rules",
                rules_pipeline,
                body,
                f"pipeline-rules/{rules_pipeline}.json",
                "PATCH",
                PIPELINE_RULES_PATH.format(pipeline=rules_pipeline),
                None,
                Origin("pipeline_rules", rules_pipeline),
            )
    steps = manual_steps(model, pipeline_id)
    for step in steps["steps"]:
        resources.append(Resource("manual_step", step["id"], step, None, Origin("manual_step", step["id"])))
    files[MANUAL_STEPS] = partial(dump, steps)
    files[MANIFEST] = partial(dump, {"objectType": "deals", "pipeline": pipeline_id, "requests": requests})

    def capabilities() -> bytes:
        from handrail.targets.hubspot.capabilities import render_capabilities  # only build writes it

        bodies = [b for _, b in props]
        return render_capabilities(model, bodies, rules, flows, steps, rules_body, names).encode("utf-8")

    files[CAPABILITIES] = capabilities
    return Desired("hubspot", tuple(resources), Files(files), tuple(d for d in diagnostics if not d.is_error))
