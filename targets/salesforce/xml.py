"""Salesforce-exact metadata XML: the bytes `sf project retrieve` writes, so generated files diff cleanly.

Elements are given as ordered (name, value) pairs, in the order Salesforce retrieves them (the
WSDL's sequence order). A value is text, a number, a bool, None (omitted), a list of pairs (a child
element) or a list of such lists (repeated child elements).
"""

from __future__ import annotations

from typing import Any, Iterable

NAMESPACE = "http://soap.sforce.com/2006/04/metadata"
Pairs = Iterable[tuple[str, Any]]
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;"})


def escape(text: str) -> str:
    return text.translate(_ESCAPES)


def scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def metadata_xml(root: str, pairs: Pairs) -> bytes:
    """A whole metadata file: declaration, namespaced root, four-space indentation, final newline."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', f'<{root} xmlns="{NAMESPACE}">']
    _emit(pairs, 1, lines)
    lines.append(f"</{root}>")
    return ("\n".join(lines) + "\n").encode("utf-8")


def _emit(pairs: Pairs, depth: int, lines: list[str]) -> None:
    for name, value in pairs:
        if value is None:
            continue
        if (
            isinstance(value, list)
            and value
            and all(isinstance(v, list) for v in value)
            and not _is_pairs(value)
        ):
            for item in value:  # repeated element
                _element(name, item, depth, lines)
            continue
        _element(name, value, depth, lines)


def _is_pairs(value: list) -> bool:
    return all(isinstance(v, tuple) and len(v) == 2 for v in value)


def _element(name: str, value: Any, depth: int, lines: list[str]) -> None:
    pad = "    " * depth
    if isinstance(value, list):
        if not value:
            lines.append(f"{pad}<{name}/>")
            return
        lines.append(f"{pad}<{name}>")
        _emit(value, depth + 1, lines)
        lines.append(f"{pad}</{name}>")
    else:
        lines.append(f"{pad}<{name}>{escape(scalar(value))}</{name}>")
