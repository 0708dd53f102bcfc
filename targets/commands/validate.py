"""`handrail validate`: load a spec, add what each named target cannot enforce, and print every problem."""

from __future__ import annotations

from pathlib import Path

import click

from handrail.generators.output.console import print_diagnostics
from handrail.specs.diagnostics import SpecError
from handrail.specs.validate import load_spec


def validate_spec(spec: Path, as_json: bool, strict: bool, targets: tuple[str, ...]) -> bool:
    """Print the spec's problems (and those of each target); False when the spec fails validation."""
    try:
        result = load_spec(spec)
    except SpecError as exc:
        print_diagnostics(exc.diagnostics, as_json)
        return False
    warnings = list(result.warnings)
    if targets:
        from handrail.targets import load_target

        for name in targets:
            warnings += load_target(name).check_spec(result.model)
    # a target can report errors too
    failed = any(d.is_error for d in warnings) or (strict and bool(warnings))
    print_diagnostics(warnings, as_json, ok=not failed)
    if failed:
        return False
    if not as_json:
        m = result.model
        click.echo(
            f"{spec}: valid ({len(m.fields)} fields, {len(m.weighted_fields)} weighted, "
            f"{len(m.segments)} segments, {len(m.gates)} gates, {len(m.stages)} stages)"
        )
    return True
