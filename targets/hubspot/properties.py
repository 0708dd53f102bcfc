"""The property group and the deal properties: one per handoff field, plus Handrail's computed ones.

Bodies are the create requests (POST /crm/v3/properties/deals), written with every attribute a read
returns for them, so plan/diff can compare a GET against them key by key.
"""

from __future__ import annotations

from typing import Any

from handrail.specs.model import Field, Model, Option
from handrail.targets.hubspot.calculated import CALCULATED, formulas
from handrail.targets.hubspot.vocabulary import MANAGED_MARK, SPEC_TYPES

MANAGED_SUFFIX = f"{MANAGED_MARK}: edit the spec, not this property."
BOOL_OPTIONS = (Option("true", "Yes"), Option("false", "No"))


def group(model: Model) -> dict[str, Any]:
    return {"name": model.naming.hubspot_group, "label": model.name, "displayOrder": -1}


def description(f: Field) -> str:
    text = " ".join(part for part in (f.help, f.description) if part)
    if MANAGED_MARK not in text:
        text = f"{text} {MANAGED_SUFFIX}".strip()
    return text


def options(items: tuple[Option, ...]) -> list[dict[str, Any]]:
    return [
        {"label": o.label, "value": o.value, "displayOrder": i, "hidden": False} for i, o in enumerate(items)
    ]


def field_property(model: Model, f: Field, order: int) -> dict[str, Any]:
    ptype, field_type, display_hint = SPEC_TYPES[f.type]
    body: dict[str, Any] = {
        "name": f.hubspot_name,
        "label": f.label,
        "groupName": model.naming.hubspot_group,
        "type": ptype,
        "fieldType": field_type,
        "description": description(f),
        "displayOrder": order,
        "hidden": False,
        "formField": False,
        "hasUniqueValue": False,
    }
    if display_hint:
        body["numberDisplayHint"] = display_hint
    if f.type == "user":
        body.update(referencedObjectType="OWNER", externalOptions=True, options=[])
    elif f.type == "checkbox":
        body["options"] = options(BOOL_OPTIONS)
    elif f.options:
        body["options"] = options(f.options)
    return body


def calculated_property(model: Model, f: Field, formula: str, order: int) -> dict[str, Any]:
    ptype = "enumeration" if f.options else "string" if f.type == "long_text" else "number"
    body = field_property(model, f, order)
    body.update(type=ptype, fieldType="calculation_equation", calculationFormula=formula)
    body.pop("numberDisplayHint", None)
    return body


def properties(model: Model) -> list[tuple[Field, dict[str, Any]]]:
    """Spec fields in spec order, then computed ones; calculated properties in dependency order, last."""
    out = [(f, field_property(model, f, i)) for i, f in enumerate(model.fields)]
    order = len(out)
    plain = [f for f in model.computed if f.key not in CALCULATED]
    out += [(f, field_property(model, f, order + i)) for i, f in enumerate(plain)]
    order += len(plain)
    texts = formulas(model)
    out += [
        (
            model.computed_field(key),
            calculated_property(model, model.computed_field(key), texts[key], order + i),
        )
        for i, key in enumerate(CALCULATED)
    ]
    return out
