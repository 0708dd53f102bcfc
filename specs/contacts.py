"""Contact-based completion: a field that counts as complete from the deal's contact roles.

    complete_when:
      contacts: {min: 3, roles: [Economic Buyer, Champion]}

The field earns full credit when the deal has at least `min` contacts with a role and every role listed
is among them; half when it has at least one contact with a role but not enough; nothing with none. The
field's own value then adds context, not credit. The schema checks the shape (min >= 1, roles non-empty
strings, no repeats); this module turns it into the model's ContactRule.
"""

from __future__ import annotations

from handrail.specs.record import record


@record
class ContactRule:
    """At least `min` contacts with a role, among them every one of `roles` (matched exactly, trimmed)."""

    min: int
    roles: tuple[str, ...] = ()

    def credit(self, contact_roles: list[str]) -> float:
        """1, 0.5 or 0 for the deal's contact roles (one per contact; blanks already dropped)."""
        if not contact_roles:
            return 0.0
        if len(contact_roles) >= self.min and all(r in contact_roles for r in self.roles):
            return 1.0
        return 0.5

    def words(self) -> str:
        """The rule in words, for descriptions and help."""
        roles = f", including {' and '.join(self.roles)}" if self.roles else ""
        return f"at least {self.min} contact{'s' if self.min != 1 else ''} with a role{roles}"


def contact_rule(raw: dict | None) -> ContactRule | None:
    """The validated `complete_when` value of a field as a ContactRule (None without one)."""
    contacts = (raw or {}).get("contacts")
    if not contacts:
        return None
    return ContactRule(int(contacts["min"]), tuple(r.strip() for r in contacts.get("roles", ())))
