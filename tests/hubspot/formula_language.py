"""A small interpreter of HubSpot's calculation-formula language, for tests only.

The grammar is tests/fakes/hubspot_formula.py, shared with the fake portal and as strict as HubSpot's
guide: `if b then s [elseif b then s]* [else s | endif]`, so `else X endif` does not parse.

Record values are given as HubSpot's API returns them: strings ("" or None for empty), booleans as
"true"/"false", numbers and dates (epoch milliseconds) as decimal text.

Empty inputs: HubSpot blanks a result when an empty value is used. This interpreter is stricter: using
an empty value anywhere but inside is_present() raises EmptyValueUsed, so a test passing here proves
every possibly-empty reference in a formula is guarded. HubSpot does not document short-circuit
evaluation, so `and`/`or` evaluate BOTH sides: a guard such as `is_present(x) and x > 5` fails here;
guards must be nested conditionals (`if is_present(x) then x > 5 else false`). Only if/elseif choose
what is evaluated. Undocumented functions (string_length, to_lower_case, ...) are refused unless a
test allows them.
"""

from __future__ import annotations

from typing import Any, Mapping

from fakes.hubspot_formula import (  # noqa: F401  (re-exported for the tests)
    DOCUMENTED_FUNCTIONS,
    UNDOCUMENTED_FUNCTIONS,
    FormulaSyntaxError,
    Parser,
    Token,
    tokenize,
)


class EmptyValueUsed(ValueError):
    """An empty property value reached an operator outside is_present()."""


EMPTY = None


class Evaluator:
    def __init__(self, record: Mapping[str, Any], properties: Mapping[str, str]):
        """properties: name -> HubSpot type (string, enumeration, number, bool, date, datetime)."""
        self.record = record
        self.properties = properties

    def raw(self, name: str):
        if name not in self.properties:
            raise FormulaSyntaxError(f"unknown property {name!r}")
        value = self.record.get(name)
        return EMPTY if value is None or value == "" else value

    def eval(self, node):
        kind = node[0]
        if kind == "lit":
            return node[1]
        if kind == "prop":  # a bare name reads a number (dates are epoch milliseconds)
            value = self.raw(node[1])
            if value is EMPTY:
                return EMPTY
            if self.properties[node[1]] not in ("number", "date", "datetime"):
                raise FormulaSyntaxError(f"{node[1]} is not a number property; wrap it in string() or bool()")
            return float(value)
        if kind == "call":
            return self.call(node[1], node[2])
        if kind == "if":
            for cond, value in node[1]:
                if self.truth(self.eval(cond)):
                    return self.eval(value)
            return self.eval(node[2]) if node[2] is not None else EMPTY
        if kind in ("and", "or"):  # both sides, always: no documented short-circuit
            left, right = self.truth(self.eval(node[1])), self.truth(self.eval(node[2]))
            return (left and right) if kind == "and" else (left or right)
        if kind == "not":
            return not self.truth(self.eval(node[1]))
        if kind == "neg":
            return -self.number(self.eval(node[1]))
        if kind == "arith":
            a, b = self.number(self.eval(node[2])), self.number(self.eval(node[3]))
            return {"+": lambda: a + b, "-": lambda: a - b, "*": lambda: a * b, "/": lambda: a / b}[node[1]]()
        if kind == "cmp":
            return self.compare(node[1], self.eval(node[2]), self.eval(node[3]))
        raise AssertionError(kind)

    def call(self, name: str, args: list):
        if name == "is_present":
            try:
                return self.eval(args[0]) is not EMPTY
            except EmptyValueUsed:
                return False
        if name in ("string", "bool"):
            if len(args) != 1 or args[0][0] != "prop":
                raise FormulaSyntaxError(f"{name}() takes one property name")
            value = self.raw(args[0][1])
            if value is EMPTY:
                return EMPTY
            return str(value) if name == "string" else str(value).lower() == "true"
        values = [self.eval(a) for a in args]
        if any(v is EMPTY for v in values):
            raise EmptyValueUsed(f"{name}() received an empty value")
        if name == "contains":
            return str(values[1]) in str(values[0])
        if name == "concatenate":
            if not 2 <= len(values) <= 100:
                raise FormulaSyntaxError("concatenate takes 2 to 100 arguments")
            return "".join(str(v) for v in values)
        if name in ("max", "min"):
            return (max if name == "max" else min)(self.number(v) for v in values)
        if name == "number_to_string":
            return repr(self.number(values[0]))
        if name == "string_to_number":
            return float(values[0])
        raise FormulaSyntaxError(f"unknown function {name}()")

    def truth(self, value) -> bool:
        if value is EMPTY:
            raise EmptyValueUsed("a condition is empty")
        if not isinstance(value, bool):
            raise FormulaSyntaxError(f"condition is {value!r}, not true or false")
        return value

    def number(self, value) -> float:
        if value is EMPTY:
            raise EmptyValueUsed("arithmetic on an empty value")
        if isinstance(value, bool) or not isinstance(value, float):
            raise FormulaSyntaxError(f"{value!r} is not a number")
        return value

    def compare(self, op: str, a, b) -> bool:
        if a is EMPTY or b is EMPTY:
            raise EmptyValueUsed("comparison with an empty value")
        if op in ("=", "!="):
            if type(a) is not type(b):
                raise FormulaSyntaxError(f"comparing {a!r} with {b!r}")
            return (a == b) == (op == "=")
        a, b = self.number(a), self.number(b)
        return {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op]


def evaluate(formula: str, record: Mapping[str, Any], properties: Mapping[str, str]):
    """The formula's value for one record: a float, str, bool, or None when empty."""
    return Evaluator(record, properties).eval(parse(formula))


def parse(formula: str, functions: set[str] = DOCUMENTED_FUNCTIONS):
    return Parser(formula, functions).parse()
