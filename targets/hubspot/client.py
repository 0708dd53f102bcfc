"""A connection to a HubSpot portal through hubspot-api-client, from a spec environment.

    conn = connect(model.environment("hubspot"))
    groups = conn.call("groups.list", conn.client.crm.properties.groups_api.get_all, "deals", idempotent=True)
    flow = conn.request("GET", f"/automation/v4/flows/{flow_id}")     # endpoints the SDK does not wrap

The private-app token comes from the environment variable the spec names (`token_env`, default
HUBSPOT_TOKEN), never from the spec. Every call has a timeout; `idempotent=True` calls are retried
on 429 (honouring Retry-After; not HubSpot's daily limit), 5xx and dropped connections. Errors
become TargetError with a redacted body. hubspot is imported only when a connection is made.
"""

from __future__ import annotations

import json
import logging
import os
import time
from typing import Any, Callable, Mapping

from handrail.targets.errors import AuthError, TargetError
from handrail.targets.transport.redact import redact, register_secret
from handrail.targets.transport.retry import DEFAULT_POLICY, RetryPolicy, retrying

API_URL = "https://api.hubapi.com"
DEFAULT_TIMEOUT = (10.0, 60.0)  # seconds: connect, read
log = logging.getLogger("handrail.hubspot")


def connect(
    env,
    *,
    environ: Mapping[str, str] = os.environ,
    host: str | None = None,
    ca_file: str | None = None,
    timeout: tuple[float, float] = DEFAULT_TIMEOUT,
    retry_policy: RetryPolicy = DEFAULT_POLICY,
) -> "HubSpotConnection":
    """A client for the portal `env` (a specs.model.Environment with target hubspot) names.

    host: the API base URL (default https://api.hubapi.com; HANDRAIL_HUBSPOT_API_URL overrides it,
    e.g. for a proxy). ca_file: a PEM bundle to trust (default: REQUESTS_CA_BUNDLE, else the system's).
    """
    if env.target != "hubspot":
        raise AuthError(env.name, f"is a {env.target} environment, not hubspot")
    if env.get("auth", "private_app") != "private_app":
        raise AuthError(
            env.name,
            f"auth '{env.get('auth')}' is not a HubSpot login method",
            "use auth: private_app with token_env naming the variable that holds the token",
        )
    variable = env.get("token_env") or "HUBSPOT_TOKEN"
    token = environ.get(variable)
    if not token:
        raise AuthError(
            env.name,
            f"environment variable {variable} is not set; it should hold the private app's access token",
            f"export {variable}=pat-... (the variable name comes from `token_env` in the spec's "
            f"environments.{env.name}; secrets never go in the spec itself)",
        )
    register_secret(token)
    base = (host or environ.get("HANDRAIL_HUBSPOT_API_URL") or API_URL).rstrip("/")
    ca_file = ca_file or environ.get("REQUESTS_CA_BUNDLE") or None
    from hubspot import HubSpot

    # retry=False: urllib3 must not retry on its own (it would silently resend GETs); Handrail's
    # policy decides. The api_factory gives every generated API call a timeout.
    client = HubSpot(
        access_token=token,
        host=base,
        base_url=base,
        ssl_ca_cert=ca_file,
        retry=False,
        api_factory=_api_factory(timeout),
    )
    return HubSpotConnection(client, env.name, token, base, ca_file, timeout, retry_policy)


def _api_factory(timeout: tuple[float, float]):
    """Every generated API object the SDK makes (it makes a new one, with a new urllib3 pool, each time
    `client.crm.properties.core_api` and the like are read) gets a timeout and the connection's one
    pool, so SDK calls reuse a kept-alive connection instead of opening (TCP and TLS) one each."""
    pools: list = []

    def factory(api_client_package, api_name, config):
        from hubspot.discovery.discovery_base import DiscoveryBase

        api = DiscoveryBase._default_api_factory(api_client_package, api_name, config)
        rest = api.api_client.rest_client
        if pools:
            rest.pool_manager = pools[0]
        else:
            pools.append(rest.pool_manager)
        plain = rest.request

        def request(*args, _request_timeout=None, **kwargs):
            return plain(*args, _request_timeout=_request_timeout or timeout, **kwargs)

        rest.request = request  # the generated methods call self.request(..., _request_timeout=None)
        return api

    return factory


