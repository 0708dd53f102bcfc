"""People in the generated workflows: `${owner:EMAIL}` / `${user:EMAIL}` placeholders resolved to this
portal's owner ids and user ids, so desired bodies compare with what HubSpot holds.

The build writes placeholders because ids differ per portal (targets.hubspot.actions). Plan resolves
them through one paged read of the Owners API. A manager role (`csm_manager`, `owner_manager`) has no
HubSpot counterpart: the environment binds it to a user's e-mail (`csm_manager_email: ...`).
An environment's `people:` entry names who a person is in that portal (specs.people; a username_suffix is
Salesforce's alone). A person the portal does not have is a spec error pointing at every place the spec
names them.
"""

from __future__ import annotations

import dataclasses
import json
import re
from typing import Any, Iterable

from handrail.generators.plan.resources import Desired
from handrail.specs.diagnostics import Diagnostic, Span, SpecError, error
from handrail.specs.model import Environment, Model
from handrail.specs.people import in_environment, named
from handrail.targets.hubspot.actions import MANAGER_ROLES

PLACEHOLDER = re.compile(r"\$\{(owner|user):([^}]+)\}")


def used(desired: Desired) -> set[tuple[str, str]]:
    """(kind, person) for every placeholder in the desired bodies."""
    text = json.dumps([r.body for r in desired.resources])
    return set(PLACEHOLDER.findall(text))


def binding_setting(role: str) -> str:
    return f"{role}_email"


def resolve(desired: Desired, model: Model, env: Environment, owners: Iterable[dict]) -> Desired:
    """Desired with every placeholder replaced by an id from `owners` (Owners API records)."""
    wanted = used(desired)
    if not wanted:
        return desired
    by_email = {str(o.get("email") or "").lower(): o for o in owners if not o.get("archived")}
    values: dict[str, str] = {}
    problems: list[Diagnostic] = []
    for kind, person in sorted(wanted):
        email = (
            env.get(binding_setting(person))
            if person in MANAGER_ROLES
            else in_environment(env, person, suffix=False)
        )
        if not email:
            problems += _unbound(model, env, person)
            continue
        owner = by_email.get(str(email).lower())
        value = None if owner is None else owner.get("id") if kind == "owner" else owner.get("userId")
        if value is None:
            problems += _missing(model, env, kind, person, str(email), owner is not None)
            continue
        values["${" + kind + ":" + person + "}"] = str(value)
    if problems:
        raise SpecError(problems)
    resources = tuple(dataclasses.replace(r, body=substitute(r.body, values)) for r in desired.resources)
    return dataclasses.replace(desired, resources=resources)


def substitute(body: Any, values: dict[str, str]) -> Any:
    if isinstance(body, dict):
        return {k: substitute(v, values) for k, v in body.items()}
    if isinstance(body, list):
        return [substitute(v, values) for v in body]
    if isinstance(body, str) and "${" in body:
        return PLACEHOLDER.sub(lambda m: values.get(m.group(0), m.group(0)), body)
    return body


def people_spans(model: Model) -> dict[str, list[Span | None]]:
    """Where the spec names each person (task owners, recipients, CSM assignments)."""
    return named(model)


def _at_each_use(model: Model, person: str, message: str, hint: str) -> list[Diagnostic]:
    spans = people_spans(model).get(person) or [None]
    return [error("hubspot-person", message, span=span, hint=hint) for span in dict.fromkeys(spans)]


def _unbound(model: Model, env: Environment, role: str) -> list[Diagnostic]:
    setting = binding_setting(role)
    return _at_each_use(
        model,
        role,
        f"HubSpot users have no manager, so '{role}' needs a user bound to it in environment '{env.name}'",
        f"set environments.{env.name}.{setting} to the e-mail of the HubSpot user who acts as {role}",
    )


def _missing(
    model: Model, env: Environment, kind: str, person: str, email: str, found: bool
) -> list[Diagnostic]:
    who = f"'{person}'" + (f" (bound to {email})" if email != person else "")
    if found:
        message = (
            f"{who} is a HubSpot owner without a user id in environment '{env.name}', "
            "so workflows cannot e-mail them"
        )
    else:
        message = f"{who} is not an active owner in the HubSpot portal of environment '{env.name}'"
    return _at_each_use(
        model, person, message, "add them as a user in HubSpot, or name someone else in the spec"
    )
