"""A login the service fails (5xx, 429, a cut-off reply) is Salesforce being unavailable, and is retried;
a refused login is the credentials, named by their environment variables, and is not. Every command logs
in through the same connect, so plan, apply, diff, audit and brief share the policy."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from fakes.fixtures import LoginHostAdapter

from handrail.specs.model import Environment
from handrail.targets.errors import AuthError
from handrail.targets.salesforce import client
from handrail.targets.salesforce.client import connect
from handrail.targets.transport.malformed import MalformedReply
from handrail.targets.transport.retry import RetryPolicy

ENVIRONMENT = """
  live:
    target: salesforce
    auth: password
    username_env: SF_USERNAME
    password_env: SF_PASSWORD
    security_token_env: SF_SECURITY_TOKEN
"""
PASSWORD = {"SF_USERNAME": "rep@example.com", "SF_PASSWORD": "right", "SF_SECURITY_TOKEN": "tok123456"}


def quick(attempts: int = 3) -> RetryPolicy:
    return RetryPolicy(attempts=attempts, base_delay=0.01, max_delay=0.02, sleep=lambda s: None)


def env(auth: str, **settings) -> Environment:
    return Environment("sandbox", "salesforce", (("auth", auth), *settings.items()), False)


@pytest.fixture
def password_login(fake_salesforce, login_routes):
    fake_salesforce.add_user("rep@example.com", "right", "tok123456")

    def login(environ=PASSWORD, attempts: int = 3):
        return connect(env("password"), environ=environ, mounts=login_routes[1], retry_policy=quick(attempts))

    return login


@pytest.fixture
def jwt_login(fake_salesforce, tmp_path):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    key_file = tmp_path / "server.key"
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    key_file.write_bytes(pem)
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    fake_salesforce.add_connected_app("3MVG9-consumer-key", public)
    fake_salesforce.add_user("ci@example.com", "unused", "")
    environ = {
        "SF_USERNAME": "ci@example.com",
        "SF_CONSUMER_KEY": "3MVG9-consumer-key",
        "SF_PRIVATE_KEY_FILE": str(key_file),
    }
    routes = {"https://test.salesforce.com": LoginHostAdapter(fake_salesforce.url)}

    def login(username: str = "ci@example.com"):
        return connect(
            env("jwt", login_url="https://test.salesforce.com"),
            environ={**environ, "SF_USERNAME": username},
            mounts=routes,
            retry_policy=quick(),
        )

    return login


@pytest.mark.parametrize("status", [500, 503, 429])
def test_a_password_login_the_service_fails_is_unavailable_not_refused(
    fake_salesforce, password_login, status
):
    fake_salesforce.inject("login", status=status, times=None)
    with pytest.raises(AuthError) as failed:
        password_login()
    message = str(failed.value)
    assert f"Salesforce is unavailable: the password login was answered HTTP {status}" in message
    assert "refused" not in message and "credentials" in message  # "says nothing about the credentials"
    assert "<soapenv" not in message and "None:" not in message
    assert fake_salesforce.count("login") == 3  # retried as a read is


def test_a_login_that_fails_twice_then_answers_connects(fake_salesforce, password_login):
    fake_salesforce.inject("login", status=503, times=2)
    assert password_login().query_all("SELECT Id FROM User")
    assert fake_salesforce.count("login") == 3


def test_a_refused_password_login_names_the_variables_and_is_not_retried(fake_salesforce, password_login):
    with pytest.raises(AuthError) as refused:
        password_login({**PASSWORD, "SF_PASSWORD": "wrong-password"})
    message = str(refused.value)
    assert "Salesforce refused the password login (HTTP 500): INVALID_LOGIN" in message
    assert "SF_USERNAME, SF_PASSWORD, SF_SECURITY_TOKEN" in message and "wrong-password" not in message
    assert fake_salesforce.count("login") == 1


def test_a_jwt_token_endpoint_500_is_unavailable_not_an_attribute_error(fake_salesforce, jwt_login):
    fake_salesforce.inject("oauth_token", status=500, times=None)  # a JSON list body, as REST errors are
    with pytest.raises(AuthError) as failed:
        jwt_login()
    message = str(failed.value)
    assert "Salesforce is unavailable: the jwt login was answered HTTP 500" in message
    assert "AttributeError" not in message and fake_salesforce.count("oauth_token") == 3


def test_a_refused_jwt_login_names_the_variables(fake_salesforce, jwt_login, recwarn):
    with pytest.raises(AuthError) as refused:
        jwt_login("stranger@example.com")
    assert [str(w.message) for w in recwarn] == []  # simple-salesforce's, with the consumer key in a URL
    message = str(refused.value)
    assert "refused the jwt login (HTTP 400): invalid_grant: user hasn't approved this consumer" in message
    assert "SF_USERNAME, SF_CONSUMER_KEY, SF_PRIVATE_KEY_FILE" in message
    assert fake_salesforce.count("oauth_token") == 1


def test_a_cut_off_login_reply_is_retried_then_reported(fake_salesforce, password_login):
    fake_salesforce.inject("login", truncate=True, times=2)
    assert password_login().query_all("SELECT Id FROM User")
    fake_salesforce.inject("login", truncate=True, times=None)
    with pytest.raises(MalformedReply, match="salesforce login failed: the reply could not be read"):
        password_login()


@pytest.fixture
def cli_login(fake_salesforce, login_routes, run_cli, tmp_path, monkeypatch):
    """Runs a command against the fake org with auth password, its login hosts routed to the fake."""
    from plan.live import live_spec

    fake_salesforce.add_user("rep@example.com", "right", "tok123456")
    spec = live_spec(tmp_path, ENVIRONMENT)
    plain = client.session
    monkeypatch.setattr(client, "session", lambda timeout, mounts: plain(timeout, login_routes[1]))
    monkeypatch.setattr(client, "DEFAULT_POLICY", quick(5))

    def run(*command: str, password: str = "right"):
        for name, value in {**PASSWORD, "SF_PASSWORD": password}.items():
            monkeypatch.setenv(name, value)
        code, out, err = run_cli(*command, "--env", "live", "--spec", str(spec))
        assert "Traceback" not in err and "internal error" not in err
        return code, err

    return run


@pytest.mark.parametrize(
    "command", [["plan"], ["apply", "--yes"], ["diff"], ["audit"], ["brief", "Acme"]], ids=lambda c: c[0]
)
def test_every_command_retries_a_login_alike(fake_salesforce, cli_login, command):
    fake_salesforce.inject("login", status=503, times=None)
    code, err = cli_login(*command)
    assert code == 1, err
    assert "Salesforce is unavailable: the password login was answered HTTP 503" in err
    assert fake_salesforce.count("login") == 5


@pytest.mark.parametrize("status", [500, 429])
def test_an_unavailable_login_exits_1_saying_so(fake_salesforce, cli_login, status):
    fake_salesforce.inject("login", status=status, times=None)
    code, err = cli_login("plan")
    assert code == 1 and f"Salesforce is unavailable: the password login was answered HTTP {status}" in err
    assert "refused" not in err and "<soapenv" not in err


def test_a_refused_login_exits_1_naming_the_variables(fake_salesforce, cli_login):
    code, err = cli_login("plan", password="wrong-password")
    assert code == 1 and "Salesforce refused the password login (HTTP 500): INVALID_LOGIN" in err
    assert "SF_USERNAME, SF_PASSWORD, SF_SECURITY_TOKEN" in err and "wrong-password" not in err
    assert fake_salesforce.count("login") == 1
