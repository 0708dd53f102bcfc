"""Opportunity page layouts: Handrail's "Handoff: ..." sections, its own layout, merging and drift.

A Handoff section is marked as Handrail's by its label prefix ("Handoff: Goals and use case"). Merging
into a layout retrieved from the org replaces only sections with that prefix; every other section,
item and setting of the layout stays byte for byte as retrieved. The computed fields (score, tier,
segment, missing summary) sit read-only at the top of the first Handoff section; the spec's fields are
Edit (required-ness stays with the validation rules); a last "Handoff: Customer Success" section holds
the intake status, the rating and the CS timestamps (who may edit them is the permission sets' job).

Two kinds of Layout component come out of a spec:
    the layout of its own ("Handoff Opportunity Layout"), complete, in `build` and deployed as is;
    one per layout the spec names (`salesforce: {layouts: [...]}`), holding only the Handoff sections
    (facts {"merge": PREFIX}). It is never written by `build` (deployed alone it would replace the
    whole layout): `plan` compares it with the Handoff sections of the org's layout, and `apply`
    retrieves the layout and deploys it merged.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from urllib.parse import quote

from handrail.generators.plan.resources import Origin
from handrail.specs.diagnostics import error
from handrail.specs.model import Model
from handrail.targets.salesforce.components import Component
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
CS_TITLE = "Customer Success"
_READONLY = ("score", "tier", "segment", "missing_summary")  # computed keys, atop the first section
_CS_READONLY = ("closed_won_at", "intake_decided_at", "clocks_stamped")  # stamped by the flows
# editable on the layout; field-level security decides by whom (the resubmit tick is Sales')
_CS_EDIT = (
    "intake_status",
    "csm_rating",
    "intake_resubmit",
    "internal_handoff_at",
    "first_touch_at",
    "kickoff_at",
    "implementation_contact_at",  # the playbook's (specs.playbook), when the spec has one
    "recovery_owner",
)


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


def model_sections(model: Model) -> list[Section]:
    """The spec's sections that hold fields, in spec order, then the Customer Success section."""
    titled = [
        (s.label, [f.salesforce_name for f in model.fields if f.section == s.key]) for s in model.sections
    ]
    computed = {f.key: f.salesforce_name for f in model.computed}
    result = sections_for(
        [(t, fs) for t, fs in titled if fs], [computed[k] for k in _READONLY if k in computed]
    )
    cs_edit = tuple(computed[k] for k in _CS_EDIT if k in computed)
    cs_readonly = tuple(computed[k] for k in _CS_READONLY if k in computed)
    if cs_edit or cs_readonly:
        result.append(Section(CS_TITLE, cs_edit, cs_readonly))
    return result


def layout_components(model: Model) -> list[Component]:
    """The layout of its own, then the Handoff sections of each layout the spec names."""
    sections = model_sections(model)
    own = Component(
        "Layout",
        full_name(OWN_LAYOUT),
        tuple(own_layout_pairs(sections)),
        origin=Origin("page layout", OWN_LAYOUT),
    )
    handoff = (("layoutSections", [handoff_section_pairs(s) for s in sections]),)
    named = [
        Component(
            "Layout",
            full_name(n.name),
            handoff,
            source=n.span,
            origin=Origin("page layout", n.name, n.span),
            facts={"merge": PREFIX},
        )
        for n in model.salesforce.layouts
        if n.name != OWN_LAYOUT
    ]
    return [own, *named]


def is_merged(kind: str, key: str) -> bool:
    """A Layout Handrail owns only the Handoff sections of (every Layout but its own)."""
    return kind == "Layout" and key != full_name(OWN_LAYOUT)


def handoff_part(body: dict) -> dict:
    """A layout's normal-form body cut down to what Handrail owns: its Handoff sections, in order."""
    ours = [s for s in body.get("layoutSections", []) if str(s.get("label", "")).startswith(PREFIX)]
    return {"layoutSections": ours} if ours else {}


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


def section_xml(section: Section | list) -> str:
    """One `<layoutSections>` block (a Section, or its pairs), indented as a retrieved layout's child."""
    pairs = handoff_section_pairs(section) if isinstance(section, Section) else section
    text = metadata_xml("Layout", [("layoutSections", pairs)]).decode("utf-8")
    lines = text.splitlines()[2:-1]
    return "\n".join(lines) + "\n"


_BLOCK = re.compile(r"^( *)<layoutSections>\n.*?^\1</layoutSections>\n", re.S | re.M)
_LABEL = re.compile(r"<label>(.*?)</label>")


def _is_handoff(block: str) -> bool:
    label = _LABEL.search(block)
    return bool(label) and label.group(1).startswith(PREFIX)


def merge(retrieved: bytes, sections: list) -> bytes:
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


def body_fields(body: dict) -> dict[str, list[str]]:
    """handoff_fields for a normal-form body (as plan compares it)."""
    return {
        str(s.get("label", "")): [
            str(i.get("field", ""))
            for c in s.get("layoutColumns", []) or []
            for i in (c or {}).get("layoutItems", [])
        ]
        for s in body.get("layoutSections", [])
        if str(s.get("label", "")).startswith(PREFIX)
    }


def describe_drift(layout: str, desired: bytes | dict, actual: bytes | dict) -> list[str]:
    """The difference in handoff terms: sections added or removed, fields missing or extra."""
    fields = lambda x: body_fields(x) if isinstance(x, dict) else handoff_fields(x)  # noqa: E731
    want, have = fields(desired), fields(actual)
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
