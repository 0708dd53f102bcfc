"""A server that echoes a credential back URL-encoded or in base64 (a session id as 00D...%21AQ..., a
token inside a Basic credential) gets it redacted like the raw value: in errors, logs and output."""

from __future__ import annotations

import base64
import logging
from urllib.parse import quote, quote_plus

import pytest

from handrail.specs.model import Environment
from handrail.targets.errors import TargetError
from handrail.targets.hubspot.client import connect as connect_hubspot
from handrail.targets.salesforce.client import connect as connect_salesforce
from handrail.targets.transport.redact import MASK, redact, register_secret
from handrail.targets.transport.retry import RetryPolicy

ONCE = RetryPolicy(attempts=1, sleep=lambda s: None)


def encoded(secret: str) -> list[str]:
    data = secret.encode()
    forms = [quote(secret, safe=""), quote(secret), quote_plus(secret)]
    for encode in (base64.b64encode, base64.urlsafe_b64encode):
        forms += [encode(data).decode(), encode(data).decode().rstrip("=")]
        for prefix in (b"u:", b"user:", b"api-user:"):  # inside a longer encoded value, at each offset
            forms.append(encode(prefix + data).decode())
    return forms


def leaked(secret: str, text: str) -> list[str]:
    """The encoded forms of `secret` still readable in `text` (a Basic credential's edges aside)."""
    found = [form for form in encoded(secret) if form in text]
    # what may remain of a value encoded with a prefix: at most a few characters either side of the mask
    core = base64.b64encode(secret.encode()).decode()[4:-4]
    return found + ([core] if core in text else [])


@pytest.mark.parametrize(
    "secret",
    [
        "00D5g000004Xyz1!AQ4AQFkRaNdOmSeSsIoNtOkEnVaLuE.1234",
        "pat-na1-0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d",
        "p@ss word/with+odd=chars",
    ],
)
def test_every_encoding_of_a_registered_secret_is_redacted(secret):
    register_secret(secret)
    text = " | ".join(encoded(secret))
    assert leaked(secret, redact(text)) == [] and MASK in redact(text)


def test_a_session_id_url_encoded_by_shape_alone_is_redacted():
    unregistered = "00D5g000004Abc9%21AQ4AQNeVeRrEgIsTeReD.5678"
    assert redact(f"sid={unregistered}") == f"sid={MASK}" and redact(unregistered) == MASK


def test_ordinary_words_are_not_mistaken_for_encoded_secrets():
    register_secret("abcdefgh")
    text = "deploy 0Af000000000001AAA Succeeded: Opportunity.Handoff_Score__c, 12 components"
    assert redact(text) == text


def test_a_salesforce_error_echoing_the_session_id_encoded(fake_salesforce, caplog):
    session = fake_salesforce.session_id
    environ = {"SF_ACCESS_TOKEN": session, "SF_INSTANCE_URL": fake_salesforce.url}
    env = Environment("sandbox", "salesforce", (("auth", "access_token"),), False)
    conn = connect_salesforce(env, environ=environ, retry_policy=ONCE)
    encoded_session = base64.b64encode(session.encode()).decode()
    echo = f"bad request for session {quote(session, safe='')} ({encoded_session})"
    fake_salesforce.inject("query", status=400, body=[{"message": echo, "errorCode": "MALFORMED_QUERY"}])
    caplog.set_level(logging.DEBUG)
    with pytest.raises(TargetError) as failed:
        conn.query_all("SELECT Id FROM User")
    logging.getLogger("handrail.test").error("failed: %s", failed.value)
    text = str(failed.value) + caplog.text
    assert "MALFORMED_QUERY" in text and MASK in str(failed.value)
    assert leaked(session, text) == [] and session not in text


def test_a_hubspot_error_echoing_the_token_in_base64(fake_hubspot, test_authority, caplog):
    token = fake_hubspot.token
    basic = base64.b64encode(f"portal:{token}".encode()).decode()
    env = Environment("hubspot", "hubspot", (("auth", "private_app"), ("token_env", "T")), False)
    conn = connect_hubspot(
        env, environ={"T": token}, host=fake_hubspot.url, ca_file=test_authority.ca_file, retry_policy=ONCE
    )
    body = {"message": f"bad credential Basic {basic}; token={quote_plus(token)}", "status": "error"}
    fake_hubspot.inject("properties.list", status=400, body=body)
    caplog.set_level(logging.DEBUG)
    with pytest.raises(TargetError) as failed:
        conn.request("GET", "/crm/v3/properties/deals")
    logging.getLogger("handrail.test").error("failed: %s", failed.value)
    text = str(failed.value) + caplog.text
    assert "bad credential" in text and leaked(token, text) == [] and token not in text


def test_saved_files_and_output_hold_no_secret_in_any_encoding(tmp_path, capsys):
    """What a command writes (a saved plan, a snapshot, a report, stdout) passes the same redaction once
    the process holds a credential: an org that echoed one into a field description cannot plant it in a
    file."""
    from handrail.generators.output.emit import emit
    from handrail.generators.output.files import atomic_text, write_tree

    secret = "00DFILE0000000001!AQ.saved-file-session-id"
    register_secret(secret)
    text = "description: " + " | ".join([secret, *encoded(secret)])
    with atomic_text(tmp_path / "plan.json") as handle:
        handle.write(text[:20])  # a secret split across writes is still found
        handle.write(text[20:])
    write_tree(
        tmp_path / "snapshot", {"Flow/a.json": text.encode(), "logo.png": b"\x89PNG\xff" + secret.encode()}
    )
    emit(None, lambda handle: handle.write(text))
    emit(tmp_path / "report.csv", lambda handle: handle.write(text))
    for written in (
        (tmp_path / "plan.json").read_text(),
        (tmp_path / "snapshot" / "Flow" / "a.json").read_text(),
        (tmp_path / "report.csv").read_text(),
        capsys.readouterr().out,
    ):
        assert MASK in written and not leaked(secret, written) and secret not in written
    assert (tmp_path / "snapshot" / "logo.png").read_bytes().startswith(b"\x89PNG\xff")  # binary untouched
