"""What `handrail import` reads of a Salesforce org: Opportunity's custom fields, the StageName values,
record types with their business processes, and the active validation rules and flows on Opportunity.

A live org is read with one Metadata API retrieve (CustomObject Opportunity with its fields, validation
rules, record types and business processes; StandardValueSet OpportunityStage; every Flow), read with the
same schema-typed reader plan uses; a snapshot environment's component files are read as they are. Both
become the same normal-form bodies, then one Inventory.
"""

from __future__ import annotations

import io
import zipfile
from typing import Any

from handrail.generators.importing.inventory import CrmAutomation, CrmField, CrmPipeline, CrmStage, Inventory
from handrail.specs.naming import salesforce_name_problem
from handrail.targets.salesforce.fields import MULTI_SELECT_VISIBLE_LINES

Bodies = dict[tuple[str, str], dict[str, Any]]
OBJECT = "Opportunity"
RETRIEVE = {"CustomObject": [OBJECT], "StandardValueSet": ["OpportunityStage"], "Flow": ["*"]}
CHILDREN = {
    "fields": "CustomField",
    "validationRules": "ValidationRule",
    "recordTypes": "RecordType",
    "businessProcesses": "BusinessProcess",
}
SPEC_TYPES = {
    "Text": "short_text",
    "LongTextArea": "long_text",
    "Picklist": "picklist",
    "MultiselectPicklist": "multi_select",
    "Number": "number",
    "Currency": "currency",
    "Percent": "percent",
    "Date": "date",
    "DateTime": "datetime",
    "Checkbox": "checkbox",
}


def read_live(conn) -> Bodies:
    """One retrieve; the bodies of everything import reads, keyed as plan keys them."""
    return bodies_from_zip(conn.retrieve(RETRIEVE).zip_bytes)


def bodies_from_zip(data: bytes) -> Bodies:
    from lxml import etree

    from handrail.targets.salesforce.normal_form import _element_body, body_from_xml

    out: Bodies = {}
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        for name in sorted(zf.namelist()):
            folder, _, filename = name.partition("/")
            stem, _, suffix = filename.rpartition(".")
            if folder == "objects" and suffix == "object":
                root = etree.fromstring(
                    zf.read(name), etree.XMLParser(resolve_entities=False, no_network=True)
                )
                for child in root:
                    kind = CHILDREN.get(etree.QName(child).localname) if isinstance(child.tag, str) else None
                    if kind:
                        body = _element_body(child, kind)
                        out[(kind, f"{stem}.{body.pop('fullName', '')}")] = body
            elif folder == "standardValueSets" and suffix == "standardValueSet":
                out[("StandardValueSet", stem)] = body_from_xml(zf.read(name))
            elif folder == "flows" and suffix == "flow":
                out[("Flow", stem)] = body_from_xml(zf.read(name))
    return out


def inventory(bodies: Bodies, source: str, prefix: str = "Handoff") -> Inventory:
    inv = Inventory("salesforce", source)
    own = f"{OBJECT}."
    for (kind, key), body in sorted(bodies.items()):
        if not key.startswith(own) and kind in CHILDREN.values():
            continue
        name = key.removeprefix(own)
        if kind == "CustomField" and name.endswith("__c"):
            if not name.startswith(f"{prefix}_"):  # Handrail's own fields come from the spec, not the org
                inv.fields.append(crm_field(name, body))
        elif kind == "ValidationRule" and _true(body.get("active")):
            inv.automations.append(
                CrmAutomation("validation rule", name, _one_line(body.get("errorMessage", "")))
            )
    inv.stages = _stages(bodies.get(("StandardValueSet", "OpportunityStage"), {}))
    if not inv.stages:
        inv.notes.append("StandardValueSet OpportunityStage was not read: stages are a placeholder")
    inv.pipelines = _record_types(bodies, inv.stages)
    for (kind, key), body in sorted(bodies.items()):
        start = body.get("start") if isinstance(body.get("start"), dict) else {}
        if kind == "Flow" and body.get("status") == "Active" and start.get("object") == OBJECT:
            trigger = " ".join(x for x in (start.get("recordTriggerType"), start.get("triggerType")) if x)
            inv.automations.append(CrmAutomation("flow", key, f"{body.get('label', key)} ({trigger})"))
    return inv


