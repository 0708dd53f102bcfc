"""Saved plans: what `plan --out` writes and `apply PLAN` executes, with the live fingerprints it read.

A plan file holds the changes, the live fingerprints they were planned from, and the desired
resources apply sends (bodies, and the payload a target deploys when that is not the body), so
`apply PLAN` sends exactly what was reviewed without rendering the spec again. Components are named
"kind:key" on disk for readability; `_key` is the one place that reads such a name back.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Mapping

from handrail.generators.output.files import atomic_text
from handrail.generators.plan.diff import Change, Difference, Finding, Key, Plan, ident
from handrail.generators.plan.resources import Desired, Origin, Resource
from handrail.specs.diagnostics import HandrailError, InputError, Span

FORMAT = "handrail-plan/2"
OLDER_FORMATS = ("handrail-plan/1",)


class StalePlanError(HandrailError):
    """The org or the spec changed since the plan was made."""

    exit_code = 1


def spec_digest(path: str | Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _key(name: str) -> Key:
    """A component name as the file writes it ("kind:key") read back as (kind, key)."""
    kind, sep, key = name.partition(":")
    if not (sep and kind and key):
        raise ValueError(f"component name {name!r} is not kind:key")
    return kind, key


def _span(span: Span | None) -> list | None:
    return None if span is None else [span.file, span.line, span.column]


def _read_span(data: list | None) -> Span | None:
    return None if data is None else Span(*data)


def _origin(origin: Origin | None) -> dict | None:
    return None if origin is None else {"kind": origin.kind, "key": origin.key, "span": _span(origin.span)}


def _read_origin(data: Mapping | None) -> Origin | None:
    return None if data is None else Origin(data["kind"], data["key"], _read_span(data["span"]))


def _resource(r: Resource) -> dict[str, Any]:
    return {
        "kind": r.kind,
        "key": r.key,
        "body": r.body,
        "source": _span(r.source),
        "origin": _origin(r.origin),
        "facts": dict(r.facts),
        "payload": r.payload,
    }


def _read_resource(d: Mapping) -> Resource:
    return Resource(
        d["kind"],
        d["key"],
        d["body"],
        _read_span(d["source"]),
        _read_origin(d["origin"]),
        d["facts"],
        d["payload"],
    )


def save(plan: Plan, path: str | Path, spec_sha256: str, desired: Desired | None = None) -> None:
    """Writes the plan and the desired state apply sends (`desired`, else the one the plan was made from)."""
    desired = desired or plan.desired
    if desired is None:
        raise HandrailError("a plan is saved with the desired state it was made from; none was given")
    data = {
        "format": FORMAT,
        "target": plan.target,
        "environment": plan.environment,
        "spec_sha256": spec_sha256,
        "fingerprints": {ident(k): printed for k, printed in plan.fingerprints.items()},
        "unmanaged": list(plan.unmanaged),
        "unverifiable": list(plan.unverifiable),
        "changes": [
            {
                "action": c.action,
                "kind": c.kind,
                "key": c.key,
                "origin": _origin(c.origin),
                "facts": dict(c.facts),
                "source": _span(c.source),
                "before": c.before,
                "after": c.after,
                "differences": [[d.path, d.before, d.after] for d in c.differences],
                "findings": [[f.severity, f.code, f.message, f.destructive] for f in c.findings],
            }
            for c in plan.changes
        ],
        "desired": {"target": desired.target, "resources": [_resource(r) for r in desired.resources]},
    }
    with atomic_text(path) as handle:
        json.dump(data, handle, indent=2, sort_keys=True)
        handle.write("\n")


def load(path: str | Path) -> tuple[Plan, str]:
    """(plan, spec sha256) from a saved plan file; the plan's `desired` is what apply sends."""
    try:
        data = json.loads(Path(path).read_text("utf-8"))
    except FileNotFoundError:
        raise InputError(f"{path}: no such plan file") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: not a plan file ({exc})") from None
    made_by = data.get("format") if isinstance(data, dict) else None
    if made_by in OLDER_FORMATS:
        raise InputError(
            f"{path}: a {made_by} plan file from an older Handrail, which apply can no longer "
            "carry out; run `handrail plan --out` again"
        )
    if made_by != FORMAT:
        raise InputError(f"{path}: not a {FORMAT} plan file; make one with `handrail plan --out`")
    try:
        changes = tuple(
            Change(
                c["action"],
                c["kind"],
                c["key"],
                c["before"],
                c["after"],
                tuple(Difference(*d) for d in c["differences"]),
                tuple(Finding(*f) for f in c["findings"]),
                _read_span(c["source"]),
                _read_origin(c["origin"]),
                c["facts"],
            )
            for c in data["changes"]
        )
        desired = Desired(
            data["desired"]["target"], tuple(_read_resource(r) for r in data["desired"]["resources"])
        )
        prints = {_key(name): printed for name, printed in data["fingerprints"].items()}
        plan = Plan(
            data["target"],
            data["environment"],
            changes,
            prints,
            tuple(data["unmanaged"]),
            tuple(data["unverifiable"]),
            desired=desired,
        )
        spec_sha = data["spec_sha256"]
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise InputError(f"{path}: damaged plan file ({exc})") from None
    return plan, spec_sha


def stale_components(plan: Plan, live_prints: Mapping[Key, str | None]) -> list[str]:
    """The components (by ident) whose live fingerprint is no longer the one the plan was made from."""
    return sorted(ident(k) for k, printed in plan.fingerprints.items() if live_prints.get(k) != printed)
