"""FakeHubSpot: a stateful HubSpot portal on 127.0.0.1 for the real hubspot-api-client.

Every request needs `Authorization: Bearer <one of fake.tokens>`. When HubSpot's OpenAPI documents
are beside the checkout (../shared/reference/hubspot), each request's path and query parameters and
JSON body are validated against the matching operation (invalid ones get HubSpot's 400
VALIDATION_ERROR and are recorded in `fake.rejections`), and every response the fake sends is
validated against the documented response schema (a mismatch is a fake bug: `internal_errors`).
With `check_replies_aside=True` (benchmarks) that reply check runs on a worker thread instead of
before the reply leaves, so a client does not wait for it; every reply is still checked, a mismatch
still lands in `internal_errors` (not as a 500 to the client), and `settle()` waits for the checks
still running (reset() and reading `internal_errors` through settle() see them all).

Operation names for `inject()` and `calls()` are the `name` column of ROUTES below, e.g.
"properties.batch_create", "search", "flows.replace".

    fake = FakeHubSpot().start(authority)
    client = HubSpot(access_token=fake.token, host=fake.url, ssl_ca_cert=authority.ca_file)
    fake.portal.add_deals(rows)
    fake.inject("search", status=429, retry_after=1)
"""

from __future__ import annotations

import json
import queue
import secrets
import threading
import traceback

from fakes import hubspot_associations_api as associations
from fakes import hubspot_pipelines_api as pipelines
from fakes import hubspot_records_api as records
from fakes import hubspot_schema_api as schema
from fakes.hubspot_portal import Portal, correlation_id
from fakes.hubspot_schema_api import hs_error
from fakes.openapi import OpenApiCatalog, path_pattern
from fakes.server import FakeService, Fault, Request, Response

