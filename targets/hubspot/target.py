"""The HubSpot target as the pipeline sees it: compile, judge changes, describe drift, connect."""

from __future__ import annotations

from handrail.generators.plan.diff import CREATE, DELETE, Change, Key
from handrail.generators.plan.report import differing_values
from handrail.generators.plan.resources import Origin
from handrail.specs.model import Environment, Model
from handrail.targets import Target
from handrail.targets.hubspot import ownership, preflight
from handrail.targets.hubspot import render as _render
from handrail.targets.hubspot.adoption import adopt
from handrail.targets.hubspot.validators import CHANGE_VALIDATORS

check_spec = _render.check_spec
verify = _render.verify
render = _render.render  # each resource carries its origin and facts from where it is built


def retired_keys(model: Model) -> dict[Key, Origin]:
    """The components the spec's retired items name; they are not rendered, so their origin is set here."""
    out = {("property", f.hubspot_name): Origin("field", f.key, f.span) for f in model.retired_fields}
    out.update({("flow", f"gate-{key}"): Origin("gate", key) for key in model.retired_gates})
    return out


def describe(change: Change) -> list[str]:
    origin = change.origin
    name = origin.words() if origin and origin.key else f"{change.kind} {change.key}"
    if change.kind == "property_validation":
        name = f"{name} {change.key.partition('/')[2]} validation rule"
    if change.action == CREATE:
        return [
            f"{name} is missing in HubSpot" + (" (deleted or archived?)" if change.kind == "property" else "")
        ]
    if change.action == DELETE:
        return [f"{name} is retired in the spec and will be archived"]
    before, after = change.before or {}, change.after or {}
    lines = []
    if change.kind == "flow" and before.get("isEnabled") != after.get("isEnabled"):
        lines.append(
            f"{name} workflow is {'on' if before.get('isEnabled') else 'off'} in HubSpot; "
            f"the spec says {'on' if after.get('isEnabled') else 'off'}"
        )
    return lines + differing_values(name, change, "HubSpot")  # every attribute that differs, as JSON lists


def open_org(env: Environment, model: Model):
    from handrail.targets.hubspot.org import HubSpotOrg

    return HubSpotOrg.connect(env, model)


def deal_source(env: Environment, model: Model):
    from handrail.targets.hubspot.deals import source

    return source(env, model)


TARGET = Target(
    name="hubspot",
    verify_scope=_render.VERIFY_SCOPE,
    render=render,
    check_spec=check_spec,
    verify=verify,
    retired_keys=retired_keys,
    describe=describe,
    open_org=open_org,
    deal_source=deal_source,
    change_validators=CHANGE_VALIDATORS,
    unverifiable_kinds=frozenset({"manual_step"}),  # no API reads them back: reported, never diffed
    adopt=adopt,
    owns=ownership.owns,
    assumed_keys=preflight.assumed_keys,
    check_assumptions=preflight.check,
)
