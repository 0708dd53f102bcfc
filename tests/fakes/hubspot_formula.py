"""The grammar of HubSpot calculation formulas, parsed strictly: shared by the fake portal (which answers
a formula it cannot parse with HubSpot's 400 VALIDATION_ERROR) and the test interpreter.

From HubSpot's properties API guide ("Create calculation properties"): literals 'text' / "text" /
numbers / true / false; number properties by bare name, string(prop), bool(prop); + - * /;
= equals != < <= > >=; and or not; parentheses; functions. Conditionals are

    if <bool> then <statement> [elseif <bool> then <statement>]* [else <statement> | endif]

so a conditional ends with `else <statement>` OR with `endif`, never both: a live portal answered a
trailing `endif` after `else` with 400 "not a token" (shared/reference/hubspot/README.md, Corrections).
Keywords are case-insensitive.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<number>\d+(?:\.\d+)?)
  | (?P<string>'[^']*'|"[^"]*")
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<op><=|>=|!=|[=<>+\-*/(),])
""",
    re.VERBOSE,
)
KEYWORDS = {"if", "then", "elseif", "else", "endif", "and", "or", "not", "true", "false", "equals"}
# Documented in the properties API guide.
DOCUMENTED_FUNCTIONS = {
    "is_present",
    "contains",
    "concatenate",
    "max",
    "min",
    "number_to_string",
    "string_to_number",
    "string",
    "bool",
}
# Seen in HubSpot's "expected one of" token lists but not documented. The strict grammar refuses them unless
# a caller allows them explicitly: Handrail's default output must parse with documented functions only.
UNDOCUMENTED_FUNCTIONS = {"string_length", "to_lower_case", "round_nearest", "coalesce", "is_blank"}


class FormulaSyntaxError(ValueError):
    def __init__(self, message: str, token: str = "", at: int = 0):
        super().__init__(message)
        self.token, self.at = token, at


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
            raise FormulaSyntaxError(f"{text[pos]!r} is not a token (character {pos})", text[pos], pos)
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
    """Recursive descent over the documented grammar; the tree is tuples (see formula_language)."""

    def __init__(self, text: str, functions: set[str] = DOCUMENTED_FUNCTIONS):
        self.tokens = tokenize(text)
        self.functions = functions
        self.i = 0

    def parse(self):
        node = self.expr()
        self.expect("end")
        return node

    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def accept(self, kind: str, text: str | None = None) -> Token | None:
        t = self.tok
        if t.kind == kind and (text is None or t.text == text):
            self.i += 1
            return t
        return None

    def unexpected(self, wanted: str) -> FormulaSyntaxError:
        t = self.tok
        found = "the end of the formula" if t.kind == "end" else f"{t.text!r}"
        return FormulaSyntaxError(
            f"{found} is not a token expected here (character {t.at}); expected {wanted}", t.text, t.at
        )

    def expect(self, kind: str, text: str | None = None) -> Token:
        t = self.accept(kind, text)
        if t is None:
            raise self.unexpected(text or ("the end of the formula" if kind == "end" else kind))
        return t

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
                if t.text.lower() not in self.functions:
                    raise FormulaSyntaxError(f"{t.text!r} is not a function (character {t.at})", t.text, t.at)
                args = [] if self.accept("op", ")") else self.arguments()
                return ("call", t.text.lower(), args)
            return ("prop", t.text)
        raise self.unexpected("a value")

    def arguments(self):
        args = [self.expr()]
        while self.accept("op", ","):
            args.append(self.expr())
        self.expect("op", ")")
        return args

    def conditional(self):
        """if b then s [elseif b then s]* [else s | endif]: `else s` closes the conditional."""
        branches = [(self.expr(), self.then())]
        while self.accept("keyword", "elseif"):
            branches.append((self.expr(), self.then()))
        if self.accept("keyword", "else"):
            return ("if", branches, self.expr())
        if self.accept("keyword", "endif"):
            return ("if", branches, None)
        raise self.unexpected("elseif, else or endif")

    def then(self):
        self.expect("keyword", "then")
        return self.expr()


def parse(formula: str, functions: set[str] = DOCUMENTED_FUNCTIONS):
    return Parser(formula, functions).parse()


def syntax_problem(formula: str, *, allow_undocumented: bool = False) -> str | None:
    """HubSpot's wording of why a formula does not parse, or None; undocumented functions only when
    allowed."""
    try:
        parse(
            formula,
            DOCUMENTED_FUNCTIONS | UNDOCUMENTED_FUNCTIONS if allow_undocumented else DOCUMENTED_FUNCTIONS,
        )
    except FormulaSyntaxError as exc:
        return str(exc)
    return None
