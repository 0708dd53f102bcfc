"""Gate validation rules: the generated formulas, evaluated, agree with the gate semantics.

Each generated deal is saved as a Salesforce record would be: the before-save flow has written the
segment and score the scoring engine computes (or, in the "flow did not run" case, left them blank),
then the rule's error condition is evaluated. The expected outcome is derived from the model and the
scoring engine only, never from the formula.
"""

from __future__ import annotations

import random

import pytest
from helpers import EXAMPLE_SPEC, ROOT
from salesforce.validation_formula import Record, evaluate, field_names

from handrail.generators.rules.scoring import Deal, is_populated, score_deal
from handrail.specs.coverage import gate_rule_name
from handrail.specs.model import Field, Gate, Model
from handrail.specs.validate import load_spec, load_spec_text
from handrail.targets.salesforce.render import check_spec
from handrail.targets.salesforce.validation_rules import rule_components

SPECS = [EXAMPLE_SPEC] + sorted((ROOT / "tests" / "specs").glob("every_*.yaml"))


def rules_by_gate(model: Model) -> dict[str, dict]:
    rules = {c.name.split(".", 1)[1]: dict(c.pairs) for c in rule_components(model)}
    return {
        g.key: rules[gate_rule_name(model, g.key)]
        for g in model.gates
        if gate_rule_name(model, g.key) in rules
    }


def random_value(f: Field, rng: random.Random):
    kind = rng.random()
    if f.type == "checkbox":
        return kind < 0.6
    if kind < 0.3:
        return None
    if f.type in ("short_text", "long_text"):
        fillers = list(f.quality.filler_phrases) or ["tbd"]
        return rng.choice(
            [rng.choice(fillers), "short", "A specific, measurable and detailed handoff note " * 2]
        )
    if f.type == "picklist":
        return rng.choice(f.options).value
    if f.type == "multi_select":
        return rng.sample([o.value for o in f.options], rng.randint(1, len(f.options)))
    if f.type in ("number", "currency", "percent"):
        return round(rng.uniform(0, 100), 1)
    if f.type == "date":
        return "2025-03-01"
    if f.type == "datetime":
        return "2025-03-01T10:00:00Z"
    return "005000000000001AAA"  # a user id


def salesforce_value(f: Field, value):
    if f.type == "multi_select":
        return ";".join(value) if value else None
    return value


def random_deal(model: Model, rng: random.Random, n: int) -> Deal:
    values = {f.key: random_value(f, rng) for f in model.fields}
    return Deal(
        id=str(n),
        values=values,
        acv=rng.choice([None, 5_000, 20_000, 30_000, 60_000, 120_000, 300_000]),
        deal_type=rng.choice(["new_business", "expansion"]),
        sales_cycle_days=rng.choice([None, 5, 12, 30, 150]),
    )


def expected_block(
    model: Model,
    gate: Gate,
    deal: Deal,
    segment: str | None,
    score: float | None,
    prior_stage: str | None,
    new_stage: str,
) -> bool:
    """The gate semantics: a stage change into the gate's stage or later, for the gate's segments (an
    unresolved segment counts as any), is stopped unless every requirement holds; no score fails."""
    if prior_stage == new_stage:
        return False
    stage = model.stage(new_stage)
    if stage.closed_lost or stage.order < model.stage(gate.stage).order:
        return False
    if segment is not None and segment not in gate.segments:
        return False
    req = gate.require
    empty = lambda key: not is_populated(model.field(key), deal.values.get(key))  # noqa: E731
    if req.csm_assigned and empty(model.deal.csm_field):
        return True
    if any(empty(k) for k in req.fields):
        return True
    if req.segment_required_fields:
        segments = [segment] if segment is not None else list(gate.segments)
        if any(empty(k) for s in segments for k in model.segment(s).required_fields):
            return True
    floor = req.effective_min_score(model.tiers)
    return floor is not None and (score is None or score < floor)


@pytest.mark.parametrize("spec", SPECS, ids=lambda p: p.stem)
def test_rules_agree_with_gate_semantics_on_generated_deals(spec):
    model = load_spec(spec).model
    rules = rules_by_gate(model)
    rng = random.Random(f"gates-{spec.stem}")
    stages = [s for s in model.stages if s.salesforce]
    outcomes = {key: set() for key in rules}
    for n in range(400):
        deal = random_deal(model, rng, n)
        result = score_deal(model, deal)
        computed = rng.random() > 0.1  # one save in ten: the before-save flow did not run
        segment, score = (result.segment, result.score) if computed else (None, None)
        prior = rng.choice([None] + stages)
        new = rng.choice(stages)
        values = {f.salesforce_name: salesforce_value(f, deal.values[f.key]) for f in model.fields}
        values.update(
            {
                "StageName": new.salesforce,
                model.computed_field("segment").salesforce_name: segment,
                model.computed_field("score").salesforce_name: score,
            }
        )
        record = Record(values, None if prior is None else {**values, "StageName": prior.salesforce})
        for gate in model.gates:
            if gate.key not in rules:
                continue
            fired = evaluate(rules[gate.key]["errorConditionFormula"], record)
            expected = expected_block(model, gate, deal, segment, score, prior and prior.key, new.key)
            assert fired == expected, (
                f"{spec.stem} gate {gate.key}, deal {n}: rule "
                f"{'fired' if fired else 'passed'} (segment {segment}, score {score}, "
                f"{prior and prior.key} -> {new.key})"
            )
            outcomes[gate.key].add(fired)
    assert all(seen == {True, False} for seen in outcomes.values()), (
        f"some gate never fired or never passed: {outcomes}"
    )


