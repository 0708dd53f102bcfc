"""What a failed Salesforce call becomes: a TargetError carrying the fault's code and message (never the
raw SOAP envelope), a hint, and whether another attempt can help; a reply that does not parse becomes a
MalformedReply (targets/transport/malformed.py), which the retry policy repeats for reads."""

from __future__ import annotations

import re
from html import unescape

from handrail.targets.errors import TargetError
from handrail.targets.transport.malformed import MalformedReply, is_malformed

# SOAP faults worth another attempt: the org is busy or briefly down (any other fails the same way again).
TRANSIENT_FAULTS = frozenset({"REQUEST_LIMIT_EXCEEDED", "SERVER_UNAVAILABLE", "SERVER_BUSY"})


def translate(operation: str, exc: Exception, last) -> Exception:
    """The error to raise for `exc`, raised by a call whose last HTTP response was `last` (or None);
    `exc` itself when it is not a failure of the call."""
    from simple_salesforce.exceptions import SalesforceError
    from zeep.exceptions import Fault, TransportError

    if is_malformed(exc):
        return MalformedReply("salesforce", operation, getattr(last, "content", None), exc)
    if isinstance(exc, SalesforceError):
        headers = dict(last.headers) if last is not None and last.status_code == exc.status else {}
        content = _text(exc.content)
        fault = soap_fault(content)
        return TargetError(
            "salesforce",
            operation,
            exc.status,
            f"{fault[0]}: {fault[1]}" if fault else exc.content,
            headers,
            hint_for(exc.status, content),
            retryable=None if fault is None else fault[0] in TRANSIENT_FAULTS,
        )
    if isinstance(exc, Fault):
        status = last.status_code if last is not None and last.status_code >= 400 else 500
        code = (exc.code or "").rpartition(":")[2]
        return TargetError(
            "salesforce",
            operation,
            status,
            f"{exc.code}: {exc.message}",
            dict(last.headers) if last is not None else {},
            hint_for(status, exc.code or ""),
            retryable=code in TRANSIENT_FAULTS,
        )
    if isinstance(exc, TransportError):
        fault = soap_fault(_text(exc.content))
        return TargetError(
            "salesforce",
            operation,
            exc.status_code,
            f"{fault[0]}: {fault[1]}" if fault else exc.content,
            dict(last.headers) if last is not None else {},
        )
    if isinstance(exc, OSError):  # requests' and urllib3's connection errors and timeouts are OSErrors
        return TargetError("salesforce", operation, None, f"{type(exc).__name__}: {exc}")
    return exc


def _text(content: object) -> str:
    return content.decode("utf-8", "replace") if isinstance(content, bytes) else str(content or "")


def soap_fault(content: str) -> tuple[str, str] | None:
    """(code, message) of a SOAP fault body, else None: "sf:INVALID_SESSION_ID" -> "INVALID_SESSION_ID",
    the faultstring without the code it starts with."""
    code = re.search(r"<faultcode>(?:[\w-]+:)?([\w]+)</faultcode>", content)
    if code is None:
        return None
    message = re.search(r"<faultstring>(.*?)</faultstring>", content, re.DOTALL)
    text = unescape(message.group(1)).strip() if message else ""
    return code.group(1), text.removeprefix(f"{code.group(1)}:").strip()


def hint_for(status: int | None, content: object) -> str:
    text = str(content)
    if "INVALID_SESSION_ID" in text or status == 401:
        return "the session expired or was revoked; log in again (for sf_cli: sf org login web)"
    if "REQUEST_LIMIT_EXCEEDED" in text:
        return "the org's API limit is reached; wait, or raise the limit"
    if "INSUFFICIENT_ACCESS" in text or status == 403:
        return "the user needs API Enabled and Modify Metadata Through Metadata API Functions"
    return ""
