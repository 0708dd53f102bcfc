"""Export cells read in SQL (DuckDB) exactly as the Python reader (generators.data.reader) reads them, or
flagged `unreadable` so that the file goes to the Python reader.

Staging has two levels. The first strips each column the reader uses once, as Python's str.strip() does
(every Unicode space, not only ASCII), leaving NULL for a blank cell; the second reads the stripped text:
numbers, checkboxes, ISO 8601 dates and date-times (in UTC) and epoch milliseconds. Text fields keep the
cell as it was, as the reader does. Anything the reader would read differently, or reject with its
located error, sets `unreadable`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from handrail.generators.data.numbers import GROUPED
from handrail.generators.data.reader import CHECKED, UNCHECKED, DealReader
from handrail.generators.rules.sql import AT_EDGES, literal, quoted, uses_contacts
from handrail.specs.model import NUMBER_TYPES, Model

# ISO 8601 forms both paths read alike (generators.data.dates reads more: those go to the Python reader).
# The year is 0001 to 9999, as Python's datetime has it.
ISO_MOMENT = (
    "'^(000[1-9]|00[1-9]\\d|0[1-9]\\d{2}|[1-9]\\d{3})-\\d{2}-\\d{2}"
    "([T ]\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,6})?)?(Z|[+-]\\d{2}(:?\\d{2})?)?)?$'"
)
FIRST, LAST = "TIMESTAMP '0001-01-01 00:00:00'", "TIMESTAMP '9999-12-31 23:59:59.999999'"
LAST_MILLISECOND = 253402300799999  # epoch milliseconds of LAST


def _printable(char: str) -> str:
    """The code point is printable ASCII: never white space, in any Unicode version."""
    return f"UNICODE({char}) BETWEEN 33 AND 126"


def _stripped(raw: str) -> str:
    return f"NULLIF(REGEXP_REPLACE({raw}, {AT_EDGES}, '', 'g'), '')"


def strip(raw: str) -> str:
    """str.strip(), or NULL for a blank cell. Most cells start and end with a printable ASCII character
    (UNICODE reads the first code point, [-1] picks the last), and skip the regex."""
    ends = f"{_printable(raw)} AND {_printable(f'{raw}[-1]')}"
    return f"CASE WHEN {ends} THEN {raw} ELSE {_stripped(raw)} END"


def filled(raw: str) -> str:
    """Whether str.strip() leaves anything: true at once when the first code point is printable ASCII."""
    return f"CASE WHEN {_printable(raw)} THEN TRUE ELSE {_stripped(raw)} IS NOT NULL END"


def number(text: str) -> str:
    """The number with `,`, `$` and `%` removed. DuckDB's cast refuses all three, so a cell it reads as
    it is holds none of them: only the others pay for the replacing."""
    bare = f"TRY_CAST(REPLACE(REPLACE(REPLACE({text}, ',', ''), '$', ''), '%', '') AS DOUBLE)"
    return f"COALESCE(TRY_CAST({text} AS DOUBLE), {bare})"


def unreadable_number(text: str) -> str:
    """Not a number as the reader parses one (generators.data.numbers: a comma only groups digits); NaN
    too: SQL orders it above every number, Python never."""
    bare = f"REPLACE(REPLACE({text}, '$', ''), '%', '')"
    # CASE, not AND: DuckDB computes both sides of an AND for every row; CASE runs the regex only on commas
    grouped = f"REGEXP_FULL_MATCH({bare}, {literal(GROUPED)})"
    comma = f"(CASE WHEN CONTAINS({text}, ',') THEN NOT {grouped} ELSE FALSE END)"
    return f"({text} IS NOT NULL AND (COALESCE(ISNAN({number(text)}), TRUE) OR {comma}))"


def moment(text: str) -> str:
    """A date-time in UTC as DateParser.datetime reads it: ISO 8601 (an offset converted, none meaning
    UTC: the session's zone, generators.data.duck.connect) or epoch milliseconds."""
    # Past the date, a sign only starts an offset; without one, the plain cast reads the same instant.
    offset = f"CONTAINS({text}, '+') OR CONTAINS(SUBSTR({text}, 11), '-')"
    shifted = f"CAST(TRY_CAST({text} AS TIMESTAMPTZ) AS TIMESTAMP)"  # may leave the years 1 to 9999
    milliseconds = f"CAST({text} AS BIGINT)"
    return (
        f"CASE WHEN REGEXP_MATCHES({text}, {ISO_MOMENT}) "
        f"THEN (CASE WHEN {offset} THEN (CASE WHEN {shifted} BETWEEN {FIRST} AND {LAST} THEN {shifted} END) "
        f"ELSE TRY_CAST({text} AS TIMESTAMP) END) "
        f"WHEN REGEXP_MATCHES({text}, '^[0-9]{{11,15}}$') "
        f"THEN (CASE WHEN {milliseconds} <= {LAST_MILLISECOND} "
        f"THEN MAKE_TIMESTAMP({milliseconds} * 1000) END) END"
    )


def day(text: str) -> str:
    """A date as DateParser.date reads it: an ISO date, or the UTC day of a date-time."""
    return f"CAST({moment(text)} AS DATE)"


def _words(values: set[str]) -> str:
    return ", ".join(literal(v) for v in sorted(values))


@dataclass
class Staging:
    """The two levels' SELECT lists, and the checks that send a file back to the Python reader."""

    stripped: dict[str, str] = field(default_factory=dict)  # column -> its stripped name
    nonblank: dict[str, str] = field(default_factory=dict)  # column -> its "holds a value" name
    columns: list[str] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)

    def text(self, column: str) -> str:
        """The stripped form of a raw column (NULL when blank), computed once in the first level."""
        if column not in self.stripped:
            self.stripped[column] = quoted(f"hr_stripped_{len(self.stripped)}")
        return self.stripped[column]

    def filled(self, column: str) -> str:
        """Whether a raw column holds more than white space; cheaper than its stripped form."""
        if column in self.stripped:
            return f"({self.stripped[column]} IS NOT NULL)"
        if column not in self.nonblank:
            self.nonblank[column] = quoted(f"hr_filled_{len(self.nonblank)}")
        return self.nonblank[column]

    def kept(self, column: str) -> str:
        """The cell as it is, NULL when blank: how the reader keeps text."""
        return f"CASE WHEN {self.filled(column)} THEN {quoted(column)} END"

    def first_level(self) -> list[str]:
        return [f"{strip(quoted(c))} AS {name}" for c, name in self.stripped.items()] + [
            f"{filled(quoted(c))} AS {name}" for c, name in self.nonblank.items()
        ]


