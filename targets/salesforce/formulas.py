"""The rule tree (generators.rules.tree) printed as Salesforce flow formula expressions.

One rule each, so the formulas can be read beside the engine:

    completion  1 / 0.5 / 0, per field type:
                text       LEN(TRIM(v)) = 0 is empty; generic when LOWER(TRIM(v)) is a filler phrase,
                           CONTAINS a generic_if_contains phrase, or LEN(TRIM(v)) < min_length
                picklist   ISBLANK(TEXT(v)) is empty; generic when ISPICKVAL(v, <a generic option>)
                multi      ISBLANK(v) is empty; generic when no non-generic option is INCLUDES'd
                checkbox   ticked is complete; numbers, dates, users: ISBLANK(v) is empty
    score       ROUND(sum(weight * completion) * 100 / sum(weight), 1)   (ROUND is half-up, like the engine)
    complete    ROUND(populated required * 100 / required, 1); 100 with nothing required
    tier        Ready at >= tiers.ready, Gaps at >= tiers.gaps, else Blocked, from the rounded score
    segment     first segment whose rule holds; blank amount and cycle count as 0
    summary     "Label (missing); Label (generic)" over the segment's scored and required fields

Long text can only be measured inside a flow (formula fields cannot reference it), which is why these
live in the before-save flow. Each formula stays within Salesforce's 3,900 characters: long sums,
concatenations and OR lists are split into part formulas; what still cannot fit is a SpecError at the
spec node it came from.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Callable

from handrail.generators.rules import tree
from handrail.specs.diagnostics import Diagnostic, Span, error
from handrail.specs.model import TEXT_TYPES, Field, Model, Range, Segment
from handrail.specs.naming import camel
from handrail.targets.salesforce import flow_elements as fe
from handrail.targets.salesforce.flow_elements import FlowBuilder
from handrail.targets.salesforce.limits import FORMULA_MAX

SUMMARY_MAX = 131072  # the longest a long text area can hold
TERM_BUDGET = 1500  # filler phrases per CASE, so long lists split into terms that fit a formula
COMPLETE, GENERIC = "1", "0.5"

# Names of the shared formulas; per field and per segment names come from the functions below.
AMOUNT = "Deal_Amount"
CYCLE_DAYS = "Sales_Cycle_Days"
IS_EXPANSION = "Is_Expansion"
IS_RENEWAL = "Is_Renewal"


def text_literal(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def number_literal(value: float) -> str:
    """Plain decimal notation, never an exponent: 25000, 0.5, 1000000."""
    text = format(Decimal(repr(float(value))), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def merge(name: str) -> str:
    return "{!" + name + "}"


def record(api_name: str) -> str:
    return merge(f"$Record.{api_name}")


def completion_name(f: Field) -> str:
    return f"Completion_{camel(f.key)}"


def summary_item_name(f: Field) -> str:
    return f"Summary_Item_{camel(f.key)}"


def matches_name(s: Segment) -> str:
    return f"Matches_{camel(s.key)}"


def segment_formula_names(s: Segment) -> dict[str, str]:
    stem = camel(s.key)
    return {
        "score": f"Score_{stem}",
        "completeness": f"Completeness_{stem}",
        "tier": f"Tier_{stem}",
        "summary": f"Missing_Summary_{stem}",
    }


# --- per field ------------------------------------------------------------------------------------


def generic_terms(f: Field) -> list[str]:
    """The field's generic tests (rule tree) printed: any of them makes a populated value generic."""
    c = tree.completion(f)
    if not isinstance(c, tree.Completion):
        raise TypeError(f"no Salesforce printing for {type(c).__name__}")
    return [term for test in c.generic for term in _generic_test(test)]


def _generic_test(test: tree.GenericTest) -> list[str]:
    f = test.field
    value = record(f.salesforce_name)
    trimmed = f"TRIM({value})"
    if isinstance(test, tree.FillerPhrase):
        return [
            f"CASE(LOWER({trimmed}), {', '.join(group)}, 0) = 1"
            for group in _groups([f"{text_literal(p)}, 1" for p in test.phrases], TERM_BUDGET)
        ]
    if isinstance(test, tree.ContainsPhrase):
        return [f"CONTAINS(LOWER({trimmed}), {text_literal(test.phrase)})"]
    if isinstance(test, tree.ShorterThan):
        return [f"LEN({trimmed}) < {test.length}"]
    if not isinstance(test, tree.OnlyGenericOptions):
        raise TypeError(f"no Salesforce printing for {type(test).__name__}")
    if f.type == "picklist":  # only generic options: the value is one of them
        return [
            f"ISPICKVAL({value}, {text_literal(v)})" for v in sorted(f.generic_values, key=_option_order(f))
        ]
    specific = specific_option_terms(f)  # multi-select: no specific option is included
    return [f"NOT({join_or(specific)})"] if specific else ["TRUE"]


