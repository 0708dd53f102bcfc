"""The click declarations of the commands that compile for a CRM or reach an org: build, plan, apply
and diff. cli.py registers them; each hands its work to the module beside it, imported when it runs."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from handrail.generators.commands.exit_codes import EXIT_CHANGES, EXIT_FAILURE
from handrail.generators.commands.options import EDITION_OPTION, ENV_OPTION, FILE, SPEC_OPTION, format_option


@click.command()
@click.option("--spec", **SPEC_OPTION)
@click.option(
    "--target", required=True, type=click.Choice(["salesforce", "hubspot"]), help="Which CRM to compile for."
)
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    help="Output folder (default build/TARGET). Replaced as a whole, only on success, and only if "
    "Handrail wrote it (or it is empty).",
)
@click.option(
    "--force",
    is_flag=True,
    help="Replace --out even though it holds files Handrail did not write (they are listed first).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["source", "mdapi"]),
    default="source",
    show_default=True,
    help="Salesforce only: SFDX source format, or Metadata API format with package.xml at the root.",
)
@click.option(
    "--api-version", default="63.0", show_default=True, help="Salesforce only: Metadata API version."
)
@click.option("--edition", **EDITION_OPTION)
@click.option(
    "--pipeline-rules",
    is_flag=True,
    help="HubSpot only: also generate pipeline rules (beta API) that stop deals skipping gated stages.",
)
@click.option(
    "--pipeline-definition",
    type=FILE,
    help="HubSpot only: a saved GET /crm/v3/pipelines/deals response to check the stage ids against.",
)
@click.option(
    "--check", is_flag=True, help="Validate the output against the CRM's official schema before writing."
)
def build(
    spec: Path,
    target: str,
    out: Path | None,
    force: bool,
    fmt: str,
    api_version: str,
    edition: str,
    pipeline_rules: bool,
    pipeline_definition: Path | None,
    check: bool,
) -> None:
    """Compile the spec into deployable CRM configuration files.

    \b
    Examples:
      handrail build --target salesforce --out build/salesforce --check
      handrail build --target salesforce --format mdapi --out build/mdapi
      handrail build --target hubspot --out build/hubspot
      handrail build --target hubspot --pipeline-rules --pipeline-definition pipelines.json
    """
    from handrail.targets.commands.build import build_files

    options = {
        "format": fmt,
        "api_version": api_version,
        "edition": edition,
        "pipeline_rules": pipeline_rules,
        "pipeline_definition": pipeline_definition,
    }
    build_files(spec, target, out, force, options, check)


@click.command()
@click.option("--spec", **SPEC_OPTION)
@click.option("--env", "env_name", **ENV_OPTION)
@click.option("--out", type=FILE, help="Save the plan for `handrail apply`.")
@format_option("text", "json", "markdown", default="text", aliases=("json", "markdown"))
@click.option("--exit-code", is_flag=True, help="Exit 4 when there are changes.")
@click.option("--edition", **EDITION_OPTION)
@click.option(
    "--impact/--no-impact",
    default=True,
    help="Against a live environment: the open deals each new or raised gate would stop, the records a "
    "narrowed field no longer fits, and what else uses a changed field (default: on).",
)
def plan(
    spec: Path, env_name: str, out: Path | None, fmt: str, exit_code: bool, edition: str, impact: bool
) -> None:
    """Show what apply would create, change or delete in an environment.

    \b
    Examples:
      handrail plan --env sandbox
      handrail plan --env sandbox --format markdown > plan.md     # for a pull-request comment
      handrail plan --env production --out plan.json && handrail apply --env production plan.json
    """
    from handrail.targets.commands.plan import show_plan

    if show_plan(spec, env_name, out, fmt, edition, impact) and exit_code:
        sys.exit(EXIT_CHANGES)


@click.command()
@click.argument("plan_path", required=False, type=FILE)
@click.option("--spec", **SPEC_OPTION)
@click.option("--env", "env_name", **ENV_OPTION)
@click.option(
    "--allow-destructive",
    is_flag=True,
    help="Allow deletions and lossy changes of items the spec retires or marks allow_destructive.",
)
@click.option("--check-only", is_flag=True, help="Salesforce: validate the deploy without saving anything.")
@click.option(
    "-y", "--yes", is_flag=True, help="Apply without asking (for CI); a saved plan needs no confirmation."
)
@format_option("text", "json", default="text", aliases=("json",))
@click.option("--edition", **EDITION_OPTION)
def apply(
    plan_path: Path | None,
    spec: Path,
    env_name: str,
    allow_destructive: bool,
    check_only: bool,
    yes: bool,
    fmt: str,
    edition: str,
) -> None:
    """Make an environment match the spec, or carry out a saved plan.

    Without a saved plan, apply shows the plan and asks before changing anything; --yes skips the
    question, and an environment marked `production: true` is never changed unasked. A saved plan
    is refused when the spec or any component it read has changed since.

    \b
    Examples:
      handrail apply --env sandbox
      handrail plan --env production --out plan.json && handrail apply --env production plan.json
      handrail apply --env production --check-only plan.json
    """
    from handrail.targets.commands.apply import apply_plan

    if not apply_plan(plan_path, spec, env_name, allow_destructive, check_only, yes, fmt, edition):
        sys.exit(EXIT_FAILURE)


@click.command()
@click.option("--spec", **SPEC_OPTION)
@click.option("--env", "env_name", **ENV_OPTION)
@click.option(
    "--exit-code", is_flag=True, help="Exit 4 when the org has drifted from the spec (for scheduled CI)."
)
@format_option("text", "json", "markdown", default="text", aliases=("json", "markdown"))
@click.option("--edition", **EDITION_OPTION)
def diff(spec: Path, env_name: str, exit_code: bool, fmt: str, edition: str) -> None:
    """Report where an environment has drifted from the spec, in handoff terms.

    \b
    Examples:
      handrail diff --env production --exit-code      # nightly drift check: exit 4 on drift
      handrail diff --env sandbox --format markdown > drift.md
    """
    from handrail.targets.commands.plan import show_drift

    if show_drift(spec, env_name, fmt, edition) and exit_code:
        sys.exit(EXIT_CHANGES)
