"""One rule tree, three readers: the engine evaluates it, the Salesforce and HubSpot printers print it.

The formulas' meaning is checked against the engine by the parity suites
(tests/salesforce/test_flows_parity.py, tests/hubspot/test_score_formula.py,
tests/salesforce/test_validation_rules.py); these tests show the three read the same tree: every node
type is printed by both targets, an unknown node is refused, and changing a node changes the engine and
both printers together.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from handrail.generators.rules import tree
from handrail.generators.rules.gates import gate_failure_reasons
from handrail.generators.rules.scoring import Deal, score_deal
from handrail.specs.model import Range
from handrail.specs.validate import load_spec
from handrail.targets.hubspot import filters as hs_filters
from handrail.targets.hubspot import formula as hs_formula
from handrail.targets.salesforce import formulas as sf_formulas
from handrail.targets.salesforce import gate_formula as sf_gates

SPECS = Path(__file__).resolve().parent.parent / "specs"
SPEC_FILES = [
    "every_field_type.yaml",
    "every_gate_form.yaml",
    "every_segment_match.yaml",
    "every_gated_type.yaml",
]
NODE_TYPES = {
    tree.FillerPhrase,
    tree.ContainsPhrase,
    tree.ShorterThan,
    tree.OnlyGenericOptions,
    tree.InRange,
    tree.DealTypeIs,
    tree.PartnerSourced,
    tree.Empty,
    tree.EmptyInSegments,
    tree.ScoreBelow,
}


def _models():
    return [load_spec(SPECS / name).model for name in SPEC_FILES]


def _nodes(rules: tree.Rules) -> list:
    out: list = [t for c in rules.completions.values() for t in c.generic]
    out += [t for m in rules.matches for t in m.tests]
    return out + [r for g in rules.model.gates for r in rules.gate(g.key)]


def test_the_test_specs_use_every_node_type_and_both_printers_print_each():
    seen = set()
    for model in _models():
        rules = tree.rules_for(model)
        seen |= {type(n) for n in _nodes(rules)}
        for f in model.fields:
            terms = sf_formulas.generic_terms(f)
            assert bool(terms) == bool(rules.completions[f.key].generic)
            hs_formula.generic(f)  # printable (None only where HubSpot cannot express the test)
        for s in model.segments:
            assert sf_formulas.match_expression(model, s)
            hs_formula.segment_condition(model, s)
        for g in model.gates:
            assert len(sf_gates.requirement_failures(model, g)) >= len(rules.gate(g.key))
            for key in g.segments:
                hs_filters.needs(model, g, key)
    assert seen == NODE_TYPES


@dataclasses.dataclass(frozen=True)
class Unknown:
    """A node no printer knows."""

    field: object = None
    range: Range | None = None
    measure: str = "acv"


def _with(model, rules: tree.Rules) -> None:
    tree._BUILT[id(model)] = (model, rules)


def test_a_node_no_printer_knows_is_refused_not_skipped(example_model):
    rules = tree.rules_for(example_model)
    gate = example_model.gates[0]
    _with(example_model, dataclasses.replace(rules, _gates={gate.key: (Unknown(),)}))
    try:
        with pytest.raises(TypeError, match="no Salesforce printing"):
            sf_gates.requirement_failures(example_model, gate)
        with pytest.raises(TypeError, match="no HubSpot printing"):
            hs_filters.needs(example_model, gate, gate.segments[0])
    finally:
        tree._BUILT.pop(id(example_model))


def test_changing_a_gate_floor_in_the_tree_changes_engine_and_both_printers(example_model):
    model = example_model
    gate = next(g for g in model.gates if g.require.effective_min_score(model.tiers) is not None)
    rules = tree.rules_for(model)
    before = (
        sf_gates.requirement_failures(model, gate),
        hs_filters.needs(model, gate, gate.segments[0]).min_score,
    )
    raised = tuple(
        tree.ScoreBelow(99.5) if isinstance(r, tree.ScoreBelow) else r for r in rules.gate(gate.key)
    )
    _with(model, dataclasses.replace(rules, _gates={gate.key: raised}))
    try:
        sf = sf_gates.requirement_failures(model, gate)
        hs = hs_filters.needs(model, gate, gate.segments[0]).min_score
        deal = Deal(id="d", values={}, acv=60000, sales_cycle_days=45)
        result = dataclasses.replace(score_deal(model, deal), score=99.0)
        reasons = gate_failure_reasons(model, gate, deal, result)
    finally:
        tree._BUILT.pop(id(model))
    assert before[0] != sf and any("< 99.5" in term for term in sf)
    assert before[1] != hs == 99.5
    assert "score 99.0 is below 99.5" in reasons


def test_changing_a_segment_rule_in_the_tree_changes_engine_and_both_printers(example_model):
    model = example_model
    rules = tree.rules_for(model)
    first = rules.matches[0]
    narrowed = dataclasses.replace(first, tests=(tree.InRange("acv", Range(gte=123456)),))
    _with(model, dataclasses.replace(rules, matches=(narrowed, *rules.matches[1:])))
    try:
        sf = sf_formulas.match_expression(model, first.segment)
        hs = hs_formula.segment_condition(model, first.segment)
        engine_in = score_deal(model, Deal(id="a", values={}, acv=200000, deal_type="new_business")).segment
    finally:
        tree._BUILT.pop(id(model))
    assert sf == "{!Deal_Amount} >= 123456"
    assert hs == (
        "(if is_present(amount_in_home_currency) then amount_in_home_currency >= 123456 else false)"
    )
    assert engine_in == first.segment.key


def test_generic_words_come_from_the_tree_nodes(example_model):
    f = next(f for f in example_model.fields if f.quality.filler_phrases)
    completion = tree.rules_for(example_model).completions[f.key]
    phrase = completion.generic[0].phrases[0]
    assert completion.reason(f"  {phrase.upper()} ") == f"filler phrase '{phrase.upper()}'"
    assert completion.reason(" \t") is None