def specific_option_terms(f: Field) -> list[str]:
    """INCLUDES checks for a multi-select's non-generic options: selecting any of them is specific."""
    value = record(f.salesforce_name)
    return [f"INCLUDES({value}, {text_literal(o.value)})" for o in f.options if not o.generic]


def specific_option_name(f: Field) -> str:
    return f"Specific_Option_{camel(f.key)}"


def _groups(items: list[str], budget: int) -> list[list[str]]:
    groups: list[list[str]] = []
    for item in items:
        if groups and len(", ".join(groups[-1] + [item])) <= budget:
            groups[-1].append(item)
        else:
            groups.append([item])
    return groups


def _option_order(f: Field) -> Callable[[str], int]:
    index = {o.value: i for i, o in enumerate(f.options)}
    return lambda v: index[v]


def empty_condition(f: Field) -> str:
    """The rule tree's "not populated", in a flow formula."""
    value = record(f.salesforce_name)
    if f.type in TEXT_TYPES:
        return f"LEN(TRIM({value})) = 0"
    if f.type == "picklist":
        return f"ISBLANK(TEXT({value}))"
    if f.type == "checkbox":
        return f"NOT({value})"
    return f"ISBLANK({value})"


def completion_expression(empty: str, generic: str | None) -> str:
    if generic is None:
        return f"IF({empty}, 0, {COMPLETE})"
    return f"IF({empty}, 0, IF({generic}, {GENERIC}, {COMPLETE}))"


def summary_item_expression(f: Field) -> str:
    completion = merge(completion_name(f))
    missing, generic = text_literal(f"; {f.label} (missing)"), text_literal(f"; {f.label} (generic)")
    return f'IF({completion} = 0, {missing}, IF({completion} = {GENERIC}, {generic}, ""))'


# --- segments -------------------------------------------------------------------------------------


def range_terms(subject: str, r: Range) -> list[str]:
    return [
        f"{subject} {op} {number_literal(bound)}"
        for op, bound in ((">=", r.gte), (">", r.gt), ("<", r.lt), ("<=", r.lte))
        if bound is not None
    ]


def match_expression(model: Model, segment: Segment) -> str:
    """The segment's match rule (rule tree), printed over the shared flow formulas."""
    terms: list[str] = []
    for test in tree.rules_for(model).match(segment.key).tests:
        if isinstance(test, tree.DealTypeIs):
            terms += deal_type_terms(model, test.kind)
        elif isinstance(test, tree.PartnerSourced):
            # no partner field: never partner-sourced
            flag = record(test.field.salesforce_name) if test.field else "FALSE"
            terms.append(flag if test.expected else f"NOT({flag})")
        elif isinstance(test, tree.InRange):
            terms += range_terms(merge(AMOUNT if test.measure == "acv" else CYCLE_DAYS), test.range)
        elif isinstance(test, tree.InPipeline):
            terms.append(record_type_terms(model, test))
        else:
            raise TypeError(f"no Salesforce printing for {type(test).__name__}")
    if not terms:
        return "TRUE"
    return terms[0] if len(terms) == 1 else f"AND({', '.join(terms)})"


def record_type_terms(model: Model, test: tree.InPipeline) -> str:
    """The deal's record type is one of the pipelines' (a blank or unnamed one: the default pipeline)."""
    developer_name = record("RecordType.DeveloperName")
    if any(p.default for p in test.pipelines):
        others = [p.record_type for p in model.pipelines if p not in test.pipelines and p.record_type]
        checks = [f"{developer_name} = {text_literal(r)}" for r in others]
        return f"NOT({_or(checks)})" if checks else "TRUE"
    return _or([f"{developer_name} = {text_literal(p.record_type)}" for p in test.pipelines if p.record_type])


def _or(checks: list[str]) -> str:
    return "FALSE" if not checks else checks[0] if len(checks) == 1 else f"OR({', '.join(checks)})"


def amount_expression(model: Model) -> str:
    amount = record(model.deal.acv_salesforce)
    return f"IF(ISBLANK({amount}), 0, {amount})"


