"""JSON Schema validation of spec data, with errors placed at file:line:column."""

from __future__ import annotations

import json
import re
from functools import lru_cache
from itertools import islice
from pathlib import Path

from handrail.specs.diagnostics import Diagnostic, error, format_path
from handrail.specs.loader import Document


@lru_cache(maxsize=1)
def schema() -> dict:
    return json.loads(schema_text())


def schema_text() -> str:
    try:  # beside this module in every ordinary install; importlib.resources costs start-up time
        return Path(__file__).with_name("spec.schema.json").read_text("utf-8")
    except OSError:  # pragma: no cover - a zipped install
        from importlib import resources

        return resources.files("handrail.specs").joinpath("spec.schema.json").read_text("utf-8")


# Errors that say a value has the wrong shape (a number where a list belongs): the checks after the schema
# must not look inside such values, so validate.py removes them before running those checks.
SHAPE_ERRORS = frozenset({"type", "anyOf", "oneOf"})


def check_schema(doc: Document, misshapen: set[tuple] | None = None) -> list[Diagnostic]:
    """Schema diagnostics; the paths of values with the wrong shape are added to ``misshapen`` when given.

    A spec the fast check accepts has no schema error, so jsonschema (a tenth of a second to import and
    run) is only needed to describe the errors of a spec the fast check rejects."""
    if is_valid(doc.data):
        return []
    from jsonschema import Draft202012Validator  # imported here: only an invalid spec needs it

    validator = Draft202012Validator(schema())
    out: list[Diagnostic] = []
    for err in validator.iter_errors(doc.data):
        if misshapen is not None and err.validator in SHAPE_ERRORS:
            misshapen.add(tuple(err.absolute_path))
        out.extend(_convert(err, doc))
    return _dedupe(out)


def is_valid(data) -> bool:
    """Whether ``data`` is valid against the spec schema: the answer jsonschema gives, without its errors.

    The schema is compiled once into nested checks covering only the keywords spec.schema.json uses (any
    other keyword is refused when compiling); tests/unit/test_schema_fast_path.py holds it to
    jsonschema's answer over the bad specs and thousands of mutants."""
    return _fast_validator()(data)


@lru_cache(maxsize=1)
def _fast_validator():
    return _Compiler(schema()).compile(schema())


_ANNOTATIONS = frozenset(
    {"$schema", "$id", "$defs", "$comment", "title", "description", "default", "examples"}
)
_TYPES = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "null": lambda v: v is None,
    "boolean": lambda v: isinstance(v, bool),
    # bool is an int to Python, not to JSON Schema; 1.0 is an integer from draft 6 on
    "integer": lambda v: (
        (isinstance(v, int) and not isinstance(v, bool)) or (isinstance(v, float) and v.is_integer())
    ),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
}
_NUMBER = _TYPES["number"]


class _Compiler:
    """JSON Schema (draft 2020-12, local ``$ref`` only) to a predicate, with jsonschema's semantics."""

    def __init__(self, root: dict):
        self.root = root
        self.refs: dict[str, list] = {}

    def compile(self, node):
        if node is True or node == {}:
            return lambda v: True
        if node is False:
            return lambda v: False
        checks = [self._keyword(key, value, node) for key, value in node.items() if key not in _ANNOTATIONS]
        checks = [check for check in checks if check is not None]

        def check_all(v, checks=tuple(checks)):
            for check in checks:
                if not check(v):
                    return False
            return True

        return check_all

    def _ref(self, ref: str):
        if ref not in self.refs:
            if not ref.startswith("#/"):
                raise ValueError(f"only local $ref is supported, not {ref}")
            cell = self.refs[ref] = [None]
            target = self.root
            for part in ref[2:].split("/"):
                target = target[part.replace("~1", "/").replace("~0", "~")]
            cell[0] = self.compile(target)
        cell = self.refs[ref]
        return lambda v: cell[0](v)

    def _keyword(self, key: str, value, node: dict):  # noqa: C901 - one branch per keyword
        if key == "$ref":
            return self._ref(value)
        if key == "type":
            tests = tuple(_TYPES[t] for t in ([value] if isinstance(value, str) else value))
            return lambda v: any(test(v) for test in tests)
        if key == "properties" or (key == "additionalProperties" and "properties" not in node):
            return self._properties(node)
        if key == "additionalProperties":
            return None  # checked with properties
        if key == "required":
            return lambda v: not isinstance(v, dict) or all(name in v for name in value)
        if key == "items":
            item = self.compile(value)
            return lambda v: not isinstance(v, list) or all(item(x) for x in v)
        if key == "anyOf":
            options = [self.compile(option) for option in value]
            return lambda v: any(option(v) for option in options)
        if key == "propertyNames":
            name = self.compile(value)
            return lambda v: not isinstance(v, dict) or all(name(k) for k in v)
        if key == "enum":
            return lambda v: any(_equal(each, v) for each in value)
        if key == "const":
            return lambda v: _equal(v, value)
        if key == "pattern":
            search = re.compile(value).search
            return lambda v: not isinstance(v, str) or search(v) is not None
        if key == "uniqueItems":
            return (lambda v: not isinstance(v, list) or _unique(v)) if value else None
        sized = {
            "minLength": (str, 1),
            "maxLength": (str, -1),
            "minItems": (list, 1),
            "maxItems": (list, -1),
            "minProperties": (dict, 1),
            "maxProperties": (dict, -1),
        }
        if key in sized:
            kind, sign = sized[key]
            if sign > 0:
                return lambda v: not isinstance(v, kind) or len(v) >= value
            return lambda v: not isinstance(v, kind) or len(v) <= value
        if key == "minimum":
            return lambda v: not _NUMBER(v) or not v < value
        if key == "maximum":
            return lambda v: not _NUMBER(v) or not v > value
        raise ValueError(f"the fast schema check does not know the keyword {key!r}")

    def _properties(self, node: dict):
        known = {name: self.compile(sub) for name, sub in node.get("properties", {}).items()}
        extra = node.get("additionalProperties", True)
        other = None if extra is True else self.compile(extra)

        def check(v):
            if not isinstance(v, dict):
                return True
            for name, child in v.items():
                test = known.get(name, other)
                if test is not None and not test(child):
                    return False
            return True

        return check


