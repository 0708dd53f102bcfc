"""The Metadata API WSDL's schema, used by the fake to check what it receives and what it sends.

The schema comes from ../shared/reference/salesforce/metadata.wsdl when present, else from the
identical copy inside the installed simple_salesforce package. Every metadata type (CustomField,
Flow, ...) is a named complexType there, so one global element per type is added (as
shared/reference/salesforce/extract_xsd.py does) to validate component files directly.
"""

from __future__ import annotations

import copy
import threading
from functools import lru_cache
from pathlib import Path

from lxml import etree

MD = "http://soap.sforce.com/2006/04/metadata"
XSD = "http://www.w3.org/2001/XMLSchema"
WSDL = "http://schemas.xmlsoap.org/wsdl/"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
SHARED_WSDL = Path(__file__).resolve().parents[3] / "shared" / "reference" / "salesforce" / "metadata.wsdl"

_lock = threading.Lock()


def wsdl_path() -> Path:
    if SHARED_WSDL.exists():
        return SHARED_WSDL
    import simple_salesforce

    return Path(simple_salesforce.__file__).parent / "metadata.wsdl"


@lru_cache(maxsize=1)
def _schema_document() -> etree._Element:
    source = etree.parse(str(wsdl_path())).getroot().find(f"{{{WSDL}}}types/{{{XSD}}}schema")
    root = etree.Element(f"{{{XSD}}}schema", nsmap={"xsd": XSD, "tns": MD})
    for key, value in source.attrib.items():
        root.set(key, value)
    for child in source:
        if isinstance(child.tag, str):
            root.append(copy.deepcopy(child))
    elements = {e.get("name") for e in root.findall(f"{{{XSD}}}element")}
    for complex_type in root.findall(f"{{{XSD}}}complexType"):
        name = complex_type.get("name")
        if name not in elements:
            etree.SubElement(root, f"{{{XSD}}}element", name=name, type=f"tns:{name}")
    # Re-parse so the tns/xsd prefixes used inside attribute values are declared where lxml looks.
    return etree.fromstring(etree.tostring(root))


def schema() -> etree.XMLSchema:
    with _lock:
        return _compiled()


@lru_cache(maxsize=1)
def _compiled() -> etree.XMLSchema:
    return etree.XMLSchema(_schema_document())


def known_type(name: str) -> bool:
    return name in _complex_types()


@lru_cache(maxsize=1)
def _complex_types() -> dict[str, etree._Element]:
    return {c.get("name"): c for c in _schema_document().findall(f"{{{XSD}}}complexType")}


@lru_cache(maxsize=None)
def sequence(type_name: str) -> tuple[str, ...]:
    """Child element names of a complexType in schema order, inherited ones first."""
    complex_type = _complex_types().get(type_name)
    if complex_type is None:
        return ()
    names: list[str] = []
    extension = complex_type.find(f"{{{XSD}}}complexContent/{{{XSD}}}extension")
    if extension is not None:
        names.extend(sequence(extension.get("base").split(":")[-1]))
        owner = extension
    else:
        owner = complex_type
    seq = owner.find(f"{{{XSD}}}sequence")
    if seq is not None:
        names.extend(e.get("name") for e in seq.findall(f"{{{XSD}}}element"))
    return tuple(names)


def validate(element: etree._Element, as_type: str | None = None) -> list[tuple[int, int, str]]:
    """Schema errors as (line, column, message); the element validates as `as_type` or its own name."""
    candidate = copy.deepcopy(element)
    if as_type:
        candidate.tag = f"{{{MD}}}{as_type}"
    document = etree.ElementTree(candidate)
    checker = schema()
    with _lock:
        if checker.validate(document):
            return []
        return [(e.line, e.column, e.message) for e in checker.error_log]


def reorder(element: etree._Element, type_name: str) -> None:
    """Put an element's children in the schema's sequence order (stable for repeated elements)."""
    order = {name: index for index, name in enumerate(sequence(type_name))}
    children = list(element)
    children.sort(key=lambda child: order.get(etree.QName(child).localname, len(order)))
    for child in children:
        element.append(child)
