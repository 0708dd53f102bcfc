"""Which handoff section an existing field belongs to, and which rubric item it is, by its words.

A guess from the field's name, label and help: every one is written into the draft with a `# review:`
comment saying what matched, so a person confirms it. Weights come from the seed rubric (DOMAIN.md), and
only for a field that maps to a rubric item; each rubric item is given to one field at most.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from handrail.generators.importing.inventory import CrmField

# Section keys as specs.resolve.DEFAULT_SECTION_LABELS names them, with the words that point at each.
SECTION_WORDS: dict[str, tuple[str, ...]] = {
    "goals": ("goal", "objective", "use case", "outcome", "success criteria", "success metric", "kpi"),
    "stakeholders": (
        "stakeholder",
        "champion",
        "economic buyer",
        "decision maker",
        "sponsor",
        "csm",
        "customer success manager",
        "post-sale owner",
    ),
    "commitments": (
        "contract",
        "terms",
        "renewal date",
        "billing",
        "product",
        "scope",
        "module",
        "seats",
        "discount",
        "fee",
        "go-live",
        "go live",
        "promised",
    ),
    "technical": ("technical", "integration", "security", "compliance", "sso", "implementation", "api"),
    "objections": ("objection", "competitor", "competition", "why we won", "evaluated"),
    "sales_cycle": ("conversation", "poc", "proof of concept", "negotiat", "concession", "handoff call"),
    "risks": ("risk", "red flag", "concern", "communication", "cadence", "churn"),
    "partner": ("partner", "channel", "reseller"),
}


@dataclass(frozen=True)
class RubricItem:
    key: str
    section: str
    weight: int
    words: tuple[str, ...]


# The seed rubric (total weight 17), in the order DOMAIN.md lists it.
RUBRIC = (
    RubricItem("business_goals", "goals", 3, ("business goal", "customer goal", "goals", "objective")),
    RubricItem("stakeholder_map", "stakeholders", 3, ("stakeholder", "decision maker", "buying committee")),
    RubricItem("success_criteria", "goals", 3, ("success criteria", "success metric", "kpi")),
    RubricItem("risk_flags", "risks", 2, ("risk", "red flag")),
    RubricItem("products_scope", "commitments", 2, ("products", "scope", "modules")),
    RubricItem("key_conversations", "sales_cycle", 2, ("conversation", "concession")),
    RubricItem("contract_terms", "commitments", 1, ("contract", "special terms", "billing terms")),
    RubricItem("communication_prefs", "risks", 1, ("communication", "cadence", "preferred channel")),
)
# A key short enough that the names Handrail derives from it fit: Handoff_<Key>__c has 40 characters at most.
KEY_MAX = 32
TEXT_TYPES = ("short_text", "long_text", "picklist", "multi_select")


@dataclass(frozen=True)
class Mapping:
    field: CrmField
    key: str  # the spec key the draft gives it
    section: str
    weight: int | None
    reason: str  # what matched, for the `# review:` comment


def words_of(f: CrmField) -> tuple[str, str]:
    """The field's name as words ("Customer_Goals__c" -> "customer goals"), and its label and help."""
    name = re.sub(r"__c$", "", f.name)
    name = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", name).replace("_", " ").lower()
    return name, f"{f.label} {f.help} {f.description}".lower()


def _hit(words: tuple[str, ...], name: str, text: str) -> tuple[str, str] | None:
    for w in words:
        if re.search(rf"\b{re.escape(w)}", name):
            return w, "name"
        if re.search(rf"\b{re.escape(w)}", text):
            return w, "label/help"
    return None


def spec_key(f: CrmField, taken: set[str]) -> str:
    """A spec key from the field's name: lower snake case, unique among the draft's keys."""
    name = re.sub(r"__c$", "", f.name)
    name = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name)
    key = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_") or "field"
    if not key[0].isalpha():
        key = f"f_{key}"
    key = key[:KEY_MAX].rstrip("_")
    out, n = key, 2
    while out in taken:
        out, n = f"{key}_{n}", n + 1
    taken.add(out)
    return out


def map_fields(
    fields: list[CrmField], reserved: set[str] = frozenset()
) -> tuple[list[Mapping], list[CrmField]]:
    """(the fields mapped to a section, in org order; the custom fields nothing pointed at)."""
    used_rubric: set[str] = set()
    taken = set(reserved)
    mapped, unmapped = [], []
    for f in fields:
        if f.spec_type is None:
            unmapped.append(f)
            continue
        name, text = words_of(f)
        rubric = None
        if f.spec_type in TEXT_TYPES:
            for item in RUBRIC:
                hit = _hit(item.words, name, text)
                if item.key not in used_rubric and hit:
                    rubric = (item, hit)
                    break
        if rubric:
            item, (word, where) = rubric
            used_rubric.add(item.key)
            reason = (
                f"'{word}' in its {where}: rubric item {item.key} (weight {item.weight}), "
                f"section {item.section}"
            )
            mapped.append(Mapping(f, spec_key(f, taken), item.section, item.weight, reason))
            continue
        section = next(
            ((s, hit) for s, words in SECTION_WORDS.items() if (hit := _hit(words, name, text))), None
        )
        if section is None:
            unmapped.append(f)
            continue
        key, (word, where) = section
        reason = f"'{word}' in its {where}: section {key}, unweighted"
        mapped.append(Mapping(f, spec_key(f, taken), key, None, reason))
    return mapped, unmapped
