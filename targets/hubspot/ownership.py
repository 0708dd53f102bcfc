"""Which of a portal's components are Handrail's: one rule for a live portal (HubSpotOrg.managed reads
every deal property and workflow) and a snapshot (every file it holds, as a saved export of a whole portal
may). A deal property is Handrail's when it sits in the spec's property group; a workflow when it carries
Handrail's marker (customProperties.handrail_key) or name prefix. Everything else is the portal's.
"""

from __future__ import annotations

from typing import Any, Callable

from handrail.specs.model import Model
from handrail.targets.hubspot.vocabulary import FLOW_PREFIX

KEY_PROPERTY = "handrail_key"  # customProperties entry naming the spec item a workflow comes from


def is_handrails(group: str, kind: str, body: Any) -> bool:
    body = body if isinstance(body, dict) else {}
    if kind == "property":
        return body.get("groupName") == group
    if kind == "flow":
        marked = (body.get("customProperties") or {}).get(KEY_PROPERTY)
        return bool(marked) or str(body.get("name", "")).startswith(FLOW_PREFIX)
    return False


def owns(model: Model) -> Callable[[str, str, Any], bool]:
    """The rule for this spec's group, as the pipeline gives it to a snapshot: (kind, key, body)."""
    group = model.naming.hubspot_group
    return lambda kind, key, body=None: is_handrails(group, kind, body)
