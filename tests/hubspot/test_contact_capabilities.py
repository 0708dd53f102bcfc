"""CAPABILITIES.md says what each CRM evaluates of contact-based completion (complete_when: contacts)."""

from __future__ import annotations

from pathlib import Path

from helpers import EXAMPLE_SPEC

from handrail.specs.validate import load_spec
from handrail.targets.hubspot.render import render

SPEC = Path(__file__).parent.parent / "specs" / "offline" / "contact_roles.yaml"


def capabilities(spec: Path) -> str:
    text = render(load_spec(spec).model, {}).files["CAPABILITIES.md"]
    return text.decode() if isinstance(text, bytes) else text


def test_the_contact_rule_row_says_what_each_crm_checks_and_when():
    row = next(
        line for line in capabilities(SPEC).splitlines() if line.startswith("| Contact-based completion")
    )
    assert "`num_associated_contacts`" in row and "`handoff_stakeholder_map`" in row
    assert "roles are not checked" in row and "associations v4" in row
    assert "Opportunity Contact Roles on every save of the deal" in row
    assert "a removed role counts from the deal's next save" in row


def test_a_spec_without_a_contact_rule_has_no_such_row():
    assert "Contact-based completion" not in capabilities(EXAMPLE_SPEC)
