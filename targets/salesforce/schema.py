"""Validating metadata XML against the Metadata API schema in the WSDL that ships inside simple-salesforce.

In that WSDL every metadata type (CustomField, Flow, Package...) is a named complexType, not a global
element, so a file whose root is <CustomField> cannot be validated as is. The schema is copied out of
the WSDL into a standalone document (re-declaring the prefixes its QName attributes rely on, which
live on the WSDL root) and given one global element per complexType.

lxml is imported on first use, and simple-salesforce is located without being imported.
"""
from __future__ import annotations

import copy
import importlib.util
from functools import lru_cache
from pathlib import Path

from handrail.specs.diagnostics import Diagnostic, HandrailError, Span, error

WSDL_NS = "http://schemas.xmlsoap.org/wsdl/"
XSD_NS = "http://www.w3.org/2001/XMLSchema"
METADATA_NS = "http://soap.sforce.com/2006/04/metadata"


class SchemaUnavailable(HandrailError):
    """The WSDL cannot be found or read."""


def wsdl_path() -> Path:
    spec = importlib.util.find_spec("simple_salesforce")
    if spec is None or not spec.submodule_search_locations:
        raise SchemaUnavailable("simple-salesforce is not installed, so its Metadata API WSDL is unavailable")
    path = Path(list(spec.submodule_search_locations)[0]) / "metadata.wsdl"
    if not path.is_file():
        raise SchemaUnavailable(f"{path} is missing from the simple-salesforce installation")
    return path


@lru_cache(maxsize=1)
def wsdl_schema_element():
    """The WSDL's one <xsd:schema> element."""
    from lxml import etree

    root = etree.parse(str(wsdl_path())).getroot()
    schemas = root.findall(f"{{{WSDL_NS}}}types/{{{XSD_NS}}}schema")
    if len(schemas) != 1 or schemas[0].get("targetNamespace") != METADATA_NS:
        raise SchemaUnavailable(f"{wsdl_path()} does not hold the Metadata API schema")
    return schemas[0]


@lru_cache(maxsize=1)
def metadata_schema():
    """The compiled standalone XSD (≈0.5 s the first time, cached for the process)."""
    from lxml import etree

    source = wsdl_schema_element()
    root = etree.Element(f"{{{XSD_NS}}}schema", nsmap={"xsd": XSD_NS, "tns": METADATA_NS})
    for key, value in source.attrib.items():
        root.set(key, value)
    for child in source:
        if isinstance(child.tag, str):  # not a comment
            root.append(copy.deepcopy(child))
    elements = {e.get("name") for e in root.findall(f"{{{XSD_NS}}}element")}
    for complex_type in root.findall(f"{{{XSD_NS}}}complexType"):
        name = complex_type.get("name")
        if name and name not in elements:
            etree.SubElement(root, f"{{{XSD_NS}}}element", name=name, type=f"tns:{name}")
    # Round-trip through bytes so the re-declared prefixes are in scope for QName-valued attributes.
    return etree.XMLSchema(etree.fromstring(etree.tostring(root)))


def validate_xml(path: str, data: bytes) -> list[Diagnostic]:
    """Problems with one metadata file, each located at file:line:column; [] when it is valid."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        line, column = exc.position
        return [error("xsd", f"not well-formed XML: {exc.msg}", span=Span(path, line, column))]
    if etree.QName(root).namespace != METADATA_NS:
        return [error("xsd", f"root element is not in the metadata namespace {METADATA_NS}",
                      span=Span(path, 1, 1))]
    schema = metadata_schema()
    if schema.validate(etree.ElementTree(root)):
        return []
    return [error("xsd", f"does not match the Metadata API schema: {e.message}",
                  span=Span(path, e.line, e.column))
            for e in schema.error_log]
