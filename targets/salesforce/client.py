"""A connection to a Salesforce org through simple-salesforce, from a spec environment.

    conn = connect(model.environment("sandbox"))
    deploy_id = conn.deploy(zip_bytes, check_only=True)    # one submit, never retried
    status = conn.wait_for_deploy(deploy_id)                # polls are retried
    for page in conn.query_pages("SELECT Id FROM Opportunity"): ...

Credentials come from environment variables (or the sf CLI), never from the spec. Auth modes
(`auth` in the environment): jwt (username, consumer key, private key file), password (username,
password, security token), access_token (token + instance URL), sf_cli (an org alias logged in
with the Salesforce CLI). `login_url` picks production (login.salesforce.com), sandbox
(test.salesforce.com) or a My Domain; without it, production environments use login and the
others test. Every HTTP call has a timeout; repeatable calls are retried (targets.transport.retry).
simple_salesforce is imported only when a connection is made.
"""
from __future__ import annotations

import base64
import json
import logging
import os
import re
import shutil
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping
from urllib.parse import urlparse

from handrail.targets.transport.redact import redact, register_secret
from handrail.targets.transport.retry import DEFAULT_POLICY, RetryPolicy, retrying
from handrail.targets.errors import AuthError, TargetError

API_VERSION = "63.0"
DEFAULT_TIMEOUT = (10.0, 120.0)  # seconds: connect, read
SF_CLI_TIMEOUT = 60.0
METADATA_BATCH = 10  # readMetadata takes at most 10 names per call
FINISHED = ("Succeeded", "SucceededPartial", "Failed", "Canceled")
# SOAP faults worth another attempt: the org is busy or briefly down. Any other fault (an expired
# session, an invalid id, a malformed request) will fail the same way again.
TRANSIENT_FAULTS = frozenset({"REQUEST_LIMIT_EXCEEDED", "SERVER_UNAVAILABLE", "SERVER_BUSY"})
DEFAULT_ENV_NAMES = {
    "username_env": "SF_USERNAME", "password_env": "SF_PASSWORD", "security_token_env": "SF_SECURITY_TOKEN",
    "consumer_key_env": "SF_CONSUMER_KEY", "private_key_file_env": "SF_PRIVATE_KEY_FILE",
    "access_token_env": "SF_ACCESS_TOKEN", "instance_url_env": "SF_INSTANCE_URL",
}
log = logging.getLogger("handrail.salesforce")

SfRunner = Callable[[list[str], Mapping[str, str]], tuple[int, str, str]]


# -- connecting ---------------------------------------------------------------------------------------
def connect(env, *, environ: Mapping[str, str] = os.environ, mounts: Mapping[str, Any] | None = None,
            sf_runner: SfRunner | None = None, version: str = API_VERSION,
            timeout: tuple[float, float] = DEFAULT_TIMEOUT, retry_policy: RetryPolicy = DEFAULT_POLICY,
            ) -> "SalesforceConnection":
    """Log in to the org `env` (a specs.model.Environment with target salesforce) describes.

    mounts: requests transport adapters by URL prefix, mounted on the connection's session
    (for a proxy, or to route login hosts to a local server in tests).
    sf_runner: runs `sf` for auth sf_cli; (argv, environ) -> (exit code, stdout, stderr).
    """
    if env.target != "salesforce":
        raise AuthError(env.name, f"is a {env.target} environment, not salesforce")
    auth = env.get("auth")
    session = _session(timeout, mounts)
    if auth == "jwt":
        kwargs = _jwt(env, environ)
    elif auth == "password":
        kwargs = _password(env, environ)
    elif auth == "access_token":
        kwargs = _access_token(env, environ)
    elif auth == "sf_cli":
        kwargs = _sf_cli(env, environ, sf_runner or run_sf)
    else:
        raise AuthError(env.name, f"auth '{auth}' is not a Salesforce login method" if auth else "no `auth` is set",
                        "set auth to one of: jwt, password, access_token, sf_cli")
    from simple_salesforce import Salesforce
    from simple_salesforce.exceptions import SalesforceAuthenticationFailed

    log.debug("connecting to Salesforce for environment %s (auth %s)", env.name, auth)
    try:
        sf = Salesforce(session=session, version=version, **kwargs)
    except SalesforceAuthenticationFailed as exc:
        raise AuthError(env.name, f"Salesforce refused the {auth} login: {exc.code}: {exc.message}",
                        _refused_hint(auth)) from None
    except Exception as exc:  # noqa: BLE001 - network failures during login
        raise AuthError(env.name, f"could not reach Salesforce to log in: {type(exc).__name__}: {exc}",
                        "check login_url and the network") from None
    register_secret(sf.session_id)
    return SalesforceConnection(sf, env.name, retry_policy, timeout)


