"""`handrail build`: render the spec for one target, check it if asked, and replace the output folder."""

from __future__ import annotations

from pathlib import Path

import click

from handrail.generators.output.files import write_tree
from handrail.generators.output.folder import MARKER, check_replaceable, manifest
from handrail.specs.diagnostics import SpecError
from handrail.specs.validate import load_spec
from handrail.targets import load_target


def build_files(spec: Path, target: str, out: Path | None, force: bool, options: dict, check: bool) -> None:
    """Write the target's files to `out` (default build/TARGET), all or nothing, and say how many."""
    model = load_spec(spec).model
    module = load_target(target)
    desired = module.render(model, options)
    for warning in desired.warnings:
        click.echo(warning.render(), err=True)
    checked = ""
    if check:
        problems = module.verify(desired, options)
        if problems:
            raise SpecError(problems)
        checked = f" (checked against {module.verify_scope}: all valid)"
    out = out or Path("build") / target
    foreign = check_replaceable(out, keep=[spec], force=force)
    for name in foreign:
        click.echo(f"--force: deleting {out / name}", err=True)
    write_tree(out, {**desired.files, MARKER: manifest(desired.files, target)})
    click.echo(f"wrote {len(desired.files)} files to {out}{checked}")
