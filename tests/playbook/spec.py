"""The example spec with the playbook's edge cases switched on, for the playbook tests."""

from __future__ import annotations

from pathlib import Path

from helpers import EXAMPLE_SPEC

POST_SALE_FIELD = """\
  - key: post_sale_owner
    label: Post-Sale Owner
    section: stakeholders
    type: short_text
    length: 120
    help: Name and e-mail of the customer's post-sale (implementation) owner.
"""

PLAYBOOK = """
playbook:
  post_sale_owner:
    field: post_sale_owner
    segments: [enterprise]
    contact_within: {days: 14}
    escalate_to: [csm_manager]
  ae_departure:
    recovery_owner: owner_manager
    due: {days: 7}
"""


def playbook_text(playbook: str = PLAYBOOK) -> str:
    text = EXAMPLE_SPEC.read_text(encoding="utf-8")
    text = text.replace(
        "  # Unweighted context fields.\n", "  # Unweighted context fields.\n" + POST_SALE_FIELD, 1
    )
    assert POST_SALE_FIELD in text
    return text.replace("\nenvironments:\n", playbook + "\nenvironments:\n", 1)


def write_playbook_spec(folder: Path, playbook: str = PLAYBOOK) -> Path:
    path = folder / "handoff.yaml"
    path.write_text(playbook_text(playbook), encoding="utf-8")
    return path
