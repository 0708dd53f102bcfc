"""The retry policy with an injected clock, sleep and jitter: what is retried, how long it waits, when it
stops."""

from __future__ import annotations

import pytest
import requests

from handrail.targets.errors import TargetError
from handrail.targets.transport.retry import RetryPolicy, classify_failure, retry_after_seconds, retrying


class Clock:
    def __init__(self):
        self.now = 0.0
        self.waits: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.now += seconds

    def __call__(self) -> float:
        return self.now


def policy(clock: Clock, **overrides) -> RetryPolicy:
    settings = {
        "attempts": 5,
        "base_delay": 1.0,
        "max_delay": 4.0,
        "deadline": 60.0,
        "sleep": clock.sleep,
        "clock": clock,
        "jitter": lambda: 0.5,
    }
    settings.update(overrides)
    return RetryPolicy(**settings)


def failing(*errors: Exception, result: str = "ok"):
    calls = []

    def call():
        calls.append(1)
        if len(calls) <= len(errors):
            raise errors[len(calls) - 1]
        return result

    return call, calls


def test_non_idempotent_calls_get_exactly_one_attempt():
    clock = Clock()
    call, calls = failing(TargetError("salesforce", "deploy", 503))
    with pytest.raises(TargetError):
        retrying(call, idempotent=False, policy=policy(clock))
    assert len(calls) == 1 and clock.waits == []


def test_429_waits_what_retry_after_says():
    clock = Clock()
    call, calls = failing(
        TargetError("hubspot", "get", 429, headers={"Retry-After": "3"}),
        TargetError("hubspot", "get", 429, headers={"retry-after": "0"}),
    )
    assert retrying(call, idempotent=True, policy=policy(clock)) == "ok"
    assert clock.waits == [3.0, 0.0] and len(calls) == 3


def test_5xx_backs_off_exponentially_with_full_jitter_up_to_the_cap():
    clock = Clock()
    errors = [TargetError("salesforce", "poll", status) for status in (500, 502, 503, 504)]
    call, calls = failing(*errors)
    retrying(call, idempotent=True, policy=policy(clock, attempts=6))
    assert clock.waits == [0.5, 1.0, 2.0, 2.0]  # 0.5 x min(4, 1, 2, 4, 8)


def test_gives_up_after_the_attempt_cap_saying_so():
    clock = Clock()
    call, calls = failing(*[TargetError("hubspot", "get", 500)] * 5)
    with pytest.raises(TargetError) as raised:
        retrying(call, idempotent=True, policy=policy(clock, attempts=3), what="HubSpot get")
    assert len(calls) == 3
    assert "HubSpot get: gave up after 3 attempts (HTTP 500)" in raised.value.__notes__


def test_stops_when_the_next_wait_would_pass_the_deadline():
    clock = Clock()
    call, calls = failing(*[TargetError("hubspot", "get", 429, headers={"Retry-After": "25"})] * 5)
    with pytest.raises(TargetError) as raised:
        retrying(call, idempotent=True, policy=policy(clock, deadline=60.0))
    assert clock.waits == [25.0, 25.0] and len(calls) == 3
    assert "deadline" in raised.value.__notes__[0]


@pytest.mark.parametrize(
    "error, transient",
    [
        (TargetError("hubspot", "get", 400), False),
        (TargetError("hubspot", "get", 404), False),
        (TargetError("hubspot", "get", 501), False),
        (TargetError("hubspot", "get", 429, body='{"policyName": "DAILY"}'), False),
        (TargetError("hubspot", "get", 429, body='{"policyName": "TEN_SECONDLY_ROLLING"}'), True),
        (TargetError("salesforce", "deploy", 500, retryable=False), False),
        (requests.exceptions.ConnectionError("Connection aborted. RemoteDisconnected"), True),
        (requests.exceptions.ReadTimeout("read timed out"), True),
        (requests.exceptions.SSLError("[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed"), False),
        (ConnectionResetError(104, "reset"), True),
        (ValueError("not transient"), False),
    ],
)
def test_classification(error, transient):
    assert (classify_failure(error) is not None) is transient


def test_a_target_error_caused_by_a_dropped_connection_is_transient():
    try:
        try:
            raise requests.exceptions.ConnectionError("RemoteDisconnected")
        except requests.exceptions.ConnectionError as cause:
            raise TargetError("hubspot", "GET /x", None, "dropped") from cause
    except TargetError as error:
        assert classify_failure(error).reason.startswith("connection failed")


def test_retry_after_accepts_seconds_and_http_dates():
    assert retry_after_seconds("2.5") == 2.5
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # in the past
    assert retry_after_seconds("soon") is None and retry_after_seconds(None) is None
