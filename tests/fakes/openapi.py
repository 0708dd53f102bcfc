"""HubSpot's OpenAPI 3.0 documents (../shared/reference/hubspot) as request and response checks.

The documents are read in place and never copied (their licence forbids redistribution); when
they are absent `OpenApiCatalog.load()` returns None and the fake skips validation.

Relaxations, each where the documents are stricter than HubSpot and its own SDK (see
shared/reference/hubspot/README.md "Known spec quirks" and shared/research/hubspot.md §1, §2.3, §5.2):
  * a schema exactly {type: object, properties: {}} is a Map<String,Object> code-generation
    artifact and means "any JSON value" (action `fields`, pipeline-rules patch members);
  * `nullable: true` (OAS 3.0) becomes a JSON Schema null type;
  * RELAXED_REQUIRED below: required members HubSpot does not require;
  * record property values may be null (HubSpot returns null for requested properties that hold
    no value; the documents type them as plain strings);
  * search `sorts` items may be strings ("-closedate") or objects ({propertyName, direction}),
    as HubSpot's search guide shows;
  * boolean query parameters may be Python-style "True"/"False" (hubspot-api-client 12 sends
    `archived=False`).
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import referencing.jsonschema
from jsonschema import Draft4Validator
from referencing import Registry, Resource

REFERENCE = Path(__file__).resolve().parents[3] / "shared" / "reference" / "hubspot"

RELAXED_REQUIRED = {
    # The spec marks every member required (a generator artifact); HubSpot's guide sends a subset and
    # the SDK sends only what the caller set.
    "PublicObjectSearchRequest": {"after", "filterGroups", "limit", "properties", "sorts"},
    # hubspot-api-client 12's BatchReadInputPropertyName has no dataSensitivity member.
    "BatchReadInputPropertyName": {"dataSensitivity"},
    # HubSpot fills these defaults on create/replace (HubSpot CLI workflow reference).
    "ApiPlatformFlowCreateRequest": {"blockedDates", "customProperties", "dataSources", "timeWindows"},
    "ApiContactFlowCreateRequest": {"blockedDates", "customProperties", "dataSources", "timeWindows"},
    "ApiPlatformFlowPutRequest": {"blockedDates", "customProperties", "timeWindows"},
    "ApiContactFlowPutRequest": {"blockedDates", "customProperties", "timeWindows"},
    # Records (tasks, deals) can be created without associations.
    "SimplePublicObjectInputForCreate": {"associations"},
}
_lock = threading.Lock()


@dataclass(frozen=True)
class Route:
    method: str
    template: str
    pattern: re.Pattern
    document: str
    operation: dict

    @property
    def specificity(self) -> tuple[int, int]:
        return (self.template.count("{"), -len(self.template))


class OpenApiCatalog:
    def __init__(self, folder: Path):
        self.documents: dict[str, dict] = {}
        self.routes: list[Route] = []
        registry = Registry()
        for path in sorted(folder.glob("*.json")):
            document = json.loads(path.read_text(encoding="utf-8"))
            _relax(document)
            self.documents[path.name] = document
            registry = registry.with_resource(
                _uri(path.name),
                Resource.from_contents(document, default_specification=referencing.jsonschema.DRAFT4),
            )
            for template, operations in document.get("paths", {}).items():
                pattern = path_pattern(template)
                for method, operation in operations.items():
                    if method in ("get", "post", "put", "patch", "delete"):
                        self.routes.append(Route(method.upper(), template, pattern, path.name, operation))
        self.registry = registry
        self._validators: dict[str, Draft4Validator] = {}

    @classmethod
    def load(cls, folder: Path = REFERENCE) -> "OpenApiCatalog | None":
        return _cached(folder) if folder.is_dir() and any(folder.glob("*.json")) else None

    def match(self, method: str, path: str) -> tuple[Route, dict[str, str]] | None:
        path = path.rstrip("/") or "/"
        candidates = [
            (route, m.groupdict())
            for route in self.routes
            if route.method == method and (m := route.pattern.match(path))
        ]
        if not candidates:
            return None
        return min(candidates, key=lambda c: c[0].specificity)

    # -- checks ---------------------------------------------------------------------------------------
    def request_errors(
        self, route: Route, path_params: dict[str, str], query: dict[str, list[str]], body: bytes
    ) -> list[str]:
        errors = []
        for parameter in route.operation.get("parameters", []):
            parameter = self._resolve(route.document, parameter)
            name, place, schema = parameter["name"], parameter["in"], parameter.get("schema", {})
            if place == "path":
                values = [path_params.get(name)] if path_params.get(name) is not None else []
            elif place == "query":
                values = query.get(name, [])
            else:
                continue
            if not values:
                if parameter.get("required"):
                    errors.append(f"missing required {place} parameter '{name}'")
                continue
            value, problem = _coerce(values, schema)
            if problem:
                errors.append(f"{place} parameter '{name}': {problem}")
                continue
            errors += [
                f"{place} parameter '{name}': {e}" for e in self._errors(route.document, schema, value)
            ]
        request_body = route.operation.get("requestBody")
        if request_body:
            content = request_body.get("content", {})
            schema = (content.get("application/json") or content.get("*/*") or {}).get("schema")
            if not body:
                if request_body.get("required"):
                    errors.append("a JSON request body is required")
            else:
                try:
                    payload = json.loads(body)
                except ValueError as exc:
                    return errors + [f"the body is not JSON: {exc}"]
                if schema:
                    errors += [f"body: {e}" for e in self._errors(route.document, schema, payload)]
        return errors

    def response_errors(self, route: Route, status: int, payload: Any) -> list[str]:
        responses = route.operation.get("responses", {})
        spec = responses.get(str(status)) or responses.get("default")
        if spec is None:
            return [f"status {status} is not documented for {route.method} {route.template}"]
        spec = self._resolve(route.document, spec)
        content = spec.get("content", {})
        schema = (content.get("application/json") or content.get("*/*") or {}).get("schema")
        if schema is None:
            return [] if payload is None else [f"status {status} should have no body"]
        return self._errors(route.document, schema, payload)

    def _errors(self, document: str, schema: dict, value: Any) -> list[str]:
        key = f"{document}:{json.dumps(schema, sort_keys=True)}"
        with _lock:
            validator = self._validators.get(key)
            if validator is None:
                root = _rebase(schema, _uri(document))
                validator = self._validators[key] = Draft4Validator(root, registry=self.registry)
        return [
            f"{'/'.join(str(p) for p in e.absolute_path) or '(root)'}: {e.message}"
            for e in sorted(validator.iter_errors(value), key=lambda e: list(e.absolute_path))
        ][:10]

    def _resolve(self, document: str, node: dict) -> dict:
        while "$ref" in node:
            target: Any = self.documents[document]
            for part in node["$ref"].lstrip("#/").split("/"):
                target = target[part.replace("~1", "/").replace("~0", "~")]
            node = target
        return node


def path_pattern(template: str) -> re.Pattern:
    parts = re.split(r"(\{[^}]+\})", template)
    return re.compile(
        "^" + "".join(f"(?P<{p[1:-1]}>[^/]+)" if p.startswith("{") else re.escape(p) for p in parts) + "$"
    )


def _uri(document: str) -> str:
    return f"urn:hubspot-openapi:{document}"


def _rebase(schema: Any, base: str) -> Any:
    """Point the local `#/...` references of an inline schema at its document."""
    if isinstance(schema, dict):
        return {
            k: (base + v if k == "$ref" and isinstance(v, str) and v.startswith("#") else _rebase(v, base))
            for k, v in schema.items()
        }
    if isinstance(schema, list):
        return [_rebase(v, base) for v in schema]
    return schema


def _coerce(values: list[str], schema: dict) -> tuple[Any, str | None]:
    kind = schema.get("type")
    if kind == "array":
        items = [part for value in values for part in value.split(",")] if len(values) == 1 else values
        coerced = [_coerce([item], schema.get("items", {}))[0] for item in items]
        return coerced, None
    value = values[-1]
    try:
        if kind == "integer":
            return int(value), None
        if kind == "number":
            return float(value), None
    except ValueError:
        return None, f"'{value}' is not a {kind}"
    if kind == "boolean":
        if value.lower() in ("true", "false"):  # "True"/"False" from hubspot-api-client 12
            return value.lower() == "true", None
        return None, f"'{value}' is not a boolean"
    return value, None


def _relax(node: Any) -> None:
    if isinstance(node, dict):
        schemas = node.get("components", {}).get("schemas", {}) if "openapi" in node else {}
        for name, relaxed in RELAXED_REQUIRED.items():
            if name in schemas and "required" in schemas[name]:
                schemas[name]["required"] = [r for r in schemas[name]["required"] if r not in relaxed]
        for name in ("SimplePublicObject", "SimplePublicObjectWithAssociations"):
            values = schemas.get(name, {}).get("properties", {}).get("properties", {})
            if isinstance(values.get("additionalProperties"), dict):
                values["additionalProperties"] = {"type": ["string", "null"]}
        search = schemas.get("PublicObjectSearchRequest", {}).get("properties", {}).get("sorts")
        if search:
            search["items"] = {
                "anyOf": [
                    {"type": "string"},
                    {
                        "type": "object",
                        "required": ["propertyName"],
                        "properties": {
                            "propertyName": {"type": "string"},
                            "direction": {"enum": ["ASCENDING", "DESCENDING"]},
                        },
                    },
                ]
            }
        for key, value in list(node.items()):
            if (
                isinstance(value, dict)
                and value.get("type") == "object"
                and value.get("properties") == {}
                and "additionalProperties" not in value
                and "$ref" not in value
            ):
                node[key] = {}
            elif (
                isinstance(value, dict)
                and value.get("nullable") is True
                and isinstance(value.get("type"), str)
            ):
                value["type"] = [value["type"], "null"]
                _relax(value)
            else:
                _relax(value)
    elif isinstance(node, list):
        for item in node:
            _relax(item)


_CACHE: dict[Path, OpenApiCatalog] = {}


def _cached(folder: Path) -> OpenApiCatalog:
    with _lock:
        if folder not in _CACHE:
            _CACHE[folder] = OpenApiCatalog(folder)
        return _CACHE[folder]
