"""Contact-based completion (a field's `complete_when: {contacts: ...}`) as a rule-tree node.

    contact_completion(f)   1 with at least `min` contacts with a role, every required role among them;
                            0.5 with at least one contact with a role but not enough; 0 with none

The deal's contact roles are one role name per contact (Salesforce Opportunity Contact Roles, HubSpot
deal-contact association labels, an export's "Contact Roles" column as 'a;b;c'); a contact without a role
does not count. The field's own value adds context, not credit: the engine ignores it for the score and
completeness, and gates still test the value itself (a validation rule cannot read contact roles).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from handrail.specs.contacts import ContactRule
from handrail.specs.model import Field


def contact_roles(value: Any) -> tuple[str, ...]:
    """Role names, one per contact, from a list or from 'a;b;c' text; blanks (no role) dropped."""
    if value is None:
        return ()
    items = value if isinstance(value, (list, tuple)) else str(value).split(";")
    return tuple(str(v).strip() for v in items if v is not None and str(v).strip())


@dataclass(frozen=True)
class ContactCompletion:
    """1, 0.5 or 0 from the deal's contact roles (see the module)."""

    field: Field
    rule: ContactRule

    def reason(self, roles: Any) -> str | None:
        """For the deal's contact roles: None with no contact with a role, '' when complete, else why not."""
        found = contact_roles(roles)
        if not found:
            return None
        if self.rule.credit(list(found)) == 1.0:
            return ""
        lacking = [r for r in self.rule.roles if r not in found]
        if len(found) < self.rule.min:
            return f"{len(found)} of {self.rule.min} contacts with a role"
        return f"no {' or '.join(lacking)} among the contact roles"
