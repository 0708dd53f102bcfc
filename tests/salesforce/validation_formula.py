"""A small evaluator for the Salesforce formula subset Handrail's validation rules use.

Supported: AND, OR, NOT, ISNEW, ISCHANGED, PRIORVALUE, ISPICKVAL, ISBLANK, LEN, TRIM, comparisons
(< <= > >= = <>), string literals with backslash escapes, numbers, TRUE/FALSE, field names (dotted ones
such as RecordType.DeveloperName too) and $Permission.<custom permission> (the running user's:
Record.values holds it under that name). Blank values are None and propagate through comparisons the way
Salesforce treats blank fields in validation rules ("treat blank fields as blanks"): a comparison with a
blank is not TRUE.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

_TOKEN = re.compile(
    r'\s*(?:(?P<num>\d+(?:\.\d+)?)|(?P<str>"(?:\\.|[^"\\])*")'
    r"|(?P<name>\$?[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)|(?P<op><=|>=|<>|!=|==|[(),<>=]))"
)


@dataclass
class Record:
    values: dict[str, Any]  # field API name -> value (None when blank)
    prior: dict[str, Any] | None = None  # None for a new record


def tokenize(text: str) -> list[tuple[str, str]]:
    tokens, pos = [], 0
    text = text.rstrip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise SyntaxError(f"unexpected text at {pos}: {text[pos : pos + 20]!r}")
        kind = m.lastgroup
        tokens.append((kind, m.group(kind)))
        pos = m.end()
    return tokens


class _Parser:
    def __init__(self, tokens):
        self.tokens, self.i = tokens, 0

    def peek(self):
        return self.tokens[self.i] if self.i < len(self.tokens) else (None, None)

    def take(self, value=None):
        tok = self.peek()
        if value is not None and tok[1] != value:
            raise SyntaxError(f"expected {value!r}, got {tok[1]!r}")
        self.i += 1
        return tok

    def expression(self):
        left = self.atom()
        if self.peek()[0] == "op" and self.peek()[1] in ("<", "<=", ">", ">=", "=", "==", "<>", "!="):
            op = self.take()[1]
            return ("cmp", op, left, self.atom())
        return left

    def atom(self):
        kind, value = self.take()
        if kind == "num":
            return ("lit", float(value))
        if kind == "str":
            return ("lit", re.sub(r"\\(.)", r"\1", value[1:-1]))
        if kind == "name":
            if self.peek()[1] == "(":
                self.take("(")
                args = []
                while self.peek()[1] != ")":
                    args.append(self.expression())
                    if self.peek()[1] == ",":
                        self.take(",")
                self.take(")")
                return ("call", value.upper(), args)
            if value.upper() in ("TRUE", "FALSE"):
                return ("lit", value.upper() == "TRUE")
            return ("field", value)
        raise SyntaxError(f"unexpected {value!r}")


def parse(text: str):
    parser = _Parser(tokenize(text))
    tree = parser.expression()
    if parser.i != len(parser.tokens):
        raise SyntaxError(f"trailing tokens: {parser.tokens[parser.i :]}")
    return tree


def evaluate(formula: str, record: Record) -> bool:
    return _eval(parse(formula), record) is True


def field_names(formula: str) -> set[str]:
    names: set[str] = set()

    def walk(node):
        if node[0] == "field":
            names.add(node[1])
        elif node[0] == "call":
            for arg in node[2]:
                walk(arg)
        elif node[0] == "cmp":
            walk(node[2])
            walk(node[3])

    walk(parse(formula))
    return names


def _eval(node, record: Record):
    kind = node[0]
    if kind == "lit":
        return node[1]
    if kind == "field":
        if node[1] not in record.values:
            raise KeyError(f"the formula reads {node[1]}, which the record does not have")
        return record.values[node[1]]
    if kind == "cmp":
        _, op, a, b = node
        left, right = _eval(a, record), _eval(b, record)
        if left is None or right is None:
            return None
        return {
            "<": left < right,
            "<=": left <= right,
            ">": left > right,
            ">=": left >= right,
            "=": left == right,
            "==": left == right,
            "<>": left != right,
            "!=": left != right,
        }[op]
    _, name, args = node
    if name == "AND":
        return all(_eval(a, record) is True for a in args)
    if name == "OR":
        return any(_eval(a, record) is True for a in args)
    if name == "NOT":
        (arg,) = args
        value = _eval(arg, record)
        return None if value is None else not value
    if name == "ISNEW":
        return record.prior is None
    if name == "ISCHANGED":
        (arg,) = args
        return record.prior is not None and record.prior.get(arg[1]) != record.values.get(arg[1])
    if name == "PRIORVALUE":
        # "When users create a record, this function returns the value of the field referenced rather
        # than null" (help.salesforce.com/apex/HTViewHelpDoc?id=customize_functions_priorvalue.htm)
        (arg,) = args
        if arg[0] != "field":
            raise SyntaxError("PRIORVALUE takes a field")
        source = record.values if record.prior is None else record.prior
        return source.get(arg[1])
    if name == "ISPICKVAL":
        field, literal = args
        value = _eval(field, record)
        return (value or "") == _eval(literal, record)
    if name == "ISBLANK":
        (arg,) = args
        value = _eval(arg, record)
        return value is None or value == ""
    if name == "TRIM":  # spaces and tabs only (Salesforce Help, Formula Operators and Functions: TRIM)
        (arg,) = args
        value = _eval(arg, record)
        return None if value is None else str(value).strip(" \t")
    if name == "LEN":  # a blank text has length 0; Salesforce counts UTF-16 code units
        (arg,) = args
        value = _eval(arg, record)
        return 0.0 if value is None else float(len(str(value).encode("utf-16-le")) // 2)
    raise SyntaxError(f"unsupported function {name}")
