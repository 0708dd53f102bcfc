"""SOAP 1.1 envelopes as Salesforce writes them, and parsing of incoming ones."""

from __future__ import annotations

import re
from typing import Any

from lxml import etree

from fakes.server import Response
from fakes.wsdl import MD, XSI

SOAPENV = "http://schemas.xmlsoap.org/soap/envelope/"
PARTNER = "urn:partner.soap.sforce.com"
PARTNER_FAULT = "urn:fault.partner.soap.sforce.com"
_FIRST_BODY_ELEMENT = re.compile(rb"<(?:[\w-]+:)?Body[^>]*>\s*<(?:[\w-]+:)?([\w]+)")


def operation_name(body: bytes) -> str | None:
    """The local name of the first element inside <Body>, without parsing the whole document."""
    match = _FIRST_BODY_ELEMENT.search(body)
    return match.group(1).decode() if match else None


class SoapError(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def parse(body: bytes) -> tuple[list[etree._Element], etree._Element]:
    """(header entries, the body's first element); raises SoapError for anything else."""
    try:
        root = etree.fromstring(
            body, etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
        )
    except etree.XMLSyntaxError as exc:
        raise SoapError("soapenv:Client", f"Malformed SOAP envelope: {exc}") from None
    if root.tag != f"{{{SOAPENV}}}Envelope":
        raise SoapError("soapenv:Client", f"Expected a SOAP 1.1 Envelope, got {root.tag}")
    header = root.find(f"{{{SOAPENV}}}Header")
    body_node = root.find(f"{{{SOAPENV}}}Body")
    if body_node is None or len(body_node) == 0:
        raise SoapError("soapenv:Client", "The SOAP Body is empty")
    return (list(header) if header is not None else []), body_node[0]


def element(tag: str, *children: Any, namespace: str = MD, **text_children: Any) -> etree._Element:
    """Build <tag> with children given as elements or as name=value pairs (lists repeat)."""
    node = etree.Element(f"{{{namespace}}}{tag}", nsmap={None: namespace})
    for child in children:
        if child is not None:
            node.append(child)
    for name, value in text_children.items():
        append(node, name, value, namespace)
    return node


def append(parent: etree._Element, name: str, value: Any, namespace: str = MD) -> None:
    if value is None:
        return
    if isinstance(value, list):
        for item in value:
            append(parent, name, item, namespace)
        return
    if isinstance(value, etree._Element):
        value.tag = f"{{{namespace}}}{name}"
        parent.append(value)
        return
    child = etree.SubElement(parent, f"{{{namespace}}}{name}")
    child.text = ("true" if value else "false") if isinstance(value, bool) else str(value)


def envelope(body_element: etree._Element, namespace: str = MD) -> bytes:
    """A response envelope whose body element uses `namespace` as the default namespace."""
    root = etree.Element(f"{{{SOAPENV}}}Envelope", nsmap={"soapenv": SOAPENV, None: namespace, "xsi": XSI})
    body = etree.SubElement(root, f"{{{SOAPENV}}}Body")
    body.append(body_element)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def fault_response(code: str, message: str, status: int = 500) -> Response:
    """A SOAP fault; Salesforce sends them with HTTP 500."""
    root = etree.Element(f"{{{SOAPENV}}}Envelope", nsmap={"soapenv": SOAPENV, "sf": MD})
    body = etree.SubElement(root, f"{{{SOAPENV}}}Body")
    fault = etree.SubElement(body, f"{{{SOAPENV}}}Fault")
    etree.SubElement(fault, "faultcode").text = code
    etree.SubElement(fault, "faultstring").text = message
    return Response.xml(etree.tostring(root, xml_declaration=True, encoding="UTF-8"), status)


def login_fault(code: str, message: str) -> Response:
    """The partner API's LoginFault, with the `sf:` prefix simple-salesforce looks for."""
    text = (
        f'<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="{SOAPENV}" '
        f'xmlns:sf="{PARTNER_FAULT}" xmlns:xsi="{XSI}"><soapenv:Body><soapenv:Fault>'
        f"<faultcode>sf:{code}</faultcode><faultstring>{code}: {message}</faultstring><detail>"
        f'<sf:LoginFault xsi:type="sf:LoginFault"><sf:exceptionCode>{code}</sf:exceptionCode>'
        f"<sf:exceptionMessage>{message}</sf:exceptionMessage></sf:LoginFault></detail>"
        f"</soapenv:Fault></soapenv:Body></soapenv:Envelope>"
    )
    return Response.xml(text, 500)
