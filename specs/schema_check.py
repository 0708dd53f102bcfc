"""JSON Schema validation of spec data, with errors placed at file:line:column."""
from __future__ import annotations

import difflib
import json
from functools import lru_cache
from importlib import resources

from handrail.specs.diagnostics import Diagnostic, error, format_path
from handrail.specs.loader import Document


@lru_cache(maxsize=1)
def schema() -> dict:
    return json.loads(resources.files("handrail.specs").joinpath("spec.schema.json").read_text("utf-8"))


def schema_text() -> str:
    return resources.files("handrail.specs").joinpath("spec.schema.json").read_text("utf-8")


def check_schema(doc: Document) -> list[Diagnostic]:
    from jsonschema import Draft202012Validator  # imported here: only validation needs it

    validator = Draft202012Validator(schema())
    out: list[Diagnostic] = []
    for err in validator.iter_errors(doc.data):
        out.extend(_convert(err, doc))
    return _dedupe(out)


def suggest(word: str, choices) -> str:
    close = difflib.get_close_matches(str(word), [str(c) for c in choices], n=1, cutoff=0.6)
    return f"did you mean `{close[0]}`?" if close else ""


def _convert(err, doc: Document) -> list[Diagnostic]:
    path = tuple(err.absolute_path)
    where = format_path(path)
    kind = err.validator
    if kind == "additionalProperties" and isinstance(err.instance, dict):
        allowed = list(err.schema.get("properties", {}))
        extras = [k for k in err.instance if k not in allowed]
        return [error("unknown-key", f"unknown key '{k}'", path=where, span=doc.key_span(path + (k,)),
                      hint=suggest(k, allowed) or f"allowed keys: {', '.join(allowed)}") for k in extras]
    if kind == "required":
        missing = err.message.split("'")[1] if "'" in err.message else err.message
        return [error("missing-key", f"missing required key '{missing}'", path=where, span=doc.span(path))]
    if kind == "enum":
        return [error("schema", f"{err.instance!r} is not one of: {', '.join(map(str, err.validator_value))}",
                      path=where, span=doc.span(path), hint=suggest(err.instance, err.validator_value))]
    if kind == "const":
        return [error("schema", f"must be {err.validator_value!r}, not {err.instance!r}", path=where, span=doc.span(path))]
    if kind == "pattern":
        what = err.schema.get("description", f"must match {err.validator_value}")
        return [error("schema", f"{err.instance!r} is not valid here: {what}", path=where, span=doc.span(path))]
    if kind == "anyOf":
        return _any_of(err, doc, path)
    if kind == "type":
        types = [err.validator_value] if isinstance(err.validator_value, str) else err.validator_value
        return [error("schema", f"expected {' or '.join(map(_type_word, types))}, got {_describe(err.instance)}",
                      path=where, span=doc.span(path))]
    if kind == "propertyNames":
        return [error("schema", f"{err.instance!r} is not a valid name", path=where, span=doc.span(path))]
    if kind == "uniqueItems":
        return [error("duplicate-item", "the list repeats an item", path=where, span=doc.span(path))]
    return [error("schema", err.message, path=where, span=doc.span(path))]


def _any_of(err, doc: Document, path: tuple) -> list[Diagnostic]:
    deeper = [e for e in err.context if len(e.absolute_path) > len(err.absolute_path)]
    if deeper:  # the value had the right shape; report what is wrong inside it
        best = min(deeper, key=lambda e: -len(e.absolute_path))
        return _convert(best, doc)
    described = err.schema.get("description", "a value of another form")
    return [error("schema", f"{_describe(err.instance)} is not valid: expected {described[:1].lower()}{described[1:]}",
                  path=format_path(path), span=doc.span(path))]


def _type_word(t: str) -> str:
    return {"object": "a mapping (key: value)", "array": "a list", "string": "text", "integer": "a whole number",
            "number": "a number", "boolean": "true or false", "null": "nothing"}.get(t, t)


def _describe(value) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing (null)"
    return repr(value)


def _dedupe(diags: list[Diagnostic]) -> list[Diagnostic]:
    seen, out = set(), []
    for d in diags:
        key = (d.path, d.message)
        if key not in seen:
            seen.add(key)
            out.append(d)
    return out
