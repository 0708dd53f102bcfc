"""A connection to a HubSpot portal through hubspot-api-client, from a spec environment.

    conn = connect(model.environment("hubspot"))
    groups = conn.call("groups.list", conn.client.crm.properties.groups_api.get_all, "deals", idempotent=True)
    flow = conn.request("GET", f"/automation/v4/flows/{flow_id}")     # endpoints the SDK does not wrap

The private-app token comes from the environment variable the spec names (`token_env`, default
HUBSPOT_TOKEN), never from the spec. Every call has a timeout; `idempotent=True` calls are retried
on 429 (honouring Retry-After; not HubSpot's daily limit), 5xx, dropped connections and replies that do
not parse. Errors become TargetError (MalformedReply for a reply that does not parse) with a redacted
body. hubspot is imported only when a connection is made.
"""

from __future__ import annotations

import json
import logging
import os
import time
from typing import Any, Callable, Mapping
from urllib.parse import urlencode, urlsplit

from handrail.targets.errors import AuthError, TargetError
from handrail.targets.transport.malformed import MalformedReply
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
    # policy decides. The api_factory gives every generated API call a timeout and the one pool.
    pool = _pool(ca_file)
    client = HubSpot(
        access_token=token,
        host=base,
        base_url=base,
        ssl_ca_cert=ca_file,
        retry=False,
        api_factory=_api_factory(timeout, pool),
    )
    return HubSpotConnection(client, env.name, token, base, ca_file, timeout, retry_policy, pool)


def _pool(ca_file: str | None):
    """The connection's urllib3 pool, made as the SDK makes its own (system trust store unless
    ca_file)."""
    import ssl

    import urllib3

    return urllib3.PoolManager(
        num_pools=4, maxsize=4, cert_reqs=ssl.CERT_REQUIRED, ca_certs=ca_file, retries=False
    )


def _api_factory(timeout: tuple[float, float], pool):
    """Every generated API object the SDK makes (it makes a new one, with a new urllib3 pool, each time
    `client.crm.properties.core_api` and the like are read) gets a timeout and the connection's one
    pool, which `request` uses too: every call reuses one kept-alive connection instead of opening
    (TCP and TLS) one of its own."""

    def factory(api_client_package, api_name, config):
        from hubspot.discovery.discovery_base import DiscoveryBase

        api = DiscoveryBase._default_api_factory(api_client_package, api_name, config)
        rest = api.api_client.rest_client
        rest.pool_manager = pool
        plain = rest.request

        def request(method, url, *args, _request_timeout=None, **kwargs):
            reply = plain(method, url, *args, _request_timeout=_request_timeout or timeout, **kwargs)
            if 200 <= reply.status < 300 and reply.data:
                _decoded(f"{method} {urlsplit(url).path}", reply.data)  # the SDK would take junk for text
            return reply

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
        pool=None,
    ):
        self.client = client
        self.environment = environment
        self.base_url = base_url
        self.timeout = timeout
        self.retry_policy = retry_policy
        self._token = token
        self._pool = pool or _pool(ca_file)  # a urllib3.PoolManager, shared with the SDK's API objects

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
        import urllib3

        method = method.upper()
        if idempotent is None:
            idempotent = method in ("GET", "PUT", "DELETE")
        operation = f"{method} {path}"
        url = self.base_url + path
        pairs = [(k, v) for k, v in (query or {}).items() if v is not None]
        target = url + ("?" + urlencode(pairs, doseq=True) if pairs else "")
        headers = {
            "Authorization": f"Bearer {self._token}",
            "Accept": "application/json",
            "Content-Type": "application/json",
            "Accept-Encoding": "gzip, deflate",  # as requests asked; urllib3 decodes the reply
        }
        timeout = urllib3.Timeout(connect=self.timeout[0], read=self.timeout[1])

        def attempt():
            started = time.monotonic()
            try:
                response = self._pool.request(
                    method,
                    target,
                    body=None if body is None else json.dumps(body).encode("utf-8"),
                    headers=headers,
                    timeout=timeout,
                    retries=False,
                )
            except (OSError, urllib3.exceptions.HTTPError) as exc:  # connection errors and timeouts
                raise TargetError("hubspot", operation, None, f"{type(exc).__name__}: {exc}") from exc
            log.debug("%s %s -> %s (%.2fs)", method, redact(url), response.status, time.monotonic() - started)
            if response.status >= 400:
                text = response.data.decode("utf-8", "replace")
                raise TargetError(
                    "hubspot",
                    operation,
                    response.status,
                    text,
                    response.headers,
                    _hint(response.status, text),
                )
            return _decoded(operation, response.data) if response.data else None

        return retrying(attempt, idempotent=idempotent, policy=self.retry_policy, what=f"HubSpot {operation}")


def _decoded(operation: str, data: bytes) -> Any:
    """A reply's JSON; MalformedReply (retried for reads) when it does not parse."""
    try:
        return json.loads(data)
    except ValueError as exc:
        raise MalformedReply("hubspot", operation, data, exc) from None


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
