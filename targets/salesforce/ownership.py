"""Which of an org's components are Handrail's: one rule for a live org (SalesforceOrg.managed asks the
org for its Opportunity fields, rules, reports and dashboards) and a snapshot (every file it holds, as a
saved retrieve of a whole org may). A component is Handrail's when its name carries the spec's prefix:
an Opportunity field or validation rule `<prefix>_...`, a report or dashboard `<prefix>_...` in
Handrail's folder. Everything else, the org's own Amount, StageName or layouts included, is the org's.
"""

from __future__ import annotations

from typing import Any, Callable

from handrail.specs.model import Model
from handrail.targets.salesforce.reports import FOLDER

OBJECT_KINDS = ("CustomField", "ValidationRule")
FOLDERED_KINDS = ("Report", "Dashboard")


def is_handrails(prefix: str, kind: str, key: str) -> bool:
    if kind in OBJECT_KINDS:
        obj, _, member = key.partition(".")
        return obj == "Opportunity" and member.startswith(prefix + "_")
    if kind in FOLDERED_KINDS:
        return key.startswith(f"{FOLDER}/{prefix}_")
    return False


def owns(model: Model) -> Callable[[str, str, Any], bool]:
    """The rule for this spec's prefix, as the pipeline gives it to a snapshot: (kind, key, body)."""
    prefix = model.naming.salesforce_prefix
    return lambda kind, key, body=None: is_handrails(prefix, kind, key)
