"""The rule tree (generators.rules.tree) printed as one SQL query: every deal's segment, score, tier,
completeness, missing summary and field states, over a table of deals with one column per handoff field.

The input relation has these columns (what `handrail sql` documents for a warehouse table):
    id, name         the deal
    acv              number, blank counts as 0
    expansion        boolean, blank counts as new business
    cycle_days       number, blank counts as 0
    <field key>      one per handoff field: text as text (blank or NULL is empty), checkbox as boolean,
                     numbers as numbers, multi-select as 'a;b' text
    contact_roles    text 'a;b;c', one role per contact (blank items are contacts without a role); only
                     when a field is complete_when contacts (generators/rules/contacts.py)

Written in DuckDB's dialect with portable functions only (CASE, IN, LOWER, LENGTH, REPLACE, REGEXP_REPLACE,
integer arithmetic), so sqlglot can print it for other warehouses. Scores are computed in integers
(halves of a weight) and rounded half up exactly, as the engine does in decimal.
"""

from __future__ import annotations

from decimal import ROUND_CEILING, Decimal

from handrail.generators.rules import tree
from handrail.generators.rules.contacts import ContactCompletion
from handrail.specs.model import NUMBER_TYPES, Field, Model

# What Python's str.strip() removes (str.isspace), as literal characters, which every dialect's regular
# expressions read alike (RE2's \s, for one, leaves out vertical tab and the Unicode spaces).
SPACES = "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680" + "".join(map(chr, range(0x2000, 0x200B)))
SPACES += "\u2028\u2029\u202f\u205f\u3000"
SPACE_CLASS = "[" + SPACES + "]"


def literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


BLANKS = literal("[;" + SPACES + "]")  # what is left of a multi-select when no option is chosen
AROUND_SEPARATORS = literal(f"{SPACE_CLASS}*;{SPACE_CLASS}*")
AT_EDGES = literal(f"^{SPACE_CLASS}+|{SPACE_CLASS}+$")


def quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def column(f: Field) -> str:
    return quoted(f.key)


def _prepared(kind: str, f: Field) -> str:
    """A value computed once per deal in the query's first level (see `prepared`)."""
    return '"hr_' + kind + "_" + f.key.replace('"', '""') + '"'


def _trimmed(f: Field) -> str:
    """TRIM of spaces and tabs only, as Salesforce's TRIM and the engine do."""
    return _prepared("t", f)


def _lowered(f: Field) -> str:
    return _prepared("l", f)


def _options(f: Field) -> str:
    """A multi-select as ';a;b;', each option's surrounding white space removed."""
    return _prepared("o", f)


def _stripped(f: Field) -> str:
    """All surrounding white space removed, as a picklist value is compared."""
    return _prepared("s", f)


CONTACT_ROLES = '"hr_contact_roles"'  # ';a;b;': each role trimmed, contacts without a role left out
CONTACT_COUNT = '"hr_contact_count"'  # how many contacts have a role


def uses_contacts(model: Model) -> bool:
    """Whether a field is complete_when contacts: then the input has a `contact_roles` column."""
    return any(f.contacts for f in model.fields)


def _contact_columns() -> list[str]:
    text = "COALESCE(CAST(contact_roles AS VARCHAR), '')"
    trimmed = f"REGEXP_REPLACE(REGEXP_REPLACE({text}, {AROUND_SEPARATORS}, ';', 'g'), {AT_EDGES}, '', 'g')"
    roles = f"REGEXP_REPLACE(';' || {trimmed} || ';', ';;+', ';', 'g')"
    count = f"LENGTH({roles}) - LENGTH(REPLACE({roles}, ';', '')) - 1"
    return [f"{roles} AS {CONTACT_ROLES}", f"{count} AS {CONTACT_COUNT}"]


def prepared(model: Model) -> list[str]:
    """Each field's trimmed, lower-cased, stripped or option-list form, computed once per deal."""
    out = _contact_columns() if uses_contacts(model) else []
    for f in model.fields:
        if f.type in NUMBER_TYPES or f.type == "checkbox":
            continue
        text = f"CAST({column(f)} AS VARCHAR)"
        if f.type == "multi_select":
            options = f"REGEXP_REPLACE(';' || {text} || ';', {AROUND_SEPARATORS}, ';', 'g')"
            out.append(f"{options} AS {_options(f)}")
            continue
        # TRIM only a cell that starts or ends with a space or tab: the same value, at a fraction of the cost.
        # LIKE with one wildcard is a prefix or suffix test (half the cost of LEFT and RIGHT, which count
        # code points), in every dialect.
        edge = " OR ".join(f"{text} LIKE {literal(p)}" for p in (" %", "\t%", "% ", "%\t"))
        trimmed = f"CASE WHEN {edge} THEN TRIM({text}, ' \t') ELSE {text} END"
        out.append(f"{trimmed} AS {_trimmed(f)}")
        out.append(f"LOWER({trimmed}) AS {_lowered(f)}")
        if f.type == "picklist":
            out.append(f"REGEXP_REPLACE({text}, {AT_EDGES}, '', 'g') AS {_stripped(f)}")
    return out


