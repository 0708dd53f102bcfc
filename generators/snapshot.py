"""A snapshot environment: org state kept in a folder, in the normal form, one JSON file per component.

    <folder>/snapshot.json                {"platform": "salesforce"}
    <folder>/<kind>/<key>.json             the component's body

`make run` plans, applies and diffs against one with no credentials; a saved snapshot of a real org
can be diffed the same way.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Collection

from handrail.generators.files import write_tree
from handrail.generators.org import ApplyResult
from handrail.generators.plan import CREATE, DELETE, UPDATE, Key, Plan
from handrail.generators.resources import Desired, Resource
from handrail.specs.diagnostics import InputError


def _dump(body) -> bytes:
    return (json.dumps(body, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")


class SnapshotOrg:
    def __init__(self, folder: Path, platform: str, name: str = "snapshot"):
        self.folder, self.platform, self.name = Path(folder), platform, name
        manifest = self.folder / "snapshot.json"
        if manifest.exists():
            recorded = json.loads(manifest.read_text()).get("platform")
            if recorded != platform:
                raise InputError(f"{self.folder} holds a {recorded} snapshot, but the environment says {platform}")

    def _path(self, kind: str, key: str) -> Path:
        return self.folder / kind / f"{key}.json"

    def _all(self) -> dict[str, bytes]:
        if not self.folder.is_dir():
            return {}
        return {str(p.relative_to(self.folder)): p.read_bytes() for p in sorted(self.folder.rglob("*.json"))}

    def fetch(self, keys: Collection[Key]) -> dict[Key, Resource]:
        out = {}
        for kind, key in keys:
            path = self._path(kind, key)
            if path.is_file():
                try:
                    out[(kind, key)] = Resource(kind, key, json.loads(path.read_text("utf-8")))
                except json.JSONDecodeError as exc:
                    raise InputError(f"{path}:{exc.lineno}:{exc.colno}: invalid JSON in snapshot: {exc.msg}") from None
        return out

    def managed(self) -> list[Key]:
        if not self.folder.is_dir():
            return []
        return sorted((p.parent.name, p.stem) for p in self.folder.glob("*/*.json"))

    def apply(self, plan: Plan, desired: Desired, model=None, options: dict | None = None) -> ApplyResult:
        """All or nothing: the folder is rewritten as a whole. A check-only apply writes nothing."""
        result = ApplyResult()
        if (options or {}).get("check_only"):
            result.check_only = True
            result.not_attempted = [c.ident for c in plan.pending]
            result.notes.append("check only: the snapshot was not changed")
            return result
        files = self._all()
        files["snapshot.json"] = _dump({"platform": self.platform})
        for change in plan.pending:
            rel = str(self._path(change.kind, change.key).relative_to(self.folder))
            if change.action in (CREATE, UPDATE):
                files[rel] = _dump(change.after)
            elif change.action == DELETE:
                files.pop(rel, None)
            result.applied.append(change.ident)
        write_tree(self.folder, files)
        result.notes.append(f"snapshot {self.folder} updated")
        return result
