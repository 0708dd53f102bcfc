"""Salesforce limits checked at compile time, each reported at the spec node that caused it.

They run on the generated components, so they hold for everything Handrail emits (computed fields,
generated rules and names included), not only for what the spec spelled out.
"""

from __future__ import annotations

import re

from handrail.specs.diagnostics import Diagnostic, Span, error
from handrail.specs.model import Model
from handrail.specs.naming import salesforce_name_problem
from handrail.targets.salesforce.components import Component

# Custom fields per object, by edition (Salesforce Help, "Custom Field Allocations by Edition").
CUSTOM_FIELDS_BY_EDITION = {
    "professional": 100,
    "enterprise": 500,
    "developer": 500,
    "unlimited": 800,
    "performance": 800,
}
FORMULA_MAX = 3900
ERROR_MESSAGE_MAX = 255
RULE_DESCRIPTION_MAX = 255
FIELD_LABEL_MAX = 40
HELP_MAX = 510
FIELD_DESCRIPTION_MAX = 1000
TEXT_MAX = 255
LONG_TEXT_RANGE = (256, 131072)
LONG_TEXT_PER_OBJECT = 1_638_400  # characters across all long text areas of one object
VISIBLE_LINES = {"LongTextArea": (2, 50), "MultiselectPicklist": (3, 10)}
PRECISION_MAX = 18
PICKLIST_VALUES_MAX = {"Picklist": 1000, "MultiselectPicklist": 500}
PICKLIST_VALUE_MAX = 255
NAME_MAX = {
    "CustomField": 40,
    "ValidationRule": 40,
    "ApexClass": 40,
    "Flow": 80,
    "PermissionSet": 80,
    "CustomNotificationType": 80,
    "Report": 40,
    "Dashboard": 40,
}
PERMISSION_SET_LABEL_MAX = 80
PERMISSION_SET_DESCRIPTION_MAX = 255
RELATIONSHIP_NAME_MAX = 40
# no XML 1.0 document may hold these
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def check(model: Model, components: list[Component], edition: str) -> list[Diagnostic]:
    out = _field_count(model, components, edition)
    out += _names(components)
    long_text = []
    for c in components:
        out += _characters(c)
        body = dict(c.pairs)
        if c.type == "CustomField":
            out += _field(c, body)
            if body.get("type") == "LongTextArea":
                long_text.append(c)
        elif c.type == "ValidationRule":
            out += _rule(c, body)
        elif c.type == "PermissionSet":
            out += _too_long(c, "label", body.get("label"), PERMISSION_SET_LABEL_MAX)
            out += _too_long(c, "description", body.get("description"), PERMISSION_SET_DESCRIPTION_MAX)
    out += _long_text_total(model, long_text)
    return out


def _problem(c: Component, message: str, hint: str = "") -> Diagnostic:
    return error("salesforce-limit", f"{c.name}: {message}", span=c.source, hint=hint)


def _too_long(c: Component, what: str, value, limit: int, hint: str = "") -> list[Diagnostic]:
    if isinstance(value, str) and len(value) > limit:
        return [_problem(c, f"{what} is {len(value)} characters; Salesforce allows {limit}", hint)]
    return []


def _texts(pairs):
    """Every (element, text) in a pairs tree."""
    for name, value in pairs:
        if isinstance(value, str):
            yield name, value
        elif isinstance(value, list):
            for item in value if value and all(isinstance(v, list) for v in value) else [value]:
                yield from _texts(item)


def _characters(c: Component) -> list[Diagnostic]:
    for name, text in _texts(c.pairs):
        found = _NOT_XML.search(text)
        if found:
            return [
                _problem(
                    c,
                    f"{name} contains the control character U+{ord(found.group()):04X}, which "
                    "metadata XML cannot hold",
                    "remove it from the spec",
                )
            ]
    return []


def _field_count(model: Model, components: list[Component], edition: str) -> list[Diagnostic]:
    limit = CUSTOM_FIELDS_BY_EDITION[edition]
    count = sum(c.type == "CustomField" for c in components)
    if count <= limit:
        return []
    computed = len(model.computed)
    first_over = model.fields[max(0, min(len(model.fields) - 1, limit - computed))]
    span = first_over.span or Span(model.source, 1, 1)
    return [
        error(
            "salesforce-limit",
            f"{count} custom fields on {model.naming.salesforce_object} ({len(model.fields)} from the "
            f"spec + {computed} Handrail computes); {edition.title()} Edition allows {limit}, so the "
            f"fields from '{first_over.key}' on do not fit",
            path="fields",
            span=span,
            hint="remove fields (fields already in the org count too), or build for a larger --edition",
        )
    ]


