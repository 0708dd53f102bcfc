"""The rule tree (generators.rules.tree) printed as HubSpot calculation formulas.

HubSpot's formula language (calculated properties) has if/elseif/else/endif, and/or/not, comparisons,
arithmetic, is_present, contains, concatenate, string() and bool(); it documents no string length, case
folding, trimming or rounding. Expressible rules compile exactly; targets.hubspot.limits lists the rest.

Two rules from HubSpot's guide shape every formula (shared/research/hubspot.md §3.4):
  - a conditional is `if b then s [elseif b then s]* [else s | endif]`: it ends with `else s` OR with
    `endif`, never both (a portal answers `else s endif` with 400 "not a token");
  - every reference to a property that may be empty sits inside a nested `if is_present(x) then ...`,
    because an empty input blanks the whole result and `and`/`or` are not documented to short-circuit.
"""

from __future__ import annotations

from decimal import ROUND_CEILING, Decimal
from typing import Iterable

from handrail.generators.rules import tree
from handrail.generators.rules.contacts import ContactCompletion
from handrail.specs.model import NUMBER_TYPES, TEXT_TYPES, Field, Model, Range, Segment
from handrail.targets.hubspot.spellings import SEP, blank_spellings, case_spellings, filler_spellings
from handrail.targets.hubspot.vocabulary import CLOSE_DATE_PROPERTY, CREATED_PROPERTY, MS_PER_DAY

TRUE = "true"


class FormulaError(ValueError):
    """A value cannot be written as a HubSpot string literal."""


def literal(text: str) -> str:
    """A string literal; HubSpot has no escape sequences, so the quote character must not occur inside."""
    if "'" not in text:
        return f"'{text}'"
    if '"' not in text:
        return f'"{text}"'
    raise FormulaError(f"{text!r} contains both quote characters, which a HubSpot formula cannot express")


def text_literal(text: str) -> str:
    """A literal for display text: with both quote characters, double quotes become single ones."""
    return literal(text if expressible(text) else text.replace('"', "'"))


def expressible(text: str) -> bool:
    return not ("'" in text and '"' in text)


def number(x: float | int | Decimal) -> str:
    d = x if isinstance(x, Decimal) else Decimal(repr(x)) if isinstance(x, float) else Decimal(x)
    return format(d.normalize(), "f")


def any_of(parts: Iterable[str]) -> str:
    parts = [p for p in parts if p]
    if not parts:
        return "false"
    return parts[0] if len(parts) == 1 else "(" + " or ".join(parts) + ")"


def all_of(parts: Iterable[str | None]) -> str | None:
    """None stands for 'always true' and is dropped."""
    parts = [p for p in parts if p and p != TRUE]
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else "(" + " and ".join(parts) + ")"


def negate(expr: str) -> str:
    """Builders only produce atoms, parenthesised groups and negations of those, so this stays exact."""
    if expr.startswith("not "):
        return expr[4:]
    return f"not ({expr})" if " " in expr and not expr.startswith("(") else f"not {expr}"


def guarded(present: str, then: str, otherwise: str) -> str:
    """`then` evaluated only when `present` holds: a nested conditional, not `present and then`."""
    return f"(if {present} then {then} else {otherwise})"


def ladder(
    branches: list[tuple[str | None, str]], otherwise: str | None = None, *, merge: bool = False
) -> str:
    """if c1 then v1 elseif c2 then v2 ... (else v | endif); a None condition is 'always' and ends the chain.

    `merge` folds trailing branches that give the same value as the final one into the else branch.
    """
    if merge and branches:
        cut = next((i for i, (c, _) in enumerate(branches) if c is None), len(branches) - 1)
        branches = branches[: cut + 1]
        final = branches[-1][1]
        while len(branches) > 1 and branches[-2][1] == final:
            branches.pop(-2)
        branches[-1] = (None, final)
    out = []
    for i, (cond, value) in enumerate(branches):
        if cond is None:
            if i == 0:
                return value
            otherwise = value
            break
        out.append(f"{'if' if i == 0 else 'elseif'} {cond} then {value}")
    if not out:
        return otherwise or "''"
    tail = f" else {otherwise}" if otherwise is not None else " endif"  # never both
    return " ".join(out) + tail


# --- property references ----------------------------------------------------------------------------


def reference(f: Field) -> str:
    if f.type == "checkbox":
        return f"bool({f.hubspot_name})"
    if f.type in NUMBER_TYPES or f.type in ("date", "datetime"):
        return f.hubspot_name
    return f"string({f.hubspot_name})"


