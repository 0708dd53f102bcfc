"""A snapshot environment: org state kept in a folder, in the normal form, one JSON file per component.

    <folder>/snapshot.json                {"platform": "salesforce"}
    <folder>/<kind>/<key>.json             the component's body
    <folder>/.handrail.lock                held while an apply writes

`make run` plans, applies and diffs against one with no credentials; a saved snapshot of a real org
can be diffed the same way. The folder must lie inside the spec's folder tree. An apply writes only
snapshot.json and the component files its plan names, each atomically, under a lock, after checking
that no component it planned from has changed since (a concurrent apply makes it refuse, not overwrite).
"""

from __future__ import annotations

import json
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Collection, Iterator

from handrail.generators.output.files import atomic_text
from handrail.generators.plan.diff import CREATE, DELETE, UPDATE, Key, Plan, fingerprint
from handrail.generators.plan.org import ApplyResult
from handrail.generators.plan.resources import Desired, Resource
from handrail.generators.plan.saved import StalePlanError, stale_components
from handrail.specs.diagnostics import HandrailError, InputError
from handrail.specs.snapshot_path import SnapshotPathError, confined_snapshot_folder

MANIFEST = "snapshot.json"
Owns = Callable[[str, str, Any], bool]  # (kind, key, body) -> Handrail's component?
LOCK = ".handrail.lock"


