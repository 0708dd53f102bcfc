"""Adopted properties keep what the spec does not say.

A property is *adopted* when the spec names it (`hubspot: {name: ...}`) with a name other than the one
Handrail derives from the field's key, and the portal already has it. The spec states its label, its
type (type, fieldType, options, display hint, referenced object) and, when it gives `help` or
`description`, its description (HubSpot shows the description as the property's help text). The rest
of what a property update can set (groupName, displayOrder, hidden, formField, whether an option is
hidden) and what is fixed at creation (hasUniqueValue) take the portal's value before the diff, so they
never show as changes, and an update, which sends only the attributes that differ, leaves them as they
are. Properties Handrail named itself are compared whole, as before.

An option's description, which the spec cannot state and plan does not compare (the live body is
projected onto the desired one), is carried over at apply: an update that sends the options gives each
option the portal has its portal description (keep_option_descriptions).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Mapping

from handrail.generators.plan.adoption import fill_adopted
from handrail.generators.plan.diff import Key
from handrail.generators.plan.resources import Desired, Resource
from handrail.specs.model import Field, Model
from handrail.specs.naming import hubspot_property_name

UNSTATED = frozenset({"groupName", "displayOrder", "hidden", "formField", "hasUniqueValue"})


def adopted_fields(model: Model) -> dict[str, Field]:
    prefix = model.naming.hubspot_prefix
    return {f.hubspot_name: f for f in model.fields if f.hubspot_name != hubspot_property_name(prefix, f.key)}


def unstated(f: Field) -> frozenset[str]:
    """The property attributes the spec leaves to the portal for `f`."""
    return UNSTATED if (f.help or f.description) else UNSTATED | {"description"}


def adopt(model: Model, desired: Desired, live: Mapping[Key, Resource]) -> Desired:
    """`desired` with every adopted property that exists in the portal filled from its live body."""

    def fill(r: Resource, current: Resource, f: Field) -> Resource:
        return replace(r, body=keep_portal_values(r.body, current.body, unstated(f)))

    return fill_adopted(desired, live, "property", adopted_fields(model), fill)


def keep_portal_values(
    spec: Mapping[str, Any], portal: Mapping[str, Any], kept: frozenset[str]
) -> dict[str, Any]:
    """The spec's body, with the portal's value for each attribute in `kept` (absent where it has none)
    and, for an option the portal has, whether it is hidden."""
    body = {k: portal[k] if k in kept else v for k, v in spec.items() if k not in kept or k in portal}
    if isinstance(body.get("options"), list) and isinstance(portal.get("options"), list):
        hidden = {
            o.get("value"): o["hidden"] for o in portal["options"] if isinstance(o, dict) and "hidden" in o
        }
        body["options"] = [
            {**o, "hidden": hidden[o["value"]]} if isinstance(o, dict) and o.get("value") in hidden else o
            for o in body["options"]
        ]
    return body


def keep_option_descriptions(options: list, portal: Mapping[str, Any] | None) -> list:
    """The options to send, each one the portal has with the portal's description (the whole property
    as HubSpot returned it; None when it is not known)."""
    described = {
        o.get("value"): o["description"]
        for o in (portal or {}).get("options") or ()
        if isinstance(o, dict) and o.get("description")
    }
    return [
        {**o, "description": described[o["value"]]}
        if isinstance(o, dict) and o.get("value") in described and not o.get("description")
        else o
        for o in options
    ]
