"""Writing output so that a failure never leaves a half-written file or folder behind."""

from __future__ import annotations

import io
import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator, TextIO

# Text passes these before it reaches a file or stdout. A command that holds credentials registers the
# redaction of targets.transport.redact, so a token or session id an org echoed back never lands in a
# saved plan, a snapshot or a report; commands that hold none pay nothing.
_SCRUBBERS: list[Callable[[str], str]] = []


def scrub_with(scrub: Callable[[str], str]) -> None:
    if scrub not in _SCRUBBERS:
        _SCRUBBERS.append(scrub)


def has_scrubbers() -> bool:
    return bool(_SCRUBBERS)


def scrubbed(text: str) -> str:
    for scrub in _SCRUBBERS:
        text = scrub(text)
    return text


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextmanager
def atomic_text(path: str | Path) -> Iterator[TextIO]:
    """Write a text file via a temporary sibling; it replaces `path` only if the block completes."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            if _SCRUBBERS:  # the whole text, so a secret split across two writes is still found
                held = io.StringIO()
                yield held
                handle.write(scrubbed(held.getvalue()))
            else:
                yield handle
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes it private; give it the usual permissions
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_tree(root: str | Path, files: dict[str, bytes]) -> None:
    """Replace folder `root` with exactly `files` ({relative path: bytes}), all or nothing."""
    root = Path(root)
    root.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{root.name}.", dir=root.parent))
    os.chmod(staging, 0o777 & ~_umask())  # mkdtemp makes it private; give it the usual permissions
    try:
        for rel, data in files.items():
            target = staging / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(_scrubbed_bytes(data) if _SCRUBBERS else data)
        old = None
        if root.exists():
            old = root.with_name(f".{root.name}.old.{os.getpid()}")
            os.replace(root, old)
        os.replace(staging, root)
        if old:
            _remove(old)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _scrubbed_bytes(data: bytes) -> bytes:
    try:
        return scrubbed(data.decode("utf-8")).encode("utf-8")
    except UnicodeDecodeError:  # not text
        return data


def _remove(path: Path) -> None:
    """Delete the replaced folder; a link is unlinked, never followed."""
    if path.is_symlink() or not path.is_dir():
        path.unlink(missing_ok=True)
    else:
        shutil.rmtree(path)
