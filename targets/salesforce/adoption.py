"""Adopted fields keep what the spec does not say.

A field is *adopted* when the spec names it (`salesforce: {api_name: ...}`) with a name other than the
one Handrail derives from its key, and the org already has it: it existed before Handrail, or was made
under that name for the spec. Every other field (the spec's derived names, the computed fields) is
Handrail's own and is compared whole, as before. Validation rules are never adopted: a gate's rule
name is always derived.

For an adopted field the spec states its label, its type and what the type compiles to (length,
precision, scale, visible lines, the referenced object, a picklist's values and their labels), its help
when the spec gives `help`, and its description when the spec gives `description`. Every other
attribute of the Metadata API CustomField type (history and feed tracking, external id, uniqueness,
required, default value, encryption, business owner and status, compliance group, data classification,
relationship name, lookup filter; a picklist's restriction, sorting, default value, colours and
dependencies) takes the org's value, absence included, before the diff: it never shows as a change. A
deploy replaces the whole field definition (an omitted trackHistory switches tracking off), so the
deployed component is rebuilt from that filled body and carries the org's values; the plan saves it, so
`apply PLAN` deploys exactly what was planned.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Mapping

from handrail.generators.plan.adoption import fill_adopted
from handrail.generators.plan.diff import Key
from handrail.generators.plan.resources import Desired, Resource
from handrail.specs.model import Field, Model
from handrail.specs.naming import salesforce_field_name
from handrail.targets.salesforce.components import Component, as_payload
from handrail.targets.salesforce.normal_form import component_body, schema_types

# What the spec's type compiles to: stated by every field.
STATED = frozenset(
    {"label", "type", "length", "precision", "scale", "visibleLines", "valueSet", "referenceTo"}
)
# Attributes only some field types may carry: when the spec changes the type, these follow the spec.
TYPE_SPECIFIC = frozenset(
    {
        "caseSensitive",
        "defaultValue",
        "deleteConstraint",
        "displayFormat",
        "externalId",
        "formula",
        "formulaTreatBlanksAs",
        "lookupFilter",
        "maskChar",
        "maskType",
        "relationshipLabel",
        "relationshipName",
        "required",
        "unique",
    }
)


def adopted_fields(model: Model) -> dict[str, Field]:
    """Opportunity field keys ("Opportunity.Customer_Goals__c") of the spec fields named explicitly."""
    obj, prefix = model.naming.salesforce_object, model.naming.salesforce_prefix
    return {
        f"{obj}.{f.salesforce_name}": f
        for f in model.fields
        if f.salesforce_name != salesforce_field_name(prefix, f.key)
    }


def stated(f: Field) -> frozenset[str]:
    """The CustomField attributes the spec states for `f`."""
    extra = {"inlineHelpText"} if f.help else set()
    return STATED | extra | ({"description"} if f.description else set())


def adopt(model: Model, desired: Desired, live: Mapping[Key, Resource]) -> Desired:
    """`desired` with every adopted field that exists in the org filled from its live body."""

    def fill(r: Resource, current: Resource, f: Field) -> Resource:
        return _filled(r, current.body, stated(f)) if r.payload is not None else r

    return fill_adopted(desired, live, "CustomField", adopted_fields(model), fill)


def keep_org_values(spec: Mapping[str, Any], org: Mapping[str, Any], kept: frozenset[str]) -> dict[str, Any]:
    """The spec's body for what it states, the org's for the rest (absent where the org has none)."""
    retyped = org.get("type") != spec.get("type")
    spec_owns = (lambda k: k in kept or k in TYPE_SPECIFIC) if retyped else (lambda k: k in kept)
    body = {k: v for k, v in spec.items() if spec_owns(k)}
    body.update({k: v for k, v in org.items() if not spec_owns(k)})
    if not retyped and isinstance(spec.get("valueSet"), dict) and isinstance(org.get("valueSet"), dict):
        body["valueSet"] = value_set(spec["valueSet"], org["valueSet"])
    return _in_order(body, "CustomField")


def value_set(spec: Mapping[str, Any], org: Mapping[str, Any]) -> Mapping[str, Any]:
    """The spec states a picklist's values (which, in what order, their labels); whether it is restricted
    or sorted, which value is the default, colours, descriptions and field dependencies stay the org's.
    A picklist on a global value set takes the spec's values whole."""
    if "valueSetName" in org or not isinstance(spec.get("valueSetDefinition"), dict):
        return spec
    definition = org.get("valueSetDefinition") or {}
    had = {v.get("fullName"): v for v in definition.get("value", []) if isinstance(v, dict)}
    values = [
        _in_order(
            {**had[v.get("fullName")], "fullName": v.get("fullName"), "label": v.get("label")}, "CustomValue"
        )
        if v.get("fullName") in had
        else v
        for v in spec["valueSetDefinition"].get("value", [])
    ]
    merged = {
        **org,
        "valueSetDefinition": _in_order({**definition, "value": values}, "ValueSetValuesDefinition"),
    }
    return _in_order(merged, "ValueSet")


def _in_order(body: Mapping[str, Any], type_name: str) -> dict[str, Any]:
    """Keys in the schema's sequence for `type_name`, as Salesforce writes them."""
    order = {name: i for i, name in enumerate(schema_types()[type_name])}
    return {k: body[k] for k in sorted(body, key=lambda k: order.get(k, len(order)))}


def _filled(r: Resource, org: Mapping[str, Any], kept: frozenset[str]) -> Resource:
    body = keep_org_values(r.body, org, kept)
    component = Component("CustomField", r.key, tuple(pairs_from_body(body, "CustomField")), source=r.source)
    return replace(r, body=component_body(component), payload=as_payload(component))


def pairs_from_body(body: Mapping[str, Any], type_name: str) -> list[tuple[str, Any]]:
    """A normal-form body (normal_form.py) as the (name, value) pairs the XML writer lays out again."""
    children = schema_types().get(type_name, {})
    out: list[tuple[str, Any]] = []
    for name, value in body.items():
        child_type = children.get(name, ("", False))[0]
        items = value if isinstance(value, list) else [value]
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            out.append((name, [pairs_from_body(v, child_type) for v in value]))
            continue
        for item in items:
            out.append((name, pairs_from_body(item, child_type) if isinstance(item, dict) else item))
    return out
