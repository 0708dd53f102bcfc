"""Components as Resources: the canonical, JSON-able body that plan and diff compare.

A body is read from the component's XML with the Metadata API schema's types, so it does not depend
on how a generator happened to build it, and metadata fetched from an org reads the same way
(`body_from_xml`):

    - element order is kept (it is meaningful in metadata XML);
    - text values stay the exact strings Salesforce writes ("true", "5", "63.0");
    - a child whose schema type is complex becomes a dict;
    - an element the schema lets repeat is always a list, even with one item;
    - the root's fullName is left out: it is the resource key.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from handrail.targets.salesforce.components import Component, root_element
from handrail.targets.salesforce.schema import METADATA_NS, XSD_NS, wsdl_schema_element
from handrail.targets.salesforce.xml import metadata_xml

ChildTypes = dict[str, tuple[str, bool]]  # element name -> (schema type name, may repeat)


def component_body(c: Component) -> dict[str, Any]:
    body = body_from_xml(metadata_xml(root_element(c), c.pairs))
    if c.type == "ApexClass":
        body["content"] = (c.content or b"").decode("utf-8")
    return body


def body_from_xml(data: bytes) -> dict[str, Any]:
    """The body of one metadata file (root element named after its type, as retrieved)."""
    from lxml import etree

    root = etree.fromstring(
        data, etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True)
    )
    body = _element_body(root, etree.QName(root).localname)
    body.pop("fullName", None)
    return body


def _element_body(element, type_name: str) -> dict[str, Any]:
    children = schema_types().get(type_name, {})
    out: dict[str, Any] = {}
    for child in element:
        if not isinstance(child.tag, str):
            continue
        name = child.tag.removeprefix(f"{{{METADATA_NS}}}")
        child_type, repeats = children.get(name, ("", False))
        value = _element_body(child, child_type) if child_type in schema_types() else (child.text or "")
        if repeats:
            out.setdefault(name, []).append(value)
        elif name in out:  # not in the schema, yet repeated: keep every occurrence
            out[name] = (out[name] if isinstance(out[name], list) else [out[name]]) + [value]
        else:
            out[name] = value
    return out


@lru_cache(maxsize=1)
def schema_types() -> dict[str, ChildTypes]:
    """For every complexType of the Metadata API schema, its child elements including inherited ones."""
    schema = wsdl_schema_element()
    raw = {c.get("name"): c for c in schema.findall(f"{{{XSD_NS}}}complexType")}

    def children(name: str) -> ChildTypes:
        node = raw[name]
        out: ChildTypes = {}
        extension = node.find(f"{{{XSD_NS}}}complexContent/{{{XSD_NS}}}extension")
        if extension is not None:
            base = extension.get("base").split(":")[-1]
            if base in raw:
                out.update(children(base))
            node = extension
        for element in node.iter(f"{{{XSD_NS}}}element"):
            out[element.get("name")] = (
                (element.get("type") or "").split(":")[-1],
                element.get("maxOccurs") == "unbounded",
            )
        return out

    return {name: children(name) for name in raw}
