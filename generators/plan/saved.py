"""Saved plans: what `plan --out` writes and `apply PLAN` executes, with the live fingerprints it read."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

from handrail.generators.output.files import atomic_text
from handrail.generators.plan.diff import Change, Difference, Finding, Plan
from handrail.specs.diagnostics import HandrailError, InputError

FORMAT = "handrail-plan/1"


class StalePlanError(HandrailError):
    """The org or the spec changed since the plan was made."""

    exit_code = 1


def spec_digest(path: str | Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def save(plan: Plan, path: str | Path, spec_sha256: str) -> None:
    data = {
        "format": FORMAT, "target": plan.target, "environment": plan.environment, "spec_sha256": spec_sha256,
        "fingerprints": dict(plan.fingerprints), "unmanaged": list(plan.unmanaged),
        "unverifiable": list(plan.unverifiable),
        "changes": [{"action": c.action, "kind": c.kind, "key": c.key, "origin": c.origin,
                     "before": c.before, "after": c.after,
                     "differences": [[d.path, d.before, d.after] for d in c.differences],
                     "findings": [[f.severity, f.code, f.message, f.destructive] for f in c.findings]}
                    for c in plan.changes],
    }
    with atomic_text(path) as handle:
        json.dump(data, handle, indent=2, sort_keys=True)
        handle.write("\n")


def load(path: str | Path) -> tuple[Plan, str]:
    """(plan, spec sha256) from a saved plan file."""
    try:
        data = json.loads(Path(path).read_text("utf-8"))
    except FileNotFoundError:
        raise InputError(f"{path}: no such plan file") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: not a plan file ({exc})") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise InputError(f"{path}: not a {FORMAT} plan file; make one with `handrail plan --out`")
    try:
        changes = tuple(Change(c["action"], c["kind"], c["key"], c["before"], c["after"],
                               tuple(Difference(*d) for d in c["differences"]),
                               tuple(Finding(*f) for f in c["findings"]), origin=c.get("origin", ""))
                        for c in data["changes"])
        plan = Plan(data["target"], data["environment"], changes, data["fingerprints"], tuple(data["unmanaged"]),
                    tuple(data.get("unverifiable", ())))
    except (KeyError, TypeError) as exc:
        raise InputError(f"{path}: damaged plan file ({exc})") from None
    return plan, data["spec_sha256"]


def stale_components(plan: Plan, live_prints: dict[str, str | None]) -> list[str]:
    return sorted(ident for ident, printed in plan.fingerprints.items() if live_prints.get(ident) != printed)
