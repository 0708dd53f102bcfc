"""Validate request bodies against HubSpot's OpenAPI documents in ../shared (tests only: not redistributable).

OpenAPI 3.0 schemas are JSON Schema draft 4 plus keywords draft-4 validators ignore (nullable, example,
discriminator). One documented spec quirk is relaxed: a schema that is exactly {type: object,
properties: {}} is a Map<String,Object> code-generation artefact and means "any JSON value".
"""

from __future__ import annotations

import copy
import json
import re
from functools import lru_cache

from helpers import shared_path
from jsonschema import Draft4Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

REFERENCE = ("reference", "hubspot")
DOCUMENTS = (
    "crm-properties-v3.json",
    "crm-property-validations-v3.json",
    "automation-flows-v4.json",
    "crm-pipeline-rules-2026-09-beta.json",
    "crm-pipelines-v3.json",
)


def _relax(node):
    if isinstance(node, dict):
        for key, value in list(node.items()):
            if (
                isinstance(value, dict)
                and value.get("type") == "object"
                and value.get("properties") == {}
                and "additionalProperties" not in value
                and "$ref" not in value
            ):
                node[key] = {}
            else:
                _relax(value)
    elif isinstance(node, list):
        for item in node:
            _relax(item)


@lru_cache(maxsize=None)
def document(name: str) -> dict:
    spec = json.loads(shared_path(*REFERENCE, name).read_text(encoding="utf-8"))
    _relax(spec)
    return spec


@lru_cache(maxsize=None)
def _operations() -> list[tuple[re.Pattern, str, str, str]]:
    out = []
    for name in DOCUMENTS:
        for template, item in document(name)["paths"].items():
            pattern = re.compile("^" + re.sub(r"\\\{[^/]+?\\\}", "([^/]+)", re.escape(template)) + "$")
            for method in item:
                out.append((pattern, method, name, template))
    return out


def operation(method: str, path: str) -> tuple[str, str, dict]:
    """(document, path template, operation) serving a concrete request."""
    for pattern, op_method, name, template in _operations():
        if op_method == method.lower() and pattern.match(path):
            return name, template, document(name)["paths"][template][op_method]
    raise LookupError(f"no operation in HubSpot's OpenAPI documents serves {method} {path}")


@lru_cache(maxsize=None)
def _validator(name: str, ref: str) -> Draft4Validator:
    registry = Registry().with_resource(
        "urn:hubspot", Resource.from_contents(document(name), default_specification=DRAFT4)
    )
    return Draft4Validator({"$ref": "urn:hubspot" + ref}, registry=registry)


def request_schema_ref(op: dict) -> str:
    return op["requestBody"]["content"]["application/json"]["schema"]["$ref"]


def body_errors(method: str, path: str, body) -> list[str]:
    """Problems with a request body and its path parameters; [] when HubSpot's schema accepts them."""
    name, template, op = operation(method, path)
    errors = [
        f"{'/'.join(map(str, e.absolute_path)) or '<body>'}: {e.message}"
        for e in _validator(name, request_schema_ref(op)).iter_errors(body)
    ]
    values = re.match("^" + re.sub(r"\\\{[^/]+?\\\}", "([^/]+)", re.escape(template)) + "$", path).groups()
    names = re.findall(r"\{([^/]+?)\}", template)
    params = {p["name"]: p for p in op.get("parameters", []) if p.get("in") == "path"}
    for pname, value in zip(names, values):
        schema = copy.deepcopy(params.get(pname, {}).get("schema", {}))
        errors += [f"path parameter {pname}: {e.message}" for e in Draft4Validator(schema).iter_errors(value)]
    return errors


def schema_errors(name: str, ref: str, body) -> list[str]:
    return [
        f"{'/'.join(map(str, e.absolute_path)) or '<body>'}: {e.message}"
        for e in _validator(name, ref).iter_errors(body)
    ]