def _setting(env, environ: Mapping[str, str], key: str, what: str, *, allow_empty: bool = False,
             secret: bool = False) -> str:
    variable = env.get(key) or DEFAULT_ENV_NAMES[key]
    value = environ.get(variable)
    if value is None or (value == "" and not allow_empty):
        where = f"`{key}: {variable}`" if env.get(key) else f"the default for `{key}`"
        raise AuthError(env.name, f"environment variable {variable} is not set; it should hold {what}",
                        f"export {variable}=... ({where} in the spec's environments.{env.name}; "
                        "secrets never go in the spec itself)")
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
    raise AuthError(env.name, f"login_url {url} is not a Salesforce login address",
                    "use https://login.salesforce.com, https://test.salesforce.com or your My Domain "
                    "(https://NAME.my.salesforce.com)")


def _jwt(env, environ) -> dict:
    username = _setting(env, environ, "username_env", "the Salesforce username to log in as")
    consumer_key = _setting(env, environ, "consumer_key_env", "the connected app's consumer key")
    key_file = _setting(env, environ, "private_key_file_env", "the path of the connected app's private key (PEM)")
    if not Path(key_file).is_file():
        raise AuthError(env.name, f"the private key file {key_file} does not exist or is not a file",
                        f"point {env.get('private_key_file_env') or 'SF_PRIVATE_KEY_FILE'} at the PEM key whose "
                        "certificate is uploaded to the connected app")
    domain, my_domain = _login(env)
    kwargs = {"username": username, "consumer_key": consumer_key, "privatekey_file": key_file}
    if my_domain:
        # The token endpoint may be a My Domain, but the JWT audience must be login or test.
        kwargs.update(domain="test" if ".sandbox." in my_domain or not env.production else "login",
                      instance_url=my_domain)
    else:
        kwargs["domain"] = domain
    return kwargs


def _password(env, environ) -> dict:
    return {"username": _setting(env, environ, "username_env", "the Salesforce username"),
            "password": _setting(env, environ, "password_env", "the user's password", secret=True),
            "security_token": _setting(env, environ, "security_token_env",
                                       "the user's security token (empty if the org trusts this IP range)",
                                       allow_empty=True, secret=True),
            "domain": _login(env)[0]}


def _access_token(env, environ) -> dict:
    token = _setting(env, environ, "access_token_env", "an OAuth access token (session id)", secret=True)
    instance_url = _setting(env, environ, "instance_url_env", "the org's instance URL, e.g. "
                                                              "https://mycompany.my.salesforce.com")
    if not instance_url.startswith("https://"):
        raise AuthError(env.name, f"the instance URL {instance_url} must start with https://")
    return {"session_id": token, "instance_url": instance_url}


def _sf_cli(env, environ, runner: SfRunner) -> dict:
    alias = env.get("sf_alias")
    if not alias:
        raise AuthError(env.name, "auth sf_cli needs sf_alias, the alias of an org logged in with the sf CLI",
                        "add `sf_alias: my-org` to the environment; log in with: sf org login web --alias my-org")
    display = _sf_json(env, runner, ["sf", "org", "display", "--target-org", alias, "--json"], environ)
    instance_url = display.get("instanceUrl")
    if not instance_url:
        raise AuthError(env.name, f"`sf org display --target-org {alias}` gave no instanceUrl")
    try:
        # sf >= plugin-org 5.11 redacts accessToken in `org display`; this command shows it.
        token = _sf_json(env, runner, ["sf", "org", "auth", "show-access-token", "--target-org", alias, "--json"],
                         environ).get("accessToken")
    except AuthError:
        token = display.get("accessToken")  # older CLIs: no show-access-token, token shown by display
    if not token or token.startswith("[REDACTED]"):
        raise AuthError(env.name, f"the sf CLI gave no access token for {alias}",
                        "update the Salesforce CLI (npm install -g @salesforce/cli)")
    register_secret(token)
    return {"session_id": token, "instance_url": instance_url}


