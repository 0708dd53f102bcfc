"""Retries for repeatable calls only: reads, status polls, idempotent writes.

    retrying(lambda: client.read(...), idempotent=True)            # retried on transient failures
    retrying(lambda: sf.mdapi.deploy(zip, ...), idempotent=False)  # exactly one attempt, always

A failure is transient when it is a 429 (waiting what Retry-After says; HubSpot's daily-limit
429 is not retried), a 500/502/503/504, a dropped connection, a timeout or a reply that does not
parse (transport.malformed). Waits grow
exponentially from `base_delay`, capped at `max_delay`, with full jitter; `attempts` caps the
tries and `deadline` the total time. A call that is not repeatable (a Metadata API deploy submit,
a HubSpot create) must say `idempotent=False`: it is never retried, because a lost reply does not
mean the server did nothing; callers re-read state instead.
"""

from __future__ import annotations

import email.utils
import json
import logging
import random
import time
from dataclasses import dataclass, field
from typing import Any, Callable, TypeVar

from handrail.targets.transport.malformed import MalformedReply
from handrail.targets.transport.redact import redact

T = TypeVar("T")
log = logging.getLogger("handrail.retry")
RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True)
class Transient:
    """Why a failure is worth another attempt, and how long the server asked us to wait."""

    reason: str
    retry_after: float | None = None


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 5
    base_delay: float = 0.5
    max_delay: float = 30.0
    deadline: float = 120.0  # seconds from the first attempt
    sleep: Callable[[float], None] = field(default=time.sleep, compare=False)
    clock: Callable[[], float] = field(default=time.monotonic, compare=False)
    jitter: Callable[[], float] = field(default=random.random, compare=False)  # in [0, 1)

    def backoff(self, attempt: int) -> float:
        """Full jitter: a random wait in [0, min(max_delay, base_delay * 2^(attempt-1)))."""
        return self.jitter() * min(self.max_delay, self.base_delay * 2 ** (attempt - 1))


DEFAULT_POLICY = RetryPolicy()


def retrying(
    call: Callable[[], T],
    *,
    idempotent: bool,
    policy: RetryPolicy = DEFAULT_POLICY,
    classify: Callable[[BaseException], Transient | None] | None = None,
    what: str = "call",
    on_retry: Callable[[int, Transient, float], None] | None = None,
) -> T:
    """Run `call`; when `idempotent`, retry transient failures within the policy's limits.

    The last failure is re-raised with a note saying how many attempts were made. `on_retry`
    gets (attempt number that failed, why, seconds to wait) before each wait.
    """
    classify = classify or classify_failure
    started = policy.clock()
    attempt = 0
    while True:
        attempt += 1
        try:
            return call()
        except Exception as exc:  # noqa: BLE001 - every failure is classified, then re-raised
            transient = classify(exc) if idempotent else None
            if transient is None:
                raise
            if attempt >= policy.attempts:
                exc.add_note(f"{what}: gave up after {attempt} attempts ({transient.reason})")
                raise
            wait = transient.retry_after if transient.retry_after is not None else policy.backoff(attempt)
            elapsed = policy.clock() - started
            if elapsed + wait > policy.deadline:
                exc.add_note(
                    f"{what}: gave up after {attempt} attempts in {elapsed:.1f}s; waiting "
                    f"{wait:.1f}s more would pass the {policy.deadline:.0f}s deadline "
                    f"({transient.reason})"
                )
                raise
            log.info(
                "%s failed (%s); retrying in %.1fs (attempt %d of %d)",
                what,
                transient.reason,
                wait,
                attempt + 1,
                policy.attempts,
            )
            if on_retry:
                on_retry(attempt, transient, wait)
            policy.sleep(wait)


def classify_failure(exc: BaseException) -> Transient | None:
    """Transient or not, for the errors requests, urllib3, zeep, simple-salesforce, hubspot-api-client
    and Handrail's own TargetError raise."""
    if getattr(exc, "retryable", None) is False:
        return None
    if isinstance(exc, MalformedReply):
        return Transient("malformed reply")
    status = _status(exc)
    if status is not None:
        if status not in RETRYABLE_STATUSES:
            return None
        if status == 429:
            if _policy_name(exc) == "DAILY":
                return None  # HubSpot's daily quota: waiting seconds will not help
            return Transient("429 rate limited", retry_after_seconds(_headers(exc).get("Retry-After")))
        return Transient(f"HTTP {status}", retry_after_seconds(_headers(exc).get("Retry-After")))
    cause = exc if _is_connection_failure(exc) else exc.__cause__
    if cause is not None and _is_connection_failure(cause):
        return Transient(f"connection failed: {redact(type(cause).__name__)}")
    return None


def retry_after_seconds(value: str | None) -> float | None:
    """Retry-After as seconds: a number, or an HTTP date."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, moment.timestamp() - time.time())


def _status(exc: BaseException) -> int | None:
    for value in (
        getattr(exc, "status", None),
        getattr(exc, "status_code", None),
        getattr(getattr(exc, "response", None), "status_code", None),
    ):
        if isinstance(value, int) and value >= 100:
            return value
    return None


def _headers(exc: BaseException) -> dict[str, str]:
    headers = getattr(exc, "headers", None) or getattr(getattr(exc, "response", None), "headers", None) or {}
    try:
        return {str(k).title(): str(v) for k, v in dict(headers).items()}
    except (TypeError, ValueError):
        return {}


def _policy_name(exc: BaseException) -> str | None:
    body: Any = getattr(exc, "body", None) or getattr(exc, "content", None)
    if isinstance(body, (bytes, str)):
        try:
            body = json.loads(body)
        except ValueError:
            return None
    return body.get("policyName") if isinstance(body, dict) else None


def _is_connection_failure(exc: BaseException) -> bool:
    """Dropped connections, resets and timeouts, but not TLS certificate failures."""
    import requests
    import urllib3.exceptions

    if "CERTIFICATE_VERIFY_FAILED" in str(exc):
        return False
    if isinstance(exc, urllib3.exceptions.MaxRetryError):
        return exc.reason is not None and _is_connection_failure(exc.reason)
    return isinstance(
        exc,
        (
            requests.exceptions.ConnectionError,
            requests.exceptions.Timeout,
            requests.exceptions.ChunkedEncodingError,
            urllib3.exceptions.ProtocolError,
            urllib3.exceptions.TimeoutError,
            urllib3.exceptions.NewConnectionError,
            ConnectionError,
            TimeoutError,
        ),
    )