def _dump(body) -> str:
    return json.dumps(body, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _stays_inside(part: str) -> bool:
    """A kind or key usable as a relative file path: not absolute, no '.'/'..' step, nothing that
    climbs out."""
    steps = part.split("/")
    return bool(part) and not any(c in part for c in "\\\0") and all(s not in ("", ".", "..") for s in steps)


@contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """An exclusive lock on the snapshot folder, released when the block ends (or the process dies)."""
    import fcntl  # POSIX; imported here so reading a snapshot works everywhere

    fd = os.open(folder / LOCK, os.O_RDWR | os.O_CREAT, 0o666)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # waits for another apply to finish, then re-checks what it planned
        yield
    finally:
        os.close(fd)


class SnapshotOrg:
    def __init__(self, folder: Path, platform: str, name: str = "snapshot", owns: Owns | None = None):
        self.folder, self.platform, self.name = Path(folder), platform, name
        self.owns = owns  # the target's rule for a live org's components (None: every file is Handrail's)
        recorded = self._recorded_platform()
        if recorded is not None and recorded != platform:
            raise InputError(
                f"{self.folder} holds a {recorded} snapshot, but the environment says {platform}"
            )

    @classmethod
    def inside(
        cls, spec_dir: Path, path: str, platform: str, name: str = "snapshot", owns: Owns | None = None
    ) -> "SnapshotOrg":
        """The snapshot `path` names, refused unless it is a folder inside the spec's folder tree."""
        try:
            return cls(confined_snapshot_folder(spec_dir, path), platform, name, owns)
        except SnapshotPathError as exc:
            raise InputError(f"environments.{name}.path: {exc}") from None

    def _recorded_platform(self) -> str | None:
        manifest = self.folder / MANIFEST
        if not manifest.is_file():
            return None
        try:
            return json.loads(manifest.read_text("utf-8")).get("platform")
        except (ValueError, AttributeError) as exc:
            raise InputError(f"{manifest}: not a snapshot manifest ({exc})") from None

    def _path(self, kind: str, key: str) -> Path:
        if not (_stays_inside(kind) and "/" not in kind and _stays_inside(key)):
            raise HandrailError(
                f"component {kind}:{key} cannot be stored in a snapshot: "
                "its name is not a plain relative file name"
            )
        return self.folder / kind / f"{key}.json"

    def fetch(self, keys: Collection[Key]) -> dict[Key, Resource]:
        out = {}
        for kind, key in keys:
            path = self._path(kind, key)
            if path.is_file():
                try:
                    out[(kind, key)] = Resource(kind, key, json.loads(path.read_text("utf-8")))
                except json.JSONDecodeError as exc:
                    raise InputError(
                        f"{path}:{exc.lineno}:{exc.colno}: invalid JSON in snapshot: {exc.msg}"
                    ) from None
        return out

    def managed(self) -> list[Key]:
        """The components Handrail owns by the rule a live org follows: a snapshot may hold a whole org's
        (a saved retrieve), and those stay the org's."""
        if not self.folder.is_dir():
            return []
        files = (p.relative_to(self.folder).with_suffix("").parts for p in self.folder.glob("*/**/*.json"))
        keys = sorted((parts[0], "/".join(parts[1:])) for parts in files)  # a report's key holds its folder
        if self.owns is None:
            return keys
        bodies = self.fetch(keys)
        return [k for k in keys if k in bodies and self.owns(k[0], k[1], bodies[k].body)]

    def _check_writable_folder(self) -> None:
        """Write only into a snapshot folder: absent, empty, or one that already has its snapshot.json."""
        if self.folder.is_symlink() or (self.folder.exists() and not self.folder.is_dir()):
            raise InputError(f"{self.folder} is not a folder; a snapshot needs a folder of its own")
        if self.folder.is_dir() and not (self.folder / MANIFEST).is_file() and any(self.folder.iterdir()):
            raise InputError(
                f"{self.folder} holds files but no {MANIFEST}, so it is not a snapshot; "
                "point the environment's path: at an empty or new folder"
            )

    def _check_plan_still_holds(self, plan: Plan) -> None:
        live = self.fetch(list(plan.fingerprints))
        now = {k: fingerprint(live[k].body) if k in live else None for k in plan.fingerprints}
        stale = stale_components(plan, now)
        if stale:
            raise StalePlanError(
                f"the snapshot {self.folder} changed after this apply planned "
                f"({len(stale)} component(s): {', '.join(stale[:5])}); nothing was written; "
                "run `handrail plan` again"
            )

    def _write(self, rel_path: Path, text: str | None) -> None:
        """One file, atomically (None deletes it); never through a link that leaves the snapshot folder."""
        target = self.folder / rel_path
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.parent.resolve().is_relative_to(self.folder.resolve()):
            raise HandrailError(
                f"{target.parent} leads outside the snapshot folder; nothing more was written"
            )
        if text is None:
            target.unlink(missing_ok=True)
            return
        with atomic_text(target) as handle:
            handle.write(text)

    def apply(self, plan: Plan, desired: Desired, model=None, options: dict | None = None) -> ApplyResult:
        """Writes snapshot.json and the planned components, under the lock. A check-only apply writes
        nothing."""
        result = ApplyResult()
        if (options or {}).get("check_only"):
            result.check_only = True
            result.not_attempted = [c.ident for c in plan.pending]
            result.notes.append("check only: the snapshot was not changed")
            return result
        self._check_writable_folder()
        writes = []
        for change in plan.pending:
            path = self._path(change.kind, change.key).relative_to(self.folder)
            if change.action in (CREATE, UPDATE):
                writes.append((change, path, _dump(change.after)))
            elif change.action == DELETE:
                writes.append((change, path, None))
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            with _locked(self.folder):
                self._check_plan_still_holds(plan)
                self._write(Path(MANIFEST), _dump({"platform": self.platform}))
                for n, (change, path, text) in enumerate(writes):
                    try:
                        self._write(path, text)
                    except (OSError, HandrailError) as exc:  # report what was written and what was not
                        result.failed.append((change.ident, getattr(exc, "strerror", None) or str(exc)))
                        result.not_attempted = [c.ident for c, _, _ in writes[n + 1 :]]
                        return result
                    result.applied.append(change.ident)
        except OSError as exc:
            raise HandrailError(f"cannot write the snapshot {self.folder}: {exc.strerror or exc}") from None
        result.notes.append(f"snapshot {self.folder} updated")
        return result
