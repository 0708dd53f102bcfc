"""HubSpot's API vocabulary that Handrail emits: endpoints, property types, action types, rule types.

These are Handrail's own constants (taken from HubSpot's public API documentation), so output can be
checked offline without shipping HubSpot's OpenAPI documents.
"""

from __future__ import annotations

DEAL_OBJECT_TYPE_ID = "0-3"
DEALS = "deals"
MANAGED_MARK = "Managed by Handrail"
FLOW_PREFIX = "[Handrail]"

# Request paths, as the manifest lists them.
PROPERTY_GROUPS_PATH = f"/crm/v3/properties/{DEALS}/groups"
PROPERTIES_PATH = f"/crm/v3/properties/{DEALS}"
VALIDATION_PATH = "/crm/v3/property-validations/" + DEAL_OBJECT_TYPE_ID + "/{property}/rule-type/{rule}"
FLOWS_PATH = "/automation/v4/flows"
PIPELINE_RULES_PATH = "/crm/pipelines-rules/2026-09-beta/" + DEAL_OBJECT_TYPE_ID + "/{pipeline}"

# Property type -> the field types HubSpot accepts with it.
FIELD_TYPES = {
    "string": frozenset({"text", "textarea", "html", "phonenumber", "file", "calculation_equation"}),
    "enumeration": frozenset({"select", "radio", "checkbox", "booleancheckbox", "calculation_equation"}),
    "number": frozenset({"number", "calculation_equation"}),
    "date": frozenset({"date"}),
    "datetime": frozenset({"date"}),
    "bool": frozenset({"booleancheckbox", "calculation_equation"}),
}
NUMBER_DISPLAY_HINTS = frozenset(
    {"currency", "duration", "formatted", "percentage", "probability", "unformatted"}
)
STRING_MAX_LENGTH = 65_536

# Spec field type -> (type, fieldType, numberDisplayHint).
SPEC_TYPES = {
    "short_text": ("string", "text", None),
    "long_text": ("string", "textarea", None),
    "picklist": ("enumeration", "select", None),
    "multi_select": ("enumeration", "checkbox", None),
    "number": ("number", "number", "formatted"),
    "currency": ("number", "number", "currency"),
    "percent": ("number", "number", "percentage"),
    "date": ("date", "date", None),
    "datetime": ("datetime", "date", None),
    "checkbox": ("bool", "booleancheckbox", None),
    "user": ("enumeration", "select", None),  # an owner reference: referencedObjectType OWNER
}

VALIDATION_RULE_TYPES = frozenset(
    {
        "AFTER_DATETIME_DURATION",
        "AFTER_DURATION",
        "ALPHANUMERIC",
        "BEFORE_DATETIME_DURATION",
        "BEFORE_DURATION",
        "DAYS_OF_WEEK",
        "DECIMAL",
        "DOMAIN",
        "EMAIL",
        "EMAIL_ALLOWED_DOMAINS",
        "EMAIL_BLOCKED_DOMAINS",
        "END_DATE",
        "END_DATETIME",
        "FORMAT",
        "MAX_LENGTH",
        "MAX_NUMBER",
        "MIN_LENGTH",
        "MIN_NUMBER",
        "PHONE_NUMBER_WITH_EXPLICIT_COUNTRY_CODE",
        "REGEX",
        "SPECIAL_CHARACTERS",
        "START_DATE",
        "START_DATETIME",
        "URL",
        "URL_ALLOWED_DOMAINS",
        "URL_BLOCKED_DOMAINS",
        "WHITESPACE",
    }
)

# Built-in workflow action types (automation v4).
DELAY = "0-1"
CREATE_TASK = "0-3"
SET_PROPERTY = "0-5"
INTERNAL_EMAIL = "0-8"
ROTATE_TO_OWNER = (
    "0-11"  # fields: user_ids (user ids), target_property (an owner property), overwrite_current_owner
)
ACTION_TYPES = {
    DELAY: "delay",
    CREATE_TASK: "create task",
    SET_PROPERTY: "set property value",
    INTERNAL_EMAIL: "send internal email notification",
    ROTATE_TO_OWNER: "rotate record to owner",
}
ACTION_KINDS = frozenset({"SINGLE_CONNECTION", "STATIC_BRANCH", "LIST_BRANCH"})
TASK_TO_DEAL_ASSOCIATION = 216

# HubSpot's own deal properties the generated configuration reads.
OWNER_PROPERTY = "hubspot_owner_id"
STAGE_PROPERTY = "dealstage"
PIPELINE_PROPERTY = "pipeline"  # the deal's pipeline id
DEAL_NAME_PROPERTY = "dealname"
CREATED_PROPERTY = "createdate"
CLOSE_DATE_PROPERTY = "closedate"
MS_PER_DAY = 86_400_000
