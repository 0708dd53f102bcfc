"""Opportunity page layouts: Handrail's "Handoff: ..." sections, its own layout, merging and drift.

A Handoff section is marked as Handrail's by its label prefix ("Handoff: Goals and use case"). Merging
into a layout retrieved from the org replaces only sections with that prefix; every other section,
item and setting of the layout stays byte for byte as retrieved. The computed fields (score, tier,
segment, missing summary) sit read-only at the top of the first Handoff section; the spec's fields are
Edit (required-ness stays with the validation rules).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from urllib.parse import quote

from handrail.specs.diagnostics import error
from handrail.targets.salesforce.xml import NAMESPACE, metadata_xml

PREFIX = "Handoff: "
STYLE = "TwoColumnsTopToBottom"
_NS = {"md": NAMESPACE}
# The standard fields a layout of its own needs so that a record can be created from it.
_OWN_STANDARD = (
    ("Name", "Required"),
    ("AccountId", "Edit"),
    ("CloseDate", "Required"),
    ("StageName", "Required"),
    ("Amount", "Edit"),
    ("OwnerId", "Edit"),
)
OWN_LAYOUT = "Handoff Opportunity Layout"


@dataclass(frozen=True)
class Section:
    title: str  # the spec section's title, e.g. "Goals and use case"
    fields: tuple[str, ...]  # API names of the spec's fields in this section
    readonly: tuple[str, ...] = ()  # computed fields, shown read-only at the top

    @property
    def label(self) -> str:
        return PREFIX + self.title


def full_name(layout: str, sobject: str = "Opportunity") -> str:
    """The Layout fullName: `Opportunity-<Layout Name>`, special characters URL-encoded as Salesforce does."""
    return f"{sobject}-{quote(layout, safe=' -_.')}"


def sections_for(titled_fields: list[tuple[str, list[str]]], computed: list[str]) -> list[Section]:
    """One Section per spec section; the computed fields go read-only into the first."""
    result = []
    for index, (title, fields) in enumerate(titled_fields):
        result.append(Section(title, tuple(fields), tuple(computed) if index == 0 else ()))
    return result


def _item(field: str, behavior: str) -> list:
    return [("behavior", behavior), ("field", field)]


def _columns(items: list[list]) -> list:
    """Two columns, top to bottom: the first half of the items left, the rest right."""
    half = (len(items) + 1) // 2
    left, right = items[:half], items[half:]
    return [[("layoutItems", left)] if left else [], [("layoutItems", right)] if right else []]


def section_pairs(label: str, items: list[list]) -> list:
    return [
        ("customLabel", True),
        ("detailHeading", True),
        ("editHeading", True),
        ("label", label),
        ("layoutColumns", _columns(items)),
        ("style", STYLE),
    ]


def handoff_section_pairs(section: Section) -> list:
    items = [_item(f, "Readonly") for f in section.readonly] + [_item(f, "Edit") for f in section.fields]
    return section_pairs(section.label, items)


def own_layout_pairs(sections: list[Section]) -> list:
    """A complete Opportunity layout an org with no layout to extend can assign."""
    standard = section_pairs("Opportunity Information", [_item(f, b) for f, b in _OWN_STANDARD])
    standard[0] = ("customLabel", False)
    return [("layoutSections", [standard] + [handoff_section_pairs(s) for s in sections])]


def section_xml(section: Section) -> str:
    """One `<layoutSections>` block, indented as a retrieved layout's direct child."""
    text = metadata_xml("Layout", [("layoutSections", handoff_section_pairs(section))]).decode("utf-8")
    lines = text.splitlines()[2:-1]
    return "\n".join(lines) + "\n"


_BLOCK = re.compile(r"^( *)<layoutSections>\n.*?^\1</layoutSections>\n", re.S | re.M)
_LABEL = re.compile(r"<label>(.*?)</label>")


def _is_handoff(block: str) -> bool:
    label = _LABEL.search(block)
    return bool(label) and label.group(1).startswith(PREFIX)


def merge(retrieved: bytes, sections: list[Section]) -> bytes:
    """The retrieved layout with Handrail's sections replaced; everything else kept byte for byte.

    New sections go where the old Handoff sections were, else after the last section, else before the
    first element that follows layoutSections in the schema's order.
    """
    text = retrieved.decode("utf-8")
    new = "".join(section_xml(s) for s in sections)
    blocks = list(_BLOCK.finditer(text))
    ours = [b for b in blocks if _is_handoff(b.group(0))]
    if ours:
        at = ours[0].start()
        for block in reversed(ours):
            text = text[: block.start()] + text[block.end() :]
    elif blocks:
        at = blocks[-1].end()
    else:
        at = _insertion_point(text)
    return (text[:at] + new + text[at:]).encode("utf-8")


_AFTER_SECTIONS = (
    "miniLayout", "multilineLayoutFields", "platformActionList", "quickActionList", "relatedContent",
    "relatedLists", "relatedObjects", "runAssignmentRulesDefault", "showEmailCheckbox",
    "showHighlightsPanel", "showInteractionLogPanel", "showKnowledgeComponent",
    "showRunAssignmentRulesCheckbox", "showSolutionSection", "showSubmitAndAttachButton", "summaryLayout",
)  # fmt: skip


def _insertion_point(text: str) -> int:
    found = [m.start() for n in _AFTER_SECTIONS if (m := re.search(rf"^ *<{n}[ >/]", text, re.M))]
    if found:
        return min(found)
    return text.rindex("</Layout>")


def handoff_fields(layout: bytes) -> dict[str, list[str]]:
    """Handrail's sections of a layout: label -> the fields in it, in order."""
    root = ET.fromstring(layout)
    result: dict[str, list[str]] = {}
    for section in root.findall("md:layoutSections", _NS):
        label = section.findtext("md:label", "", _NS)
        if label.startswith(PREFIX):
            result[label] = [f.text or "" for f in section.iter(f"{{{NAMESPACE}}}field")]
    return result


def describe_drift(layout: str, desired: bytes, actual: bytes) -> list[str]:
    """The difference in handoff terms: sections added or removed, fields missing or extra."""
    want, have = handoff_fields(desired), handoff_fields(actual)
    lines = []
    for label, fields in want.items():
        if label not in have:
            lines.append(f"adds section {label} to {layout}")
            continue
        lines += [
            f"field {f} missing from section {label} of {layout}" for f in fields if f not in have[label]
        ]
        lines += [
            f"field {f} not in the spec, in section {label} of {layout}"
            for f in have[label]
            if f not in fields
        ]
    lines += [f"removes section {label} from {layout}" for label in have if label not in want]
    return lines


def unknown_layouts(names, org_layouts: list[str]) -> list:
    """Errors, at the spec line of each name, for layouts the org does not have (names: LayoutName)."""
    have = sorted(org_layouts)
    listing = ", ".join(have) if have else "none"
    return [
        error(
            "salesforce.layout.unknown",
            f"the org has no Opportunity page layout named {n.name!r}",
            span=n.span,
            hint=f"the org's Opportunity layouts: {listing}",
        )
        for n in names
        if n.name not in have
    ]