def staging(model: Model, reader: DealReader, process: bool = False) -> Staging:
    """The columns generators.rules.sql reads (and with `process`, generators.audit.sql too)."""
    cols, out = reader.cols, Staging()
    columns, bad = out.columns, out.unreadable
    ident = cols["id"]
    columns.append(f"{quoted(ident)} AS id")
    bad.append(f"NOT {out.filled(ident)}")
    columns.append(f"COALESCE({quoted(cols['name'])}, '') AS name" if cols["name"] else "'' AS name")
    _parsed(out, "acv", cols["amount"], number, "DOUBLE", unreadable_number)
    kind = out.text(cols["type"]) if cols["type"] else None
    expansion = f"LOWER({kind}) IN ({_words(reader.expansion)})" if kind else "FALSE"
    columns.append(f"COALESCE({expansion}, FALSE) AS expansion")
    renewal = f"LOWER({kind}) IN ({_words(reader.renewal)})" if kind and reader.renewal else "FALSE"
    columns.append(f"COALESCE({renewal}, FALSE) AS renewal")
    days = "CAST(NULL AS DOUBLE)"
    if cols["created_date"] and cols["close_date"]:
        created, close = out.text(cols["created_date"]), out.text(cols["close_date"])
        both = f"{created} IS NOT NULL AND {close} IS NOT NULL"
        days = f"CASE WHEN {both} THEN CAST({day(close)} - {day(created)} AS DOUBLE) END"
        bad.append(f"({both} AND ({days}) IS NULL)")
    if cols["sales_cycle_days"]:
        cycle = out.text(cols["sales_cycle_days"])
        bad.append(unreadable_number(cycle))
        days = f"COALESCE({number(cycle)}, {days})"
    columns.append(f"{days} AS cycle_days")
    for key, col in reader.field_columns.items():
        f = model.field(key)
        if f.type == "checkbox":
            text = out.text(col)
            lowered = f"LOWER({text})"
            columns.append(
                f"CASE WHEN {lowered} IN ({_words(CHECKED)}) THEN TRUE "
                f"WHEN {lowered} IN ({_words(UNCHECKED)}) THEN FALSE END AS {quoted(key)}"
            )
            bad.append(f"({text} IS NOT NULL AND {lowered} NOT IN ({_words(CHECKED | UNCHECKED)}))")
        elif f.type in NUMBER_TYPES:
            text = out.text(col)
            columns.append(f"{number(text)} AS {quoted(key)}")
            bad.append(unreadable_number(text))
        else:  # the cell as it is, as the reader keeps it
            columns.append(f"{out.kept(col)} AS {quoted(key)}")
    for f in model.fields:  # fields the file has no column for are empty
        if f.key not in reader.field_columns:
            kind = "BOOLEAN" if f.type == "checkbox" else "DOUBLE" if f.type in NUMBER_TYPES else "VARCHAR"
            columns.append(f"CAST(NULL AS {kind}) AS {quoted(f.key)}")
    if uses_contacts(model):  # the cell as it is; the SQL trims each role as the reader does
        roles = cols["contact_roles"]
        text = out.kept(roles) if roles else "NULL"
        columns.append(f"CAST({text} AS VARCHAR) AS contact_roles")
    if process:
        _process(out, reader)
    return out


