"""The subset of SOQL the fake org answers.

SELECT f1, Rel.f2, convertCurrency(f3), COUNT(f) [alias], ... | COUNT() FROM Object
  [WHERE cond (AND/OR/NOT, parentheses; = != <> < <= > >=, IN, NOT IN, LIKE; strings, numbers,
   true/false/null, date and datetime literals, LAST_N_DAYS:n, NEXT_N_DAYS:n, LAST_N_MONTHS:n, TODAY,
   YESTERDAY, THIS_MONTH, LAST_MONTH)]
  [GROUP BY f, ...] [ORDER BY f [ASC|DESC] [NULLS FIRST|LAST], ...] [LIMIT n] [OFFSET n]
Relationship fields resolve through the lookup id (Owner -> OwnerId, CS_Owner__r -> CS_Owner__c).
convertCurrency(field) is allowed in the SELECT list only (not in WHERE or ORDER BY, as Salesforce's SOQL
reference says); its value is the field's, converted by the org (salesforce_rest.py), under the field's name.
COUNT(f) with GROUP BY gives AggregateResult rows: each grouped field under its name and each count under
its alias, or expr0, expr1, ... unaliased; a selected field neither grouped nor aggregated is refused
("Field must be grouped or aggregated"), as the SOQL reference's GROUP BY section says.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any, Callable, Iterable

_TOKEN = re.compile(
    r"""\s*(?:
    (?P<string>'(?:[^'\\]|\\.)*') |
    (?P<datetime>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})) |
    (?P<date>\d{4}-\d{2}-\d{2}) |
    (?P<number>-?\d+(?:\.\d+)?) |
    (?P<op><=|>=|!=|<>|=|<|>) |
    (?P<punct>[(),]) |
    (?P<word>[A-Za-z_][\w.]*(?::\d+)?)
)""",
    re.VERBOSE,
)


class SoqlError(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


@dataclass
class Query:
    fields: list[str]
    sobject: str
    count_only: bool = False
    where: Callable[[dict], bool] | None = None
    order: list[tuple[str, bool, bool]] = field(default_factory=list)  # (field, descending, nulls_last)
    limit: int | None = None
    offset: int = 0
    converted: set[str] = field(default_factory=set)  # fields selected as convertCurrency(field)
    counts: list[tuple[str, str]] = field(default_factory=list)  # COUNT(field): (alias, field)
    group_by: list[str] = field(default_factory=list)
    filtered: set[str] = field(default_factory=set)  # fields the WHERE clause reads

    @property
    def aggregate(self) -> bool:
        return bool(self.counts or self.group_by)


def tokenize(text: str) -> list[tuple[str, str]]:
    tokens, position = [], 0
    text = text.strip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if not match or match.end() == position:
            raise SoqlError("MALFORMED_QUERY", f"unexpected token near '{text[position : position + 20]}'")
        kind = match.lastgroup
        tokens.append((kind, match.group(kind)))
        position = match.end()
    return tokens


class _Parser:
    def __init__(self, text: str, lookup: Callable[[dict, str], Any]):
        self.tokens = tokenize(text)
        self.index = 0
        self.lookup = lookup

    def peek(self, offset: int = 0) -> tuple[str, str] | None:
        i = self.index + offset
        return self.tokens[i] if i < len(self.tokens) else None

    def keyword(self, *words: str) -> bool:
        for offset, word in enumerate(words):
            token = self.peek(offset)
            if not token or token[0] != "word" or token[1].upper() != word:
                return False
        self.index += len(words)
        return True

    def expect(self, kind: str, value: str | None = None) -> str:
        token = self.peek()
        if not token or token[0] != kind or (value is not None and token[1].upper() != value):
            raise SoqlError(
                "MALFORMED_QUERY", f"expected {value or kind}, got {token[1] if token else 'end'}"
            )
        self.index += 1
        return token[1]

    def parse(self) -> Query:
        self.expect("word", "SELECT")
        fields, count_only, counts = [], False, []
        if self.peek(2) == ("punct", ")") and self.keyword("COUNT"):
            self.expect("punct", "(")
            self.expect("punct", ")")
            count_only = True
        converted: set[str] = set()
        if not count_only:
            self.select_into(fields, counts, converted)
            while self.peek() == ("punct", ","):
                self.index += 1
                self.select_into(fields, counts, converted)
        self.expect("word", "FROM")
        query = Query(fields, self.expect("word"), count_only, converted=converted, counts=counts)
        self.query = query
        if self.keyword("WHERE"):
            query.where = self.condition()
        if self.keyword("GROUP", "BY"):
            query.group_by.append(self.not_converted("GROUP BY"))
            while self.peek() == ("punct", ","):
                self.index += 1
                query.group_by.append(self.not_converted("GROUP BY"))
        if query.aggregate:
            loose = [f for f in fields if f.lower() not in {g.lower() for g in query.group_by}]
            if loose:
                raise SoqlError("MALFORMED_QUERY", f"Field must be grouped or aggregated: {loose[0]}")
        if self.keyword("ORDER", "BY"):
            while True:
                name = self.not_converted("ORDER BY")
                descending = self.keyword("DESC") or (self.keyword("ASC") and False)
                nulls_last = descending
                if self.keyword("NULLS", "FIRST"):
                    nulls_last = False
                elif self.keyword("NULLS", "LAST"):
                    nulls_last = True
                query.order.append((name, descending, nulls_last))
                if self.peek() != ("punct", ","):
                    break
                self.index += 1
        if self.keyword("LIMIT"):
            query.limit = int(self.expect("number"))
        if self.keyword("OFFSET"):
            query.offset = int(self.expect("number"))
        if self.peek():
            raise SoqlError("MALFORMED_QUERY", f"unexpected '{self.peek()[1]}'")
        return query

    def select_into(self, fields: list[str], counts: list[tuple[str, str]], converted: set[str]) -> None:
        """One SELECT item: a field, or COUNT(field) with an optional alias."""
        if self.peek(1) == ("punct", "(") and self.keyword("COUNT"):
            self.expect("punct", "(")
            name = self.expect("word")
            self.expect("punct", ")")
            token = self.peek()
            alias = f"expr{len(counts)}"
            if token and token[0] == "word" and token[1].upper() != "FROM":
                alias = self.expect("word")
            counts.append((alias, name))
            return
        fields.append(self.select_item(converted))

    def select_item(self, converted: set[str]) -> str:
        """A field of the SELECT list; convertCurrency(field) adds the field to `converted`."""
        if self.peek(1) == ("punct", "(") and self.keyword("CONVERTCURRENCY"):
            self.expect("punct", "(")
            name = self.expect("word")
            self.expect("punct", ")")
            converted.add(name)
            return name
        return self.expect("word")

    def condition(self) -> Callable[[dict], bool]:
        terms = [self.conjunction()]
        while self.keyword("OR"):
            terms.append(self.conjunction())
        return terms[0] if len(terms) == 1 else (lambda r: any(t(r) for t in terms))

    def conjunction(self) -> Callable[[dict], bool]:
        terms = [self.negation()]
        while self.keyword("AND"):
            terms.append(self.negation())
        return terms[0] if len(terms) == 1 else (lambda r: all(t(r) for t in terms))

    def negation(self) -> Callable[[dict], bool]:
        if self.keyword("NOT"):
            inner = self.negation()
            return lambda r: not inner(r)
        if self.peek() == ("punct", "("):
            self.index += 1
            inner = self.condition()
            self.expect("punct", ")")
            return inner
        return self.comparison()

    def not_converted(self, clause: str) -> str:
        """A field name where convertCurrency() is refused."""
        name = self.expect("word")
        if name.upper() == "CONVERTCURRENCY" and self.peek() == ("punct", "("):
            raise SoqlError("MALFORMED_QUERY", f"convertCurrency() cannot be used in {clause}")
        return name

    def comparison(self) -> Callable[[dict], bool]:
        name = self.not_converted("a WHERE clause")
        self.query.filtered.add(name)
        lookup = self.lookup
        if self.keyword("NOT", "IN") or self.keyword("IN"):
            negate = self.tokens[self.index - 2][1].upper() == "NOT"
            values = self.value_list()
            return lambda r: (_in(lookup(r, name), values)) != negate
        if self.keyword("LIKE"):
            pattern = _like(self.value())
            return lambda r: isinstance(lookup(r, name), str) and bool(pattern.fullmatch(lookup(r, name)))
        operator = self.expect("op")
        literal = self.value()
        return lambda r: _compare(lookup(r, name), operator, literal)

    def value_list(self) -> list[Any]:
        self.expect("punct", "(")
        values = [self.value()]
        while self.peek() == ("punct", ","):
            self.index += 1
            values.append(self.value())
        self.expect("punct", ")")
        return values

    def value(self) -> Any:
        kind, text = self.peek() or ("", "")
        self.index += 1
        if kind == "string":
            return text[1:-1].replace("\\'", "'").replace("\\\\", "\\")
        if kind == "number":
            return float(text)
        if kind == "date":
            return _Range(_day(date.fromisoformat(text)), _day(date.fromisoformat(text)) + timedelta(days=1))
        if kind == "datetime":
            moment = _parse_datetime(text)
            return _Range(moment, moment)
        if kind == "word":
            upper = text.upper()
            if upper in ("TRUE", "FALSE"):
                return upper == "TRUE"
            if upper == "NULL":
                return None
            return _date_function(upper)
        raise SoqlError("MALFORMED_QUERY", f"unexpected '{text}'")


@dataclass(frozen=True)
class _Range:
    """A date or datetime literal: [start, end) (a datetime's range is a single instant)."""

    start: datetime
    end: datetime


def _day(d: date) -> datetime:
    return datetime(d.year, d.month, d.day, tzinfo=timezone.utc)


def _date_function(name: str) -> _Range:
    today = _day(datetime.now(timezone.utc).date())
    function, _, number = name.partition(":")
    n = int(number or 0)
    if function == "TODAY":
        return _Range(today, today + timedelta(days=1))
    if function == "YESTERDAY":
        return _Range(today - timedelta(days=1), today)
    if function == "LAST_N_DAYS":
        return _Range(today - timedelta(days=n), today + timedelta(days=1))
    if function == "NEXT_N_DAYS":
        return _Range(today + timedelta(days=1), today + timedelta(days=n + 1))
    if function in ("THIS_MONTH", "LAST_MONTH", "LAST_N_MONTHS"):
        first = today.replace(day=1)
        months = {"THIS_MONTH": 0, "LAST_MONTH": 1}.get(function, n)
        start = first
        for _ in range(months):
            start = (start - timedelta(days=1)).replace(day=1)
        end = first if function != "THIS_MONTH" else (first + timedelta(days=32)).replace(day=1)
        return _Range(start, end)
    raise SoqlError("MALFORMED_QUERY", f"unknown literal {name}")


def _parse_datetime(text: str) -> datetime:
    text = text.replace("Z", "+00:00")
    if re.search(r"[+-]\d{4}$", text):
        text = text[:-2] + ":" + text[-2:]
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def as_datetime(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    if isinstance(value, date):
        return _day(value)
    if isinstance(value, str) and re.match(r"\d{4}-\d{2}-\d{2}", value):
        return _parse_datetime(value) if "T" in value else _day(date.fromisoformat(value[:10]))
    return None


def _compare(value: Any, operator: str, literal: Any) -> bool:
    if operator == "<>":
        operator = "!="
    if literal is None:
        return (value is None) == (operator == "=")
    if isinstance(literal, _Range):
        moment = as_datetime(value)
        if moment is None:
            return operator == "!="
        inside = (
            literal.start <= moment < literal.end if literal.end > literal.start else moment == literal.start
        )
        return {
            "=": inside,
            "!=": not inside,
            "<": moment < literal.start,
            ">=": moment >= literal.start,
            "<=": moment < literal.end or moment == literal.start,
            ">": moment >= literal.end if literal.end > literal.start else moment > literal.start,
        }[operator]
    if value is None:
        return operator == "!="
    if isinstance(literal, str) and isinstance(value, str):
        value, literal = value.lower(), literal.lower()
    elif isinstance(literal, float):
        try:
            value = float(value)
        except (TypeError, ValueError):
            return operator == "!="
    return {
        "=": value == literal,
        "!=": value != literal,
        "<": value < literal,
        "<=": value <= literal,
        ">": value > literal,
        ">=": value >= literal,
    }[operator]


def _in(value: Any, values: list[Any]) -> bool:
    return any(_compare(value, "=", v) for v in values)


def _like(pattern: str) -> re.Pattern:
    regex = "".join(".*" if c == "%" else "." if c == "_" else re.escape(c) for c in pattern)
    return re.compile(regex, re.IGNORECASE | re.DOTALL)


def parse(text: str, lookup: Callable[[dict, str], Any]) -> Query:
    return _Parser(text, lookup).parse()


def run(query: Query, records: Iterable[dict], lookup: Callable[[dict, str], Any]) -> list[dict]:
    rows = [r for r in records if query.where is None or query.where(r)]
    for name, descending, nulls_last in reversed(query.order):
        present = [r for r in rows if lookup(r, name) is not None]
        missing = [r for r in rows if lookup(r, name) is None]
        present.sort(key=lambda r: _sort_key(lookup(r, name)), reverse=descending)
        rows = present + missing if nulls_last else missing + present
    rows = rows[query.offset :]
    return rows[: query.limit] if query.limit is not None else rows


def aggregate(query: Query, rows: list[dict], lookup: Callable[[dict, str], Any]) -> list[dict]:
    """AggregateResult rows: one per group (one in all without GROUP BY), in first-seen order."""
    groups: dict[tuple, list[dict]] = {}
    for row in rows:
        groups.setdefault(tuple(lookup(row, g) for g in query.group_by), []).append(row)
    if not query.group_by:
        groups = {(): rows}
    out = []
    for key, members in groups.items():
        result = {g.rsplit(".", 1)[-1]: v for g, v in zip(query.group_by, key)}
        for alias, name in query.counts:
            result[alias] = sum(1 for r in members if lookup(r, name) is not None)
        out.append(result)
    return out


def _sort_key(value: Any) -> Any:
    moment = as_datetime(value)
    if moment is not None:
        return (1, moment.timestamp())
    if isinstance(value, (int, float)):
        return (1, value)
    return (2, str(value).lower())
