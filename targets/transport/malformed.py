"""Malformed replies: XML or JSON that does not parse (a reply cut off, an HTML page from a proxy)
inside a successful status. They are the CRM's fault, not Handrail's, so they become an operational
error that names the call and shows what came back (trimmed and redacted); reads, which are safe to
repeat, are retried as for any transient failure.

    try:
        data = call()
    except Exception as exc:
        if is_malformed(exc):
            raise MalformedReply("salesforce", "query", response_body) from exc
        raise
"""

from __future__ import annotations

import json
from xml.etree.ElementTree import ParseError
from xml.parsers.expat import ExpatError

from handrail.targets.errors import TargetError
from handrail.targets.transport.redact import redact

EXCERPT = 160  # characters of the reply shown


def is_malformed(exc: BaseException) -> bool:
    """True for the errors the XML and JSON parsers of the standard library, lxml and zeep raise."""
    if isinstance(exc, (json.JSONDecodeError, ParseError, ExpatError)):
        return True
    kind = type(exc)
    return kind.__name__ == "XMLSyntaxError" and kind.__module__.split(".")[0] in ("lxml", "zeep")


def excerpt(body: object) -> str:
    """What came back, in a line: its size and its first characters, redacted."""
    if body is None:
        return "an empty reply"
    data = body if isinstance(body, bytes) else str(body).encode("utf-8", "replace")
    if not data.strip():
        return "an empty reply"
    text = " ".join(redact(data[: EXCERPT * 4]).split())
    shown = text[:EXCERPT] + ("..." if len(text) > EXCERPT or len(data) > EXCERPT * 4 else "")
    return f"{len(data)} bytes: {shown}"


class MalformedReply(TargetError):
    """A reply that did not parse: a TargetError without a status (the call's outcome is unclear, as after
    a lost reply), which the retry policy treats as transient, so reads are repeated."""

    def __init__(self, target: str, operation: str, body: object, problem: object = ""):
        cause = f" ({redact(problem)})" if problem else ""
        super().__init__(
            target,
            operation,
            None,
            f"the reply could not be read{cause}; it was {excerpt(body)}",
            hint="the service sent an incomplete or garbled reply; retry later, and if it persists check "
            "for a proxy between Handrail and the service",
        )
        self.args = (f"{target} {operation} failed: {self.body}\n  hint: {self.hint}",)