def _parsed(out: Staging, name: str, col: str | None, parse, kind: str, unreadable=None) -> None:
    """`name` parsed from `col` (NULL without one); a cell it cannot parse is unreadable."""
    if not col:
        out.columns.append(f"CAST(NULL AS {kind}) AS {name}")
        return
    text = out.text(col)
    out.columns.append(f"{parse(text)} AS {name}")
    out.unreadable.append(
        unreadable(text) if unreadable else f"({text} IS NOT NULL AND ({parse(text)}) IS NULL)"
    )


def _ascii(out: Staging, col: str | None) -> None:
    """Python and SQL lower-case letters beyond ASCII differently: such a cell goes to the reader."""
    if col:
        text = out.text(col)  # ASCII: as many bytes as code points
        out.unreadable.append(f"COALESCE(STRLEN({text}) <> LENGTH({text}), FALSE)")


def _process(out: Staging, reader: DealReader) -> None:
    """What the audit reads beside the scoring columns, as the reader's process fields
    (DealReader with process_fields=True)."""
    cols, computed = reader.cols, reader.computed_columns
    _parsed(out, "stage", cols["stage"], lambda t: t, "VARCHAR")
    _ascii(out, cols["stage"])
    out.columns.append(f"COALESCE({quoted(cols['owner'])}, '') AS owner" if cols["owner"] else "'' AS owner")
    _parsed(out, "close_date", cols["close_date"], day, "DATE")
    for key in (
        "closed_won_at",
        "internal_handoff_at",
        "first_touch_at",
        "kickoff_at",
        "implementation_contact_at",
    ):
        _parsed(out, key, computed.get(key), moment, "TIMESTAMP")

    def rating(text: str) -> str:  # a whole number from 1 to 5, or the reader says what is wrong
        return f"CASE WHEN {number(text)} IN (1, 2, 3, 4, 5) THEN CAST({number(text)} AS BIGINT) END"

    _parsed(out, "csm_rating", computed.get("csm_rating"), rating, "BIGINT")
    _parsed(out, "intake_status", computed.get("intake_status"), lambda t: t, "VARCHAR")
    _ascii(out, computed.get("intake_status"))
    _parsed(out, "gate_flags", computed.get("gate_flags"), lambda t: t, "VARCHAR")
    _parsed(out, "clocks_stamped", computed.get("clocks_stamped"), lambda t: t, "VARCHAR")
    _parsed(out, "stored_score", computed.get("score"), number, "DOUBLE", unreadable_number)
