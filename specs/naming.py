"""Names Handrail generates in each CRM, and the rules those names must follow."""

from __future__ import annotations

import re

SALESFORCE_NAME_MAX = 40  # custom field API names, excluding the __c suffix
SALESFORCE_RULE_NAME_MAX = 40  # validation rule names
HUBSPOT_NAME_MAX = 99
_SF_STEM = re.compile(r"^[A-Za-z](?:[A-Za-z0-9]|_(?!_))*(?<!_)$")
_HS_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
# Words Salesforce rejects or mangles as field stems (SOQL reserved words).
SALESFORCE_RESERVED = frozenset(
    {
        "and",
        "asc",
        "desc",
        "excludes",
        "first",
        "from",
        "group",
        "having",
        "in",
        "includes",
        "last",
        "like",
        "limit",
        "not",
        "null",
        "nulls",
        "or",
        "order",
        "select",
        "where",
        "with",
    }
)
# HubSpot's own deal properties a generated name must not shadow.
HUBSPOT_RESERVED = frozenset(
    {
        "amount",
        "closedate",
        "createdate",
        "dealname",
        "dealstage",
        "dealtype",
        "description",
        "pipeline",
        "hubspot_owner_id",
        "hs_object_id",
        "hs_lastmodifieddate",
        "hs_createdate",
        "num_associated_contacts",
    }
)


def camel(key: str) -> str:
    """business_goals -> Business_Goals (Salesforce style keeps the underscores readable)."""
    return "_".join(part[:1].upper() + part[1:] for part in key.split("_") if part)


def prefixed(*parts: str) -> str:
    """Parts joined with "_"; a part that starts with the word the one before it ends with does not repeat
    it: Handoff + Handoff_Call_At gives Handoff_Call_At, never Handoff_Handoff_Call_At."""
    words: list[str] = []
    for part in parts:
        new = [w for w in part.split("_") if w]
        if words and new and words[-1].lower() == new[0].lower():
            new = new[1:]
        words += new
    return "_".join(words)


def salesforce_field_name(prefix: str, key: str) -> str:
    return f"{prefixed(prefix, camel(key))}__c"


def hubspot_property_name(prefix: str, key: str) -> str:
    """handoff + handoff_call_at gives handoff_call_at, never handoff_handoff_call_at (see prefixed)."""
    return prefixed(prefix, key) if prefix else key


def salesforce_name_problem(
    api_name: str, *, max_length: int = SALESFORCE_NAME_MAX, custom: bool = True
) -> str | None:
    """Why `api_name` cannot be a Salesforce API name, or None when it can."""
    stem = api_name
    if custom:
        if not api_name.endswith("__c"):
            return f"'{api_name}' must end with __c"
        stem = api_name[:-3]
    if not stem:
        return "the name is empty"
    if len(stem) > max_length:
        return f"'{stem}' is {len(stem)} characters; Salesforce allows {max_length}" + (
            " before __c" if custom else ""
        )
    if not _SF_STEM.match(stem):
        if "__" in stem:
            return f"'{stem}' contains a double underscore, which Salesforce reserves"
        if stem.endswith("_"):
            return f"'{stem}' ends with an underscore"
        if not stem[0].isalpha():
            return f"'{stem}' must start with a letter"
        return f"'{stem}' may contain only letters, digits and single underscores"
    if stem.lower() in SALESFORCE_RESERVED:
        return f"'{stem}' is a reserved word in Salesforce"
    return None


def hubspot_name_problem(name: str) -> str | None:
    """Why `name` cannot be a HubSpot property internal name, or None when it can."""
    if len(name) > HUBSPOT_NAME_MAX:
        return f"'{name}' is {len(name)} characters; HubSpot allows fewer than 100"
    if not _HS_NAME.match(name):
        return f"'{name}' must be lowercase letters, digits and underscores, starting with a letter"
    if name in HUBSPOT_RESERVED or name.startswith("hs_"):
        return f"'{name}' clashes with a HubSpot built-in deal property"
    return None
