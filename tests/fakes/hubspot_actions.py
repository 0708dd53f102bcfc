"""The fields of built-in workflow actions the fake portal checks, as HubSpot documents them (the OpenAPI
document leaves `fields` open).

Rotate record to owner (actionTypeId 0-11, v4 action reference:
https://developers.hubspot.com/docs/api-reference/automation-automation-v4-v4/action-enrollment-reference):
`user_ids` (user ids, as strings) or `team_ids`, `target_property` (the enrolled record's owner property
to set: hubspot_owner_id or a custom property referencing owners) and `overwrite_current_owner` ("true" or
"false"). Nothing else is accepted.
"""

from __future__ import annotations

from fakes.hubspot_portal import Portal, object_type
from fakes.hubspot_schema_api import hs_error
from fakes.server import Response

ROTATE = "0-11"
_ROTATE_KEYS = {"target_property", "overwrite_current_owner"}


def actions_problem(portal: Portal, data: dict) -> Response | None:
    for action in data.get("actions", []):
        if action.get("type") == "SINGLE_CONNECTION" and action.get("actionTypeId") == ROTATE:
            problem = _rotate_problem(portal, object_type(data.get("objectTypeId", "")), action.get("fields"))
            if problem:
                return hs_error(400, "VALIDATION_ERROR", f"Action {action.get('actionId')}: {problem}")
    return None


def _rotate_problem(portal: Portal, obj: str | None, fields) -> str | None:
    if not isinstance(fields, dict):
        return "fields must be an object"
    who = {"user_ids", "team_ids"} & set(fields)
    if len(who) != 1:
        return "rotate to owner needs exactly one of user_ids and team_ids"
    extra = set(fields) - _ROTATE_KEYS - who
    if extra or _ROTATE_KEYS - set(fields):
        return f"rotate to owner takes {sorted(_ROTATE_KEYS | who)}, got {sorted(fields)}"
    ids = fields[who.pop()]
    if not isinstance(ids, list) or not ids or not all(isinstance(i, str) and i.isdigit() for i in ids):
        return f"user_ids/team_ids must be a non-empty list of ids as strings, got {ids!r}"
    users = {str(o["userId"]) for o in portal.owners if not o.get("archived")}
    if "user_ids" in fields and not set(ids) <= users:
        return f"no user with id {sorted(set(ids) - users)[0]}"
    if fields["overwrite_current_owner"] not in ("true", "false"):
        return f"overwrite_current_owner must be 'true' or 'false', got {fields['overwrite_current_owner']!r}"
    prop = portal.properties.get(obj or "", {}).get(fields["target_property"])
    if prop is None or prop.get("archived") or prop.get("referencedObjectType") != "OWNER":
        return f"target_property {fields['target_property']!r} is not an owner property of {obj}"
    return None
