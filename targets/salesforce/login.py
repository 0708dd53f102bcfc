"""Logging in to Salesforce: the credentials each `auth` mode reads, and the HTTP session calls go through.

Credentials come from environment variables (or the sf CLI), never from the spec; every secret read is
registered for redaction before it can reach a message or a log.
"""

from __future__ import annotations

import json
import logging
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any, Callable, Mapping
from urllib.parse import urlparse

from handrail.targets.errors import AuthError
from handrail.targets.transport.redact import redact, register_secret

SF_CLI_TIMEOUT = 60.0
DEFAULT_ENV_NAMES = {
    "username_env": "SF_USERNAME",
    "password_env": "SF_PASSWORD",
    "security_token_env": "SF_SECURITY_TOKEN",
    "consumer_key_env": "SF_CONSUMER_KEY",
    "private_key_file_env": "SF_PRIVATE_KEY_FILE",
    "access_token_env": "SF_ACCESS_TOKEN",
    "instance_url_env": "SF_INSTANCE_URL",
}
log = logging.getLogger("handrail.salesforce")

SfRunner = Callable[[list[str], Mapping[str, str]], tuple[int, str, str]]


def login_arguments(env, environ: Mapping[str, str], sf_runner: SfRunner | None) -> dict:
    """simple_salesforce.Salesforce keyword arguments for the environment's `auth` mode."""
    auth = env.get("auth")
    if auth == "jwt":
        return _jwt(env, environ)
    if auth == "password":
        return _password(env, environ)
    if auth == "access_token":
        return _access_token(env, environ)
    if auth == "sf_cli":
        return _sf_cli(env, environ, sf_runner or run_sf)
    raise AuthError(
        env.name,
        f"auth '{auth}' is not a Salesforce login method" if auth else "no `auth` is set",
        "set auth to one of: jwt, password, access_token, sf_cli",
    )


def _setting(
    env, environ: Mapping[str, str], key: str, what: str, *, allow_empty: bool = False, secret: bool = False
) -> str:
    variable = env.get(key) or DEFAULT_ENV_NAMES[key]
    value = environ.get(variable)
    if value is None or (value == "" and not allow_empty):
        where = f"`{key}: {variable}`" if env.get(key) else f"the default for `{key}`"
        raise AuthError(
            env.name,
            f"environment variable {variable} is not set; it should hold {what}",
            f"export {variable}=... ({where} in the spec's environments.{env.name}; "
            "secrets never go in the spec itself)",
        )
    if secret:
        register_secret(value)
    return value


def _login(env) -> tuple[str, str | None]:
    """(simple-salesforce domain, My Domain stem or None) from login_url and the production flag."""
    url = env.get("login_url")
    if not url:
        return ("login" if env.production else "test"), None
    host = urlparse(url).hostname or ""
    if host in ("login.salesforce.com", "test.salesforce.com"):
        return host.split(".")[0], None
    if host.endswith(".salesforce.com"):
        stem = host[: -len(".salesforce.com")]
        return stem, stem
    raise AuthError(
        env.name,
        f"login_url {url} is not a Salesforce login address",
        "use https://login.salesforce.com, https://test.salesforce.com or your My Domain "
        "(https://NAME.my.salesforce.com)",
    )


def _jwt(env, environ) -> dict:
    username = _setting(env, environ, "username_env", "the Salesforce username to log in as")
    consumer_key = _setting(env, environ, "consumer_key_env", "the connected app's consumer key")
    key_file = _setting(
        env, environ, "private_key_file_env", "the path of the connected app's private key (PEM)"
    )
    if not Path(key_file).is_file():
        raise AuthError(
            env.name,
            f"the private key file {key_file} does not exist or is not a file",
            f"point {env.get('private_key_file_env') or 'SF_PRIVATE_KEY_FILE'} at the PEM key "
            "whose certificate is uploaded to the connected app",
        )
    domain, my_domain = _login(env)
    kwargs = {"username": username, "consumer_key": consumer_key, "privatekey_file": key_file}
    if my_domain:
        # The token endpoint may be a My Domain, but the JWT audience must be login or test.
        kwargs.update(
            domain="test" if ".sandbox." in my_domain or not env.production else "login",
            instance_url=my_domain,
        )
    else:
        kwargs["domain"] = domain
    return kwargs


def _password(env, environ) -> dict:
    return {
        "username": _setting(env, environ, "username_env", "the Salesforce username"),
        "password": _setting(env, environ, "password_env", "the user's password", secret=True),
        "security_token": _setting(
            env,
            environ,
            "security_token_env",
            "the user's security token (empty if the org trusts this IP range)",
            allow_empty=True,
            secret=True,
        ),
        "domain": _login(env)[0],
    }