def _sf_json(env, runner: SfRunner, argv: list[str], environ) -> dict:
    command = " ".join(argv)
    try:
        code, stdout, stderr = runner(argv, environ)
    except FileNotFoundError:
        raise AuthError(env.name, "the Salesforce CLI (sf) is not installed or not on PATH",
                        "install it (npm install -g @salesforce/cli) or use auth: jwt") from None
    except subprocess.TimeoutExpired:
        raise AuthError(env.name, f"`{command}` did not finish within {SF_CLI_TIMEOUT:.0f}s") from None
    try:
        payload = json.loads(stdout or "{}")
    except ValueError:
        payload = {}
    if code != 0 or payload.get("status", 0) != 0:
        message = payload.get("message") or (stderr or stdout or "").strip()[:300] or f"exit code {code}"
        raise AuthError(env.name, f"`{command}` failed: {message}",
                        f"log in first: sf org login web --alias {argv[argv.index('--target-org') + 1]}")
    result = payload.get("result") or {}
    for key in ("accessToken", "sfdxAuthUrl", "password"):
        register_secret(result.get(key))
    return result


def run_sf(argv: list[str], environ: Mapping[str, str]) -> tuple[int, str, str]:
    """Run the Salesforce CLI found on environ's PATH."""
    executable = shutil.which(argv[0], path=environ.get("PATH"))
    if executable is None:
        raise FileNotFoundError(argv[0])
    done = subprocess.run([executable, *argv[1:]], capture_output=True, text=True, timeout=SF_CLI_TIMEOUT,
                          env=dict(environ), check=False)
    return done.returncode, done.stdout, done.stderr


def _refused_hint(auth: str) -> str:
    return {"jwt": "check the username, that the connected app's certificate matches the key, that the user is "
                   "pre-authorized for the app, and login_url (sandbox: https://test.salesforce.com)",
            "password": "check the username, password and security token (reset it in Settings), and login_url"
            }.get(auth, "log in again")


def _session(timeout: tuple[float, float], mounts: Mapping[str, Any] | None):
    import requests

    class TimeoutSession(requests.Session):
        """A requests session whose calls time out unless told otherwise."""

        def request(self, method, url, **kwargs):  # noqa: ANN001 - requests' signature
            if kwargs.get("timeout") is None:
                kwargs["timeout"] = timeout
            started = time.monotonic()
            response = super().request(method, url, **kwargs)
            if log.isEnabledFor(logging.DEBUG):
                log.debug("%s %s -> %s (%.2fs)", method, redact(url), response.status_code,
                          time.monotonic() - started)
            return response

    session = TimeoutSession()
    for prefix, adapter in (mounts or {}).items():
        session.mount(prefix, adapter)
    return session


# -- results -------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ComponentFailure:
    component_type: str
    file_name: str
    full_name: str
    problem: str
    problem_type: str
    line: int | None = None
    column: int | None = None


@dataclass(frozen=True)
class DeployStatus:
    id: str
    status: str  # Pending, InProgress, Succeeded, SucceededPartial, Failed, Canceling, Canceled
    done: bool
    success: bool
    check_only: bool
    components_total: int
    components_deployed: int
    component_errors: int
    state_detail: str | None
    error_message: str | None
    failures: tuple[ComponentFailure, ...]

    @property
    def finished(self) -> bool:
        return self.done or self.status in FINISHED


@dataclass(frozen=True)
class RetrieveResult:
    zip_bytes: bytes
    messages: tuple[str, ...]  # e.g. "Entity of type 'CustomField' named '...' cannot be found"


