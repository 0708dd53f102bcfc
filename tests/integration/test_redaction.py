"""Secrets are scrubbed from text and from log records, in every shape they travel in."""

from __future__ import annotations

import io
import logging

import pytest

from handrail.targets.errors import AuthError, TargetError
from handrail.targets.transport.redact import MASK, RedactingFilter, install, redact, register_secret

SESSION = "00D5g000004Xyz1!AQ4AQFkRaNdOmSeSsIoNtOkEnVaLuE.1234"
HUBSPOT = "pat-na1-0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d"


@pytest.mark.parametrize(
    "text",
    [
        f"<met:sessionId>{SESSION}</met:sessionId>",
        "<urn:sessionId>opaque-value-123</urn:sessionId>",
        "<ns0:sessionId>opaque-value-123</ns0:sessionId>",
        "<sessionId>opaque-value-123</sessionId>",
        "{'Content-Type': 'text/xml', 'Authorization': 'Bearer opaque-value-123'}",
        "Authorization: Bearer opaque-value-123",
        "https://example.my.salesforce.com/secur/frontdoor.jsp?sid=opaque-value-123&retURL=/",
        "grant_type=password&client_secret=opaque-value-123&password=opaque-value-123",
        '{"access_token": "opaque-value-123", "instance_url": "https://x"}',
        "{'accessToken': 'opaque-value-123'}",
        f"token in a message: {SESSION}",
        f"HubSpot token {HUBSPOT} in a message",
        "assertion=eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJrZXkifQ.c2lnbmF0dXJlLXZhbHVl",
        "force://PlatformCLI::5Aep861opaque-value-123@example.my.salesforce.com",
    ],
)
def test_secret_shapes_are_redacted(text):
    out = redact(text)
    assert "opaque-value-123" not in out and SESSION not in out and HUBSPOT not in out
    assert "eyJpc3MiOiJrZXkifQ" not in out and MASK in out


def test_registered_secrets_are_redacted_anywhere():
    register_secret("s3cr3t-password-value")
    assert redact("login with s3cr3t-password-value failed") == f"login with {MASK} failed"


def test_ordinary_text_is_left_alone():
    text = "deploy 0Af000000000001AAA Succeeded: 12 components, Opportunity.Handoff_Score__c"
    assert redact(text) == text


def test_the_logging_filter_scrubs_messages_arguments_and_tracebacks():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    logger = logging.getLogger("handrail.test.redaction")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        install(logger)
        install(logger)  # idempotent
        assert sum(isinstance(f, RedactingFilter) for f in handler.filters) == 1
        logger.debug("headers %s", {"Authorization": f"Bearer {SESSION}"})
        try:
            raise RuntimeError(f"body was <sessionId>{SESSION}</sessionId>")
        except RuntimeError:
            logger.exception("call failed")
    finally:
        logger.removeHandler(handler)
    output = stream.getvalue()
    assert SESSION not in output and "call failed" in output and "RuntimeError" in output


def test_errors_redact_their_own_messages():
    error = TargetError("hubspot", "GET /crm/v3/properties/deals", 401, f'{{"token": "{HUBSPOT}"}}')
    assert HUBSPOT not in str(error) and error.status == 401 and "hint:" in str(error)
    assert SESSION not in str(AuthError("sandbox", f"refused {SESSION}"))


def test_the_record_factory_scrubs_records_whatever_handler_they_reach():
    from handrail.targets.transport.redact import install_record_factory

    previous = logging.getLogRecordFactory()
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)  # no filter on this handler
    logger = logging.getLogger("handrail.test.factory")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        install_record_factory()
        install_record_factory()  # idempotent
        logger.debug("envelope <ns0:sessionId>%s</ns0:sessionId>", SESSION)
        try:
            raise RuntimeError(f"token {HUBSPOT}")
        except RuntimeError:
            logger.exception("failed")
    finally:
        logging.setLogRecordFactory(previous)
        logger.removeHandler(handler)
    output = stream.getvalue()
    assert SESSION not in output and HUBSPOT not in output and "RuntimeError" in output