P = "/crm/v3/properties/{objectType}"
PL = "/crm/v3/pipelines/{objectType}/{pipelineId}"
RULES = "/crm/pipelines-rules/2026-09-beta/{objectTypeId}/{pipelineId}"
VALIDATIONS = "/crm/v3/property-validations/{objectTypeId}"
ROUTES = [
    # method, path template, operation name, handler
    ("GET", P + "/groups", "groups.list", schema.list_groups),
    ("POST", P + "/groups", "groups.create", schema.create_group),
    ("GET", P + "/groups/{groupName}", "groups.get", schema.get_group),
    ("PATCH", P + "/groups/{groupName}", "groups.update", schema.update_group),
    ("DELETE", P + "/groups/{groupName}", "groups.archive", schema.archive_group),
    ("POST", P + "/batch/create", "properties.batch_create", schema.batch_create_properties),
    ("POST", P + "/batch/read", "properties.batch_read", schema.batch_read_properties),
    ("POST", P + "/batch/archive", "properties.batch_archive", schema.batch_archive_properties),
    ("GET", P, "properties.list", schema.list_properties),
    ("POST", P, "properties.create", schema.create_property),
    ("GET", P + "/{propertyName}", "properties.get", schema.get_property),
    ("PATCH", P + "/{propertyName}", "properties.update", schema.update_property),
    ("DELETE", P + "/{propertyName}", "properties.archive", schema.archive_property),
    ("GET", VALIDATIONS, "validations.list", schema.list_validations),
    ("GET", VALIDATIONS + "/{propertyName}", "validations.property", schema.property_validations),
    ("GET", VALIDATIONS + "/{propertyName}/rule-type/{ruleType}", "validations.get", schema.get_validation),
    ("PUT", VALIDATIONS + "/{propertyName}/rule-type/{ruleType}", "validations.put", schema.put_validation),
    ("GET", "/crm/v3/pipelines/{objectType}", "pipelines.list", pipelines.list_pipelines),
    ("POST", "/crm/v3/pipelines/{objectType}", "pipelines.create", pipelines.create_pipeline),
    ("GET", PL, "pipelines.get", pipelines.get_pipeline),
    ("PUT", PL, "pipelines.replace", pipelines.replace_pipeline),
    ("PATCH", PL, "pipelines.update", pipelines.update_pipeline),
    ("DELETE", PL, "pipelines.archive", pipelines.archive_pipeline),
    ("GET", PL + "/stages", "stages.list", pipelines.list_stages),
    ("POST", PL + "/stages", "stages.create", pipelines.create_stage),
    ("GET", PL + "/stages/{stageId}", "stages.get", pipelines.get_stage),
    ("PUT", PL + "/stages/{stageId}", "stages.replace", pipelines.replace_stage),
    ("PATCH", PL + "/stages/{stageId}", "stages.update", pipelines.update_stage),
    ("DELETE", PL + "/stages/{stageId}", "stages.archive", pipelines.archive_stage),
    ("GET", RULES, "pipeline_rules.get", pipelines.get_rules),
    ("PUT", RULES, "pipeline_rules.put", pipelines.put_rules),
    ("PATCH", RULES, "pipeline_rules.patch", pipelines.patch_rules),
    ("DELETE", RULES, "pipeline_rules.delete", pipelines.delete_rules),
    ("GET", "/automation/v4/flows", "flows.list", records.list_flows),
    ("POST", "/automation/v4/flows", "flows.create", records.create_flow),
    ("POST", "/automation/v4/flows/batch/read", "flows.batch_read", records.batch_read_flows),
    ("GET", "/automation/v4/flows/{flowId}", "flows.get", records.get_flow),
    ("PUT", "/automation/v4/flows/{flowId}", "flows.replace", records.replace_flow),
    ("DELETE", "/automation/v4/flows/{flowId}", "flows.delete", records.delete_flow),
    ("POST", "/crm/v3/objects/{objectType}/search", "search", records.search),
    ("GET", "/crm/v3/objects/{objectType}", "records.list", records.list_records),
    ("POST", "/crm/v3/objects/{objectType}", "records.create", records.create_record),
    ("GET", "/crm/v3/objects/{objectType}/{objectId}", "records.get", records.get_record),
    ("PATCH", "/crm/v3/objects/{objectType}/{objectId}", "records.update", records.update_record),
    (
        "GET",
        "/crm/v3/limits/calculated-properties",
        "limits.calculated_properties",
        schema.calculated_property_limits,
    ),
    ("GET", "/crm/v3/limits/custom-properties", "limits.custom_properties", schema.custom_property_limits),
    ("POST", associations.PATH, "associations.batch_read", associations.batch_read),
    ("GET", "/crm/v3/owners", "owners.list", records.list_owners),
    ("GET", "/crm/v3/owners/{ownerId}", "owners.get", records.get_owner),
]
# Documented by HubSpot but absent from ../shared/reference/hubspot: their handlers check requests themselves.
UNCATALOGUED = {"associations.batch_read"}
_COMPILED = [
    (method, path_pattern(template), template, name, handler) for method, template, name, handler in ROUTES
]


