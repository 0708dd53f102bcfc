"""Every generated calculation formula follows HubSpot's documented grammar and guards empty inputs
without relying on `and`/`or` short-circuit.

HubSpot's properties API guide ("Create calculation properties",
developers.hubspot.com/docs/api-reference/crm-properties-v3/guide) gives conditionals as
`if b then s [elseif b then s]* [else s | endif]`; a portal answered `else s endif` with 400 "not a
token" (shared/reference/hubspot/README.md, Corrections). The guide documents no short-circuit
evaluation, so the interpreter evaluates both sides of `and`/`or`.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from deal_samples import property_types
from formula_language import EmptyValueUsed, Evaluator, FormulaSyntaxError, parse
from helpers import EXAMPLE_SPEC

from handrail.specs.validate import load_spec
from handrail.targets.hubspot.properties import properties

SPECS = [
    EXAMPLE_SPEC,
    Path(__file__).parent / "specs" / "every_type.yaml",
    Path(__file__).parent.parent / "specs" / "every_field_type.yaml",
    Path(__file__).parent.parent / "specs" / "every_segment_match.yaml",
]


def _calculated(spec: Path) -> tuple[object, dict[str, dict]]:
    model = load_spec(spec).model
    bodies = {b["name"]: b for _, b in properties(model)}
    return model, {n: b for n, b in bodies.items() if b["fieldType"] == "calculation_equation"}


@pytest.mark.parametrize(
    "formula",
    [
        "if is_present(amount) then 1 else 0 endif",  # else and endif together: HubSpot's 400
        "(if is_present(amount) then 1 else 0 endif) + 1",
        "if is_present(amount) then 1",  # neither else nor endif
        "if is_present(amount) then 1 elseif true then 2 else 3 endif",
    ],
)
def test_the_grammar_refuses_a_conditional_closed_twice_or_never(formula):
    with pytest.raises(FormulaSyntaxError):
        parse(formula)


@pytest.mark.parametrize(
    "formula",
    [
        "if is_present(amount) then 1 else 0",
        "if is_present(amount) then 1 endif",
        "if true then (if false then 1 else 2) endif",
        "if is_present(amount) then if amount > 5 then 1 else 2 endif",  # the inner else closes the inner if
    ],
)
def test_the_grammar_accepts_each_documented_ending(formula):
    parse(formula)


def test_and_or_evaluate_both_sides():
    types = {"amount": "number"}
    with pytest.raises(EmptyValueUsed):
        Evaluator({}, types).eval(parse("is_present(amount) and amount > 5"))
    with pytest.raises(EmptyValueUsed):
        Evaluator({}, types).eval(parse("not is_present(amount) or amount > 5"))
    assert Evaluator({}, types).eval(parse("if is_present(amount) then amount > 5 else false")) is False


def test_undocumented_functions_are_refused_by_default():
    with pytest.raises(FormulaSyntaxError):
        parse("string_length(string(dealname)) > 3")


@pytest.mark.parametrize("spec", SPECS, ids=lambda p: p.stem)
def test_every_generated_formula_parses_and_survives_empty_inputs(spec):
    """All inputs empty: every guard must be a nested conditional, or evaluation hits an empty value."""
    model, calculated = _calculated(spec)
    types = property_types(model, {b["name"]: b for _, b in properties(model)})
    record: dict[str, str | None] = {}
    for name, body in calculated.items():
        tree = parse(body["calculationFormula"])
        value = Evaluator(record, types).eval(tree)
        record[name] = None if value is None else repr(value) if isinstance(value, float) else value
    assert record[model.computed_field("segment").hubspot_name] in {s.key for s in model.segments}
