"""All or nothing: a command's output reaches stdout or its file only once it has been produced whole.

A failure half-way (a bad row in the export, a template error) then leaves no half-written file behind,
not even when the shell redirects stdout (`handrail score deals.csv > scores.txt`). Output is held in
memory up to SPOOL_BYTES, then in a temporary file, so a large per-deal report costs no more memory.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path
from typing import Callable, TextIO

from handrail.generators.output.files import atomic_text, has_scrubbers, scrubbed
from handrail.specs.diagnostics import UsageProblem

SPOOL_BYTES = 4 * 1024 * 1024


def not_an_input(path: Path | None, inputs: tuple[Path | None, ...]) -> None:
    """Refuse (exit 2) an --out that names one of the command's own inputs: the spec or the deals file."""
    for given in inputs:
        if (
            path is not None
            and given is not None
            and path.exists()
            and given.exists()
            and path.samefile(given)
        ):
            raise UsageProblem(f"--out {path} is {given}, an input of this command; write to another file")


def emit(
    path: Path | None,
    write: Callable[[TextIO], None],
    stream: TextIO | None = None,
    inputs: tuple[Path | None, ...] = (),
) -> None:
    """Run `write` into a buffer, then replace `path` atomically, or copy the whole output to `stream`."""
    not_an_input(path, inputs)
    if path is not None:
        with atomic_text(path) as handle:
            write(handle)
        return
    with tempfile.SpooledTemporaryFile(SPOOL_BYTES, mode="w+", encoding="utf-8", newline="") as buffer:
        write(buffer)
        buffer.seek(0)
        out = stream or sys.stdout
        if has_scrubbers():
            out.write(scrubbed(buffer.read()))
        else:
            shutil.copyfileobj(buffer, out)
        out.flush()