def _record(model: Model, stage: str, prior: str | None, **values) -> Record:
    base = {
        f.salesforce_name: (False if f.type == "checkbox" else None) for f in model.fields + model.computed
    }
    base.update(values, StageName=model.stage(stage).salesforce)
    return Record(base, None if prior is None else {**base, "StageName": model.stage(prior).salesforce})


def test_an_edit_without_a_stage_change_is_not_gated(example_model):
    rule = rules_by_gate(example_model)["enterprise_csm"]["errorConditionFormula"]
    seg = example_model.computed_field("segment").salesforce_name
    assert evaluate(rule, _record(example_model, "negotiation", "proposal", **{seg: "enterprise"}))
    assert not evaluate(rule, _record(example_model, "negotiation", "negotiation", **{seg: "enterprise"}))
    assert evaluate(rule, _record(example_model, "negotiation", None, **{seg: "enterprise"})), (
        "a new record is gated"
    )


def test_a_later_stage_is_gated_and_closed_lost_never_is(example_model):
    rule = rules_by_gate(example_model)["enterprise_csm"]["errorConditionFormula"]
    seg = example_model.computed_field("segment").salesforce_name
    assert evaluate(rule, _record(example_model, "closed_won", "proposal", **{seg: "enterprise"})), (
        "skipping a stage"
    )
    assert not evaluate(rule, _record(example_model, "closed_lost", "commit", **{seg: "enterprise"}))
    assert not evaluate(rule, _record(example_model, "proposal", "discovery", **{seg: "enterprise"}))


def test_blank_score_fails_closed(example_model):
    rule = rules_by_gate(example_model)["enterprise_ready"]["errorConditionFormula"]
    names = {k: example_model.computed_field(k).salesforce_name for k in ("segment", "score")}
    ready = _record(
        example_model, "closed_won", "commit", **{names["segment"]: "enterprise", names["score"]: 90.0}
    )
    assert not evaluate(rule, ready)
    assert evaluate(
        rule,
        _record(
            example_model, "closed_won", "commit", **{names["segment"]: "enterprise", names["score"]: 84.9}
        ),
    )
    assert evaluate(rule, _record(example_model, "closed_won", "commit", **{names["segment"]: "enterprise"}))
    assert evaluate(rule, _record(example_model, "closed_won", "commit")), (
        "no segment and no score: still gated"
    )


def test_rules_read_only_generated_fields_and_stage(example_model):
    known = {f.salesforce_name for f in example_model.fields + example_model.computed} | {"StageName"}
    for rule in rules_by_gate(example_model).values():
        assert field_names(rule["errorConditionFormula"]) <= known


def test_error_messages_keep_the_gate_message_and_say_what_is_required():
    model = load_spec(ROOT / "tests" / "specs" / "every_gate_form.yaml").model
    rules = rules_by_gate(model)
    for gate in model.gates:
        message = rules[gate.key]["errorMessage"]
        assert len(message) <= 255
        assert message.startswith(gate.message.rstrip(".")), message
    assert rules["fields_only"]["errorMessage"] == (
        "Scope and kickoff date first. Required: Products and Scope Purchased; Planned Kickoff Date."
    )
    assert "a named CSM" in rules["csm_from_the_start"]["errorMessage"]
    assert "at least 85 (Ready; see Handoff Missing Summary)" in rules["tier_ready_folded"]["errorMessage"]
    crowded = rules["everything_at_once"]["errorMessage"]
    assert (
        "a named CSM" in crowded
        and "Seats" in crowded
        and "more fields" in crowded
        and "at least 60" in crowded
    )


def test_a_field_only_some_segments_require_is_named_with_them(example_model):
    gate = next(g for g in example_model.gates if g.key == "closed_won_not_blocked")
    spec_text = EXAMPLE_SPEC.read_text().replace("The handoff is not ready for Closed Won.", "Not ready.")
    model = load_spec_text(spec_text, str(EXAMPLE_SPEC)).model
    message = rules_by_gate(model)[gate.key]["errorMessage"]
    assert message.startswith("Not ready. Required: ")
    assert "Risk Flags for Enterprise" in message or "the other fields the deal's segment requires" in message


def test_inactive_gates_deploy_inactive():
    model = load_spec(ROOT / "tests" / "specs" / "every_gate_form.yaml").model
    rules = rules_by_gate(model)
    assert rules["retired_rule"]["active"] is False
    assert all(rules[g.key]["active"] is True for g in model.gates if g.key != "retired_rule")


def test_a_gate_without_a_salesforce_stage_is_reported_not_generated(tmp_path):
    text = (ROOT / "tests" / "specs" / "every_segment_match.yaml").read_text()
    text = text.replace("{key: commit, label: Commit, salesforce: Commit}", "{key: commit, label: Commit}")
    text = text.replace(
        "{key: won, label: Won, salesforce: Closed Won, closed_won: true}",
        "{key: won, label: Won, closed_won: true}",
    )
    model = load_spec_text(text, "segments.yaml").model
    assert "partner_fields" not in rules_by_gate(model)
    warnings = [d for d in check_spec(model) if d.code == "salesforce-gate"]
    assert any("'partner_fields'" in d.message and "StageName" in d.message for d in warnings)
    assert all(d.span and d.span.file == "segments.yaml" for d in warnings)
