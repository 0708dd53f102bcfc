"""A connection to a Salesforce org through simple-salesforce, from a spec environment.

    conn = connect(model.environment("sandbox"))
    deploy_id = conn.deploy(zip_bytes, check_only=True)    # one submit, never retried
    status = conn.wait_for_deploy(deploy_id)                # polls are retried

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
import io
import logging
import os
import threading
import time
from typing import Any, Callable, Iterator, Mapping
from urllib.parse import urlencode

from handrail.targets.errors import AuthError, TargetError
from handrail.targets.salesforce.deploy_results import DeployStatus, RetrieveResult, parse_deploy_status
from handrail.targets.salesforce.faults import translate
from handrail.targets.salesforce.login import SfRunner, login_arguments, session
from handrail.targets.salesforce.login_retry import logged_in
from handrail.targets.transport.malformed import MalformedReply
from handrail.targets.transport.redact import register_secret
from handrail.targets.transport.retry import DEFAULT_POLICY, RetryPolicy, retrying

API_VERSION = "63.0"
DEFAULT_TIMEOUT = (10.0, 120.0)  # seconds: connect, read
METADATA_BATCH = 10  # readMetadata takes at most 10 names per call
log = logging.getLogger("handrail.salesforce")


# -- connecting ---------------------------------------------------------------------------------------
def connect(
    env,
    *,
    environ: Mapping[str, str] = os.environ,
    mounts: Mapping[str, Any] | None = None,
    sf_runner: SfRunner | None = None,
    version: str = API_VERSION,
    timeout: tuple[float, float] = DEFAULT_TIMEOUT,
    retry_policy: RetryPolicy | None = None,
) -> "SalesforceConnection":
    """Log in to the org `env` (a specs.model.Environment with target salesforce) describes.

    mounts: requests transport adapters by URL prefix, mounted on the connection's session
    (for a proxy, or to route login hosts to a local server in tests).
    sf_runner: runs `sf` for auth sf_cli; (argv, environ) -> (exit code, stdout, stderr).
    """
    if env.target != "salesforce":
        raise AuthError(env.name, f"is a {env.target} environment, not salesforce")
    http = session(timeout, mounts)
    retry_policy = retry_policy or DEFAULT_POLICY
    kwargs = login_arguments(env, environ, sf_runner)
    from simple_salesforce import Salesforce

    log.debug("connecting to Salesforce for environment %s (auth %s)", env.name, env.get("auth"))
    sf = logged_in(env, http, lambda: Salesforce(session=http, version=version, **kwargs), retry_policy)
    register_secret(sf.session_id)
    return SalesforceConnection(sf, env.name, retry_policy, timeout)


# -- the connection --------------------------------------------------------------------------------------
class SalesforceConnection:
    """A logged-in simple_salesforce.Salesforce (`.sf`) plus retried, translated helpers."""

    def __init__(
        self,
        sf,
        environment: str,
        retry_policy: RetryPolicy = DEFAULT_POLICY,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
    ):
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
        return retrying(
            lambda: self._translated(operation, call),
            idempotent=idempotent,
            policy=self.retry_policy,
            what=f"Salesforce {operation}",
        )

    def _translated(self, operation: str, call: Callable[[], Any]) -> Any:
        try:
            result = call()
        except Exception as exc:  # noqa: BLE001 - translated, or re-raised as it is
            translated = translate(operation, exc, getattr(self._last, "response", None))
            if translated is exc:
                raise
            raise translated from exc
        last = getattr(self._last, "response", None)
        if isinstance(result, str) and last is not None and "json" in last.headers.get("Content-Type", ""):
            # toolingexecute and restful hand back the text of a JSON reply that does not parse
            raise MalformedReply("salesforce", operation, last.content)
        return result

    @property
    def mdapi(self):
        """simple-salesforce's Metadata API helper, with its own header dict and this session."""
        if self._mdapi is None:
            from handrail.targets.salesforce.metadata_api import LazyMetadataApi

            # File-based calls write Content-Type/SOAPAction into the header dict they were given,
            # which is the REST calls' own dict: give them a copy (shared/research/salesforce.md §7.4).
            self._mdapi = LazyMetadataApi(self.sf, dict(self.sf.headers))
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

    # -- REST queries and records ------------------------------------------------------------------------
    def query_pages(self, soql: str, *, batch_size: int | None = None) -> Iterator[list[dict]]:
        """SOQL results page by page (query, then queryMore until done); each page is retried."""
        headers = {"Sforce-Query-Options": f"batchSize={batch_size}"} if batch_size else {}
        page = self._call("query", lambda: self.sf.query(soql, headers=headers), idempotent=True)
        while True:
            yield page["records"]
            if page.get("done", True):
                return
            next_url = page["nextRecordsUrl"]
            page = self._call(
                "queryMore",
                lambda: self.sf.query_more(next_url, identifier_is_url=True, headers=headers),
                idempotent=True,
            )

    def query_all(self, soql: str) -> list[dict]:
        return [record for page in self.query_pages(soql) for record in page]

    def dml(self, verb: str, sobject: str, *args) -> Any:
        """One REST create, update or delete; not retried after an unclear failure (it may have applied)."""
        return self._call(verb, lambda: getattr(getattr(self.sf, sobject), verb)(*args), idempotent=False)

    def tooling_query(self, soql: str) -> list[dict]:
        """A Tooling API query's records (one page)."""
        path = "query/?" + urlencode({"q": soql})
        return self._call("tooling.query", lambda: self.sf.toolingexecute(path), idempotent=True)["records"]

    def describe(self, sobject: str) -> dict:
        """The object's describe result (fields with names, types and relationship names)."""
        return self._call("describe", lambda: getattr(self.sf, sobject).describe(), idempotent=True)

    def count(self, soql_count: str) -> int:
        """SELECT COUNT() FROM ... -> the number of rows."""
        return int(self._call("query", lambda: self.sf.query(soql_count), idempotent=True)["totalSize"])

    def bulk_query(
        self,
        sobject: str,
        soql: str,
        *,
        page_size: int = 50_000,
        poll_interval: float = 1.0,
        timeout: float = 3600.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> Iterator[str]:
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
                raise TargetError(
                    "salesforce", "bulk2 query", None, info.get("errorMessage") or info["state"]
                )
            if time.monotonic() > deadline:
                raise TargetError(
                    "salesforce",
                    "bulk2 query",
                    None,
                    f"job {job['id']} still {info['state']}",
                    hint=f"the job keeps running in the org; raise the timeout ({timeout:.0f}s)",
                )
            sleep(poll_interval)
        locator = ""
        while True:
            result = self._call(
                "bulk2.results",
                lambda: client.get_query_results(job["id"], locator, page_size),
                idempotent=True,
            )
            yield result["records"]
            locator = result["locator"]
            if not locator:
                return

    # -- Metadata API ------------------------------------------------------------------------------------
    def deploy(
        self,
        zip_bytes: bytes,
        *,
        check_only: bool = False,
        test_level: str | None = None,
        tests: list[str] | None = None,
    ) -> str:
        """Submit one deploy (rollbackOnError always on) and return its id. Never retried: a deploy still
        running in the org is waited for first, and the deploy a submit whose reply was lost started is
        found and followed instead (deploy_guard)."""
        from handrail.targets.salesforce import deploy_guard

        before = deploy_guard.recent(self)
        deploy_guard.wait_for_running(self, before, self.wait_for_deploy)
        options: dict[str, Any] = {"checkOnly": check_only, "rollbackOnError": True, "tests": tests or ""}
        if test_level:
            options["testLevel"] = test_level
        try:
            deploy_id, state = self._file_based(
                "deploy",
                lambda: self.mdapi.deploy(io.BytesIO(zip_bytes), sandbox=True, **options),
                idempotent=False,
            )
        except TargetError as exc:  # MalformedReply included: the org may have taken the deploy
            if not deploy_guard.unclear(exc):
                raise
            return deploy_guard.find_lost(self, before, check_only, exc, self.retry_policy.sleep)
        if not deploy_id:
            raise TargetError("salesforce", "deploy", None, f"no deploy id in the reply (state {state})")
        log.info("deploy %s submitted (%s)", deploy_id, "check only" if check_only else "apply")
        return deploy_id

    def deploy_status(self, deploy_id: str) -> DeployStatus:
        result = self._file_based(
            "checkDeployStatus", lambda: self.mdapi._retrieve_deploy_result(deploy_id), idempotent=True
        )
        return parse_deploy_status(result)

    def wait_for_deploy(
        self,
        deploy_id: str,
        *,
        poll_interval: float = 1.0,
        timeout: float = 1800.0,
        sleep: Callable[[float], None] = time.sleep,
        on_progress: Callable[[DeployStatus], None] | None = None,
    ) -> DeployStatus:
        deadline = time.monotonic() + timeout
        while True:
            status = self.deploy_status(deploy_id)
            if on_progress:
                on_progress(status)
            if status.finished:
                return status
            if time.monotonic() > deadline:
                raise TargetError(
                    "salesforce",
                    "deploy",
                    None,
                    f"deploy {deploy_id} is still {status.status}",
                    hint="it keeps running in the org; check it later by its id (it is never "
                    "submitted twice)",
                )
            sleep(poll_interval)

    def retrieve(
        self,
        members: Mapping[str, list[str]],
        *,
        poll_interval: float = 1.0,
        timeout: float = 600.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> RetrieveResult:
        """Retrieve the named components (type -> full names) as a singlePackage zip."""
        members = {k: list(v) for k, v in members.items()}
        retrieve_id, _ = self._file_based(
            "retrieve",
            lambda: self.mdapi.retrieve("retrieve", unpackaged=members, single_package=True),
            idempotent=True,
        )
        deadline = time.monotonic() + timeout
        while True:
            state, error, _messages = self._file_based(
                "checkRetrieveStatus", lambda: self.mdapi.check_retrieve_status(retrieve_id), idempotent=True
            )
            if state in ("Succeeded", "Failed"):
                break
            if time.monotonic() > deadline:
                raise TargetError("salesforce", "retrieve", None, f"retrieve {retrieve_id} is still {state}")
            sleep(poll_interval)
        if state == "Failed":
            raise TargetError("salesforce", "retrieve", None, error or "the retrieve failed")
        # RetrieveResult.messages sit directly in the result (WSDL); simple-salesforce's retrieve_zip looks
        # for them under details/ and never finds them, so the result is read here.
        result = self._file_based(
            "checkRetrieveStatus",
            lambda: self.mdapi.retrieve_retrieve_result(retrieve_id, "true"),
            idempotent=True,
        )
        ns = {"mt": "http://soap.sforce.com/2006/04/metadata"}
        messages = tuple(m.findtext("mt:problem", "", ns) for m in result.findall("mt:messages", ns))
        return RetrieveResult(base64.b64decode(result.findtext("mt:zipFile", "", ns)), messages)

    def read_metadata(self, type_name: str, full_names: list[str]) -> list[dict]:
        """readMetadata in batches of 10, as plain dicts; components that do not exist are left out."""
        from zeep.helpers import serialize_object

        records: list[dict] = []
        handler = getattr(self.mdapi, type_name)
        for start in range(0, len(full_names), METADATA_BATCH):
            batch = full_names[start : start + METADATA_BATCH]
            found = self._call("readMetadata", lambda: handler.read(batch), idempotent=True)
            for record in found if isinstance(found, list) else [found]:
                data = serialize_object(record, dict)
                if data and data.get("fullName"):
                    records.append(data)
        return records

    def list_metadata(self, type_name: str, folder: str | None = None) -> list[dict]:
        return self.list_queries([(type_name, folder)])

    def list_queries(self, queries: list[tuple[str, str | None]]) -> list[dict]:
        """One listMetadata call for up to three (type, folder) queries."""
        return self._file_based("listMetadata", lambda: self.mdapi.list_queries(queries), idempotent=True)
