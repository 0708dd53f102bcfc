"""A small interpreter of HubSpot's calculation-formula language, for tests only.

Grammar (from HubSpot's properties API guide): literals 'text' / "text" / numbers / true / false;
number properties by bare name, string(prop), bool(prop); + - * /; = equals != < <= > >=; and or not;
parentheses; functions is_present, contains, concatenate, max, min, number_to_string, string_to_number;
if <cond> then <expr> [elseif <cond> then <expr>]* [else <expr>] endif. Keywords are case-insensitive.

Record values are given as HubSpot's API returns them: strings ("" or None for empty), booleans as
"true"/"false", numbers and dates (epoch milliseconds) as decimal text.

Empty inputs: HubSpot blanks a result when an empty value is used. This interpreter is stricter: using
an empty value anywhere but inside is_present() raises EmptyValueUsed, so a test passing here proves
every possibly-empty reference in a formula is guarded. `and`/`or` evaluate left to right and stop early.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Mapping

_TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<number>\d+(?:\.\d+)?)
  | (?P<string>'[^']*'|"[^"]*")
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<op><=|>=|!=|[=<>+\-*/(),])
""", re.VERBOSE)
KEYWORDS = {"if", "then", "elseif", "else", "endif", "and", "or", "not", "true", "false", "equals"}


class FormulaSyntaxError(ValueError):
    pass


class EmptyValueUsed(ValueError):
    """An empty property value reached an operator outside is_present()."""


@dataclass(frozen=True)
class Token:
    kind: str  # number, string, name, keyword, op, end
    text: str
    at: int


def tokenize(text: str) -> list[Token]:
    out, pos = [], 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m:
            raise FormulaSyntaxError(f"unexpected character {text[pos]!r} at {pos}")
        kind = m.lastgroup
        if kind != "space":
            word = m.group()
            if kind == "name" and word.lower() in KEYWORDS:
                out.append(Token("keyword", word.lower(), pos))
            else:
                out.append(Token(kind, word, pos))
        pos = m.end()
    out.append(Token("end", "", pos))
    return out


class Parser:
    def __init__(self, text: str):
        self.tokens = tokenize(text)
        self.i = 0

    def parse(self):
        node = self.expr()
        self.expect("end")
        return node

    # helpers
    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def accept(self, kind: str, text: str | None = None) -> Token | None:
        t = self.tok
        if t.kind == kind and (text is None or t.text == text):
            self.i += 1
            return t
        return None

    def expect(self, kind: str, text: str | None = None) -> Token:
        t = self.accept(kind, text)
        if t is None:
            raise FormulaSyntaxError(f"expected {text or kind} at {self.tok.at}, found {self.tok.text!r}")
        return t

    # grammar
    def expr(self):
        node = self.conjunction()
        while self.accept("keyword", "or"):
            node = ("or", node, self.conjunction())
        return node

    def conjunction(self):
        node = self.negation()
        while self.accept("keyword", "and"):
            node = ("and", node, self.negation())
        return node

    def negation(self):
        if self.accept("keyword", "not"):
            return ("not", self.negation())
        return self.comparison()

    def comparison(self):
        node = self.additive()
        for op in ("=", "!=", "<=", ">=", "<", ">"):
            if self.accept("op", op):
                return ("cmp", op, node, self.additive())
        if self.accept("keyword", "equals"):
            return ("cmp", "=", node, self.additive())
        return node

    def additive(self):
        node = self.term()
        while self.tok.kind == "op" and self.tok.text in "+-":
            op = self.expect("op").text
            node = ("arith", op, node, self.term())
        return node

    def term(self):
        node = self.unary()
        while self.tok.kind == "op" and self.tok.text in "*/":
            op = self.expect("op").text
            node = ("arith", op, node, self.unary())
        return node

    def unary(self):
        if self.accept("op", "-"):
            return ("neg", self.unary())
        return self.primary()

    def primary(self):
        t = self.tok
        if self.accept("number"):
            return ("lit", float(t.text))
        if self.accept("string"):
            return ("lit", t.text[1:-1])
        if self.accept("keyword", "true"):
            return ("lit", True)
        if self.accept("keyword", "false"):
            return ("lit", False)
        if self.accept("keyword", "if"):
            return self.conditional()
        if self.accept("op", "("):
            node = self.expr()
            self.expect("op", ")")
            return node
        if self.accept("name"):
            if self.accept("op", "("):
                args = [] if self.accept("op", ")") else self.arguments()
                return ("call", t.text.lower(), args)
            return ("prop", t.text)
        raise FormulaSyntaxError(f"unexpected {t.text!r} at {t.at}")

    def arguments(self):
        args = [self.expr()]
        while self.accept("op", ","):
            args.append(self.expr())
        self.expect("op", ")")
        return args

    def conditional(self):
        branches = [(self.expr(), self.then())]
        otherwise = None
        while True:
            if self.accept("keyword", "elseif"):
                branches.append((self.expr(), self.then()))
            elif self.accept("keyword", "else"):
                otherwise = self.expr()
            else:
                self.expect("keyword", "endif")
                return ("if", branches, otherwise)

    def then(self):
        self.expect("keyword", "then")
        return self.expr()


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
        if kind == "and":
            return self.truth(self.eval(node[1])) and self.truth(self.eval(node[2]))
        if kind == "or":
            return self.truth(self.eval(node[1])) or self.truth(self.eval(node[2]))
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
    return Evaluator(record, properties).eval(Parser(formula).parse())


def parse(formula: str):
    return Parser(formula).parse()