def populated(f: Field) -> str:
    if f.type == "checkbox":
        return f"COALESCE({column(f)}, FALSE)"
    if f.type == "multi_select":
        return f"LENGTH(REGEXP_REPLACE(COALESCE({column(f)}, ''), {BLANKS}, '', 'g')) > 0"
    if f.type in NUMBER_TYPES:
        return f"{column(f)} IS NOT NULL"
    return f"LENGTH(COALESCE({_trimmed(f)}, '')) > 0"


def generic_test(test: tree.GenericTest) -> str:
    f = test.field
    if isinstance(test, tree.FillerPhrase):
        # Lower-casing never shortens a text, so a value longer than every phrase is none of them: only the
        # short ones are lower-cased (most handoff answers are longer; LOWER of each was a tenth of `score`).
        longest = max(len(p) for p in test.phrases)
        phrases = ", ".join(literal(p) for p in test.phrases)
        return f"LENGTH({_trimmed(f)}) <= {longest} AND LOWER({_trimmed(f)}) IN ({phrases})"
    if isinstance(test, tree.ContainsPhrase):
        return f"STRPOS({_lowered(f)}, {literal(test.phrase)}) > 0"
    if isinstance(test, tree.ShorterThan):
        return f"LENGTH({_trimmed(f)}) < {test.length}"
    if not isinstance(test, tree.OnlyGenericOptions):
        raise TypeError(f"no SQL printing for {type(test).__name__}")
    generic = sorted(f.generic_values)
    if f.type == "picklist":
        return f"{_stripped(f)} IN ({', '.join(literal(v) for v in generic)})"
    rest = _options(f)  # remove every generic option; twice, so adjacent repeats go too
    for v in generic:
        for _ in range(2):
            rest = f"REPLACE({rest}, {literal(';' + v + ';')}, ';;')"
    return f"LENGTH(REGEXP_REPLACE({rest}, {BLANKS}, '', 'g')) = 0"


def completion_halves(c: tree.Completion | ContactCompletion) -> str:
    """2 for a specific value, 1 for a generic one, 0 when empty (contact roles: enough, some, none)."""
    if isinstance(c, ContactCompletion):
        roles = " AND ".join(f"STRPOS({CONTACT_ROLES}, {literal(';' + r + ';')}) > 0" for r in c.rule.roles)
        enough = f"{CONTACT_COUNT} >= {c.rule.min}" + (f" AND {roles}" if roles else "")
        return f"(CASE WHEN {CONTACT_COUNT} = 0 THEN 0 WHEN {enough} THEN 2 ELSE 1 END)"
    if not isinstance(c, tree.Completion):
        raise TypeError(f"no SQL printing for {type(c).__name__}")
    generic = " OR ".join(f"({generic_test(t)})" for t in c.generic)
    middle = f" WHEN {generic} THEN 1" if generic else ""
    return f"(CASE WHEN NOT ({populated(c.field)}) THEN 0{middle} ELSE 2 END)"


def renewals(model: Model) -> bool:
    """Whether the spec names renewal deal-type values: then the input has a `renewal` column."""
    return bool(model.deal.renewal_values_salesforce or model.deal.renewal_values_hubspot)


def segment_test(test: tree.SegmentTest, with_renewals: bool = False) -> str:
    if isinstance(test, tree.DealTypeIs):
        expansion, renewal = "COALESCE(expansion, FALSE)", "COALESCE(renewal, FALSE)"
        if test.kind == "expansion":
            return expansion
        if test.kind == "renewal":
            return f"{renewal} AND NOT {expansion}"
        return f"NOT {expansion}" + (f" AND NOT {renewal}" if with_renewals else "")
    if isinstance(test, tree.PartnerSourced):
        ticked = f"COALESCE({column(test.field)}, FALSE)" if test.field else "FALSE"
        return ticked if test.expected else f"NOT {ticked}"
    if isinstance(test, tree.InPipeline):  # the SQL input has no pipeline column: the Python engine reads it
        raise ValueError("segments naming pipelines: are scored by the Python engine (--engine python)")
    if not isinstance(test, tree.InRange):
        raise TypeError(f"no SQL printing for {type(test).__name__}")
    value = f"COALESCE({'acv' if test.measure == 'acv' else 'cycle_days'}, 0)"
    r = test.range
    bounds = ((">=", r.gte), (">", r.gt), ("<", r.lt), ("<=", r.lte))
    return " AND ".join(f"{value} {op} {bound!r}" for op, bound in bounds if bound is not None) or "TRUE"


