"""Keep secrets out of everything Handrail prints or logs: tokens, session ids, passwords.

`redact(text)` scrubs the shapes secrets take on the wire (Authorization headers, SOAP
<sessionId> elements with any prefix, access_token=... in URLs and forms, token members in JSON
and Python reprs, Salesforce session ids, HubSpot private-app tokens, JWTs, SFDX auth URLs) plus
every value registered with `register_secret` (the clients register what they load), in each form a
server may echo it in: as is, URL-encoded (quote and quote_plus) and base64 (standard and URL-safe, with
or without padding, also where it sits inside a longer encoded value such as a Basic credential).
`RedactingFilter` applies it to log records; `install()` puts it on a logger's handlers.
"""

from __future__ import annotations

import base64
import logging
import re
import threading
from urllib.parse import quote, quote_plus

from handrail.generators.output.files import scrub_with

MASK = "[REDACTED]"

_KEYS = (
    r"access_?token|refresh_?token|client_?secret|password|passwd|security_?token|session_?id|"
    r"sessionId|sid|assertion|api_?key|hapikey|token|private_?key"
)
_PATTERNS = [
    # Authorization: Bearer xyz / 'Authorization': 'Bearer xyz' / Basic
    (
        re.compile(r"(?i)(authorization['\"]?\s*[:=]\s*['\"]?(?:bearer|basic|oauth)\s+)[^\s'\",}]+"),
        r"\1" + MASK,
    ),
    (re.compile(r"(?i)\b(bearer\s+)[A-Za-z0-9!._~+/=-]{8,}"), r"\1" + MASK),
    # <sessionId>..</sessionId>, <met:sessionId>, <urn:sessionId>, <ns0:sessionId>
    (
        re.compile(
            r"(<(?:[\w-]+:)?(?:sessionId|password|accessToken)\b[^>]*>)[^<]*(</(?:[\w-]+:)?"
            r"(?:sessionId|password|accessToken)>)"
        ),
        r"\1" + MASK + r"\2",
    ),
    # access_token=...  in URLs and form bodies
    (re.compile(rf"(?i)\b((?:{_KEYS})=)[^&\s'\"<>]+"), r"\1" + MASK),
    # "access_token": "..." (JSON) and 'access_token': '...' (Python reprs)
    (re.compile(rf"(?i)([\"'](?:{_KEYS}|accessToken)[\"']\s*:\s*[\"'])[^\"']*([\"'])"), r"\1" + MASK + r"\2"),
    # Salesforce session ids / access tokens: 00D + 12-15 chars + ! + token
    (re.compile(r"\b00D[A-Za-z0-9]{12,15}(?:!|%21)[A-Za-z0-9._\-]{8,}"), MASK),
    # HubSpot private-app / service-key tokens
    (re.compile(r"\bpat-[a-z0-9]{2,4}-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b"), MASK),
    # JWTs (the JWT bearer assertion)
    (re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"), MASK),
    # SFDX auth URLs: force://client:secret:refreshtoken@host
    (re.compile(r"force://[^\s@]+@"), f"force://{MASK}@"),
    # PEM private keys
    (re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?-----END [A-Z ]*PRIVATE KEY-----", re.DOTALL), MASK),
]

_secrets: set[str] = set()
_lock = threading.Lock()


def register_secret(value: str | None) -> None:
    """Redact this value, and its encodings, wherever it appears from now on (values shorter than 6 are
    ignored)."""
    if value and len(value) >= 6:
        with _lock:
            _secrets.update(encodings(value))
        scrub_with(redact)  # files and stdout too (generators/output/files.py)


def encodings(value: str) -> set[str]:
    """The value as is, URL-encoded, and the base64 text that any encoding of it must contain."""
    forms = {value, quote(value), quote(value, safe=""), quote_plus(value)}
    data = value.encode("utf-8")
    for encode in (base64.b64encode, base64.urlsafe_b64encode):
        whole = encode(data).decode("ascii")
        forms.update({whole, whole.rstrip("=")})
    for offset in range(3):  # where the value starts within a 3-byte group of a longer encoded value
        encoded = base64.b64encode(bytes(offset) + data).decode("ascii")
        # the characters made of the value's bits only: the neighbours' bits blur the edges
        core = encoded[-(-8 * offset // 6) : (8 * (offset + len(data))) // 6]
        for text in (core, core.replace("+", "-").replace("/", "_")):
            if len(text) >= 8:
                forms.add(text)
    return forms


def redact(text: object) -> str:
    """`text` as a string with every secret replaced by [REDACTED]."""
    out = (
        text
        if isinstance(text, str)
        else (text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text))
    )
    with _lock:
        known = sorted(_secrets, key=len, reverse=True)
    for secret in known:
        out = out.replace(secret, MASK)
    for pattern, replacement in _PATTERNS:
        out = pattern.sub(replacement, out)
    return out


class RedactingFilter(logging.Filter):
    """Scrubs the formatted message and any traceback before a handler writes the record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = None
        if record.exc_info:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


def install(logger: logging.Logger | None = None) -> RedactingFilter:
    """Add one RedactingFilter to every handler of `logger` (default: the root logger)."""
    logger = logger or logging.getLogger()
    redacting = RedactingFilter()
    for handler in logger.handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(redacting)
    return redacting


def install_record_factory() -> None:
    """Redact every log record as it is created, whichever logger or handler it goes to.

    Handler filters miss records that libraries log through their own handlers (zeep logs whole SOAP
    envelopes, session header included, at DEBUG); the record factory sees them all.
    """
    current = logging.getLogRecordFactory()
    if getattr(current, "handrail_redacting", False):
        return

    scrub = RedactingFilter()

    def factory(*args, **kwargs) -> logging.LogRecord:
        record = current(*args, **kwargs)
        scrub.filter(record)  # message, arguments, traceback and stack
        return record

    factory.handrail_redacting = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)
