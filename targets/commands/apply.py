"""`handrail apply`: show the plan, get it agreed (a saved plan already was), carry it out, and report."""

from __future__ import annotations

from pathlib import Path

import click

from handrail.generators.output.console import confirmation
from handrail.generators.plan import report as plan_report
from handrail.generators.plan.environments import environment, platform_of
from handrail.specs.validate import load_spec
from handrail.targets.commands.plan import describer, print_plan
from handrail.targets.pipeline import apply as run_apply


def apply_plan(
    plan_path: Path | None,
    spec: Path,
    env_name: str,
    allow_destructive: bool,
    check_only: bool,
    yes: bool,
    fmt: str,
    edition: str,
) -> bool:
    """Make the environment match the spec (or carry out the saved plan); True when every change worked."""
    model = load_spec(spec).model
    env = environment(model, env_name)
    ask = confirmation(env, fmt, yes or check_only, plan_path is not None, describer(platform_of(env)))

    shown = False

    def show(the_plan) -> None:
        nonlocal shown
        if fmt == "text" and plan_path is not None:  # reviewed when it was saved: one line is enough
            click.echo(f"applying {plan_path}: {plan_report.summary_line(the_plan)}")
        elif fmt == "text":
            print_plan(the_plan, "text", drift=False)
        shown = True

    def confirm(the_plan) -> bool:
        show(the_plan)
        return ask is None or ask(the_plan)

    the_plan, result = run_apply(
        model,
        env_name,
        saved=plan_path,
        spec_path=spec,
        allow_destructive=allow_destructive,
        options={"check_only": check_only, "edition": edition, "allow_destructive": allow_destructive},
        confirm=confirm,
    )
    if fmt == "json":
        click.echo(plan_report.as_json(the_plan, describer(the_plan.target), result), nl=False)
    else:
        if not shown:  # nothing was pending, so nothing was confirmed or shown
            show(the_plan)
        click.echo(plan_report.apply_text(result), nl=False)
    return result.ok