def populated(f: Field) -> str:
    """The engine's is_populated: a ticked checkbox, text that is not only spaces and tabs, or any value."""
    ref = reference(f)
    if f.type == "checkbox":
        return guarded(f"is_present({ref})", ref, "false")
    if f.type in TEXT_TYPES:
        return guarded(f"is_present({ref})", negate(one_of(ref, blank_spellings())), "false")
    return f"is_present({ref})"


def case_variants(phrase: str) -> list[str]:
    """The case spellings a case-sensitive `contains` can catch (every one for short phrases)."""
    return [v for v in case_spellings(phrase) if expressible(v)]


def one_of(ref: str, values: list[str]) -> str:
    """`ref` equals one of `values`, for a present `ref`: one delimited list tested with contains, so
    hundreds of spellings cost one literal; values the list cannot hold are compared one by one."""
    listed = [v for v in values if SEP not in v and "'" not in v]
    rest = [f"{ref} = {literal(v)}" for v in values if v not in listed and expressible(v)]
    if len(listed) <= 2:
        return any_of([f"{ref} = {literal(v)}" for v in listed] + rest)
    sep = literal(SEP)
    table = literal(SEP + SEP.join(listed) + SEP)
    # A value holding the delimiter could span two entries, so it never matches the list.
    hit = f"(contains({table}, concatenate({sep}, {ref}, {sep})) and not contains({ref}, {sep}))"
    return any_of([hit] + rest)


# HubSpot's count of the deal's associated contacts; calculated properties cannot read association labels
# (developers.hubspot.com/changelog/associations-api-property-labels-update names num_associated_contacts).
CONTACT_COUNT = "num_associated_contacts"


def contact_levels(c: ContactCompletion) -> tuple[str, str]:
    """(some contact, enough contacts) from the count alone: roles are not checked, so "enough" is the
    rule's minimum or, when higher, the number of roles it requires (each needs its own contact)."""
    enough = max(c.rule.min, len(c.rule.roles))
    some = guarded(f"is_present({CONTACT_COUNT})", f"{CONTACT_COUNT} >= 1", "false")
    return some, guarded(f"is_present({CONTACT_COUNT})", f"{CONTACT_COUNT} >= {enough}", "false")


def credited(f: Field) -> str:
    """The field earns some credit: populated, or for a contact-based field, some contact (completeness)."""
    c = tree.completion(f)
    return contact_levels(c)[0] if isinstance(c, ContactCompletion) else populated(f)


def generic(f: Field) -> str | None:
    """The field's generic tests (rule tree) printed, minus what HubSpot cannot express
    (targets.hubspot.limits: a minimum length); None: never generic."""
    c = tree.completion(f)
    if not isinstance(c, tree.Completion):
        raise TypeError(f"no HubSpot printing for {type(c).__name__}")
    tests = c.generic
    ref = reference(f)
    if f.type in TEXT_TYPES:
        if not all(isinstance(t, (tree.FillerPhrase, tree.ContainsPhrase, tree.ShorterThan)) for t in tests):
            raise TypeError("no HubSpot printing for a generic test of a text field")
        spellings = list(
            dict.fromkeys(
                v
                for t in tests
                if isinstance(t, tree.FillerPhrase)
                for p in t.phrases
                for v in filler_spellings(p)
            )
        )
        out = [one_of(ref, spellings)] if spellings else []
        out += [
            f"contains({ref}, {literal(v)})"
            for t in tests
            if isinstance(t, tree.ContainsPhrase)
            for v in case_variants(t.phrase)
        ]
        return any_of(out) if out else None
    if not tests:
        return None
    if not all(isinstance(t, tree.OnlyGenericOptions) for t in tests):
        raise TypeError(f"no HubSpot printing for the generic tests of a {f.type} field")
    if f.type == "picklist":  # only generic options: the value is one of them
        return any_of(f"{ref} = {literal(o.value)}" for o in f.options if o.generic and expressible(o.value))
    specific = [o.value for o in f.options if not o.generic]  # multi-select: no specific option among them
    if not specific:
        return TRUE
    # Generic when no specific option is among the ';'-separated values; the delimiters make it exact.
    wrapped = f"concatenate(';', {ref}, ';')"
    return negate(
        any_of(f"contains({wrapped}, {literal(';' + v + ';')})" for v in specific if expressible(v))
    )


def points(f: Field, full: float, member: str | None = None) -> str:
    """`full` for a specific value, half for a generic one, 0 when empty or when `member` is false."""
    branches = [] if member is None else [(negate(member), "0")]
    c = tree.completion(f)
    if isinstance(c, ContactCompletion):
        some, enough = contact_levels(c)
        half = number(Decimal(repr(full)) / 2)
        return ladder(branches + [(negate(some), "0"), (enough, number(full))], half)
    test = generic(f)
    if test is None:
        branches.append((populated(f), number(full)))
        return ladder(branches, "0")
    branches += [(negate(populated(f)), "0"), (test, number(Decimal(repr(full)) / 2))]
    return ladder(branches, number(full))


