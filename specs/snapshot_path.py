"""Where a snapshot environment may keep its org state: a folder inside the spec's own folder tree.

A snapshot `path:` that is absolute, climbs out with `..` or leaves through a symbolic link would let
`apply` write into folders the spec does not own, so it is refused when the spec is validated and
again when the snapshot is opened (a link can appear between the two).
"""

from __future__ import annotations

import os
from pathlib import Path, PurePath


class SnapshotPathError(ValueError):
    """The message says what is wrong with the path; the caller adds where it was written."""


def confined_snapshot_folder(spec_dir: str | Path, path: str) -> Path:
    """The real folder `path` names, relative to `spec_dir`; SnapshotPathError unless strictly inside it."""
    text = str(path)
    if not text.strip():
        raise SnapshotPathError("the snapshot path is empty")
    if PurePath(text).is_absolute() or os.path.isabs(text) or text.startswith("~"):
        raise SnapshotPathError(f"snapshot path '{text}' is absolute; give a folder relative to the spec")
    if ".." in PurePath(text).parts:
        raise SnapshotPathError(f"snapshot path '{text}' climbs out of the spec's folder with '..'")
    root = Path(spec_dir).resolve()
    real = (root / text).resolve()  # follows symbolic links, existing or not
    if real == root:
        raise SnapshotPathError(
            f"snapshot path '{text}' is the spec's own folder; give a subfolder of its own"
        )
    if not real.is_relative_to(root):
        raise SnapshotPathError(
            f"snapshot path '{text}' leads outside the spec's folder (to {real}) through a symbolic link"
        )
    return real