class HubSpotConnection:
    """`client` is the hubspot.HubSpot SDK; `call` and `request` add retries and clear errors."""

    def __init__(
        self,
        client,
        environment: str,
        token: str,
        base_url: str,
        ca_file: str | None,
        timeout: tuple[float, float],
        retry_policy: RetryPolicy = DEFAULT_POLICY,
    ):
        import requests

        self.client = client
        self.environment = environment
        self.base_url = base_url
        self.timeout = timeout
        self.retry_policy = retry_policy
        self._token = token
        self._verify: str | bool = ca_file or True
        self._session = requests.Session()

    def call(
        self, operation: str, method: Callable[..., Any], *args: Any, idempotent: bool, **kwargs: Any
    ) -> Any:
        """Call a generated SDK method, e.g. call("properties.create", api.create, "deals", body,
        idempotent=False)."""

        def attempt():
            started = time.monotonic()
            try:
                result = method(*args, **kwargs)
            except Exception as exc:  # noqa: BLE001 - each SDK package has its own ApiException
                translated = _translate(operation, exc)
                log.debug(
                    "%s -> %s (%.2fs)",
                    operation,
                    getattr(translated, "status", None) or "failed",
                    time.monotonic() - started,
                )
                if translated is exc:
                    raise
                raise translated from exc
            log.debug("%s -> ok (%.2fs)", operation, time.monotonic() - started)
            return result

        return retrying(attempt, idempotent=idempotent, policy=self.retry_policy, what=f"HubSpot {operation}")

    def request(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        query: Mapping[str, Any] | None = None,
        idempotent: bool | None = None,
    ) -> Any:
        """Call an endpoint the SDK does not wrap (automation v4 flows, property validations, pipeline
        rules). Returns the decoded JSON (None for 204). GET, PUT and DELETE count as idempotent
        unless told otherwise; POST and PATCH do not."""
        method = method.upper()
        if idempotent is None:
            idempotent = method in ("GET", "PUT", "DELETE")
        operation = f"{method} {path}"
        url = self.base_url + path

        def attempt():
            started = time.monotonic()
            try:
                response = self._session.request(
                    method,
                    url,
                    params=query,
                    data=None if body is None else json.dumps(body),
                    headers={
                        "Authorization": f"Bearer {self._token}",
                        "Accept": "application/json",
                        "Content-Type": "application/json",
                    },
                    timeout=self.timeout,
                    verify=self._verify,
                )
            except OSError as exc:  # requests' connection errors and timeouts
                raise TargetError("hubspot", operation, None, f"{type(exc).__name__}: {exc}") from exc
            log.debug(
                "%s %s -> %s (%.2fs)", method, redact(url), response.status_code, time.monotonic() - started
            )
            if response.status_code >= 400:
                raise TargetError(
                    "hubspot",
                    operation,
                    response.status_code,
                    response.text,
                    response.headers,
                    _hint(response.status_code, response.text),
                )
            return response.json() if response.content else None

        return retrying(attempt, idempotent=idempotent, policy=self.retry_policy, what=f"HubSpot {operation}")


def _translate(operation: str, exc: Exception) -> Exception:
    status = getattr(exc, "status", None)
    if isinstance(status, int) and status >= 100:
        body = getattr(exc, "body", None) or ""
        return TargetError(
            "hubspot",
            operation,
            status,
            body,
            dict(getattr(exc, "headers", None) or {}),
            _hint(status, str(body)),
        )
    if isinstance(exc, OSError) or type(exc).__module__.startswith("urllib3"):
        return TargetError("hubspot", operation, None, f"{type(exc).__name__}: {exc}")
    return exc


def _hint(status: int, body: str) -> str:
    if status == 401:
        return "the token was refused; check the private app token in the environment variable"
    if status == 403:
        return "the private app lacks a scope this call needs (see the error's context)"
    if status == 429 and "DAILY" in body:
        return "the portal's daily API limit is used up; retry after midnight in the portal's time zone"
    return ""
