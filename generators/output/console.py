"""What the commands print on a terminal: diagnostics, plans, and the question before an apply."""

from __future__ import annotations

import json
import sys
from typing import Callable

import click

Describe = Callable[[object], list[str]]


def print_diagnostics(diagnostics, as_json: bool, ok: bool = False) -> None:
    """Diagnostics as `file:line:column: path: message (hint)` lines on stderr, or one JSON document on
    stdout."""
    if as_json:
        click.echo(
            json.dumps(
                {
                    "valid": ok and not any(d.is_error for d in diagnostics),
                    "diagnostics": [
                        {
                            "severity": d.severity.value,
                            "code": d.code,
                            "message": d.message,
                            "path": d.path,
                            "hint": d.hint,
                            "file": d.span.file if d.span else None,
                            "line": d.span.line if d.span else None,
                            "column": d.span.column if d.span else None,
                        }
                        for d in diagnostics
                    ],
                },
                indent=2,
            )
        )
        return
    for d in diagnostics:
        click.echo(d.render(), err=True)
    errors = sum(d.is_error for d in diagnostics)
    if errors:
        click.echo(f"{errors} error{'s' if errors != 1 else ''}", err=True)


def _style():
    return (
        (lambda text, colour: click.style(text, fg=colour))
        if sys.stdout.isatty()
        else (lambda text, colour: text)
    )


def print_plan(the_plan, fmt: str, drift: bool, describe: Describe) -> None:
    """A plan (or, with drift, a diff) as text, Markdown or JSON on stdout."""
    from handrail.generators.plan import report as plan_report

    if fmt == "json":
        click.echo(plan_report.as_json(the_plan, describe), nl=False)
    elif fmt == "markdown":
        click.echo(plan_report.markdown(the_plan, describe, drift), nl=False)
    else:
        click.echo(plan_report.text(the_plan, describe, _style(), drift), nl=False)


def confirmation(env, fmt: str, yes: bool, saved: bool, describe: Describe):
    """Who agrees to the plan before apply changes anything: a saved plan or --yes already did; a person at a
    terminal is asked; without either, production is refused and any other environment goes ahead."""
    if yes or saved:
        return None
    if not sys.stdin.isatty():
        if env.production:
            raise click.UsageError(
                f"--env {env.name} is production: apply a saved plan "
                "(handrail plan --out plan.json) or pass --yes"
            )
        return None

    def ask(the_plan) -> bool:
        if fmt != "text":  # the text plan is already on the screen; show it for the other formats too
            print_plan(the_plan, "text", False, describe)
        return click.confirm(f"Apply these changes to {env.name}?", default=False, err=True)

    return ask