def _names(components: list[Component]) -> list[Diagnostic]:
    out = []
    seen: dict[tuple[str, str], Component] = {}
    relationships: dict[str, Component] = {}
    for c in components:
        member = c.name.split(".", 1)[1] if c.type in ("CustomField", "ValidationRule") else c.name
        member = member.rsplit("/", 1)[-1]  # a report or dashboard is named "Folder/Name"
        # A Layout is named by its label ("Opportunity-Handoff Opportunity Layout"), not an API name.
        problem = c.type != "Layout" and salesforce_name_problem(
            member, max_length=NAME_MAX.get(c.type, 80), custom=c.type == "CustomField"
        )
        if problem:
            out.append(_problem(c, f"{c.type} API name {problem}"))
        key = (c.type, c.name.lower())
        if key in seen:
            out.append(
                _problem(
                    c,
                    f"{c.type} API name collides with {seen[key].name} (Salesforce names ignore case)",
                    "rename one of them",
                )
            )
        seen.setdefault(key, c)
        relationship = dict(c.pairs).get("relationshipName") if c.type == "CustomField" else None
        if relationship:
            if len(relationship) > RELATIONSHIP_NAME_MAX:
                out.append(
                    _problem(c, f"relationship name {relationship} is longer than {RELATIONSHIP_NAME_MAX}")
                )
            if relationship.lower() in relationships:
                out.append(
                    _problem(
                        c,
                        f"relationship name {relationship} is also used by "
                        f"{relationships[relationship.lower()].name}",
                        "rename one of the user fields",
                    )
                )
            relationships.setdefault(relationship.lower(), c)
    return out


def _field(c: Component, body: dict) -> list[Diagnostic]:
    out = _too_long(c, "label", body.get("label"), FIELD_LABEL_MAX, "shorten the label; put detail in help")
    out += _too_long(c, "help text", body.get("inlineHelpText"), HELP_MAX)
    out += _too_long(c, "description", body.get("description"), FIELD_DESCRIPTION_MAX)
    sf_type, length = body.get("type"), body.get("length")
    if sf_type == "Text" and not 1 <= length <= TEXT_MAX:
        out.append(
            _problem(c, f"a Text field holds 1 to {TEXT_MAX} characters, not {length}", "use long_text")
        )
    if sf_type == "LongTextArea" and not LONG_TEXT_RANGE[0] <= length <= LONG_TEXT_RANGE[1]:
        out.append(
            _problem(
                c,
                f"a long text area holds {LONG_TEXT_RANGE[0]} to {LONG_TEXT_RANGE[1]} "
                f"characters, not {length}",
            )
        )
    if sf_type in VISIBLE_LINES:
        low, high = VISIBLE_LINES[sf_type]
        if not low <= body.get("visibleLines", low) <= high:
            out.append(_problem(c, f"{sf_type} shows {low} to {high} lines, not {body['visibleLines']}"))
    if "precision" in body:
        precision, scale = body["precision"], body.get("scale") or 0
        if not 1 <= precision <= PRECISION_MAX:
            out.append(_problem(c, f"precision {precision} is outside 1 to {PRECISION_MAX}"))
        if scale > precision:
            out.append(_problem(c, f"scale {scale} is larger than precision {precision}"))
    if sf_type in PICKLIST_VALUES_MAX:
        out += _picklist(c, sf_type, dict(dict(body["valueSet"])["valueSetDefinition"])["value"])
    return out


def _picklist(c: Component, sf_type: str, values: list) -> list[Diagnostic]:
    out = []
    if len(values) > PICKLIST_VALUES_MAX[sf_type]:
        out.append(
            _problem(
                c,
                f"{len(values)} picklist values; Salesforce allows "
                f"{PICKLIST_VALUES_MAX[sf_type]} for {sf_type}",
            )
        )
    seen: set[str] = set()
    for value in values:
        item = dict(value)
        name, label = item["fullName"], item.get("label", "")
        for what, text in (("value", name), ("label", label)):
            if len(text) > PICKLIST_VALUE_MAX:
                out.append(
                    _problem(
                        c,
                        f"picklist {what} '{text[:30]}...' is {len(text)} characters; "
                        f"Salesforce allows {PICKLIST_VALUE_MAX}",
                    )
                )
        if name.lower() in seen:
            out.append(_problem(c, f"picklist value '{name}' appears twice"))
        seen.add(name.lower())
        if sf_type == "MultiselectPicklist" and ";" in name:
            out.append(
                _problem(c, f"multi-select value '{name}' contains ';', which separates selected values")
            )
    return out


def _rule(c: Component, body: dict) -> list[Diagnostic]:
    formula = body["errorConditionFormula"]
    out = []
    if len(formula) > FORMULA_MAX:
        out.append(
            _problem(
                c,
                f"the validation rule formula is {len(formula)} characters; Salesforce allows {FORMULA_MAX}",
                "split the gate into smaller gates, or require fewer fields in it",
            )
        )
    out += _too_long(c, "error message", body.get("errorMessage"), ERROR_MESSAGE_MAX)
    out += _too_long(c, "description", body.get("description"), RULE_DESCRIPTION_MAX)
    return out


def _long_text_total(model: Model, long_text: list[Component]) -> list[Diagnostic]:
    total = sum(dict(c.pairs)["length"] for c in long_text)
    if total <= LONG_TEXT_PER_OBJECT:
        return []
    running, culprit = 0, long_text[-1]
    for c in long_text:
        running += dict(c.pairs)["length"]
        if running > LONG_TEXT_PER_OBJECT:
            culprit = c
            break
    return [
        _problem(
            culprit,
            f"long text areas on {model.naming.salesforce_object} would hold {total:,} "
            f"characters in all; Salesforce allows {LONG_TEXT_PER_OBJECT:,} per object",
            "give long_text fields a smaller length (the default is 32768)",
        )
    ]
