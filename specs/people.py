"""The people a spec names by username, and who each is in an environment.

A spec names people in `assign_csm` rules (the CSM pool), task owners, notification recipients and SLA
escalations; the roles `owner`, `owner_manager`, `csm` and `csm_manager` are read from the deal and
are not usernames. Usernames differ per org (a Salesforce sandbox's carry a `.sandboxname` suffix),
so an environment may say who each person is there:

    environments:
      uat:
        target: salesforce
        username_suffix: .uat                         # cs-pool@acme.com -> cs-pool@acme.com.uat
        people:
          cs-manager@acme.com: cs.lead@acme.com.uat    # wins over the suffix

Nothing per environment is compiled: the build holds the spec's usernames, and plan substitutes the
environment's before the diff (targets.salesforce.people, targets.hubspot.placeholders).
"""

from __future__ import annotations

from difflib import get_close_matches
from typing import Iterable

from handrail.specs import playbook_rules
from handrail.specs.diagnostics import Diagnostic, Span, error
from handrail.specs.model import Environment, Model

ROLES = ("owner", "owner_manager", "csm", "csm_manager")


def named(model: Model) -> dict[str, list[Span | None]]:
    """Each person the spec names (roles included), with every place that names them, in spec order."""
    won = model.automation.on_closed_won
    uses: list[tuple[Iterable[str], Span | None]] = [(a.people, a.span) for a in won.assign_csm if a.people]
    returned = model.automation.on_intake_return
    tasks = list(won.tasks) + [t for e in model.automation.on_stage_entry for t in e.tasks]
    tasks += returned.tasks
    notes = list(won.notify) + [n for e in model.automation.on_stage_entry for n in e.notify]
    notes += returned.notify
    uses += [((t.owner,), t.span) for t in tasks] + [(n.to, n.span) for n in notes]
    uses += [(e.to, e.span) for e in won.escalations]
    uses += playbook_rules.people(model.playbook)
    out: dict[str, list[Span | None]] = {}
    for people, span in uses:
        for person in people:
            out.setdefault(person, []).append(span)
    return out


def usernames(model: Model) -> dict[str, list[Span | None]]:
    """The people the spec names by username (no roles)."""
    return {p: spans for p, spans in named(model).items() if p not in ROLES}


def in_environment(env: Environment | None, person: str, *, suffix: bool = True) -> str:
    """Who `person` is in `env`: its `people:` entry, else the username with the environment's suffix."""
    if env is None:
        return person
    override = dict(env.people).get(person)
    if override:
        return override
    return person + (env.username_suffix or "") if suffix else person


def check_environments(model: Model) -> list[Diagnostic]:
    """Per-environment people values where they cannot apply: a username_suffix for a HubSpot portal
    (whose people are e-mails), hubspot_stages for a Salesforce org, a people: entry for someone the spec
    never names (a typo would otherwise pass silently)."""
    out: list[Diagnostic] = []
    spec_people = named(model)
    for env in model.environments:
        where = f"environments.{env.name}"
        platform = env.get("platform") if env.target == "snapshot" else env.target
        if env.username_suffix and platform == "hubspot":
            message = f"username_suffix is for Salesforce usernames; '{env.name}' is a HubSpot environment"
            hint = "name a person's e-mail in this portal under people: instead"
            out.append(
                error("salesforce-only", message, path=f"{where}.username_suffix", span=env.span, hint=hint)
            )
        if env.hubspot_stages and platform == "salesforce":
            message = f"hubspot_stages names HubSpot stage ids; '{env.name}' is a Salesforce environment"
            out.append(error("hubspot-only", message, path=f"{where}.hubspot_stages", span=env.span))
        for person, _ in env.people:
            if person not in spec_people:
                close = get_close_matches(person, list(spec_people), 1)
                out.append(
                    error(
                        "unknown-person",
                        f"the spec names no '{person}' (in assign_csm, tasks, notify or escalations)",
                        path=f"{where}.people",
                        span=env.span,
                        hint=f"did you mean `{close[0]}`?" if close else "",
                    )
                )
    return out
