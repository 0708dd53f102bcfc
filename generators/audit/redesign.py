"""Junk fields and how to redesign them: the monthly review's answer to "this field is always filled with
junk".

A field is junk in the period when its filled values are generic at least `generic_flag`% of the time
("generic"), when the quality alarm flags it (specific in under the fill floor two months running:
"low_fill"), or when it is filled in under RARELY_FILLED% of the deals that consider it ("rarely_filled").
The suggestion depends on the field's type and on what reps actually typed: free text whose specific answers
are a few common values becomes a picklist of them; other junk text gets a minimum length; a rarely filled
field no segment requires is removed; a picklist loses the generic options reps hide behind.

Text values are counted trimmed and lower-cased (as the generic tests compare them), per text field, up to
DISTINCT_CAP different values: past that the answers are too varied for a picklist and the field's counter
is dropped, so memory stays constant and both audit engines (Python and SQL) get the same counts. Per AE,
the generic share of the values they filled shows who fills fields with junk, and in which field.
"""

from __future__ import annotations

from collections import Counter
from fractions import Fraction

from handrail.generators.audit.sla import percent
from handrail.generators.rules.scoring import GENERIC, MISSING, Deal, HandoffScore
from handrail.generators.rules.tree import completion, trim
from handrail.specs.model import CHOICE_TYPES, TEXT_TYPES, Field, Model

DISTINCT_CAP = 50
TOP = 5  # common values shown (and offered as a picklist)
RARELY_FILLED = 50.0  # % of deals
PICKLIST_SHARE = 60.0  # the TOP specific answers cover this share of all specific answers
MIN_ANSWERS = 10  # specific answers needed before a picklist of them is offered
SUGGESTED_MIN_LENGTH = 30


def counted_fields(model: Model) -> list[Field]:
    """Text fields whose typed values are counted (a contact-based field has no typed value)."""
    return [f for f in model.fields if f.type in TEXT_TYPES and not f.contacts]


class ValueCounts:
    def __init__(self, model: Model) -> None:
        self.counts: dict[str, Counter | None] = {f.key: Counter() for f in counted_fields(model)}

    def add(self, key: str, lowered: str, n: int = 1) -> None:
        counts = self.counts.get(key)
        if counts is None:
            return
        counts[lowered] += n
        if len(counts) > DISTINCT_CAP:
            self.counts[key] = None

    def add_result(self, deal: Deal, result: HandoffScore) -> None:
        for r in result.fields:
            if r.state != MISSING and r.key in self.counts:
                self.add(r.key, trim(str(deal.values[r.key])).lower())


def _plural(n: int, one: str, many: str) -> str:
    return one if n == 1 else many


def _listed(values: list[dict]) -> str:
    return ", ".join(f"'{v['value']}' ({v['deals']:,})" for v in values)


def junk_fields(model: Model, rows: list[dict], alert: dict, values: ValueCounts) -> list[dict]:
    """One entry per junk field, in spec order: why it is junk, the common answers, and a redesign."""
    alarmed = {f["field"] for f in alert["by_field"]}
    required = {k for s in model.segments for k in s.required_fields}
    out = []
    for row in rows:
        f = model.field(row["field"])
        why = [
            name
            for name, holds in (
                ("generic", row["flagged"]),
                ("low_fill", f.key in alarmed),
                ("rarely_filled", (row["completion_rate"] or 0) < RARELY_FILLED),
            )
            if holds
        ]
        if not why:
            continue
        counts = values.counts.get(f.key)
        specific, generic = _split(f, counts)
        kind, text = _suggest(f, row, why, f.key in required, specific, generic)
        out.append(
            {
                "field": f.key,
                "label": f.label,
                "type": f.type,
                "why": why,
                "completion_rate": row["completion_rate"],
                "generic_rate": row["generic_rate"],
                "distinct_values": None if counts is None else len(counts),
                "common_specific": specific[:TOP],
                "common_generic": generic[:TOP],
                "suggestion": kind,
                "redesign": text,
            }
        )
    return out


def _split(f: Field, counts: Counter | None) -> tuple[list[dict], list[dict]]:
    """The counted values, most common first, split into specific and generic ones."""
    if not counts:
        return [], []
    test = completion(f)
    specific, generic = [], []
    for value, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        (generic if test.reason(value) else specific).append({"value": value, "deals": n})
    return specific, generic