def _tenths(numerator: str, denominator: int) -> str:
    """n / d x 100 in tenths, rounded half up: floor((2000 n + d) / 2d), all integers >= 0."""
    return f"CAST(FLOOR(({numerator} * 2000 + {denominator}) / {2 * denominator}) AS BIGINT)"


def at_least(threshold: float) -> int:
    """The fewest tenths a score needs to reach `threshold`."""
    return int((Decimal(repr(float(threshold))) * 10).to_integral_value(rounding=ROUND_CEILING))


# Inside the query a deal's segment is its number (segment_no, the spec's order from 1): the score, the
# completeness and each field's state test it with integer comparisons, and the name is printed once.
def _numbers(model: Model) -> dict[str, int]:
    return {s.key: n for n, s in enumerate(model.segments, 1)}


def segment_in(model: Model, keys: list[str]) -> str:
    numbers = _numbers(model)
    return f"segment_no IN ({', '.join(str(numbers[k]) for k in keys)})" if keys else "FALSE"


def by_segment(model: Model, values: dict[str, str]) -> str:
    """WHEN branches giving each segment's value, the segments that share a value in one branch."""
    shared: dict[str, list[str]] = {}
    for key, value in values.items():
        shared.setdefault(value, []).append(key)
    return " ".join(f"WHEN {segment_in(model, keys)} THEN {value}" for value, keys in shared.items())


def _segment(rules: tree.Rules) -> str:
    numbers = _numbers(rules.model)
    cases = [
        f"WHEN {' AND '.join(f'({segment_test(t, renewals(rules.model))})' for t in m.tests) or 'TRUE'} "
        f"THEN {numbers[m.segment.key]}"
        for m in rules.matches
    ]
    return f"CASE {' '.join(cases)} END" if cases else "CAST(NULL AS INTEGER)"


def _segment_name(model: Model) -> str:
    names = " ".join(f"WHEN {n} THEN {literal(k)}" for k, n in _numbers(model).items())
    return f"CASE segment_no {names} END" if names else "CAST(NULL AS VARCHAR)"


def _figures(model: Model, rules: tree.Rules, halves: dict[str, str]) -> tuple[str, str]:
    """The score and completeness, in tenths, for each segment."""
    scores, complete = {}, {}
    for s in model.segments:
        sc = rules.scores[s.key]
        if sc.possible:
            earned = " + ".join(f"{w} * {halves[c.field.key]}" for w, c in sc.terms)
            scores[s.key] = _tenths(f"({earned})", 2 * sc.possible)
        required = rules.completeness[s.key].required
        if required:
            count = " + ".join(f"(CASE WHEN {halves[f.key]} > 0 THEN 1 ELSE 0 END)" for f in required)
            complete[s.key] = _tenths(f"({count})", len(required))
    score = f"(CASE {by_segment(model, scores)} END)" if scores else "CAST(NULL AS BIGINT)"
    completeness = f"(CASE {by_segment(model, complete)} ELSE 1000 END)" if complete else "1000"
    return score, completeness


def _required_counts(model: Model, rules: tree.Rules, halves: dict[str, str]) -> list[str]:
    """The deal's segment's required fields, and how many hold a value (0 and 0 without a segment)."""
    counts, filled = {}, {}
    for s in model.segments:
        required = rules.completeness[s.key].required
        if required:
            counts[s.key] = str(len(required))
            filled[s.key] = " + ".join(f"(CASE WHEN {halves[f.key]} > 0 THEN 1 ELSE 0 END)" for f in required)
    if not counts:
        return ["0 AS required", "0 AS required_filled"]
    return [
        f"(CASE {by_segment(model, counts)} ELSE 0 END) AS required",
        f"(CASE {by_segment(model, filled)} ELSE 0 END) AS required_filled",
    ]


