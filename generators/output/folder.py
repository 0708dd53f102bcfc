"""Which folders `build` may replace: only folders Handrail wrote itself, never the user's.

Every folder Handrail writes carries MARKER, a manifest of the files it wrote. A folder may be replaced when
it
is absent, empty, or carries the marker and holds nothing else; otherwise the user must choose another folder
or pass --force after reading what would go. Some folders are never replaced, not even with --force: `/`, the
home folder, the working directory, the spec's folder, and every parent of those.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from handrail.specs.diagnostics import UsageProblem

# A dotfile: the Salesforce CLI ignores `**/.*` by default (source-deploy-retrieve's
# ForceIgnore.DEFAULT_IGNORE), so the marker never becomes part of a deployment.
MARKER = ".handrail-build.json"
SHOWN = 10  # files named in a refusal; the rest are counted


def manifest(files: dict[str, bytes], target: str) -> bytes:
    """The marker's content: who wrote the folder and which files are its own."""
    body = {"written_by": "handrail", "target": target, "files": sorted(files)}
    return (json.dumps(body, indent=2) + "\n").encode()


def check_replaceable(out: Path, *, keep: list[Path], force: bool) -> list[str]:
    """Refuse (exit 2) unless `out` may be replaced; return the files not written by Handrail that --force
    removes.

    `keep` are input files (the spec) whose folders, like the working directory, are never replaced.
    """
    if out.is_symlink():
        target = os.readlink(out)
        state = "" if out.exists() else ", which does not exist"
        raise UsageProblem(
            f"--out {out} is a symbolic link to {target}{state}: give a real folder path "
            f"instead (the link itself is never replaced)"
        )
    real = out.resolve()
    for kept, role in sorted(_never_replaced(keep), key=lambda pair: pair[0] != real):  # an exact match first
        if real == kept or kept.is_relative_to(real):
            what = role if real == kept else f"a parent of {role}"
            raise UsageProblem(
                f"--out {out} is {what} ({kept}), which build never replaces: "
                f"choose an output folder of its own, such as build/<target>"
            )
    if not real.exists():
        return []
    if not real.is_dir():
        raise UsageProblem(f"--out {out} is a file, not a folder: choose a folder path")
    foreign = _foreign_files(real)
    if foreign and not force:
        listed = "\n".join(f"  {name}" for name in foreign[:SHOWN])
        more = f"\n  ... and {len(foreign) - SHOWN} more" if len(foreign) > SHOWN else ""
        raise UsageProblem(
            f"--out {out} holds {len(foreign)} file(s) Handrail did not "
            f"write:\n{listed}{more}\nChoose another folder, or pass --force to replace it "
            "(deleting the files above)."
        )
    return foreign


def _never_replaced(keep: list[Path]) -> list[tuple[Path, str]]:
    folders = [
        (Path("/"), "the root folder"),
        (Path.home(), "the home folder"),
        (Path.cwd(), "the working directory"),
    ] + [(path.parent, f"the folder of {path.name}") for path in keep]
    return [(folder.resolve(), role) for folder, role in folders]


def _foreign_files(folder: Path) -> list[str]:
    """Files and links under `folder` that its marker does not list, sorted (empty folders lose nothing)."""
    owned = _owned(folder)
    found = []
    for root, dirs, files in os.walk(folder):
        rel_root = Path(root).relative_to(folder)
        entries = files + [d for d in dirs if os.path.islink(os.path.join(root, d))]
        found += [(rel_root / name).as_posix() for name in entries]
    return sorted(name for name in found if name not in owned)


def _owned(folder: Path) -> set[str]:
    try:
        body = json.loads((folder / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return set()
    if (
        not isinstance(body, dict)
        or body.get("written_by") != "handrail"
        or not isinstance(body.get("files"), list)
    ):
        return set()
    return {name for name in body["files"] if isinstance(name, str)} | {MARKER}
