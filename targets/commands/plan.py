"""`handrail plan` and `handrail diff`: one plan of an environment, shown as changes to make or as drift."""

from __future__ import annotations

import shlex
from pathlib import Path

import click

from handrail.generators.output import console
from handrail.generators.output.emit import not_an_input
from handrail.generators.plan import saved as plan_file
from handrail.specs.validate import load_spec
from handrail.targets import load_target
from handrail.targets.pipeline import make_plan


def describer(platform: str):
    """How the target named `platform` describes a change in handoff terms."""
    return load_target(platform).describe


def print_plan(the_plan, fmt: str, drift: bool) -> None:
    console.print_plan(the_plan, fmt, drift, describer(the_plan.target))


def show_plan(
    spec: Path, env_name: str, out: Path | None, fmt: str, edition: str, impact: bool = True
) -> bool:
    """Print the plan and, with `out`, save it for `handrail apply`; True when it has changes pending.
    With `impact`, a live environment's plan says what its changes do to open deals and records."""
    planned = make_plan(load_spec(spec).model, env_name, {"edition": edition}, impact=impact)
    print_plan(planned.plan, fmt, drift=False)
    if out:
        not_an_input(out, (spec,))
        plan_file.save(planned.plan, out, plan_file.spec_digest(spec))
        click.echo(
            f"saved plan to {out}; apply it with: "
            f"handrail apply --spec {shlex.quote(str(spec))} --env {shlex.quote(env_name)} "
            f"{shlex.quote(str(out))}",
            err=True,
        )
    return bool(planned.plan.pending)


def show_drift(spec: Path, env_name: str, fmt: str, edition: str) -> bool:
    """Print where the environment has drifted from the spec; True when it has."""
    planned = make_plan(load_spec(spec).model, env_name, {"edition": edition}, drift=True)
    print_plan(planned.plan, fmt, drift=True)
    return bool(planned.plan.pending or planned.plan.assumptions)