# -- the connection --------------------------------------------------------------------------------------
class SalesforceConnection:
    """A logged-in simple_salesforce.Salesforce (`.sf`) plus retried, translated helpers."""

    def __init__(self, sf, environment: str, retry_policy: RetryPolicy = DEFAULT_POLICY,
                 timeout: tuple[float, float] = DEFAULT_TIMEOUT):
        self.sf = sf
        self.environment = environment
        self.retry_policy = retry_policy
        self.timeout = timeout
        self._last = threading.local()
        sf.session.hooks["response"].append(self._remember)
        self._mdapi = None

    @property
    def instance_url(self) -> str:
        return f"https://{self.sf.sf_instance}"

    @property
    def api_version(self) -> str:
        return self.sf.sf_version

    # -- plumbing -----------------------------------------------------------------------------------
    def _remember(self, response, *args, **kwargs):
        self._last.response = response
        return response

    def _call(self, operation: str, call: Callable[[], Any], *, idempotent: bool) -> Any:
        return retrying(lambda: self._translated(operation, call), idempotent=idempotent,
                        policy=self.retry_policy, what=f"Salesforce {operation}")

    def _translated(self, operation: str, call: Callable[[], Any]) -> Any:
        from simple_salesforce.exceptions import SalesforceError
        from zeep.exceptions import Fault, TransportError

        try:
            return call()
        except SalesforceError as exc:
            last = getattr(self._last, "response", None)
            headers = dict(last.headers) if last is not None and last.status_code == exc.status else {}
            content = exc.content.decode("utf-8", "replace") if isinstance(exc.content, bytes) else str(exc.content)
            code = _fault_code(content)
            raise TargetError("salesforce", operation, exc.status, exc.content, headers, _hint_for(exc.status, content),
                              retryable=None if code is None else code in TRANSIENT_FAULTS) from exc
        except Fault as exc:
            last = getattr(self._last, "response", None)
            status = last.status_code if last is not None and last.status_code >= 400 else 500
            code = (exc.code or "").rpartition(":")[2]
            raise TargetError("salesforce", operation, status, f"{exc.code}: {exc.message}",
                              dict(last.headers) if last is not None else {}, _hint_for(status, exc.code or ""),
                              retryable=code in TRANSIENT_FAULTS) from exc
        except TransportError as exc:
            last = getattr(self._last, "response", None)
            raise TargetError("salesforce", operation, exc.status_code, exc.content,
                              dict(last.headers) if last is not None else {}) from exc
        except OSError as exc:  # requests' and urllib3's connection errors and timeouts are OSErrors
            raise TargetError("salesforce", operation, None, f"{type(exc).__name__}: {exc}") from exc

    @property
    def mdapi(self):
        """simple-salesforce's Metadata API helper, with its own header dict and this session."""
        if self._mdapi is None:
            mdapi = self.sf.mdapi
            # File-based calls write Content-Type/SOAPAction into the header dict they were given,
            # which is the REST calls' own dict: give them a copy (shared/research/salesforce.md §7.4).
            mdapi.headers = dict(self.sf.headers)
            # zeep (the CRUD calls) has its own requests session: use ours, for timeouts and mounts.
            transport = getattr(getattr(mdapi, "_client", None), "transport", None)
            if transport is not None:
                transport.session = self.sf.session
            self._mdapi = mdapi
        return self._mdapi

    def _reset_rest_headers(self) -> None:
        """Undo what file-based Metadata calls leave behind in the REST headers (a guard; see mdapi)."""
        self.sf.headers.pop("SOAPAction", None)
        self.sf.headers["Content-Type"] = "application/json"

    def _file_based(self, operation: str, call: Callable[[], Any], *, idempotent: bool) -> Any:
        try:
            return self._call(operation, call, idempotent=idempotent)
        finally:
            self._reset_rest_headers()

    # -- REST queries -----------------------------------------------------------------------------------
    def query_pages(self, soql: str, *, batch_size: int | None = None) -> Iterator[list[dict]]:
        """SOQL results page by page (query, then queryMore until done); each page is retried."""
        headers = {"Sforce-Query-Options": f"batchSize={batch_size}"} if batch_size else {}
        page = self._call("query", lambda: self.sf.query(soql, headers=headers), idempotent=True)
        while True:
            yield page["records"]
            if page.get("done", True):
                return
            next_url = page["nextRecordsUrl"]
            page = self._call("queryMore", lambda: self.sf.query_more(next_url, identifier_is_url=True,
                                                                      headers=headers), idempotent=True)

    def query_all(self, soql: str) -> list[dict]:
        return [record for page in self.query_pages(soql) for record in page]

    def describe(self, sobject: str) -> dict:
        """The object's describe result (fields with names, types and relationship names)."""
        return self._call("describe", lambda: getattr(self.sf, sobject).describe(), idempotent=True)

    def count(self, soql_count: str) -> int:
        """SELECT COUNT() FROM ... -> the number of rows."""
        return int(self._call("query", lambda: self.sf.query(soql_count), idempotent=True)["totalSize"])

    def bulk_query(self, sobject: str, soql: str, *, page_size: int = 50_000, poll_interval: float = 1.0,
                   timeout: float = 3600.0, sleep: Callable[[float], None] = time.sleep) -> Iterator[str]:
        """A Bulk API 2.0 query job's results as CSV pages (header row in each page)."""
        from simple_salesforce.bulk2 import Operation

        # The per-step client of simple-salesforce's bulk2 (private in 1.12.10) lets every step be
        # retried on its own; the public generator would restart the whole job.
        client = getattr(self.sf.bulk2, sobject)._client
        job = self._call("bulk2.create", lambda: client.create_job(Operation.query, soql), idempotent=True)
        deadline = time.monotonic() + timeout
        while True:
            info = self._call("bulk2.status", lambda: client.get_job(job["id"], True), idempotent=True)
            if info["state"] == "JobComplete":
                break
            if info["state"] in ("Failed", "Aborted"):
                raise TargetError("salesforce", "bulk2 query", None, info.get("errorMessage") or info["state"])
            if time.monotonic() > deadline:
                raise TargetError("salesforce", "bulk2 query", None, f"job {job['id']} still {info['state']}",
                                  hint=f"the job keeps running in the org; raise the timeout ({timeout:.0f}s)")
            sleep(poll_interval)
        locator = ""
        while True:
            result = self._call("bulk2.results", lambda: client.get_query_results(job["id"], locator, page_size),
                                idempotent=True)
            yield result["records"]
            locator = result["locator"]
            if not locator:
                return

    # -- Metadata API ------------------------------------------------------------------------------------
    def deploy(self, zip_bytes: bytes, *, check_only: bool = False, test_level: str | None = None,
               tests: list[str] | None = None) -> str:
        """Submit one deploy (rollbackOnError always on) and return its id. Never retried: if the
        reply is lost the deploy may still be running; find it instead of submitting again."""
        import io

        options: dict[str, Any] = {"checkOnly": check_only, "rollbackOnError": True, "tests": tests or ""}
        if test_level:
            options["testLevel"] = test_level
        deploy_id, state = self._file_based(
            "deploy", lambda: self.mdapi.deploy(io.BytesIO(zip_bytes), sandbox=True, **options), idempotent=False)
        if not deploy_id:
            raise TargetError("salesforce", "deploy", None, f"no deploy id in the reply (state {state})")
        log.info("deploy %s submitted (%s)", deploy_id, "check only" if check_only else "apply")
        return deploy_id

    def deploy_status(self, deploy_id: str) -> DeployStatus:
        result = self._file_based("checkDeployStatus", lambda: self.mdapi._retrieve_deploy_result(deploy_id),
                                  idempotent=True)
        return _deploy_status(result)

    def wait_for_deploy(self, deploy_id: str, *, poll_interval: float = 1.0, timeout: float = 1800.0,
                        sleep: Callable[[float], None] = time.sleep,
                        on_progress: Callable[[DeployStatus], None] | None = None) -> DeployStatus:
        deadline = time.monotonic() + timeout
        while True:
            status = self.deploy_status(deploy_id)
            if on_progress:
                on_progress(status)
            if status.finished:
                return status
            if time.monotonic() > deadline:
                raise TargetError("salesforce", "deploy", None, f"deploy {deploy_id} is still {status.status}",
                                  hint="it keeps running in the org; check it later by its id (it is never "
                                       "submitted twice)")
            sleep(poll_interval)

    def retrieve(self, members: Mapping[str, list[str]], *, poll_interval: float = 1.0, timeout: float = 600.0,
                 sleep: Callable[[float], None] = time.sleep) -> RetrieveResult:
        """Retrieve the named components (type -> full names) as a singlePackage zip."""
        members = {k: list(v) for k, v in members.items()}
        retrieve_id, _ = self._file_based(
            "retrieve", lambda: self.mdapi.retrieve("retrieve", unpackaged=members, single_package=True),
            idempotent=True)
        deadline = time.monotonic() + timeout
        while True:
            state, error, _messages = self._file_based(
                "checkRetrieveStatus", lambda: self.mdapi.check_retrieve_status(retrieve_id), idempotent=True)
            if state in ("Succeeded", "Failed"):
                break
            if time.monotonic() > deadline:
                raise TargetError("salesforce", "retrieve", None, f"retrieve {retrieve_id} is still {state}")
            sleep(poll_interval)
        if state == "Failed":
            raise TargetError("salesforce", "retrieve", None, error or "the retrieve failed")
        # RetrieveResult.messages sit directly in the result (WSDL); simple-salesforce's retrieve_zip looks
        # for them under details/ and never finds them, so the result is read here.
        result = self._file_based("checkRetrieveStatus",
                                  lambda: self.mdapi.retrieve_retrieve_result(retrieve_id, "true"), idempotent=True)
        ns = {"mt": "http://soap.sforce.com/2006/04/metadata"}
        messages = tuple(m.findtext("mt:problem", "", ns) for m in result.findall("mt:messages", ns))
        return RetrieveResult(base64.b64decode(result.findtext("mt:zipFile", "", ns)), messages)

    def read_metadata(self, type_name: str, full_names: list[str]) -> list[dict]:
        """readMetadata in batches of 10, as plain dicts; components that do not exist are left out."""
        from zeep.helpers import serialize_object

        records: list[dict] = []
        handler = getattr(self.mdapi, type_name)
        for start in range(0, len(full_names), METADATA_BATCH):
            batch = full_names[start:start + METADATA_BATCH]
            found = self._call("readMetadata", lambda: handler.read(batch), idempotent=True)
            for record in found if isinstance(found, list) else [found]:
                data = serialize_object(record, dict)
                if data and data.get("fullName"):
                    records.append(data)
        return records

    def list_metadata(self, type_name: str) -> list[dict]:
        from zeep.helpers import serialize_object

        query = self.mdapi.ListMetadataQuery(type=type_name)
        found = self._call("listMetadata", lambda: self.mdapi.list_metadata([query]), idempotent=True)
        return [serialize_object(item, dict) for item in found or []]


