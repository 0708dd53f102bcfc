"""Saving live state as a snapshot environment: the folder format generators.plan.snapshot reads.

    <folder>/snapshot.json        {"platform": ..., "environment": ..., "saved_at": ...}
    <folder>/<kind>/<key>.json    each component's body, in the normal form plan compares

Values plan resolves per environment (people's ids and usernames) are saved as the spec names them,
so the snapshot diffs offline against the spec as the org did live. The folder is written whole or not
at all (a staging folder renamed into place), and only where no other files would be lost: a new or
empty folder, or one that already holds a snapshot.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Mapping

from handrail.generators.output.files import write_tree
from handrail.generators.plan.snapshot import MANIFEST
from handrail.specs.diagnostics import UsageProblem


def _dump(body: Any) -> bytes:
    return (json.dumps(body, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")


def check_destination(folder: Path) -> None:
    """Refuse (exit 2) a folder whose files a snapshot would replace: not empty and not a snapshot."""
    if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
        raise UsageProblem(f"--out {folder} is not a folder; a snapshot needs a folder of its own")
    if folder.is_dir() and not (folder / MANIFEST).is_file() and any(folder.iterdir()):
        raise UsageProblem(
            f"--out {folder} holds files but no {MANIFEST}, so it is not a snapshot; "
            "name a new or empty folder, or a snapshot to replace"
        )


def _relative_file(kind: str, key: str) -> str:
    steps = key.split("/")
    if (
        not kind
        or any(c in kind for c in "/\\\0")
        or kind in (".", "..")
        or any(c in key for c in "\\\0")
        or any(s in ("", ".", "..") for s in steps)
    ):
        raise UsageProblem(
            f"component {kind}:{key} cannot be stored in a snapshot: its name is not a file name"
        )
    return f"{kind}/{key}.json"


def snapshot_files(
    platform: str, environment: str, bodies: Mapping[tuple[str, str], Any], now: datetime | None = None
) -> dict[str, bytes]:
    stamp = (now or datetime.now(timezone.utc)).strftime("%Y-%m-%dT%H:%M:%SZ")
    files = {MANIFEST: _dump({"platform": platform, "environment": environment, "saved_at": stamp})}
    for (kind, key), body in sorted(bodies.items()):
        files[_relative_file(kind, key)] = _dump(body)
    return files


def as_spec_names(live: Any, resolved: Any, unresolved: Any) -> Any:
    """`live` with each value the org resolved for this environment (a person's id or username) put back
    as the spec writes it, wherever `live` holds exactly what plan resolved: a snapshot then diffs offline,
    where nothing is resolved, as the org did live."""
    if resolved == unresolved:
        return live
    if isinstance(live, dict) and isinstance(resolved, dict) and isinstance(unresolved, dict):
        return {
            k: as_spec_names(v, resolved[k], unresolved[k]) if k in resolved and k in unresolved else v
            for k, v in live.items()
        }
    if (
        isinstance(live, list)
        and isinstance(resolved, list)
        and isinstance(unresolved, list)
        and len(live) == len(resolved) == len(unresolved)
    ):
        return [as_spec_names(*parts) for parts in zip(live, resolved, unresolved)]
    return unresolved if live == resolved else live


def save(folder: Path, platform: str, environment: str, bodies: Mapping[tuple[str, str], Any]) -> int:
    """Write the snapshot; the number of components saved."""
    check_destination(folder)
    files = snapshot_files(platform, environment, bodies)
    write_tree(folder, files)
    return len(files) - 1
