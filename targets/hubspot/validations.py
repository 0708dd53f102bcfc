"""Property validation rules: the closest HubSpot gets to the minimum-length quality rule.

HubSpot formulas cannot measure text, so a calculated score cannot give half credit to a short value.
A MIN_LENGTH rule instead rejects shorter input when someone sets the value: it constrains input
rather than scoring it, and it does not make the property required. MAX_LENGTH mirrors a text
field's declared length.
"""

from __future__ import annotations

from dataclasses import dataclass

from handrail.specs.model import TEXT_TYPES, Field, Model
from handrail.targets.hubspot.vocabulary import STRING_MAX_LENGTH


@dataclass(frozen=True)
class ValidationRule:
    field: Field
    rule_type: str  # MIN_LENGTH, MAX_LENGTH
    arguments: tuple[str, ...]

    @property
    def key(self) -> str:
        return f"{self.field.hubspot_name}/{self.rule_type}"

    @property
    def body(self) -> dict:
        """PUT /crm/v3/property-validations/0-3/{property}/rule-type/{ruleType}."""
        return {"ruleArguments": list(self.arguments), "shouldApplyNormalization": False}


def validation_rules(model: Model) -> list[ValidationRule]:
    out = []
    for f in model.fields:
        if f.type not in TEXT_TYPES:
            continue
        if f.quality.min_length:
            out.append(ValidationRule(f, "MIN_LENGTH", (str(f.quality.min_length),)))
        if f.length and f.length < STRING_MAX_LENGTH:
            out.append(ValidationRule(f, "MAX_LENGTH", (str(f.length),)))
    return out