def crm_field(name: str, body: dict) -> CrmField:
    sf_type = body.get("type", "")
    spec_type = SPEC_TYPES.get(sf_type)
    why = ""
    if body.get("formula"):
        spec_type, why = None, "a formula field"
    elif sf_type == "Lookup" and body.get("referenceTo") == "User":
        spec_type = "user"
    elif spec_type is None:
        why = f"the spec has no {sf_type or 'such'} type"
    lines = body.get("visibleLines")
    if spec_type == "multi_select" and lines and _int(lines) != MULTI_SELECT_VISIBLE_LINES:
        why = f"shown in {lines} lines; Handrail shows multi-select picklists in {MULTI_SELECT_VISIBLE_LINES}"
    if spec_type is not None and salesforce_name_problem(name):
        spec_type, why = None, f"its name cannot be a spec's api_name: {salesforce_name_problem(name)}"
    options: tuple[tuple[str, str], ...] = ()
    value_set = body.get("valueSet") if isinstance(body.get("valueSet"), dict) else {}
    if spec_type in ("picklist", "multi_select"):
        if value_set.get("valueSetName"):
            spec_type, why = None, f"its values come from the global value set {value_set['valueSetName']}"
        else:
            values = (value_set.get("valueSetDefinition") or {}).get("value") or []
            options = tuple((v.get("fullName", ""), v.get("label") or v.get("fullName", "")) for v in values)
            if not options:
                spec_type, why = None, "a picklist without values"
    text_like = spec_type in ("short_text", "long_text")
    return CrmField(
        name=name,
        label=body.get("label") or name,
        crm_type=sf_type + (f"({body['referenceTo']})" if body.get("referenceTo") else ""),
        spec_type=spec_type,
        help=_one_line(body.get("inlineHelpText", "")),
        description=body.get("description", ""),
        length=_int(body.get("length")) if text_like else None,
        visible_lines=_int(body.get("visibleLines")) if spec_type == "long_text" else None,
        precision=_int(body.get("precision")) if spec_type in ("number", "currency", "percent") else None,
        scale=_int(body.get("scale")) if spec_type in ("number", "currency", "percent") else None,
        options=options,
        why=why,
        kept=_kept(body),
    )


def _kept(body: dict) -> tuple[str, ...]:
    """The org's attributes the spec has no words for, for the draft's `# org:` comment."""
    out = []
    if body.get("description"):
        out.append(f"description {_one_line(body['description'])!r}")
    if _true(body.get("trackHistory")):
        out.append("field history tracking on")
    for name in ("externalId", "unique", "required"):
        if _true(body.get(name)):
            out.append(f"{name} true")
    value_set = body.get("valueSet") if isinstance(body.get("valueSet"), dict) else {}
    if value_set.get("valueSetDefinition") and not _true(value_set.get("restricted")):
        out.append("an unrestricted picklist")
    if body.get("relationshipName"):
        out.append(f"relationship name {body['relationshipName']}")
    return tuple(out)


def _stages(value_set: dict) -> list[CrmStage]:
    return [
        CrmStage(
            v.get("fullName", ""),
            v.get("label") or v.get("fullName", ""),
            _true(v.get("won")),
            _true(v.get("closed")),
        )
        for v in value_set.get("standardValue") or []
        if v.get("isActive", "true") != "false"
    ]


def _record_types(bodies: Bodies, stages: list[CrmStage]) -> list[CrmPipeline]:
    by_value = {s.value: s for s in stages}
    out = []
    for (kind, key), body in sorted(bodies.items()):
        if kind != "RecordType" or not key.startswith(f"{OBJECT}."):
            continue
        process = body.get("businessProcess", "")
        values = (bodies.get(("BusinessProcess", f"{OBJECT}.{process}")) or {}).get("values") or []
        steps = tuple(
            by_value.get(v.get("fullName"), CrmStage(v.get("fullName", ""), v.get("fullName", "")))
            for v in values
        )
        out.append(
            CrmPipeline(
                key.removeprefix(f"{OBJECT}."),
                body.get("label", ""),
                steps,
                _true(body.get("active")),
                process,
            )
        )
    return out


def _true(value: Any) -> bool:
    return str(value).lower() == "true"


def _int(value: Any) -> int | None:
    try:
        return int(str(value))
    except ValueError:
        return None


def _one_line(text: str) -> str:
    return " ".join(str(text).split())