def _deploy_status(result) -> DeployStatus:
    ns = {"mt": "http://soap.sforce.com/2006/04/metadata"}

    def text(node, name: str) -> str | None:
        return node.findtext(f"mt:{name}", None, ns)

    def number(name: str) -> int:
        try:
            return int(text(result, name) or 0)
        except ValueError:
            return 0

    failures = tuple(
        ComponentFailure(text(f, "componentType") or "", text(f, "fileName") or "", text(f, "fullName") or "",
                         text(f, "problem") or "", text(f, "problemType") or "Error",
                         int(text(f, "lineNumber")) if text(f, "lineNumber") else None,
                         int(text(f, "columnNumber")) if text(f, "columnNumber") else None)
        for f in result.findall("mt:details/mt:componentFailures", ns))
    return DeployStatus(
        id=text(result, "id") or "", status=text(result, "status") or "Pending", done=text(result, "done") == "true",
        success=text(result, "success") == "true", check_only=text(result, "checkOnly") == "true",
        components_total=number("numberComponentsTotal"), components_deployed=number("numberComponentsDeployed"),
        component_errors=number("numberComponentErrors"), state_detail=text(result, "stateDetail"),
        error_message=text(result, "errorMessage"), failures=failures)


def _fault_code(content: str) -> str | None:
    """The code of a SOAP fault body ("sf:INVALID_SESSION_ID" -> "INVALID_SESSION_ID"), else None."""
    match = re.search(r"<faultcode>(?:[\w-]+:)?([\w]+)</faultcode>", content)
    return match.group(1) if match else None


def _hint_for(status: int | None, content: object) -> str:
    text = str(content)
    if "INVALID_SESSION_ID" in text or status == 401:
        return "the session expired or was revoked; log in again (for sf_cli: sf org login web)"
    if "REQUEST_LIMIT_EXCEEDED" in text:
        return "the org's API limit is reached; wait, or raise the limit"
    if "INSUFFICIENT_ACCESS" in text or status == 403:
        return "the user needs API Enabled and Modify Metadata Through Metadata API Functions"
    return ""