def state_label(f: Field, member: str | None = None) -> str:
    """'Label (missing); ', 'Label (generic); ' or '' as the engine's summary words it."""
    missing, gen = text_literal(f"{f.label} (missing); "), text_literal(f"{f.label} (generic); ")
    branches = [] if member is None else [(negate(member), "''")]
    c = tree.completion(f)
    if isinstance(c, ContactCompletion):
        some, enough = contact_levels(c)
        return ladder(branches + [(negate(some), missing), (negate(enough), gen)], "''")
    branches.append((negate(populated(f)), missing))
    test = generic(f)
    if test is not None:
        branches.append((test, gen))
    return ladder(branches, "''")


# --- segment resolution -----------------------------------------------------------------------------


def _compare(expr: str, r: Range) -> str:
    parts = [
        f"{expr} {op} {number(b)}"
        for op, b in ((">=", r.gte), (">", r.gt), ("<", r.lt), ("<=", r.lte))
        if b is not None
    ]
    return all_of(parts) or TRUE


def _number_rule(present: str, value: str, r: Range) -> str:
    """A range test where an empty value counts as 0, as the engine does."""
    return guarded(present, _compare(value, r), "true" if r.contains(0) else "false")


def _deal_type(model: Model, kind: str) -> str:
    """The deal's type over the deal-type property (an expansion value wins over a renewal value)."""
    deal = model.deal
    ref = f"string({deal.deal_type_hubspot})"

    def one_of(values: tuple[str, ...]) -> str:
        listed = any_of(f"{ref} = {literal(v)}" for v in values if expressible(v))
        return guarded(f"is_present({ref})", listed, "false")

    expansion = one_of(deal.expansion_values_hubspot)
    if kind == "expansion":
        return expansion
    if not deal.renewal_values_hubspot:
        return "false" if kind == "renewal" else negate(expansion)
    renewal = one_of(deal.renewal_values_hubspot)
    if kind == "renewal":
        return all_of([renewal, negate(expansion)]) or TRUE
    return all_of([negate(expansion), negate(renewal)]) or TRUE


def segment_condition(model: Model, segment: Segment) -> str | None:
    """The segment's match rule (rule tree) over HubSpot deal properties; None matches every deal."""
    deal = model.deal
    parts = []
    for test in tree.rules_for(model).match(segment.key).tests:
        if isinstance(test, tree.DealTypeIs):
            parts.append(_deal_type(model, test.kind))
        elif isinstance(test, tree.PartnerSourced):
            ticked = populated(test.field) if test.field else "false"
            parts.append(ticked if test.expected else negate(ticked))
        elif isinstance(test, tree.InPipeline):
            parts.append(_pipeline_is(model, test))
        elif not isinstance(test, tree.InRange):
            raise TypeError(f"no HubSpot printing for {type(test).__name__}")
        elif test.measure == "acv":
            amount = deal.acv_hubspot
            parts.append(_number_rule(f"is_present({amount})", amount, test.range))
        else:
            present = f"(is_present({CREATED_PROPERTY}) and is_present({CLOSE_DATE_PROPERTY}))"
            days = f"({CLOSE_DATE_PROPERTY} - {CREATED_PROPERTY}) / {MS_PER_DAY}"
            parts.append(_number_rule(present, days, test.range))
    return all_of(parts)


def _pipeline_is(model: Model, test: tree.InPipeline) -> str:
    """The deal's `pipeline` is one of the pipelines' ids (empty or another: the default pipeline)."""
    ref, default = "string(pipeline)", any(p.default for p in test.pipelines)
    others = [p.hubspot_id for p in model.pipelines if p not in test.pipelines and p.hubspot_id]
    if default:
        listed = any_of(f"{ref} = {literal(i)}" for i in others)
        return guarded(f"is_present({ref})", negate(listed), "true") if others else "true"
    listed = any_of(f"{ref} = {literal(p.hubspot_id)}" for p in test.pipelines if p.hubspot_id)
    return guarded(f"is_present({ref})", listed or "false", "false")


def rounded_floor(threshold: float) -> Decimal:
    """The unrounded score at which the engine's half-up rounding to one decimal reaches `threshold`."""
    tenth = Decimal(repr(float(threshold))).quantize(Decimal("0.1"), rounding=ROUND_CEILING)
    return tenth - Decimal("0.05")
