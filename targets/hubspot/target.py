"""The HubSpot target as the pipeline sees it: compile, judge changes, describe drift, connect."""
from __future__ import annotations

import dataclasses

from handrail.generators.plan.diff import CREATE, DELETE, Change
from handrail.generators.plan.report import differing_values
from handrail.generators.plan.resources import Desired
from handrail.specs.model import Environment, Model
from handrail.targets import Target
from handrail.targets.hubspot import render as _render
from handrail.targets.hubspot.validators import CHANGE_VALIDATORS

check_spec = _render.check_spec
verify = _render.verify


def origins(model: Model) -> dict[tuple[str, str], str]:
    out: dict[tuple[str, str], str] = {}
    for prefix, fields in (("field", model.fields + model.retired_fields), ("computed field", model.computed)):
        for f in fields:
            out[("property", f.hubspot_name)] = f"{prefix}:{f.key}"
    for key in [g.key for g in model.gates] + list(model.retired_gates):
        out[("flow", f"gate-{key}")] = f"gate:{key}"
    return out


def _origin(model: Model, named: dict, kind: str, key: str) -> str:
    if (kind, key) in named:
        return named[(kind, key)]
    if kind == "property_validation":
        return named.get(("property", key.split("/")[0]), kind)
    return f"{kind}:{key}"


def render(model: Model, options: dict | None = None) -> Desired:
    desired = _render.render(model, options)
    named = origins(model)
    resources = tuple(r if r.origin else dataclasses.replace(r, origin=_origin(model, named, r.kind, r.key))
                      for r in desired.resources)
    return dataclasses.replace(desired, resources=resources)


def retired_keys(model: Model) -> dict[tuple[str, str], str]:
    named = origins(model)
    retired = {f"field:{f.key}" for f in model.retired_fields} | {f"gate:{k}" for k in model.retired_gates}
    return {k: origin for k, origin in named.items() if origin in retired}


def describe(change: Change) -> list[str]:
    kind, _, key = change.origin.partition(":")
    name = f"{kind} '{key}'" if key else f"{change.kind} {change.key}"
    if change.kind == "property_validation":
        name = f"{name} {change.key.partition('/')[2]} validation rule"
    if change.action == CREATE:
        return [f"{name} is missing in HubSpot" + (" (deleted or archived?)" if change.kind == "property" else "")]
    if change.action == DELETE:
        return [f"{name} is retired in the spec and will be archived"]
    before, after = change.before or {}, change.after or {}
    lines = []
    if change.kind == "flow" and before.get("isEnabled") != after.get("isEnabled"):
        lines.append(f"{name} workflow is {'on' if before.get('isEnabled') else 'off'} in HubSpot; the spec says "
                     f"{'on' if after.get('isEnabled') else 'off'}")
    return lines or differing_values(name, change, "HubSpot")


def open_org(env: Environment, model: Model):
    from handrail.targets.hubspot.org import HubSpotOrg

    return HubSpotOrg.connect(env, model)


def deal_source(env: Environment, model: Model):
    from handrail.targets.hubspot.deals import source

    return source(env, model)


TARGET = Target(
    name="hubspot", verify_scope=_render.VERIFY_SCOPE, render=render, check_spec=check_spec, verify=verify,
    retired_keys=retired_keys, describe=describe, open_org=open_org, deal_source=deal_source,
    change_validators=CHANGE_VALIDATORS,
    unverifiable_kinds=frozenset({"manual_step"}),  # no API reads them back: reported, never diffed
)
