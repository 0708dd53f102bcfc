"""The audited table's per-deal flags, field states and SLA outcomes packed into a few integer columns,
and read back.

DuckDB writes a table column by column, and writing the audit's true/false facts, each considered
field's state and each SLA clock's outcome as a column of its own cost about as much as computing them.
Packed into BIGINT columns (62 bits each: a flag takes one, a state two, an outcome three), they are
written as one or two columns. The view over the table unpacks only what a query reads: a flag as a
boolean, a state or an outcome as its code (STATE, OUTCOME; NULL where the audit query's text was NULL).
"""

from __future__ import annotations

from dataclasses import dataclass

from handrail.generators.audit import clock_sources
from handrail.generators.audit.quality import considered_fields
from handrail.generators.audit.sla import OUTCOMES, clocks_for
from handrail.generators.rules.sql import literal, quoted
from handrail.specs.model import Model

BITS = 62  # per BIGINT, clear of its sign bit
STATE = {"missing": 1, "generic": 2, "complete": 3}
OUTCOME = {outcome: i + 1 for i, outcome in enumerate(OUTCOMES)}


@dataclass(frozen=True)
class Slot:
    name: str  # the audit query's column
    codes: dict[str, int] | None  # a text column's codes; None for a flag
    column: str  # the packed column holding it
    shift: int

    @property
    def mask(self) -> int:
        return 1 if self.codes is None else (1 << max(self.codes.values()).bit_length()) - 1

    def packing(self) -> str:
        """Its bits, placed: a term of the packed column's sum."""
        name = quoted(self.name)
        if self.codes is None:
            return f"CASE WHEN {name} THEN {1 << self.shift} ELSE 0 END"
        cases = " ".join(
            f"WHEN {literal(text)} THEN {code << self.shift}" for text, code in self.codes.items()
        )
        return f"CASE {name} {cases} ELSE 0 END"

    def unpacking(self) -> str:
        bits = f"(({self.column} >> {self.shift}) & {self.mask})"
        value = f"{bits} = 1" if self.codes is None else f"NULLIF({bits}, 0)"
        return f"{value} AS {quoted(self.name)}"


def slots(model: Model) -> list[Slot]:
    """Every flag, state and outcome column of generators.audit.sql.audit_query, each given its bits."""
    wanted: list[tuple[str, dict[str, int] | None]] = [
        *((f"fails_{g.key}", None) for g in model.gates),
        ("violated", None),
        ("flagged_monitor", None),
        ("flagged_bypassed", None),
        *((name, None) for name in clock_sources.names()),
        ("disagrees", None),
        *((f"state_{key}", STATE) for key in considered_fields(model)),
        *((f"sla_{c.key}", OUTCOME) for c in clocks_for(model)),
    ]
    out, column, used = [], 0, 0
    for name, codes in wanted:
        width = 1 if codes is None else max(codes.values()).bit_length()
        if used + width > BITS:
            column, used = column + 1, 0
        out.append(Slot(name, codes, f"hr_packed_{column}", used))
        used += width
    return out


def packed_columns(slots: list[Slot]) -> list[str]:
    """The SELECT list's packed columns, each the sum of its slots' bits."""
    columns: dict[str, list[str]] = {}
    for slot in slots:
        columns.setdefault(slot.column, []).append(slot.packing())
    return [f"CAST({' + '.join(terms)} AS BIGINT) AS {column}" for column, terms in columns.items()]
