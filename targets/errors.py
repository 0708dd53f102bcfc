"""Errors from talking to a live CRM, with messages that say what to do and never hold a secret."""

from __future__ import annotations

from typing import Mapping

from handrail.specs.diagnostics import HandrailError
from handrail.targets.transport.redact import redact

BODY_LIMIT = 600


class AuthError(HandrailError):
    """Credentials are missing, unreadable or refused; the message names the setting to fix."""

    def __init__(self, environment: str, message: str, hint: str = ""):
        self.environment = environment
        self.hint = hint
        text = f"environment '{environment}': {redact(message)}"
        super().__init__(text + (f"\n  hint: {redact(hint)}" if hint else ""))


class TargetError(HandrailError):
    """A CRM API call failed; carries the HTTP status, response headers and a redacted body excerpt."""

    def __init__(
        self,
        target: str,
        operation: str,
        status: int | None,
        body: object = "",
        headers: Mapping[str, str] | None = None,
        hint: str = "",
        retryable: bool | None = None,
    ):
        self.target = target
        self.retryable = retryable  # False: never worth another attempt (e.g. a SOAP fault sent as HTTP 500)
        self.operation = operation
        self.status = status
        self.headers = dict(headers or {})
        self.body = redact(body if body is not None else "")[:BODY_LIMIT]
        self.hint = hint or _hint(status)
        where = f"{target} {operation}"
        what = f"HTTP {status}" if status else "no response"
        text = f"{where} failed: {what}" + (f": {self.body}" if self.body else "")
        super().__init__(text + (f"\n  hint: {self.hint}" if self.hint else ""))


def _hint(status: int | None) -> str:
    return {
        None: "the connection failed or timed out; check the network and retry",
        401: "the credentials were refused or have expired; log in again or refresh the token",
        403: "the user or app lacks a permission or scope this call needs",
        404: "the object or endpoint does not exist in this org or portal",
        429: "rate limited; wait and retry, or lower concurrency",
    }.get(status, "the service is failing; retry later" if status and status >= 500 else "")
