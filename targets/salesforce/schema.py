"""Validating metadata XML against the Metadata API schema in the WSDL that ships inside simple-salesforce.

In that WSDL every metadata type (CustomField, Flow, Package...) is a named complexType, not a global
element, so a file whose root is <CustomField> cannot be validated as is. The schema is copied out of
the WSDL into a standalone document (re-declaring the prefixes its QName attributes rely on, which
live on the WSDL root) and given one global element per complexType.

Compiling that whole schema takes over a second, so a file is checked against a schema holding only its
root type and the types that type uses, which gives the same verdict and messages (the one wildcard and
xsi:type could reach other types: files or types using them get the whole schema). These small schemas
are cached between runs under HANDRAIL_CACHE_DIR, else $XDG_CACHE_HOME/handrail or ~/.cache/handrail,
keyed by the WSDL's hash; a damaged cache file is ignored and rewritten.

lxml is imported on first use, and simple-salesforce is located without being imported.
"""

from __future__ import annotations

import copy
import hashlib
import importlib.util
import os
import re
import tempfile
from functools import lru_cache
from pathlib import Path

from handrail.specs.diagnostics import Diagnostic, HandrailError, Span, error

WSDL_NS = "http://schemas.xmlsoap.org/wsdl/"
XSD_NS = "http://www.w3.org/2001/XMLSchema"
METADATA_NS = "http://soap.sforce.com/2006/04/metadata"
XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"
CACHE_FORMAT = "1"  # part of every cache file's name: change it when what is cached changes
_QNAME_ATTRIBUTES = ("type", "base", "ref", "itemType", "substitutionGroup")


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


def cache_dir() -> Path:
    if os.environ.get("HANDRAIL_CACHE_DIR"):
        return Path(os.environ["HANDRAIL_CACHE_DIR"])
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "handrail"


@lru_cache(maxsize=1)
def _wsdl_digest() -> str:
    return hashlib.sha256(wsdl_path().read_bytes()).hexdigest()


@lru_cache(maxsize=None)
def root_schema(root: str):
    """The compiled schema for files whose root element is ``root``, or None when only the whole schema
    gives the same verdict (``root`` is no metadata type, or its types use the wildcard)."""
    from lxml import etree

    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{0,100}", root):
        return None
    cached = cache_dir() / f"metadata-{_wsdl_digest()[:32]}-{CACHE_FORMAT}-{root}.xsd"
    text = _read_cache(cached)
    if text is not None:
        try:
            return etree.XMLSchema(etree.fromstring(text)) if text else None
        except (etree.XMLSyntaxError, etree.XMLSchemaParseError):
            pass  # damaged after all: built again below
    text = _root_xsd(root)
    _write_cache(cached, text)
    return etree.XMLSchema(etree.fromstring(text)) if text else None


def _read_cache(path: Path) -> bytes | None:
    """The cached schema (b"" for "use the whole schema"), or None when missing or damaged: the file
    starts with the SHA-256 of the rest."""
    try:
        raw = path.read_bytes()
    except OSError:
        return None
    digest, _, text = raw.partition(b"\n")
    return text if digest == hashlib.sha256(text).hexdigest().encode() else None


def _write_cache(path: Path, text: bytes) -> None:
    """Written to a temporary file and renamed, so a reader never sees half a file; a cache that cannot
    be written (a read-only home) only costs time."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".metadata-", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(hashlib.sha256(text).hexdigest().encode() + b"\n" + text)
            os.replace(temporary, path)
        except BaseException:
            os.unlink(temporary)
            raise
    except OSError:
        pass


def _root_xsd(root: str) -> bytes:
    """A standalone XSD with ``root``'s type, every definition it refers to, and one global element for
    ``root``; b"" when the whole schema is needed."""
    from lxml import etree

    source = wsdl_schema_element()
    definitions: dict[str, list] = {}
    for child in source:
        if isinstance(child.tag, str) and child.get("name"):
            definitions.setdefault(child.get("name"), []).append(child)
    if root not in definitions:
        return b""
    needed, todo = set(), [root]
    while todo:
        name = todo.pop()
        if name in needed or name not in definitions:
            continue
        needed.add(name)
        for definition in definitions[name]:
            for node in definition.iter(f"{{{XSD_NS}}}*"):
                if etree.QName(node).localname in ("any", "anyAttribute"):
                    return b""
                values = [node.get(a) for a in _QNAME_ATTRIBUTES] + (node.get("memberTypes") or "").split()
                todo.extend(v[4:] for v in values if v and v.startswith("tns:"))
    out = etree.Element(f"{{{XSD_NS}}}schema", nsmap={"xsd": XSD_NS, "tns": METADATA_NS})
    for key, value in source.attrib.items():
        out.set(key, value)
    for child in source:
        if isinstance(child.tag, str) and child.get("name") in needed:
            out.append(copy.deepcopy(child))
    if not any(etree.QName(d).localname == "element" for d in definitions[root]):
        etree.SubElement(out, f"{{{XSD_NS}}}element", name=root, type=f"tns:{root}")
    return etree.tostring(out)


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
        return [
            error(
                "xsd", f"root element is not in the metadata namespace {METADATA_NS}", span=Span(path, 1, 1)
            )
        ]
    schema = None
    if not any(XSI_TYPE in node.attrib for node in root.iter(etree.Element)):
        schema = root_schema(etree.QName(root).localname)
    schema = schema or metadata_schema()
    if schema.validate(etree.ElementTree(root)):
        return []
    return [
        error(
            "xsd", f"does not match the Metadata API schema: {e.message}", span=Span(path, e.line, e.column)
        )
        for e in schema.error_log
    ]
