"""A small interpreter for the Salesforce flow subset Handrail emits, so tests can run generated flows.

It parses the flow XML (not Handrail's Python objects), evaluates formula expressions as Salesforce
does for the functions used (decimal arithmetic, ROUND half away from zero, TRIM of leading and
trailing spaces and tabs only, LEN in UTF-16 code units, text comparisons
case-sensitive), and follows the start connector through decisions, assignments and Get Records.

It is strict where our formulas must not depend on Salesforce's blank handling: arithmetic or ordering
on a blank number raises, so a formula that forgot a blank check fails the test instead of passing.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal, localcontext
from typing import Any

from lxml import etree

NS = "{http://soap.sforce.com/2006/04/metadata}"


class FormulaError(Exception):
    pass


# --- formulas: tokens and parsing -------------------------------------------------------------------

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<number>\d+(?:\.\d+)?)
  | (?P<string>"(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*')
  | (?P<merge>\{![^}]+\})
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<op><=|>=|<>|!=|==|&&|\|\||[=<>+\-*/^&(),])
""",
    re.VERBOSE,
)
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "'": "'", "\\": "\\"}
_BINARY = {
    "||": 1,
    "&&": 2,
    "=": 3,
    "==": 3,
    "<>": 3,
    "!=": 3,
    "<": 3,
    ">": 3,
    "<=": 3,
    ">=": 3,
    "+": 4,
    "-": 4,
    "&": 4,
    "*": 5,
    "/": 5,
    "^": 6,
}


def tokenize(text: str) -> list[tuple[str, str]]:
    out, pos = [], 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m:
            raise FormulaError(f"cannot read formula at {pos}: {text[pos : pos + 20]!r}")
        pos = m.end()
        if m.lastgroup != "space":
            out.append((m.lastgroup, m.group()))
    return out


class _Parser:
    def __init__(self, text: str):
        self.tokens, self.i = tokenize(text), 0

    def parse(self):
        node = self.expression(0)
        if self.i != len(self.tokens):
            raise FormulaError(f"unexpected {self.tokens[self.i][1]!r}")
        return node

    def peek(self):
        return self.tokens[self.i] if self.i < len(self.tokens) else (None, None)

    def take(self, value: str | None = None):
        token = self.peek()
        if token[0] is None or (value is not None and token[1] != value):
            raise FormulaError(f"expected {value!r}, found {token[1]!r}")
        self.i += 1
        return token

    def expression(self, min_power: int):
        left = self.unary()
        while True:
            kind, value = self.peek()
            power = _BINARY.get(value) if kind == "op" else None
            if power is None or power <= min_power:
                return left
            self.take()
            left = ("binary", value, left, self.expression(power))

    def unary(self):
        kind, value = self.peek()
        if kind == "op" and value in ("-", "+"):
            self.take()
            return ("negate" if value == "-" else "plus", self.unary())
        if kind == "op" and value == "(":
            self.take()
            node = self.expression(0)
            self.take(")")
            return node
        if kind == "number":
            self.take()
            return ("literal", Decimal(value))
        if kind == "string":
            self.take()
            return ("literal", re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), value[1:-1]))
        if kind == "merge":
            self.take()
            return ("merge", value[2:-1])
        if kind == "name":
            self.take()
            upper = value.upper()
            if upper in ("TRUE", "FALSE"):
                return ("literal", upper == "TRUE")
            if upper == "NULL":
                return ("literal", None)
            self.take("(")
            args = []
            if self.peek()[1] != ")":
                args.append(self.expression(0))
                while self.peek()[1] == ",":
                    self.take(",")
                    args.append(self.expression(0))
            self.take(")")
            return ("call", upper, args)
        raise FormulaError(f"unexpected {value!r}")


_PARSED: dict[str, Any] = {}


def parse(text: str):
    if text not in _PARSED:
        _PARSED[text] = _Parser(text).parse()
    return _PARSED[text]


# --- formulas: evaluation ----------------------------------------------------------------------------


def salesforce_trim(text: str) -> str:
    """TRIM "removes the spaces and tabs from the beginning and end of a text string" (Salesforce Help,
    Formula Operators and Functions): newlines and other control characters stay."""
    return text.strip(" \t")


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _blank(value) -> bool:
    return value is None or value == ""


def _number(value, what: str) -> Decimal:
    if value is None or isinstance(value, bool) or not isinstance(value, Decimal):
        raise FormulaError(f"{what}: expected a number, got {value!r}")
    return value


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


