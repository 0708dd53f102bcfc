"""The Salesforce target: the resolved model -> metadata components -> a deployable project.

    render(model, options)   the Desired files and resources; raises SpecError on a Salesforce limit
    check_spec(model)        what `handrail validate --target salesforce` adds to the spec's own checks
    verify(desired, options) every generated XML file against the Metadata API schema

Options: format "source" (default) or "mdapi"; api_version (default "63.0"); edition (default
"enterprise") for the custom-field allocation.
"""

from __future__ import annotations

import dataclasses
import re

from handrail.generators.plan.resources import Desired, Origin, Resource
from handrail.specs.coverage import gate_rule_name
from handrail.specs.diagnostics import Diagnostic, HandrailError, SpecError
from handrail.specs.model import Model
from handrail.targets.salesforce import flows
from handrail.targets.salesforce.components import Component, as_payload
from handrail.targets.salesforce.dashboard import dashboard_components
from handrail.targets.salesforce.fields import field_components
from handrail.targets.salesforce.gate_bypass import bypass_components
from handrail.targets.salesforce.intake import rating_rule
from handrail.targets.salesforce.layouts import layout_components
from handrail.targets.salesforce.limits import CUSTOM_FIELDS_BY_EDITION, check
from handrail.targets.salesforce.normal_form import component_body
from handrail.targets.salesforce.package import FORMATS, layout
from handrail.targets.salesforce.path_assistant import path_components, path_settings_component
from handrail.targets.salesforce.permission_set import permission_set_components
from handrail.targets.salesforce.reports import report_components
from handrail.targets.salesforce.spec_checks import spec_warnings
from handrail.targets.salesforce.validation_rules import rule_components

DEFAULTS = {"format": "source", "api_version": "63.0", "edition": "enterprise"}
_NOT_XML = (".json", ".cls")


class OptionError(HandrailError):
    """A build option Salesforce cannot use; a usage error."""

    exit_code = 2


def normalize_options(options: dict | None) -> dict:
    merged = {**DEFAULTS, **{k: v for k, v in (options or {}).items() if v is not None}}
    if merged["format"] not in FORMATS:
        raise OptionError(f"unknown format '{merged['format']}'; use one of: {', '.join(FORMATS)}")
    if not re.fullmatch(r"[1-9][0-9]\.0", str(merged["api_version"])):
        raise OptionError(f"API version '{merged['api_version']}' is not of the form 63.0")
    merged["api_version"] = str(merged["api_version"])
    merged["edition"] = str(merged["edition"]).lower()
    if merged["edition"] not in CUSTOM_FIELDS_BY_EDITION:
        raise OptionError(
            f"unknown edition '{merged['edition']}'; use one of: {', '.join(CUSTOM_FIELDS_BY_EDITION)}"
        )
    return merged


def components(model: Model, options: dict) -> list[Component]:
    """Every component, in the order resources are listed: fields, rules, permission sets, path, flows,
    page layouts, then the review's reports and dashboard (each after its folder)."""
    fields = _fields(model)
    path = path_components(model)
    path += [path_settings_component()] if path else []
    rest = [*permission_set_components(model, fields), *path, *flows.components(model, options)]
    review = [*report_components(model), *dashboard_components(model)]
    rest = [dataclasses.replace(c, origin=Origin(c.type)) for c in rest]
    review = [dataclasses.replace(c, origin=Origin(c.type)) for c in review]
    bypass = bypass_components(model)
    return [*fields, *_rules(model), rating_rule(model), *bypass, *rest, *layout_components(model), *review]


def _fields(model: Model) -> list[Component]:
    """The field components (the spec's fields in spec order, then the computed ones), each with its item."""
    items = [Origin("field", f.key, f.span) for f in model.fields] + [
        Origin("computed field", f.key, f.span) for f in model.computed
    ]
    parts = field_components(model)
    return [dataclasses.replace(c, origin=origin) for c, origin in zip(parts, items, strict=True)]


def _rules(model: Model) -> list[Component]:
    """One validation rule per gate that has a condition, with its gate and the gate's minimum score."""
    gates = {f"{model.naming.salesforce_object}.{gate_rule_name(model, g.key)}": g for g in model.gates}
    out = []
    for c in rule_components(model):
        gate = gates[c.name]
        floor = gate.require.effective_min_score(model.tiers)
        out.append(
            dataclasses.replace(
                c,
                origin=Origin("gate", gate.key, gate.span),
                facts={} if floor is None else {"min_score": float(floor)},
            )
        )
    return out


def resources(parts: list[Component]) -> tuple[Resource, ...]:
    """The resources plan compares; each carries its component as the payload apply deploys."""
    return tuple(
        Resource(c.type, c.name, component_body(c), c.source, c.origin, c.facts, as_payload(c)) for c in parts
    )


def render(model: Model, options: dict | None = None) -> Desired:
    options = normalize_options(options)
    parts = components(model, options)
    problems = check(model, parts, options["edition"])
    if any(p.is_error for p in problems):
        raise SpecError(problems)
    return Desired(
        target="salesforce",
        resources=resources(parts),
        # A named layout's Handoff sections are deployed only merged into the org's layout (by apply).
        files=layout([c for c in parts if "merge" not in c.facts], options["format"], options["api_version"]),
        warnings=tuple(problems + spec_warnings(model)),
    )


def check_spec(model: Model) -> list[Diagnostic]:
    """Salesforce-specific problems: limits (as errors), and what Salesforce cannot enforce (as warnings)."""
    try:
        return list(render(model).warnings)
    except SpecError as exc:
        return exc.diagnostics + spec_warnings(model)


def verify(desired: Desired, options: dict | None = None) -> list[Diagnostic]:
    """Schema problems in the generated XML files, located at path:line:column; [] when all are valid."""
    from handrail.targets.salesforce.schema import validate_xml

    problems: list[Diagnostic] = []
    for path, data in desired.files.items():
        if not path.endswith(_NOT_XML):
            problems += validate_xml(path, data)
    return problems