class FakeHubSpot(FakeService):
    name = "hubspot"

    def __init__(self, *, validate: bool = True, check_replies_aside: bool = False):
        super().__init__()
        self.catalog = OpenApiCatalog.load() if validate else None
        self._aside: queue.Queue | None = None
        if check_replies_aside and self.catalog:
            self._aside = queue.Queue()
            threading.Thread(target=self._check_aside, name="fake-hubspot-reply-checks", daemon=True).start()
        self.token = (
            f"pat-na1-{secrets.token_hex(4)}-{secrets.token_hex(2)}-{secrets.token_hex(2)}-"
            f"{secrets.token_hex(2)}-{secrets.token_hex(6)}"
        )
        self.tokens = {self.token}
        self._initial_state()

    def _initial_state(self) -> None:
        self.portal = Portal()

    def reset(self) -> None:
        """A fresh portal, logs and faults; the token stays valid."""
        self.settle()
        with self.lock:
            self._initial_state()
            self._reset_common()

    @property
    def validating(self) -> bool:
        return self.catalog is not None

    # -- routing --------------------------------------------------------------------------------------
    def _route(self, request: Request):
        path = request.path.rstrip("/") or "/"
        for method, pattern, template, name, handler in _COMPILED:
            match = pattern.match(path)
            if method == request.method and match:
                return name, handler, match.groupdict()
        return None

    def operation_of(self, request: Request) -> str:
        route = self._route(request)
        return route[0] if route else "unknown"

    def dispatch(self, request: Request, operation: str) -> Response:
        header = request.headers.get("Authorization", "")
        if not (header.startswith("Bearer ") and header[len("Bearer ") :] in self.tokens):
            return hs_error(
                401,
                "INVALID_AUTHENTICATION",
                "Authentication credentials not found. This API supports OAuth 2.0 "
                "authentication and you can find more details at "
                "https://developers.hubspot.com/docs/methods/auth/oauth-overview",
            )
        route = self._route(request)
        if route is None:
            return hs_error(404, "OBJECT_NOT_FOUND", f"No route for {request.method} {request.path}")
        name, handler, params = route
        documented = self.catalog.match(request.method, request.path) if self.catalog else None
        if self.catalog and documented is None and name not in UNCATALOGUED:
            self.reject(f"{request.method} {request.path}: not in HubSpot's OpenAPI documents")
            return hs_error(
                404, "OBJECT_NOT_FOUND", f"{request.method} {request.path} is not a documented endpoint"
            )
        if documented:
            problems = self.catalog.request_errors(documented[0], documented[1], request.query, request.body)
            if problems:
                self.reject(f"{name} {request.method} {request.path}: " + "; ".join(problems))
                return _validation_error(problems)
        with self.lock:
            response = handler(self.portal, request, params)
        if documented and self._aside is not None:
            self._aside.put((request.method, request.path, name, documented[0], response))
        elif documented:
            self._check_reply(name, documented[0], response)
        if name != "search":  # search responses carry no rate-limit headers
            response.headers.update(
                {
                    "X-HubSpot-RateLimit-Interval-Milliseconds": "10000",
                    "X-HubSpot-RateLimit-Max": "190",
                    "X-HubSpot-RateLimit-Remaining": "189",
                }
            )
        return response

    def _check_reply(self, name: str, route, response: Response) -> None:
        payload = json.loads(response.body) if response.body else None
        problems = self.catalog.response_errors(route, response.status, payload)
        if problems:
            raise AssertionError(
                f"the fake's {name} response ({response.status}) breaks HubSpot's documents: {problems[:3]}"
            )

    def _check_aside(self) -> None:
        while True:
            method, path, name, route, response = self._aside.get()
            try:
                self._check_reply(name, route, response)
            except Exception:  # noqa: BLE001 - recorded as _dispatch_safely records a fake's bug
                with self.lock:
                    self.internal_errors.append(f"{method} {path}: {traceback.format_exc()}")
            finally:
                self._aside.task_done()

    def settle(self) -> None:
        """Wait for the reply checks still running aside (none unless check_replies_aside)."""
        if self._aside is not None:
            self._aside.join()

    def fault_response(self, fault: Fault, operation: str) -> Response:
        if fault.body is not None:
            return super().fault_response(fault, operation)
        if fault.status == 429:
            secondly = operation == "search"
            body = {
                "status": "error",
                "errorType": "RATE_LIMIT",
                "correlationId": correlation_id(),
                "message": "You have reached your secondly limit."
                if secondly
                else "You have reached your ten secondly limit.",
                "policyName": "SECONDLY" if secondly else "TEN_SECONDLY_ROLLING",
            }
        else:
            body = {
                "status": "error",
                "message": "internal error",
                "correlationId": correlation_id(),
                "category": "INTERNAL_ERROR",
            }
        response = Response.json(body, fault.status or 500)
        if fault.retry_after is not None:
            response.headers["Retry-After"] = str(fault.retry_after)
        return response


def _validation_error(problems: list[str]) -> Response:
    response = hs_error(400, "VALIDATION_ERROR", "Invalid input JSON: " + "; ".join(problems[:3]))
    body = json.loads(response.body)
    body["errors"] = [{"message": p} for p in problems[:10]]
    return Response.json(body, 400)
