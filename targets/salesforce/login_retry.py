"""A Salesforce login, retried as any read is, and its failures told apart: the service failing
(HTTP 5xx, 429, no connection, a reply that does not parse) is reported as Salesforce being unavailable
and retried; a refusal (a login fault such as INVALID_LOGIN, or an OAuth error such as invalid_grant, with
HTTP 400, 401 or 500) as the credentials, naming the environment variables they come from.

Every command logs in through here (client.connect), so plan, apply, diff, audit and brief share one policy.
"""

from __future__ import annotations

import json
import warnings
from typing import Any, Callable

from handrail.targets.errors import AuthError
from handrail.targets.salesforce.faults import TRANSIENT_FAULTS, soap_fault
from handrail.targets.salesforce.login import DEFAULT_ENV_NAMES, refused_hint
from handrail.targets.transport.malformed import MalformedReply, excerpt, is_malformed
from handrail.targets.transport.retry import RetryPolicy, retrying

CREDENTIALS = {
    "password": ("username_env", "password_env", "security_token_env"),
    "jwt": ("username_env", "consumer_key_env", "private_key_file_env"),
    "access_token": ("access_token_env", "instance_url_env"),
}
UNAVAILABLE_HINT = (
    "Salesforce is failing or limiting requests, which says nothing about the credentials; retry later "
    "(https://status.salesforce.com lists incidents)"
)


class LoginUnavailable(AuthError):
    """The login service failed; `status` and `headers` let the retry policy classify it."""

    def __init__(self, environment: str, message: str, status: int | None, headers: Any = None):
        super().__init__(environment, message, UNAVAILABLE_HINT)
        self.status = status
        self.headers = dict(headers or {})


def logged_in(env, http, make: Callable[[], Any], policy: RetryPolicy):
    """make() (simple_salesforce.Salesforce(...) over `http`), retried on transient failures."""
    last: dict[str, Any] = {}

    def remember(response, *args, **kwargs):
        last["response"] = response

    def attempt():
        last.clear()
        try:
            with warnings.catch_warnings():
                # simple-salesforce warns of a refused JWT login with an authorize URL that carries the
                # consumer key; the error raised here says what to check instead
                warnings.simplefilter("ignore", UserWarning)
                return make()
        except Exception as exc:  # noqa: BLE001 - every failure is told as credentials or the service
            raise failure(env, exc, last.get("response")) from exc

    http.hooks["response"].append(remember)
    try:
        return retrying(attempt, idempotent=True, policy=policy, what="Salesforce login")
    finally:
        http.hooks["response"].remove(remember)


def failure(env, exc: Exception, response) -> Exception:
    """The error a failed login becomes, from the exception and the login's HTTP response (or None)."""
    auth = env.get("auth")
    if response is None:
        return AuthError(
            env.name,
            f"could not reach Salesforce to log in: {type(exc).__name__}: {exc}",
            "check login_url and the network",
        )
    status, body = response.status_code, response.content
    code, message = _refusal(exc, body)
    if status == 429 or (status >= 500 and (code is None or code in TRANSIENT_FAULTS)):
        said = f": {code}: {message}" if code else f"; it was {excerpt(body)}"
        return LoginUnavailable(
            env.name, f"Salesforce is unavailable: the {auth} login was answered HTTP {status}{said}",
            status, response.headers,
        )  # fmt: skip
    if status < 300 and is_malformed(exc):
        return MalformedReply("salesforce", "login", body, exc)
    return AuthError(
        env.name,
        f"Salesforce refused the {auth} login (HTTP {status}): {code or 'refused'}: {message}",
        f"{refused_hint(auth)}; the credentials come from {credential_variables(env)}",
    )


def credential_variables(env) -> str:
    """The environment variables (or sf CLI alias) this environment's login reads."""
    auth = env.get("auth")
    if auth == "sf_cli":
        return f"the sf CLI's org {env.get('sf_alias')}"
    names = [env.get(key) or DEFAULT_ENV_NAMES[key] for key in CREDENTIALS.get(auth, ())]
    return ", ".join(names) or "the environment's settings"


def _refusal(exc: Exception, body: bytes) -> tuple[str | None, str]:
    """(code, message) the server gave: a SOAP login fault, or an OAuth error; (None, excerpt) else."""
    text = body.decode("utf-8", "replace")
    fault = soap_fault(text)
    if fault:
        return fault
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if isinstance(data, dict) and isinstance(data.get("error"), str):
        return data["error"], str(data.get("error_description") or "")
    return None, excerpt(body)
