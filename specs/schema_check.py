"""JSON Schema validation of spec data, with errors placed at file:line:column."""
from __future__ import annotations

import difflib
import json
from functools import lru_cache
from importlib import resources
from itertools import islice

from handrail.specs.diagnostics import Diagnostic, error, format_path
from handrail.specs.loader import Document


@lru_cache(maxsize=1)
def schema() -> dict:
    return json.loads(resources.files("handrail.specs").joinpath("spec.schema.json").read_text("utf-8"))


def schema_text() -> str:
    return resources.files("handrail.specs").joinpath("spec.schema.json").read_text("utf-8")


# Errors that say a value has the wrong shape (a number where a list belongs): the checks after the schema
# must not look inside such values, so validate.py removes them before running those checks.
SHAPE_ERRORS = frozenset({"type", "anyOf", "oneOf"})


def check_schema(doc: Document, misshapen: set[tuple] | None = None) -> list[Diagnostic]:
    """Schema diagnostics; the paths of values with the wrong shape are added to ``misshapen`` when given."""
    from jsonschema import Draft202012Validator  # imported here: only validation needs it

    validator = Draft202012Validator(schema())
    out: list[Diagnostic] = []
    for err in validator.iter_errors(doc.data):
        if misshapen is not None and err.validator in SHAPE_ERRORS:
            misshapen.add(tuple(err.absolute_path))
        out.extend(_convert(err, doc))
    return _dedupe(out)


SUGGEST_MAX_CHOICES = 200  # difflib compares against every choice: beyond a real spec's size, no suggestion
SUGGEST_MAX_LENGTH = 100


def suggest(word: str, choices) -> str:
    word = str(word)
    if len(choices) > SUGGEST_MAX_CHOICES or len(word) > SUGGEST_MAX_LENGTH:
        return ""
    close = difflib.get_close_matches(word, [str(c) for c in choices], n=1, cutoff=0.6)
    return f"did you mean `{close[0]}`?" if close else ""


def listing(names, limit: int = 12) -> str:
    """'a, b, c' or, for a long list, its first names and how many there are."""
    first = [str(n) for n in islice(names, limit)]
    if len(names) <= limit:
        return ", ".join(first)
    return f"{', '.join(first)}, ... ({len(names)} in all)"


def short(value, limit: int = 60) -> str:
    """repr() of a value, cut to a readable length (a value can be a megabyte long)."""
    text = repr(value)
    return text if len(text) <= limit else f"{text[:limit]}...' ({len(str(value))} characters)"


def _convert(err, doc: Document) -> list[Diagnostic]:
    path = tuple(err.absolute_path)
    where = format_path(path)
    kind = err.validator
    if kind == "additionalProperties" and isinstance(err.instance, dict):
        allowed = list(err.schema.get("properties", {}))
        extras = [k for k in err.instance if k not in allowed]
        return [error("unknown-key", f"unknown key {short(k)}", path=where, span=doc.key_span(path + (k,)),
                      hint=suggest(k, allowed) or f"allowed keys: {listing(allowed, 40)}") for k in extras]
    if kind == "required":
        missing = err.message.split("'")[1] if "'" in err.message else err.message
        return [error("missing-key", f"missing required key '{missing}'", path=where, span=doc.span(path))]
    if kind == "enum":
        return [error("schema", f"{short(err.instance)} is not one of: {listing(err.validator_value, 40)}",
                      path=where, span=doc.span(path), hint=suggest(err.instance, err.validator_value))]
    if kind == "const":
        return [error("schema", f"must be {err.validator_value!r}, not {short(err.instance)}", path=where,
                      span=doc.span(path))]
    if kind == "pattern":
        what = err.schema.get("description", f"must match {err.validator_value}")
        return [error("schema", f"{short(err.instance)} is not valid here: {what}", path=where,
                      span=doc.span(path))]
    if kind == "anyOf":
        return _any_of(err, doc, path)
    if kind == "type":
        types = [err.validator_value] if isinstance(err.validator_value, str) else err.validator_value
        return [error("schema", f"expected {' or '.join(map(_type_word, types))}, got "
                                f"{_describe(err.instance)}",
                      path=where, span=doc.span(path))]
    if kind == "propertyNames":
        return [error("schema", f"{short(err.instance)} is not a valid name", path=where,
                      span=doc.span(path))]
    if kind == "uniqueItems":
        return [error("duplicate-item", "the list repeats an item", path=where, span=doc.span(path))]
    message = (err.message.replace(repr(err.instance), short(err.instance)) if len(err.message) > 200
               else err.message)
    return [error("schema", message, path=where, span=doc.span(path))]


def _any_of(err, doc: Document, path: tuple) -> list[Diagnostic]:
    deeper = [e for e in err.context if len(e.absolute_path) > len(err.absolute_path)]
    if deeper:  # the value had the right shape; report what is wrong inside it
        best = min(deeper, key=lambda e: -len(e.absolute_path))
        return _convert(best, doc)
    described = err.schema.get("description", "a value of another form")
    return [error("schema", f"{_describe(err.instance)} is not valid: expected "
                            f"{described[:1].lower()}{described[1:]}",
                  path=format_path(path), span=doc.span(path))]


def _type_word(t: str) -> str:
    return {"object": "a mapping (key: value)", "array": "a list", "string": "text",
            "integer": "a whole number",
            "number": "a number", "boolean": "true or false", "null": "nothing"}.get(t, t)


def _describe(value) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing (null)"
    return short(value)


def _dedupe(diags: list[Diagnostic]) -> list[Diagnostic]:
    seen, out = set(), []
    for d in diags:
        key = (d.path, d.message)
        if key not in seen:
            seen.add(key)
            out.append(d)
    return out
