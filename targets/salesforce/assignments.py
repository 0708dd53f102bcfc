"""Who holds Handrail's permission sets in an org: the environment's `permission_sets:` lists.

    environments:
      production:
        target: salesforce
        permission_sets:
          sales: [ae.one@acme.com, ae.two@acme.com]
          cs: [csm.lead@acme.com]

One resource per permission set (kind PermissionSetAssignment, key the set's name), its body the sorted
usernames holding it. Plan shows who gains and who would lose it; apply inserts PermissionSetAssignment
records for the gains after the metadata deploy (the set must exist first) and deletes the records of
the losses only with --allow-destructive; without it they stay and the plan keeps showing them. The
usernames are checked against the org's active users before anything is planned: a username the org
does not have (a production username in a sandbox, where usernames carry a ".sandboxname" suffix) is a
located spec error.
"""

from __future__ import annotations

from difflib import get_close_matches

from handrail.generators.plan.diff import UPDATE, Change, Finding
from handrail.generators.plan.resources import Origin, Resource
from handrail.specs.diagnostics import SpecError, error
from handrail.specs.model import Environment, Model
from handrail.targets.salesforce.permission_set import permission_set_name

KIND = "PermissionSetAssignment"


def _quote(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def resources(model: Model, env: Environment) -> list[Resource]:
    out = []
    for role, users in env.permission_sets:
        span = users[0].span if users else env.span
        out.append(
            Resource(
                KIND,
                permission_set_name(model, role),
                {"assignees": sorted({u.username.lower() for u in users})},
                source=span,
                origin=Origin("permission set assignment", role, span),
            )
        )
    return out


def check_users(conn, env: Environment) -> dict[str, str]:
    """Username (lower case) -> User Id for every user the environment names; a located error for each
    username that is not an active user of the org."""
    names = sorted({u.username.lower() for _, users in env.permission_sets for u in users})
    if not names:
        return {}
    rows = conn.query_all(
        "SELECT Id, Username FROM User WHERE IsActive = true AND Username IN ("
        + ", ".join(_quote(n) for n in names)
        + ")"
    )
    found = {r["Username"].lower(): r["Id"] for r in rows}
    problems = []
    for _, users in env.permission_sets:
        for u in users:
            if u.username.lower() not in found:
                close = get_close_matches(u.username.lower(), _alike(conn, u.username), 1, 0.8)
                problems.append(
                    error(
                        "salesforce.user.unknown",
                        f"no active user with username {u.username!r} in environment '{env.name}'",
                        span=u.span,
                        hint=(f"did you mean {close[0]!r}? " if close else "")
                        + "usernames differ per org: a sandbox's carry a '.sandboxname' suffix",
                    )
                )
    if problems:
        raise SpecError(problems)
    return found


def _alike(conn, username: str) -> list[str]:
    """Active usernames with the same part before the @ (a sandbox's differ only after it)."""
    local = (
        username.split("@", 1)[0].replace("\\", "").replace("%", "")
    )  # "_" matching any one letter is harmless
    rows = conn.query_all(
        f"SELECT Username FROM User WHERE IsActive = true AND Username LIKE {_quote(local + '@%')}"
    )
    return [r["Username"].lower() for r in rows]


def fetch(conn, names: list[str]) -> dict[str, Resource]:
    """The live holders of each named permission set (absent when the set does not exist yet)."""
    sets = conn.query_all(
        "SELECT Id, Name FROM PermissionSet WHERE Name IN (" + ", ".join(_quote(n) for n in names) + ")"
    )
    holders: dict[str, list[str]] = {r["Name"]: [] for r in sets}
    if holders:
        rows = conn.query_all(
            "SELECT Assignee.Username, PermissionSet.Name FROM PermissionSetAssignment "
            "WHERE PermissionSet.Name IN (" + ", ".join(_quote(n) for n in sorted(holders)) + ")"
        )
        for r in rows:
            holders[r["PermissionSet"]["Name"]].append(r["Assignee"]["Username"].lower())
    return {n: Resource(KIND, n, {"assignees": sorted(users)}) for n, users in holders.items()}


def gains_and_losses(change: Change) -> tuple[list[str], list[str]]:
    before = set((change.before or {}).get("assignees", []))
    after = set((change.after or {}).get("assignees", []))
    return sorted(after - before), sorted(before - after)


def losses_kept(change: Change) -> list[Finding]:
    """A user who would lose a set is a warning: removed only with --allow-destructive."""
    if change.kind != KIND or change.action != UPDATE:
        return []
    _, lost = gains_and_losses(change)
    if not lost:
        return []
    return [
        Finding(
            "warning",
            "unassign",
            f"{', '.join(lost)} would lose {change.key}: removed only with --allow-destructive, else kept",
        )
    ]


def describe(change: Change) -> list[str]:
    gained, lost = gains_and_losses(change)
    lines = [f"{u} gains permission set {change.key}" for u in gained]
    return lines + [f"{u} would lose permission set {change.key}" for u in lost]


def apply(conn, changes: list[Change], user_ids: dict[str, str], allow_destructive: bool) -> list[str]:
    """Insert the gains, delete the losses when allowed; the notes say what was done and what was kept."""
    notes = []
    names = sorted({c.key for c in changes})
    set_ids = {
        r["Name"]: r["Id"]
        for r in conn.query_all(
            "SELECT Id, Name FROM PermissionSet WHERE Name IN (" + ", ".join(_quote(n) for n in names) + ")"
        )
    }
    for change in changes:
        gained, lost = gains_and_losses(change)
        for username in gained:
            values = {"AssigneeId": user_ids[username], "PermissionSetId": set_ids[change.key]}
            conn.dml("create", "PermissionSetAssignment", values)
            notes.append(f"{username} now holds permission set {change.key}")
        if lost and not allow_destructive:
            notes.append(f"kept {change.key} for {', '.join(lost)} (pass --allow-destructive to remove)")
            continue
        if lost:
            rows = conn.query_all(
                "SELECT Id, Assignee.Username FROM PermissionSetAssignment WHERE PermissionSetId = "
                + _quote(set_ids[change.key])
            )
            for r in rows:
                if r["Assignee"]["Username"].lower() in lost:
                    conn.dml("delete", "PermissionSetAssignment", r["Id"])
                    notes.append(f"{r['Assignee']['Username']} no longer holds permission set {change.key}")
    return notes
