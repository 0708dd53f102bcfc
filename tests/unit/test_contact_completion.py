"""Contact-based completion (complete_when: contacts): the engine's credit from the deal's contact roles,
the spec's checks, and the export column."""

from __future__ import annotations

from pathlib import Path

import pytest

from handrail.generators.rules.scoring import Deal, score_deal
from handrail.specs.diagnostics import SpecError
from handrail.specs.validate import load_spec, load_spec_text

SPEC = Path(__file__).parent.parent / "specs" / "offline" / "contact_roles.yaml"
TEXT = "Jane Doe (CFO, economic buyer), Bob Lee (champion), Carl Ng (IT lead, runs the integration work)"


@pytest.fixture(scope="module")
def model():
    return load_spec(SPEC).model


def _state(model, roles, text=TEXT):
    deal = Deal("d1", {"stakeholder_map": text} if text else {}, acv=50000.0, contact_roles=tuple(roles))
    result = score_deal(model, deal)
    return next(r for r in result.fields if r.key == "stakeholder_map")


@pytest.mark.parametrize(
    "roles, state, credit, reason",
    [
        (["Economic Buyer", "Champion", "Technical Buyer"], "complete", 1.0, ""),
        (["Champion", "Economic Buyer", "Champion", "Influencer"], "complete", 1.0, ""),
        (["Economic Buyer", "Champion"], "generic", 0.5, "2 of 3 contacts with a role"),
        (["Economic Buyer", "Influencer", "Evaluator"], "generic", 0.5, "no Champion among the contact"),
        (["Influencer", "Evaluator", "Other"], "generic", 0.5, "no Economic Buyer or Champion among"),
        ([], "missing", 0.0, ""),
        (["", "  "], "missing", 0.0, ""),  # contacts without a role do not count
    ],
)
def test_credit_comes_from_the_contact_roles(model, roles, state, credit, reason):
    r = _state(model, roles)
    assert (r.state, r.completion) == (state, credit)
    assert r.reason.startswith(reason)


def test_the_text_alone_gives_no_credit_and_no_text_takes_none_away(model):
    assert _state(model, [], TEXT).state == "missing"
    assert _state(model, ["Economic Buyer", "Champion", "Other"], None).state == "complete"


def test_a_required_field_counts_as_filled_from_its_contacts(model):
    deal = Deal("d1", {}, acv=50000.0, contact_roles=("Champion",))
    assert "stakeholder_map" not in score_deal(model, deal).missing_required
    assert "stakeholder_map" in score_deal(model, Deal("d2", {}, acv=50000.0)).missing_required


@pytest.mark.parametrize(
    "value, words",
    [
        ("{min: 0}", "less than the minimum of 1"),
        ("{min: 2, roles: [' ']}", "must match"),
        ("{min: 2, roles: [Champion, Champion]}", "repeats an item"),
        ("{min: 2, role: [Champion]}", "unknown key 'role'"),
        ("{roles: [Champion]}", "min"),
    ],
)
def test_mistakes_are_located_errors(value, words):
    text = SPEC.read_text().replace(
        "{contacts: {min: 3, roles: [Economic Buyer, Champion]}}", "{contacts: " + value + "}"
    )
    with pytest.raises(SpecError) as caught:
        load_spec_text(text, "spec.yaml")
    assert words in str(caught.value) and "spec.yaml:" in str(caught.value)


def test_the_export_column_is_read_one_role_per_contact(tmp_path, run_cli):
    deals = tmp_path / "deals.csv"
    deals.write_text(
        "Deal ID,Deal Name,Stage,Close Date,Amount,Contact Roles\n"
        "1,A,Closed Won,2026-01-10,50000, Economic Buyer ;;Champion;Technical Buyer\n"
        "2,B,Closed Won,2026-01-10,50000,Champion\n"
    )
    code, out, _ = run_cli("score", str(deals), "--spec", str(SPEC), "--format", "csv", "--engine", "python")
    assert code == 0
    lines = out.splitlines()
    assert "Stakeholder Map" not in lines[1] and "Stakeholder Map (generic)" in lines[2]