def _suggest(
    f: Field, row: dict, why: list[str], required: bool, specific: list[dict], generic: list[dict]
) -> tuple[str, str]:
    if "rarely_filled" in why and not required:
        return "remove", (
            f"Filled in only {row['completion_rate']:g}% of deals and no segment requires it: remove it, or "
            "require it at the stage where the rep knows the answer."
        )
    empty = row["deals"] - row["filled"]
    if empty > row["generic"]:  # more deals leave it empty than fill it with junk
        share = f"Left empty in {percent(empty, row['deals']):g}% of deals"
        if required:
            return "require", (
                f"{share} although a segment requires it: enforce it with a gate at the stage where the "
                "rep knows the answer."
            )
        return "require", (
            f"{share} and no segment requires it: require it at the stage where the rep knows the answer, "
            "or remove it."
        )
    if f.type in CHOICE_TYPES and f.generic_values:
        labels = [o.label for o in f.options if o.generic]
        names = ", ".join(f"'{n}'" for n in labels)
        share = f" (chosen in {row['generic_rate']:g}% of filled deals)" if row["generic_rate"] else ""
        return "drop_generic_options", (
            f"Reps pick the generic {_plural(len(labels), 'option', 'options')} {names}{share}: remove "
            f"{_plural(len(labels), 'it', 'them')} or split {_plural(len(labels), 'it', 'them')} into "
            "specific choices."
        )
    if f.type not in TEXT_TYPES:
        return "require", "Require it at the stage where the rep knows the answer, or remove it."
    top = [v for v in specific[:TOP] if v["deals"] >= 2]  # an answer given once is no picklist value
    answered = sum(v["deals"] for v in specific)
    covered = sum(v["deals"] for v in top)
    repeated = [v for v in generic[:3] if v["deals"] >= 2]
    junk = f" Most common junk: {_listed(repeated)}." if repeated else ""
    if len(top) >= 2 and answered >= MIN_ANSWERS and covered * 100 >= PICKLIST_SHARE * answered:
        return "picklist", (
            f"Replace the free text with a picklist of the answers reps give: {_listed(top)} "
            f"({covered * 100 / answered:.0f}% of the specific answers), plus a generic option for the rest."
            + junk
        )
    if f.quality.min_length < SUGGESTED_MIN_LENGTH:
        today = f"today {f.quality.min_length}" if f.quality.min_length else "today none"
        return "min_length", (
            f"Require at least {SUGGESTED_MIN_LENGTH} characters ({today}) and rewrite the help text as a "
            "question with an example answer." + junk
        )
    return "narrow_question", (
        "Block the filler answers in a validation rule and split the field into narrower questions." + junk
    )


class OwnerJunk:
    """Per AE (deal owner) and field: values filled, and of those generic, in the closed-won deals."""

    def __init__(self) -> None:
        self.filled: Counter = Counter()  # (owner, field) -> deals that fill it
        self.generic: Counter = Counter()  # (owner, field) -> of those, with a generic value

    def add(self, owner: str, result: HandoffScore) -> None:
        for r in result.fields:
            if r.state != MISSING:
                self.filled[owner, r.key] += 1
                self.generic[owner, r.key] += r.state == GENERIC

    def add_counts(self, owner: str, key: str, filled: int, generic: int) -> None:
        if filled:
            self.filled[owner, key] += filled
            self.generic[owner, key] += generic

    def rows(self, model: Model) -> list[dict]:
        """Each AE's generic share of the values they filled, and the field they most often fill with junk
        (highest generic share, then most generic values, then spec order); the junkiest AE first."""
        order = {f.key: i for i, f in enumerate(model.fields)}
        rows = []
        for owner in sorted({owner for owner, _ in self.filled}):
            keys = [k for (o, k) in self.filled if o == owner]
            filled = sum(self.filled[owner, k] for k in keys)
            generic = sum(self.generic[owner, k] for k in keys)
            junky = [k for k in keys if self.generic[owner, k]]
            worst = min(
                junky,
                key=lambda k: (
                    -Fraction(self.generic[owner, k], self.filled[owner, k]),
                    -self.generic[owner, k],
                    order[k],
                ),
                default=None,
            )
            rows.append(
                {
                    "owner": owner,
                    "filled": filled,
                    "generic": generic,
                    "generic_rate": percent(generic, filled),
                    "worst_field": None
                    if worst is None
                    else {
                        "field": worst,
                        "label": model.field(worst).label,
                        "generic": self.generic[owner, worst],
                        "generic_rate": percent(self.generic[owner, worst], self.filled[owner, worst]),
                    },
                }
            )
        return sorted(rows, key=lambda r: (-(r["generic_rate"] or 0), r["owner"]))