def cycle_days_expression() -> str:
    """CloseDate - DATEVALUE(CreatedDate). CreatedDate is blank while a new deal is being inserted
    (before-save), and the deal is being created today, so TODAY() stands in for it; a blank CloseDate
    counts as 0 days."""
    close, created = record("CloseDate"), record("CreatedDate")
    return f"IF(ISBLANK({close}), 0, {close} - IF(ISBLANK({created}), TODAY(), DATEVALUE({created})))"


def deal_type_terms(model: Model, kind: str) -> list[str]:
    """The deal's type over the shared Is_Expansion and Is_Renewal formulas (an expansion value wins)."""
    expansion, renewal = merge(IS_EXPANSION), merge(IS_RENEWAL)
    if kind == "expansion":
        return [expansion]
    if kind == "renewal":
        return [renewal]
    return [f"NOT({expansion})"] + ([f"NOT({renewal})"] if model.deal.renewal_values_salesforce else [])


def _one_of(model: Model, values: tuple[str, ...]) -> str:
    if not values:
        return "FALSE"
    checks = [f"ISPICKVAL({record(model.deal.deal_type_salesforce)}, {text_literal(v)})" for v in values]
    return checks[0] if len(checks) == 1 else f"OR({', '.join(checks)})"


def expansion_expression(model: Model) -> str:
    return _one_of(model, model.deal.expansion_values_salesforce)


def renewal_expression(model: Model) -> str:
    """A renewal value, and not an expansion value (a value in both lists is an expansion)."""
    renewal = _one_of(model, model.deal.renewal_values_salesforce)
    if renewal == "FALSE" or not model.deal.expansion_values_salesforce:
        return renewal
    return f"AND({renewal}, NOT({expansion_expression(model)}))"


def tier_expression(model: Model, score: str) -> str:
    tiers = tree.rules_for(model).tier.tiers
    ready, gaps = number_literal(tiers.ready), number_literal(tiers.gaps)
    return f'IF({score} >= {ready}, "Ready", IF({score} >= {gaps}, "Gaps", "Blocked"))'


# --- emitting with the length limit ------------------------------------------------------------------


class Formulas:
    """Adds formulas to a flow, splitting long ones into parts and collecting limit problems."""

    def __init__(self, flow: FlowBuilder, limit: int = FORMULA_MAX):
        self.flow, self.limit = flow, limit
        self.problems: list[Diagnostic] = []

    def add(
        self,
        name: str,
        data_type: str,
        expression: str,
        description: str,
        where: tuple[str, Span | None],
        scale: int | None = None,
    ) -> str:
        if len(expression) > self.limit:
            path, span = where
            self.problems.append(
                error(
                    "salesforce-limit",
                    f"the flow formula {name} is {len(expression)} characters; Salesforce allows "
                    f"{self.limit}",
                    path=path,
                    span=span,
                    hint="shorten the phrases or options this formula lists, or split the field",
                )
            )
        return self.flow.formula(fe.formula(name, data_type, expression, description, scale))

    def fit(
        self,
        name: str,
        data_type: str,
        terms: list[str],
        join: Callable[[list[str]], str],
        outer: Callable[[str], str],
        description: str,
        where: tuple[str, Span | None],
        part_type: str,
        scale: int | None = None,
        part_scale: int | None = None,
    ) -> str:
        """Formula `name` = outer(join(terms)); when that is too long, groups of terms become part formulas
        (named name_Part1, name_Part2...) that `name` joins instead."""
        counter = 0
        while len(outer(join(terms))) > self.limit and len(terms) > 1:
            refs = []
            for group in self._pack(terms, join):
                counter += 1
                refs.append(
                    merge(
                        self.add(
                            f"{name}_Part{counter}",
                            part_type,
                            join(group),
                            f"Part {counter} of {name}.",
                            where,
                            part_scale,
                        )
                    )
                )
            if len(refs) == len(terms):  # every term is too long on its own; nothing more to split
                break
            terms = refs
        return self.add(name, data_type, outer(join(terms)), description, where, scale)

    def _pack(self, terms: list[str], join: Callable[[list[str]], str]) -> list[list[str]]:
        groups: list[list[str]] = []
        for term in terms:
            if groups and len(join(groups[-1] + [term])) <= self.limit:
                groups[-1].append(term)
            else:
                groups.append([term])
        return groups


def join_sum(terms: list[str]) -> str:
    return " + ".join(terms)


def join_text(terms: list[str]) -> str:
    return " & ".join(terms)


def join_or(terms: list[str]) -> str:
    return terms[0] if len(terms) == 1 else f"OR({', '.join(terms)})"