def _per_field(model: Model, halves: dict[str, str]) -> tuple[list[str], list[str], list[str]]:
    """Each considered field's state column, summary item and missing-required label."""
    states, summary, missing = [], [], []
    for f in model.fields:
        considering = [s.key for s in model.segments if f.key in (*s.scored_fields, *s.required_fields)]
        if not considering:
            continue
        h = halves[f.key]
        state = f"CASE {h} WHEN 0 THEN 'missing' WHEN 1 THEN 'generic' ELSE 'complete' END"
        considered = segment_in(model, considering)
        states.append(f"CASE WHEN {considered} THEN {state} END AS " + quoted("state_" + f.key))
        summary.append(
            f"CASE WHEN {considered} AND {h} < 2 THEN {literal(f.label)} || "
            f"(CASE {h} WHEN 0 THEN ' (missing)' ELSE ' (generic)' END) END"
        )
        needing = [s.key for s in model.segments if f.key in s.required_fields]
        if needing:
            missing.append(f"CASE WHEN {segment_in(model, needing)} AND {h} = 0 THEN {literal(f.label)} END")
    return states, summary, missing


def _joined(items: list[str], separator: str) -> str:
    """The non-NULL items joined by `separator`: each gets the separator in front, and the first one is cut
    off (CONCAT_WS would do it, but BigQuery has none and Snowflake's returns NULL on any NULL)."""
    if not items:
        return "''"
    sep = literal(separator)
    chained = " || ".join(f"COALESCE({sep} || {item}, '')" for item in items)
    return f"SUBSTR({chained}, {len(separator) + 1})"


def score_query(
    model: Model,
    relation: str = "deals",
    separator: str = "; ",
    keep: tuple[str, ...] = (),
    texts: bool = True,
    detail: bool = False,
) -> str:
    """SELECT id, name, segment, score, tier, completeness, summary, missing_required, "state_<key>"...
    (and the `keep` columns of `relation`, passed through; without `texts`, no summary or missing_required:
    the totals need neither, and they are most of the work). With `detail`, also score_tenths, `required`
    and `required_filled` (the segment's required fields, and how many are filled), segment_no (the
    segment's place in the spec, from 1), and "filled_<key>" (whether each field holds a value) for every
    field: what gates and audits read. Three levels, so each
    value is computed once: per-field completion and the segment, then score and completeness in tenths,
    then the rest."""
    rules = tree.rules_for(model)
    halves = {f.key: f"h_{i}" for i, f in enumerate(model.fields)}
    judged = [f"{completion_halves(rules.completions[f.key])} AS {halves[f.key]}" for f in model.fields]
    judged.append(f"{_segment(rules)} AS segment_no")
    valued = {f.key: f"p_{i}" for i, f in enumerate(model.fields) if f.contacts and detail}
    judged += [f"({populated(model.field(k))}) AS {p}" for k, p in valued.items()]
    score, completeness = _figures(model, rules, halves)
    states, summary, missing = _per_field(model, halves)
    tiers = rules.tier.tiers
    tier = (
        f"CASE WHEN score_tenths IS NULL THEN NULL WHEN score_tenths >= {at_least(tiers.ready)} "
        f"THEN 'ready' WHEN score_tenths >= {at_least(tiers.gaps)} THEN 'gaps' ELSE 'blocked' END"
    )
    passed = ["id", "name", *keep]
    outer = [
        *passed,
        "segment",
        "score_tenths / 10.0 AS score",
        f"{tier} AS tier",
        "completeness_tenths / 10.0 AS completeness",
        *(
            [f"{_joined(summary, '; ')} AS summary", f"{_joined(missing, separator)} AS missing_required"]
            if texts
            else []
        ),
        *states,
    ]
    if detail:
        outer += ["segment_no", "score_tenths", "required", "required_filled"]
        outer += [f"{valued.get(key, f'{h} > 0')} AS {quoted('filled_' + key)}" for key, h in halves.items()]
    figured = [
        *passed,
        "segment_no",
        f"{_segment_name(model)} AS segment",
        *halves.values(),
        *valued.values(),
        f"{score} AS score_tenths",
        f"{completeness} AS completeness_tenths",
        *(_required_counts(model, rules, halves) if detail else []),
    ]
    return (
        f"SELECT {', '.join(outer)}\nFROM (SELECT {', '.join(figured)}\n"
        f"FROM (SELECT {', '.join(passed + judged)}\n"
        f"FROM (SELECT *, {', '.join(prepared(model))} FROM {relation}) AS prepared) AS judged)"
        " AS figured"
    )
