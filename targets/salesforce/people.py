"""The people in the generated flows and Apex tests, resolved to this org's users at plan time.

The build names people by the spec's usernames (`Get cs-pool@acme.com`: a User lookup by Username, active
users only). Usernames differ per org, a sandbox's carrying a `.sandboxname` suffix, so plan (the org's
prepare step) asks the org for its active users once, and substitutes each person's username in this
environment (specs.people: the environment's `people:` entry, else the spec's username with its
`username_suffix`) into the desired resources before the diff. Only those usernames change between
environments; element names and everything else stay as built. A person the org has no active user
for is a located spec error at every place the spec names them (exit 3): a flow deployed with such a
lookup would find nobody and silently assign no CSM.
"""

from __future__ import annotations

import base64
import dataclasses
import re
from difflib import get_close_matches
from typing import Any

from handrail.generators.plan.resources import Desired
from handrail.specs.diagnostics import Diagnostic, SpecError, error
from handrail.specs.model import Environment, Model
from handrail.specs.people import in_environment, usernames

_EDGE = r"[\w.@+-]"  # a username's characters: a match must not be part of a longer one


def _quote(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def resolve(desired: Desired, model: Model, env: Environment, conn) -> Desired:
    """Desired with every username the spec names replaced by this environment's, once the org has
    an active user for each."""
    people = usernames(model)
    if not people:
        return desired
    wanted = {person: in_environment(env, person) for person in people}
    rows = conn.query_all(
        "SELECT Id, Username FROM User WHERE IsActive = true AND Username IN ("
        + ", ".join(_quote(u) for u in sorted({u.lower() for u in wanted.values()}))
        + ")"
    )
    found = {r["Username"].lower(): r["Username"] for r in rows}
    problems: list[Diagnostic] = []
    for person, username in wanted.items():
        if username.lower() not in found:
            problems += _missing(conn, env, person, username, people[person])
    if problems:
        raise SpecError(problems)
    values = {p: found[u.lower()] for p, u in wanted.items() if found[u.lower()] != p}
    if not values:
        return desired
    resources = tuple(
        dataclasses.replace(r, body=substitute(r.body, values), payload=_payload(r.payload, values))
        for r in desired.resources
    )
    return dataclasses.replace(desired, resources=resources)


def _payload(payload: Any, values: dict[str, str]) -> Any:
    """The component apply deploys (components.py: its XML pairs and base64 file content), resolved."""
    if not isinstance(payload, dict):
        return payload
    out = substitute(payload, values)
    if payload.get("content"):
        text = base64.b64decode(payload["content"]).decode("utf-8")
        out["content"] = base64.b64encode(substitute(text, values).encode("utf-8")).decode("ascii")
    return out


def substitute(body: Any, values: dict[str, str]) -> Any:
    """`body` with each whole occurrence of a key of `values` (a username) replaced by its value."""
    if isinstance(body, dict):
        return {k: substitute(v, values) for k, v in body.items()}
    if isinstance(body, (list, tuple)):
        return type(body)(substitute(v, values) for v in body)
    if isinstance(body, str) and "@" in body:
        pattern = "|".join(re.escape(p) for p in sorted(values, key=len, reverse=True))
        return re.sub(f"(?<!{_EDGE})(?:{pattern})(?!{_EDGE})", lambda m: values[m.group(0)], body)
    return body


def _missing(conn, env: Environment, person: str, username: str, spans) -> list[Diagnostic]:
    who = repr(person) + (f" (in this environment {username!r})" if username != person else "")
    close = get_close_matches(username.lower(), _alike(conn, username), 1, 0.8)
    hint = (f"did you mean {close[0]!r}? " if close else "") + (
        f"set environments.{env.name}.people.{person} to their username in this org"
        + ("" if env.username_suffix else ", or a username_suffix for a sandbox")
    )
    message = f"{who} is not an active user in the Salesforce org of environment '{env.name}'"
    return [error("salesforce.user.unknown", message, span=span, hint=hint) for span in dict.fromkeys(spans)]


def _alike(conn, username: str) -> list[str]:
    """Active usernames with the same part before the @ (a sandbox's differ only after it)."""
    local = username.split("@", 1)[0].replace("\\", "").replace("%", "")
    rows = conn.query_all(
        f"SELECT Username FROM User WHERE IsActive = true AND Username LIKE {_quote(local + '@%')}"
    )
    return [r["Username"].lower() for r in rows]
