"""targets.hubspot.org_normalise: the shortcuts a drift check takes give what the full walk gives."""

from __future__ import annotations

from handrail.targets.hubspot.org_normalise import formula_tokens, normalise, project


def test_equal_values_project_to_the_live_value_without_a_walk():
    body = {"name": "x", "options": [{"value": "a", "displayOrder": 0}], "calculationFormula": "a + 1"}
    live = {**body, "options": [dict(o) for o in body["options"]]}
    assert project(live, body) is live
    assert project(True, 1) is True  # equal in Python, not in JSON: the live value stays for the diff to see
    assert normalise("property", {**live, "createdAt": "2026-01-01"}, body) == body


def test_formula_tokens_fold_case_equals_numbers_and_grouping_of_names():
    sent = "if Foo_Bar = 1 then _x else 'A' endif"
    rewritten = "IF foo_bar == 1.0 THEN (_X) ELSE 'A' ENDIF"
    assert formula_tokens(sent) == formula_tokens(rewritten)
    assert formula_tokens(sent) == ("if", "foo_bar", "equals", "1", "then", "_x", "else", "'A", "endif")
    assert formula_tokens("'A'") != formula_tokens("'a'")  # literals keep their case