def round_half_up(value: Decimal, places: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


class Evaluator:
    """Evaluates expressions against a flow run's state; formulas are re-evaluated on every reference."""

    def __init__(self, run: "Run"):
        self.run = run

    def evaluate(self, text: str):
        with localcontext() as ctx:
            ctx.prec = 40
            return self.eval(parse(text))

    def eval(self, node):
        kind = node[0]
        if kind == "literal":
            return node[1]
        if kind == "merge":
            return self.run.resolve(node[1])
        if kind == "negate":
            return -_number(self.eval(node[1]), "-")
        if kind == "plus":
            return self.eval(node[1])
        if kind == "binary":
            return self.binary(node[1], node[2], node[3])
        return self.call(node[1], node[2])

    def binary(self, op, left_node, right_node):
        if op == "&&":
            return bool(self.eval(left_node)) and bool(self.eval(right_node))
        if op == "||":
            return bool(self.eval(left_node)) or bool(self.eval(right_node))
        left, right = self.eval(left_node), self.eval(right_node)
        if op == "&":
            return _text(left) + _text(right)
        if op in ("=", "==", "<>", "!="):
            equal = self.equal(left, right)
            return equal if op in ("=", "==") else not equal
        if op in ("<", ">", "<=", ">="):
            if left is None or right is None:
                raise FormulaError(f"ordering comparison with a blank value ({left!r} {op} {right!r})")
            return {"<": left < right, ">": left > right, "<=": left <= right, ">=": left >= right}[op]
        if isinstance(left, dt.datetime) and op in ("+", "-"):  # a date/time: days and fractions of one
            if isinstance(right, dt.datetime):
                return Decimal((left - right) // dt.timedelta(seconds=1)) / 86400
            if isinstance(right, dt.date):
                raise FormulaError(f"a date/time {op} a date")
            seconds = round(_number(right, op) * 86400)  # Date/Time values are precise to the second
            return left + dt.timedelta(seconds=int(seconds if op == "+" else -seconds))
        if isinstance(left, dt.date) and op in ("+", "-"):
            if isinstance(right, dt.datetime):
                raise FormulaError(f"a date {op} a date/time")
            if isinstance(right, dt.date):
                return Decimal((left - right).days)
            days = _number(right, op)
            if days != days.to_integral_value():
                raise FormulaError(f"a date {op} a fraction of a day ({days})")
            return left + dt.timedelta(days=int(days) if op == "+" else -int(days))
        a, b = _number(left, op), _number(right, op)
        if op == "+":
            return a + b
        if op == "-":
            return a - b
        if op == "*":
            return a * b
        if op == "/":
            return a / b
        return a**b

    @staticmethod
    def equal(left, right) -> bool:
        if isinstance(left, (str, type(None))) and isinstance(right, (str, type(None))):
            return (left or "") == (right or "")
        if left is None or right is None:
            raise FormulaError(f"comparing a blank value: {left!r} = {right!r}")
        return left == right

    def call(self, name, args):
        ev = self.eval
        if name == "IF":
            return ev(args[1]) if ev(args[0]) else ev(args[2])
        if name == "AND":
            return all(ev(a) for a in args)
        if name == "OR":
            return any(ev(a) for a in args)
        if name == "NOT":
            return not ev(args[0])
        if name == "CASE":
            subject = ev(args[0])
            for i in range(1, len(args) - 1, 2):
                if self.equal(subject, ev(args[i])):
                    return ev(args[i + 1])
            return ev(args[-1])
        values = [ev(a) for a in args]
        if name == "ISBLANK":
            return _blank(values[0])
        if name == "BLANKVALUE":
            return values[1] if _blank(values[0]) else values[0]
        if name == "LEN":
            return Decimal(utf16_len(_text(values[0])))
        if name == "TRIM":
            return salesforce_trim(_text(values[0]))
        if name == "LOWER":
            return _text(values[0]).lower()
        if name == "CONTAINS":
            return _text(values[1]) in _text(values[0])
        if name == "TEXT":
            return _text(values[0])
        if name == "ISPICKVAL":
            return _text(values[0]) == values[1]
        if name == "INCLUDES":
            if not values[1]:
                raise FormulaError("INCLUDES needs a non-empty text literal")
            return values[1] in _text(values[0]).split(";")
        if name == "MID":
            start, length = int(_number(values[1], "MID")), int(_number(values[2], "MID"))
            return _text(values[0])[start - 1 : start - 1 + length]
        if name == "ROUND":
            return round_half_up(_number(values[0], "ROUND"), int(_number(values[1], "ROUND")))
        if name == "CEILING":
            return _number(values[0], "CEILING").to_integral_value(rounding=ROUND_CEILING)
        if name == "FLOOR":
            return _number(values[0], "FLOOR").to_integral_value(rounding=ROUND_FLOOR)
        if name == "DATEVALUE":
            value = values[0]
            if value is None:
                raise FormulaError("DATEVALUE of a blank value")
            return value.astimezone(dt.timezone.utc).date() if isinstance(value, dt.datetime) else value
        if name == "TODAY":
            return self.run.today
        if name == "NOW":
            return self.run.now
        if name == "DATE":
            year, month, day = (int(_number(v, "DATE")) for v in values)
            return dt.date(year, month, day)
        if name == "DATETIMEVALUE":  # a date is its midnight GMT; text is "YYYY-MM-DD HH:MM:SS" in GMT
            value = values[0]
            if isinstance(value, dt.datetime):
                return value
            if isinstance(value, dt.date):
                return dt.datetime.combine(value, dt.time(0), tzinfo=dt.timezone.utc)
            if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", value):
                raise FormulaError(f"DATETIMEVALUE of {value!r}")
            return dt.datetime.fromisoformat(value).replace(tzinfo=dt.timezone.utc)
        if name == "MOD":
            number, divisor = _number(values[0], "MOD"), _number(values[1], "MOD")
            if number < 0 or divisor <= 0:
                raise FormulaError("MOD of a negative number is not in the supported subset")
            return number % divisor
        if name in ("MAX", "MIN"):
            numbers = [_number(v, name) for v in values]
            return max(numbers) if name == "MAX" else min(numbers)
        if name == "WEEKDAY":
            return Decimal(values[0].isoweekday() % 7 + 1)  # 1 = Sunday ... 7 = Saturday
        raise FormulaError(f"function {name} is not in the supported subset")


# --- flows ------------------------------------------------------------------------------------------


def _child(element, name: str):
    return element.find(NS + name)


def _children(element, name: str):
    return element.findall(NS + name)


def _text_of(element, name: str, default=None):
    found = element.find(NS + name)
    return found.text if found is not None and found.text is not None else default


@dataclass
class Flow:
    root: Any
    # name -> (type, expression, scale)
    formulas: dict[str, tuple[str, str, int | None]] = field(default_factory=dict)
    templates: dict[str, str] = field(default_factory=dict)
    nodes: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def parse(cls, data: bytes) -> "Flow":
        root = etree.fromstring(data)
        flow = cls(root)
        for f in _children(root, "formulas"):
            scale = _text_of(f, "scale")
            flow.formulas[_text_of(f, "name")] = (
                _text_of(f, "dataType"),
                _text_of(f, "expression"),
                int(scale) if scale is not None else None,
            )
        for t in _children(root, "textTemplates"):
            flow.templates[_text_of(t, "name")] = _text_of(t, "text", "")
        for group in (
            "decisions",
            "assignments",
            "recordLookups",
            "recordCreates",
            "recordUpdates",
            "actionCalls",
        ):
            for node in _children(root, group):
                flow.nodes[_text_of(node, "name")] = node
        return flow

    @property
    def start(self):
        return _child(self.root, "start")

    def start_target(self) -> str | None:
        return _connector(self.start)


def _connector(element, name: str = "connector") -> str | None:
    found = _child(element, name)
    return _text_of(found, "targetReference") if found is not None else None


@dataclass
class Run:
    """One flow interview: the triggering record (and the one before the save), variables, looked-up
    records."""

    flow: Flow
    record: dict[str, Any]
    prior: dict[str, Any] | None = None
    today: dt.date = dt.date(2026, 3, 4)
    now: dt.datetime = dt.datetime(2026, 3, 4, 15, 30, tzinfo=dt.timezone.utc)
    users: dict[str, str] = field(default_factory=dict)  # active users: username -> Id
    permissions: frozenset[str] = frozenset()  # the running user's custom permissions
    # OpportunityContactRole records in the org: {"Id", "OpportunityId", "Role"}
    contact_roles: list[dict] = field(default_factory=list)
    # other records Get Records can find (e.g. OpportunityTeamMember): sObject -> rows; creates add here
    records: dict[str, list[dict]] = field(default_factory=dict)
    variables: dict[str, Any] = field(default_factory=dict)
    visited: list[str] = field(default_factory=list)
    created: list[tuple[str, dict]] = field(default_factory=list)
    updated: list[dict] = field(default_factory=list)  # records a Record Update saved (record variables)
    fault_message: str | None = None  # the last failed element's message
    actions: list[tuple[str, dict]] = field(default_factory=list)

    def resolve(self, reference: str, record: dict | None = None):
        record = self.record if record is None else record
        if reference.startswith("$Record."):
            return self._path(record, reference[len("$Record.") :])
        if reference.startswith("$Record__Prior."):
            return self._path(self.prior or {}, reference[len("$Record__Prior.") :])
        if reference.startswith("$Permission."):  # the running user's custom permissions
            return reference.split(".", 1)[1] in self.permissions
        if reference == "$Flow.CurrentDateTime":
            return self.now
        if reference == "$Flow.CurrentDate":
            return self.today
        if reference == "$Flow.FaultMessage":
            return self.fault_message
        if reference in self.flow.formulas:
            return self.formula(reference, record)
        if reference in self.flow.templates:
            return re.sub(
                r"\{!([^}]+)\}",
                lambda m: _text(self.resolve(m.group(1), record)),
                self.flow.templates[reference],
            )
        head, _, rest = reference.partition(".")
        if head in self.variables:
            value = self.variables[head]
            return value if not rest else (value or {}).get(rest)
        if rest and self._is_lookup(head):  # a Get Records that has not run (or found nothing)
            return None
        raise FormulaError(f"unknown reference {reference}")

    def _is_lookup(self, name: str) -> bool:
        node = self.flow.nodes.get(name)
        return node is not None and node.tag == NS + "recordLookups"

    @staticmethod
    def _path(record: dict, path: str):
        value: Any = record
        for part in path.split("."):
            if value is None:
                return None
            value = value.get(part)
        return value

    def formula(self, name: str, record: dict | None = None):
        data_type, expression, scale = self.flow.formulas[name]
        saved = self.record
        if record is not None:
            self.record = record
        try:
            value = Evaluator(self).evaluate(expression)
        finally:
            self.record = saved
        if data_type in ("Number", "Currency") and value is not None and scale is not None:
            value = round_half_up(_number(value, name), scale or 0)
        if data_type == "Boolean":
            value = bool(value)
        return value

    def value(self, element, record: dict | None = None):
        if element is None:
            return None
        for kind in ("elementReference", "stringValue", "numberValue", "booleanValue"):
            found = _child(element, kind)
            if found is not None:
                text = found.text or ""
                if kind == "elementReference":
                    return self.resolve(text, record)
                if kind == "numberValue":
                    return Decimal(text)
                if kind == "booleanValue":
                    return text == "true"
                return text
        return None

    # Walking -----------------------------------------------------------------------------------------
    def go(self, target: str | None, limit: int = 10_000) -> "Run":
        while target:
            limit -= 1
            if limit == 0:
                raise FormulaError("the flow does not end")
            self.visited.append(target)
            node = self.flow.nodes[target]
            kind = node.tag[len(NS) :]
            target = getattr(self, "_" + kind)(node)
        return self

    def run(self) -> "Run":
        return self.go(self.flow.start_target())

    def scheduled_for(self) -> bool:
        """Whether a schedule-triggered flow runs for this record: its start filters joined by filterLogic,
        as the SOQL query that selects the batch compares them."""
        start = self.flow.start
        if _text_of(start, "triggerType") != "Scheduled" or _child(start, "schedule") is None:
            raise FormulaError("not a schedule-triggered flow")
        conditions = _children(start, "filters")
        logic = _text_of(start, "filterLogic", "and").lower()
        return self._logic(logic, [self._matches(self.record, c) for c in conditions])

    def triggers(self) -> bool:
        """Whether this save starts the record-triggered flow: its trigger type (a create has no prior),
        and its entry conditions joined by filterLogic; with doesRequireRecordChangedToMeetCriteria only
        a save that made them true (a create always does)."""
        start = self.flow.start
        kind = _text_of(start, "recordTriggerType")
        if kind not in ("Create", "Update", "CreateAndUpdate"):
            raise FormulaError(f"record trigger type {kind!r} is not in the supported subset")
        if (kind == "Create" and self.prior is not None) or (kind == "Update" and self.prior is None):
            return False
        conditions = _children(start, "filters")
        if not conditions:
            return True
        logic = _text_of(start, "filterLogic", "and").lower()

        def holds(record: dict) -> bool:
            return self._logic(logic, [self._matches(record, c) for c in conditions])

        if not holds(self.record):
            return False
        changed = _text_of(start, "doesRequireRecordChangedToMeetCriteria") == "true"
        return not (changed and self.prior is not None and holds(self.prior))

    def _decisions(self, node) -> str | None:
        for rule in _children(node, "rules"):
            if self._holds(rule, self.record) and not (
                _text_of(rule, "doesRequireRecordChangedToMeetCriteria") == "true"
                and self.prior is not None
                and self._holds(rule, self.prior)
            ):
                return _connector(rule)
        return _connector(node, "defaultConnector")

    def _holds(self, rule, record: dict) -> bool:
        results = [self._condition(c, record) for c in _children(rule, "conditions")]
        logic = _text_of(rule, "conditionLogic", "and").lower()
        if logic == "and":
            return all(results)
        if logic == "or":
            return any(results)
        expression = re.sub(r"\d+", lambda m: str(results[int(m.group()) - 1]), logic)
        if not re.fullmatch(r"[\sTrueFals()andornt]*", expression):
            raise FormulaError(f"unexpected condition logic {logic!r}")
        return eval(expression)  # noqa: S307 - only True/False/and/or/not/parentheses remain

    def _condition(self, condition, record: dict) -> bool:
        left = self.resolve(_text_of(condition, "leftValueReference"), record)
        operator = _text_of(condition, "operator")
        right = self.value(_child(condition, "rightValue"), record)
        if operator == "IsNull":
            return (left is None or left == "") == right
        if operator == "IsEmpty":
            return (not left) == right
        if operator == "EqualTo":
            return (left if left != "" else None) == (right if right != "" else None)
        if operator == "NotEqualTo":
            return (left if left != "" else None) != (right if right != "" else None)
        raise FormulaError(f"operator {operator} is not in the supported subset")

    def _assignments(self, node) -> str | None:
        for item in _children(node, "assignmentItems"):
            target = _text_of(item, "assignToReference")
            value = self.value(_child(item, "value"))
            if _text_of(item, "operator") == "AssignCount":  # the number of items in a collection
                self.variables[target] = Decimal(len(value or []))
            elif _text_of(item, "operator") == "Add":
                self.variables.setdefault(target, [])
                if value is not None:  # the collection gets the value; nothing for a blank
                    self.variables[target].append(value)
            elif target.startswith("$Record."):
                self.record[target[len("$Record.") :]] = value
            elif "." in target:  # a field of a record variable
                head, _, rest = target.partition(".")
                self.variables[head] = {**(self.variables.get(head) or {}), rest: value}
            else:
                self.variables[target] = value
        return _connector(node)

    def _recordLookups(self, node) -> str | None:
        filters = {_text_of(f, "field"): self.value(_child(f, "value")) for f in _children(node, "filters")}
        sobject = _text_of(node, "object")
        found = None
        if sobject == "User" and filters.get("IsActive") is True and filters.get("Username") in self.users:
            found = {"Id": self.users[filters["Username"]]}
        elif sobject == "CustomNotificationType":
            found = {"Id": "0ML000000000001"}
        elif sobject == "OpportunityContactRole":
            conditions = _children(node, "filters")
            matches = [r for r in self.contact_roles if all(self._matches(r, c) for c in conditions)]
            fields = [q.text for q in _children(node, "queriedFields")] or None
            matches = [{k: v for k, v in r.items() if fields is None or k in fields} for r in matches]
            first = _text_of(node, "getFirstRecordOnly") == "true"
            found = (matches[0] if matches else None) if first else matches
        elif sobject in self.records:  # e.g. OpportunityTeamMember, Opportunity: as SOQL would select them
            found = self._select(node, self.records[sobject])
        self.variables[_text_of(node, "name")] = found
        return _connector(node)

    def _select(self, node, rows: list[dict]):
        """The records a Get Records returns: filters joined by its filter logic, sorted as SOQL sorts
        (ascending puts blanks first, descending last), the first of them or all (a collection)."""
        if _child(node, "limit") is not None:
            raise FormulaError("a Get Records limit is not in the supported subset")
        conditions = _children(node, "filters")
        logic = _text_of(node, "filterLogic", "and").lower()
        matches = [r for r in rows if self._logic(logic, [self._matches(r, c) for c in conditions])]
        field_name, order = _text_of(node, "sortField"), _text_of(node, "sortOrder")
        if (field_name is None) != (order is None) or order not in (None, "Asc", "Desc"):
            raise FormulaError(f"sortField {field_name!r} with sortOrder {order!r}")
        if field_name:
            present = sorted(
                (r for r in matches if r.get(field_name) is not None), key=lambda r: r[field_name]
            )
            blank = [r for r in matches if r.get(field_name) is None]
            matches = blank + present if order == "Asc" else present[::-1] + blank
        if _text_of(node, "getFirstRecordOnly") == "true":
            return matches[0] if matches else None
        return matches or None  # no records: the collection is empty (null)

    @staticmethod
    def _logic(logic: str, results: list[bool]) -> bool:
        if logic == "and":
            return all(results)
        if logic == "or":
            return any(results)
        if re.search(r"\d", logic) is None or max(int(d) for d in re.findall(r"\d+", logic)) > len(results):
            raise FormulaError(f"filter logic {logic!r} names a filter that does not exist")
        expression = re.sub(r"\d+", lambda m: str(results[int(m.group()) - 1]), logic)
        if not re.fullmatch(r"[\sTrueFals()andornt]*", expression):
            raise FormulaError(f"unexpected filter logic {logic!r}")
        return eval(expression)  # noqa: S307 - only True/False/and/or/not/parentheses remain

    def _matches(self, record: dict, condition) -> bool:
        """A Get Records filter, as SOQL compares: text case-insensitively, blank as null."""
        value = record.get(_text_of(condition, "field"))
        wanted = self.value(_child(condition, "value"))
        operator = _text_of(condition, "operator")
        if operator == "IsNull":
            return (value is None or value == "") == wanted
        fold = lambda v: v.casefold() if isinstance(v, str) and v else v or None  # noqa: E731
        if operator == "EqualTo":
            return wanted is not None and fold(value) == fold(wanted)
        if operator == "NotEqualTo":  # SOQL's !=: a blank field differs from any value, and != null is "set"
            return fold(value) is not None if wanted is None else fold(value) != fold(wanted)
        raise FormulaError(f"filter operator {operator} is not in the supported subset")

    def _recordUpdates(self, node) -> str | None:
        reference = _text_of(node, "inputReference")
        if reference is None:
            return self._update_where(node)
        if reference == "$Record":  # "use the record that triggered the flow": its inputAssignments
            assigned = _children(node, "inputAssignments")
            values = {_text_of(a, "field"): self.value(_child(a, "value")) for a in assigned}
            if not values:
                raise FormulaError("an Update Records on $Record needs inputAssignments")
            self.record.update(values)
            self.updated.append({"Id": self.record.get("Id"), **values})
            return _connector(node)
        record = self.variables.get(reference)
        if not record or not record.get("Id"):  # no Id: Salesforce fails the update
            self.fault_message = "MISSING_ARGUMENT: Id not specified in an update call"
            return _connector(node, "faultConnector")
        self.updated.append(dict(record))
        return _connector(node)

    def _update_where(self, node) -> str | None:
        """Update Records "using specified conditions": every record of `object` the filters select (as
        Get Records selects them) gets the inputAssignments; none selected is no change, not a fault."""
        sobject, conditions = _text_of(node, "object"), _children(node, "filters")
        if sobject not in self.records or not conditions:
            raise FormulaError(f"Update Records on {sobject!r} needs its records in the run and filters")
        assigned = _children(node, "inputAssignments")
        values = {_text_of(a, "field"): self.value(_child(a, "value")) for a in assigned}
        if not values:
            raise FormulaError("an Update Records with conditions needs inputAssignments")
        logic = _text_of(node, "filterLogic", "and").lower()
        for row in self.records[sobject]:
            if self._logic(logic, [self._matches(row, c) for c in conditions]):
                row.update(values)
                self.updated.append({"Id": row.get("Id"), **values})
        return _connector(node)

    def _recordCreates(self, node) -> str | None:
        values = {
            _text_of(a, "field"): self.value(_child(a, "value")) for a in _children(node, "inputAssignments")
        }
        sobject = _text_of(node, "object")
        self.created.append((sobject, values))
        if sobject in self.records:
            self.records[sobject].append({"Id": f"NEW{len(self.created)}", **values})
        return _connector(node)

    def _actionCalls(self, node) -> str | None:
        inputs = {
            _text_of(p, "name"): self.value(_child(p, "value")) for p in _children(node, "inputParameters")
        }
        self.actions.append((_text_of(node, "actionName"), inputs))
        return _connector(node)
