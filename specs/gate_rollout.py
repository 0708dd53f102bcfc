"""How gates roll out: a gate in `mode: monitor` flags instead of blocking, and the gate bypass lets
integration users and admins pass every gate (part of the model).

    gates:
      - key: enterprise_ready
        mode: monitor            # stamp "would have been blocked" on the deal, do not refuse the save
    gate_bypass:
      permission: Handoff_Gate_Bypass   # Salesforce custom permission; holders pass every enforced gate
    environments:
      production:
        permission_sets: {bypass: [integration@acme.com]}   # who holds it, per org
"""

from __future__ import annotations

from handrail.specs.diagnostics import Span
from handrail.specs.naming import prefixed
from handrail.specs.record import record

MODES = ("enforce", "monitor")


@record
class GateBypass:
    """The Salesforce custom permission that lets its holders pass the enforced gates (flagged)."""

    permission: str  # the Salesforce custom permission's API name
    label: str
    span: Span | None = None


def gate_bypass_from(raw: dict | None, prefix: str, span: Span | None) -> GateBypass | None:
    if raw is None:
        return None
    return GateBypass(
        permission=raw.get("permission") or prefixed(prefix or "Handoff", "Gate", "Bypass"),
        label=raw.get("label") or "Bypass Handrail gates",
        span=span,
    )
