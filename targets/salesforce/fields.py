"""Custom fields on Opportunity: one per handoff field, plus the fields Handrail computes.

Each field carries exactly the elements Salesforce retrieves for its type, in WSDL sequence order,
so a retrieve of the deployed field produces the same XML. No field is ever required at the field
level: gates enforce completeness at the right stage, and required fields cannot carry FLS.
"""

from __future__ import annotations

from handrail.specs.computed import READ_ONLY
from handrail.specs.model import Field, Model
from handrail.targets.salesforce.components import Component

FIELD_TYPES = {
    "short_text": "Text",
    "long_text": "LongTextArea",
    "picklist": "Picklist",
    "multi_select": "MultiselectPicklist",
    "number": "Number",
    "currency": "Currency",
    "percent": "Percent",
    "date": "Date",
    "datetime": "DateTime",
    "checkbox": "Checkbox",
    "user": "Lookup",
}
MULTI_SELECT_VISIBLE_LINES = 4
# CustomField's sequence in the Metadata API WSDL, restricted to the elements Handrail emits.
_ORDER = (
    "defaultValue",
    "deleteConstraint",
    "description",
    "externalId",
    "inlineHelpText",
    "label",
    "length",
    "precision",
    "referenceTo",
    "relationshipName",
    "required",
    "scale",
    "trackHistory",
    "type",
    "unique",
    "valueSet",
    "visibleLines",
)


def field_components(model: Model) -> list[Component]:
    """The spec's fields in spec order, then the computed ones."""
    obj = model.naming.salesforce_object
    return [_component(obj, f, _input_description(f)) for f in model.fields] + [
        _component(obj, f, _computed_description(f)) for f in model.computed
    ]


def _component(obj: str, f: Field, description: str) -> Component:
    return Component("CustomField", f"{obj}.{f.salesforce_name}", field_pairs(f, description), source=f.span)


def field_pairs(f: Field, description: str) -> tuple:
    sf_type = FIELD_TYPES[f.type]
    attrs: dict = {
        "description": description,
        "inlineHelpText": f.help or None,
        "label": f.label,
        "trackHistory": False,
        "type": sf_type,
    }
    if f.type != "checkbox":
        attrs["required"] = False
    if f.type == "short_text":
        attrs.update(externalId=False, length=f.length, unique=False)
    elif f.type == "long_text":
        del attrs["required"]  # Salesforce never retrieves it for long text areas
        attrs.update(length=f.length, visibleLines=f.visible_lines)
    elif f.type in ("picklist", "multi_select"):
        attrs["valueSet"] = _value_set(f)
        if f.type == "multi_select":
            attrs["visibleLines"] = MULTI_SELECT_VISIBLE_LINES
    elif f.type in ("number", "currency", "percent"):
        attrs.update(externalId=False, precision=f.precision, scale=f.scale)
        if f.type == "number":
            attrs["unique"] = False
    elif f.type == "checkbox":
        attrs["defaultValue"] = False
    elif f.type == "user":
        attrs.update(deleteConstraint="SetNull", referenceTo="User", relationshipName=relationship_name(f))
    return tuple((name, attrs[name]) for name in _ORDER if attrs.get(name) is not None)


def _value_set(f: Field) -> list:
    values = [[("fullName", o.value), ("default", False), ("label", o.label)] for o in f.options]
    return [("restricted", True), ("valueSetDefinition", [("sorted", False), ("value", values)])]


def relationship_name(f: Field) -> str:
    """The child relationship from User back to Opportunity: the field's own stem, unique as field names
    are."""
    return f.salesforce_name.removesuffix("__c")


def _input_description(f: Field) -> str:
    weight = f" Handoff score weight {f.weight}." if f.weight else ""
    own = f" {f.description}" if f.description else ""
    return f"Managed by Handrail (handoff field '{f.key}').{weight}{own}"


def _computed_description(f: Field) -> str:
    if f.key in READ_ONLY:
        return (
            f"Managed by Handrail (computed field '{f.key}'). Set automatically on save; do not edit by hand."
        )
    return f"Managed by Handrail (process field '{f.key}'). Maintained by Customer Success."