def _equal(one, two) -> bool:
    """jsonschema's equality: True is not 1, lists and mappings compare item by item."""
    if one is two:
        return True
    if isinstance(one, str) or isinstance(two, str):
        return one == two
    if isinstance(one, list) and isinstance(two, list):
        return len(one) == len(two) and all(_equal(a, b) for a, b in zip(one, two))
    if isinstance(one, dict) and isinstance(two, dict):
        return len(one) == len(two) and all(k in two and _equal(a, two[k]) for k, a in one.items())
    return _unbool(one) == _unbool(two)


def _unbool(value, true=object(), false=object()):
    return true if value is True else false if value is False else value


def _unique(items: list) -> bool:
    """jsonschema's uniqueness test, step for step (neighbours after sorting, else every pair), so the
    answer is the same even where that test is lenient."""
    try:
        ordered = sorted(_unbool(i) for i in items)
        return not any(_equal(a, b) for a, b in zip(ordered, ordered[1:]))
    except (NotImplementedError, TypeError):
        seen: list = []
        for item in map(_unbool, items):
            if any(_equal(other, item) for other in seen):
                return False
            seen.append(item)
        return True


SUGGEST_MAX_CHOICES = 200  # difflib compares against every choice: beyond a real spec's size, no suggestion
SUGGEST_MAX_LENGTH = 100


def suggest(word: str, choices) -> str:
    word = str(word)
    if len(choices) > SUGGEST_MAX_CHOICES or len(word) > SUGGEST_MAX_LENGTH:
        return ""
    import difflib  # only a misspelt name needs it

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
        return [
            error(
                "unknown-key",
                f"unknown key {short(k)}",
                path=where,
                span=doc.key_span(path + (k,)),
                hint=suggest(k, allowed) or f"allowed keys: {listing(allowed, 40)}",
            )
            for k in extras
        ]
    if kind == "required":
        missing = err.message.split("'")[1] if "'" in err.message else err.message
        return [error("missing-key", f"missing required key '{missing}'", path=where, span=doc.span(path))]
    if kind == "enum":
        return [
            error(
                "schema",
                f"{short(err.instance)} is not one of: {listing(err.validator_value, 40)}",
                path=where,
                span=doc.span(path),
                hint=suggest(err.instance, err.validator_value),
            )
        ]
    if kind == "const":
        return [
            error(
                "schema",
                f"must be {err.validator_value!r}, not {short(err.instance)}",
                path=where,
                span=doc.span(path),
            )
        ]
    if kind == "pattern":
        what = err.schema.get("description", f"must match {err.validator_value}")
        return [
            error(
                "schema", f"{short(err.instance)} is not valid here: {what}", path=where, span=doc.span(path)
            )
        ]
    if kind == "anyOf":
        return _any_of(err, doc, path)
    if kind == "type":
        types = [err.validator_value] if isinstance(err.validator_value, str) else err.validator_value
        return [
            error(
                "schema",
                f"expected {' or '.join(map(_type_word, types))}, got {_describe(err.instance)}",
                path=where,
                span=doc.span(path),
            )
        ]
    if kind == "propertyNames":
        return [
            error("schema", f"{short(err.instance)} is not a valid name", path=where, span=doc.span(path))
        ]
    if kind == "uniqueItems":
        return [error("duplicate-item", "the list repeats an item", path=where, span=doc.span(path))]
    message = (
        err.message.replace(repr(err.instance), short(err.instance))
        if len(err.message) > 200
        else err.message
    )
    return [error("schema", message, path=where, span=doc.span(path))]


def _any_of(err, doc: Document, path: tuple) -> list[Diagnostic]:
    deeper = [e for e in err.context if len(e.absolute_path) > len(err.absolute_path)]
    if deeper:  # the value had the right shape; report what is wrong inside it
        best = min(deeper, key=lambda e: -len(e.absolute_path))
        return _convert(best, doc)
    described = err.schema.get("description", "a value of another form")
    return [
        error(
            "schema",
            f"{_describe(err.instance)} is not valid: expected {described[:1].lower()}{described[1:]}",
            path=format_path(path),
            span=doc.span(path),
        )
    ]


def _type_word(t: str) -> str:
    return {
        "object": "a mapping (key: value)",
        "array": "a list",
        "string": "text",
        "integer": "a whole number",
        "number": "a number",
        "boolean": "true or false",
        "null": "nothing",
    }.get(t, t)


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