def _access_token(env, environ) -> dict:
    token = _setting(env, environ, "access_token_env", "an OAuth access token (session id)", secret=True)
    instance_url = _setting(
        env, environ, "instance_url_env", "the org's instance URL, e.g. https://mycompany.my.salesforce.com"
    )
    if not instance_url.startswith("https://"):
        raise AuthError(env.name, f"the instance URL {instance_url} must start with https://")
    return {"session_id": token, "instance_url": instance_url}


def _sf_cli(env, environ, runner: SfRunner) -> dict:
    alias = env.get("sf_alias")
    if not alias:
        raise AuthError(
            env.name,
            "auth sf_cli needs sf_alias, the alias of an org logged in with the sf CLI",
            "add `sf_alias: my-org` to the environment; log in with: sf org login web --alias my-org",
        )
    display = _sf_json(env, runner, ["sf", "org", "display", "--target-org", alias, "--json"], environ)
    instance_url = display.get("instanceUrl")
    if not instance_url:
        raise AuthError(env.name, f"`sf org display --target-org {alias}` gave no instanceUrl")
    try:
        # sf >= plugin-org 5.11 redacts accessToken in `org display`; this command shows it.
        token = _sf_json(
            env, runner, ["sf", "org", "auth", "show-access-token", "--target-org", alias, "--json"], environ
        ).get("accessToken")
    except AuthError:
        token = display.get("accessToken")  # older CLIs: no show-access-token, token shown by display
    if not token or token.startswith("[REDACTED]"):
        raise AuthError(
            env.name,
            f"the sf CLI gave no access token for {alias}",
            "update the Salesforce CLI (npm install -g @salesforce/cli)",
        )
    register_secret(token)
    return {"session_id": token, "instance_url": instance_url}


def _sf_json(env, runner: SfRunner, argv: list[str], environ) -> dict:
    command = " ".join(argv)
    try:
        code, stdout, stderr = runner(argv, environ)
    except FileNotFoundError:
        raise AuthError(
            env.name,
            "the Salesforce CLI (sf) is not installed or not on PATH",
            "install it (npm install -g @salesforce/cli) or use auth: jwt",
        ) from None
    except subprocess.TimeoutExpired:
        raise AuthError(env.name, f"`{command}` did not finish within {SF_CLI_TIMEOUT:.0f}s") from None
    try:
        payload = json.loads(stdout or "{}")
    except ValueError:
        payload = {}
    if code != 0 or payload.get("status", 0) != 0:
        message = payload.get("message") or (stderr or stdout or "").strip()[:300] or f"exit code {code}"
        raise AuthError(
            env.name,
            f"`{command}` failed: {message}",
            f"log in first: sf org login web --alias {argv[argv.index('--target-org') + 1]}",
        )
    result = payload.get("result") or {}
    for key in ("accessToken", "sfdxAuthUrl", "password"):
        register_secret(result.get(key))
    return result


def run_sf(argv: list[str], environ: Mapping[str, str]) -> tuple[int, str, str]:
    """Run the Salesforce CLI found on environ's PATH."""
    executable = shutil.which(argv[0], path=environ.get("PATH"))
    if executable is None:
        raise FileNotFoundError(argv[0])
    done = subprocess.run(
        [executable, *argv[1:]],
        capture_output=True,
        text=True,
        timeout=SF_CLI_TIMEOUT,
        env=dict(environ),
        check=False,
    )
    return done.returncode, done.stdout, done.stderr


def refused_hint(auth: str) -> str:
    return {
        "jwt": "check the username, that the connected app's certificate matches the key, that the user "
        "is pre-authorized for the app, and login_url (sandbox: https://test.salesforce.com)",
        "password": "check the username, password and security token (reset it in Settings), and login_url",
    }.get(auth, "log in again")


def session(timeout: tuple[float, float], mounts: Mapping[str, Any] | None):
    import requests

    class TimeoutSession(requests.Session):
        """A requests session whose calls time out unless told otherwise."""

        def request(self, method, url, **kwargs):  # noqa: ANN001 - requests' signature
            if kwargs.get("timeout") is None:
                kwargs["timeout"] = timeout
            started = time.monotonic()
            response = super().request(method, url, **kwargs)
            if log.isEnabledFor(logging.DEBUG):
                log.debug(
                    "%s %s -> %s (%.2fs)",
                    method,
                    redact(url),
                    response.status_code,
                    time.monotonic() - started,
                )
            return response

    session = TimeoutSession()
    for prefix, adapter in (mounts or {}).items():
        session.mount(prefix, adapter)
    return session
