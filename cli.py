"""The `handrail` command: declares the offline commands and registers those that compile for a CRM or
reach an org (targets/commands/crm_commands.py); each hands its work to targets/commands/ or
generators/commands/. main() maps every error to an exit code.

Exit codes: 0 success; 1 operational failure (API, partial apply, internal error); 2 usage error;
3 invalid spec or input file; 4 changes or drift found (only with --exit-code).
Offline commands must not import the CRM clients: keep those imports inside online commands.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from handrail.generators.commands.exit_codes import EXIT_FAILURE, EXIT_INVALID, EXIT_OK
from handrail.generators.commands.options import (
    COLUMNS_OPTION,
    DATE_FORMAT_OPTION,
    DIALECTS,
    ENGINE_OPTION,
    FILE,
    OUT_OPTION,
    QUERIES,
    SPEC_OPTION,
    existing_spec,
    format_option,
)
from handrail.specs.diagnostics import HandrailError, SpecError
from handrail.targets.commands import adopt_commands, crm_commands

# Commands that read and write local files only and never log. They skip the redacting log-record factory,
# whose import (logging and the secret patterns) costs validate about 5 ms of start-up; every other command
# installs it before it runs.
UNLOGGED_COMMANDS = frozenset({"validate", "schema", "init"})


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="handrail")
@click.option("-v", "--verbose", is_flag=True, help="Log API calls to stderr (secrets are always redacted).")
@click.pass_context
def cli(ctx: click.Context, verbose: bool) -> None:
    """Handrail: the sales-to-customer-success handoff as code.

    \b
    Write the handoff once as a YAML spec in git, then:
      handrail validate handoff.yaml         check it, every problem at once
      handrail score deals.csv --spec handoff.yaml
                                             score exported deals offline
      handrail schema > handoff.schema.json  JSON Schema for editor autocomplete

    \b
    Exit codes: 0 ok, 1 operational failure, 2 usage error, 3 invalid spec or input,
    4 changes or drift found (with --exit-code).
    """
    if ctx.invoked_subcommand not in UNLOGGED_COMMANDS:
        from handrail.targets.transport.redact import install_record_factory

        install_record_factory()
    if verbose:
        import logging

        logging.basicConfig(level=logging.DEBUG, stream=sys.stderr, format="%(name)s: %(message)s")


@cli.command()
@click.argument("spec_argument", metavar="[SPEC]", required=False, type=FILE, callback=existing_spec)
@click.option(
    "--spec",
    **{
        **SPEC_OPTION,
        "default": None,
        "show_default": False,
        "help": "The handoff spec (or set HANDRAIL_SPEC; default handoff.yaml).",
    },
)
@format_option("text", "json", default="text", aliases=("json",))
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option(
    "--target",
    "targets",
    multiple=True,
    type=click.Choice(["salesforce", "hubspot"]),
    help="Also report what this target cannot enforce exactly (repeatable).",
)
def validate(
    spec_argument: Path | None, spec: Path, fmt: str, strict: bool, targets: tuple[str, ...]
) -> None:
    """Check a spec: schema, references, segment coverage, gates, CRM naming rules.

    SPEC may be given as an argument, with --spec, or by HANDRAIL_SPEC. Prints every problem as
    FILE:LINE:COLUMN: PATH: MESSAGE (hint) and exits 3 if any is an error; --format json for editors and CI.

    \b
    Examples:
      handrail validate specs/examples/handoff.yaml
      handrail validate --spec handoff.yaml --target salesforce --format json
    """
    from handrail.targets.commands.validate import validate_spec

    spec = spec_argument or spec or existing_spec(click.get_current_context(), None, Path("handoff.yaml"))
    if not validate_spec(spec, fmt == "json", strict, targets):
        sys.exit(EXIT_INVALID)


@cli.command()
def schema() -> None:
    """Print the JSON Schema of the spec language.

    \b
    Save it beside your spec and point the YAML language server at it from the spec's first line:
      handrail schema > handoff.schema.json
      # yaml-language-server: $schema=./handoff.schema.json
    """
    from handrail.specs.schema_check import schema_text

    click.echo(schema_text(), nl=False)


@cli.command()
@click.argument("deals", type=FILE)
@click.option("--spec", **SPEC_OPTION)
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json", "csv"]), default="text", show_default=True
)
@click.option("--summary", is_flag=True, help="Print only the totals, not one line per deal.")
@click.option("--out", **OUT_OPTION)
@click.option("--columns", **COLUMNS_OPTION)
@click.option("--date-format", "date_format", **DATE_FORMAT_OPTION)
@click.option("--engine", **ENGINE_OPTION)
def score(
    deals: Path,
    spec: Path,
    fmt: str,
    summary: bool,
    out: Path | None,
    columns: Path | None,
    date_format: str | None,
    engine: str,
) -> None:
    """Score exported deals offline: score, tier, what is missing, and totals.

    DEALS is a CSV, Parquet, JSON or JSON Lines export. Columns are matched to handoff fields by spec key,
    Salesforce API name, HubSpot internal name or label.

    \b
    Examples:
      handrail score deals.csv --spec handoff.yaml
      handrail score deals.json --spec handoff.yaml --format json --out scores.json
    """
    from handrail.generators.commands.score import score_export

    score_export(deals, spec, fmt, summary, out, columns, date_format, engine)


@cli.command()
@click.option(
    "--from",
    "from_file",
    type=FILE,
    help="An export of deals: CSV, Parquet, JSON or JSON Lines (Salesforce report or HubSpot export "
    "columns work).",
)
@click.option(
    "--env", "env_name", help="Read deals live from an environment of the spec (Salesforce or HubSpot)."
)
@click.option("--spec", **SPEC_OPTION)
@click.option(
    "--since", metavar="PERIOD", help="Only deals closed since: 90d, 12w, 6m, 1y or a date (2026-01-31)."
)
@click.option(
    "--as-of",
    "as_of",
    type=click.DateTime(["%Y-%m-%d"]),
    metavar="YYYY-MM-DD",
    help="Audit as if today were this date.",
)
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json", "csv", "html"]), default="table", show_default=True
)
@click.option("--out", **OUT_OPTION)
@click.option("--columns", **COLUMNS_OPTION)
@click.option("--date-format", "date_format", **DATE_FORMAT_OPTION)
@click.option("--engine", **ENGINE_OPTION)
def audit(
    from_file: Path | None,
    env_name: str | None,
    spec: Path,
    since: str | None,
    as_of,
    fmt: str,
    out: Path | None,
    columns: Path | None,
    date_format: str | None,
    engine: str,
) -> None:
    """Audit handoffs the way RevOps reviews them monthly.

    Scores closed-won deals (and open deals in gated stages) with the spec: tiers by segment and owner,
    field completion and generic rates, SLA compliance, the monthly trend, CSM ratings, deals that passed
    a gate they should not have, and stored scores that disagree with Handrail's.

    \b
    Examples:
      handrail audit --from deals.csv --since 90d
      handrail audit --from deals.jsonl --format html --out audit.html
      handrail audit --env production --since 90d
    """
    from handrail.generators.commands.audit import audit_deals
    from handrail.targets import deal_source

    audit_deals(from_file, env_name, spec, since, as_of, fmt, out, columns, date_format, deal_source, engine)


@cli.command()
@click.argument("deal_ref", metavar="[DEAL]", required=False)
@click.option(
    "--from",
    "from_file",
    type=FILE,
    help="An export of deals (CSV, Parquet, JSON or JSON Lines) holding the deal.",
)
@click.option(
    "--closed-since",
    metavar="PERIOD",
    help="With --env, instead of DEAL: every deal won since (2h, 1d, 2w, or a date 2026-01-31).",
)
@click.option(
    "--deliver",
    is_flag=True,
    help="With --env: attach each brief to its deal in the CRM (a Salesforce note, a HubSpot note), "
    "one per deal, updated in place on a re-run.",
)
@click.option(
    "--env", "env_name", help="Read the deal live from an environment of the spec (Salesforce or HubSpot)."
)
@click.option("--spec", **SPEC_OPTION)
@click.option(
    "--role",
    type=click.Choice(["csm", "implementation", "leadership"]),
    default="csm",
    show_default=True,
    help="Whose view: the spec's sections say which roles see them.",
)
@click.option("--format", "fmt", type=click.Choice(["md", "html"]), default="md", show_default=True)
@click.option(
    "--templates",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="A folder of your own templates; one named like a built-in template replaces it.",
)
@click.option("--out", **OUT_OPTION)
@click.option("--columns", **COLUMNS_OPTION)
@click.option("--date-format", "date_format", **DATE_FORMAT_OPTION)
def brief(**options) -> None:
    """Write the handoff brief for one deal, as one role sees it.

    DEAL is the deal's id or its name. The brief follows the spec's sections, shows the score, tier,
    segment, SLA deadlines, what is still missing or generic, and the gates not yet met.

    \b
    Examples:
      handrail brief 006A01 --from deals.csv --role csm
      handrail brief "Acme Corp" --from deals.csv --role implementation --format html --out acme.html
      handrail brief 006A01 --from deals.csv --templates my-templates/
      handrail brief "Acme Corp" --env production
      handrail brief --env production --closed-since 1d --deliver

    With --closed-since (or DEAL) and --env, --deliver attaches the briefs to the deals where CS works
    (Salesforce: a note titled "Handoff brief (Handrail)"; HubSpot: a note on the deal); without
    --deliver it lists what it would attach.
    """
    from handrail.generators.commands.brief import run_brief
    from handrail.targets import deal_source

    run_brief(connect=deal_source, **options)


@cli.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path), default=".")
@click.option("--force", is_flag=True, help="Overwrite files that already exist.")
def init(directory: Path, force: bool) -> None:
    """Scaffold a spec, its JSON Schema and sample deals into DIRECTORY.

    \b
    Example:
      handrail init crm/handoff && handrail validate crm/handoff/handoff.yaml
    """
    from handrail.generators.output.starter import write_starter

    for path, written in write_starter(directory, force):
        click.echo(f"wrote {path}" if written else f"kept {path} (unchanged)")
    click.echo(f"next: handrail validate {directory / 'handoff.yaml'}")


@cli.command()
@click.option("--spec", **SPEC_OPTION)
@click.option("--dialect", type=click.Choice(DIALECTS), default="duckdb", show_default=True)
@click.option(
    "--table",
    default="deals",
    show_default=True,
    help="The deals table: name, schema.name or db.schema.name.",
)
@click.option(
    "--query",
    type=click.Choice(QUERIES),
    default="score",
    show_default=True,
    help="score: each deal's score; audit: each deal's audit facts; summary: the monthly audit by "
    "segment and owner.",
)
@click.option("--since", metavar="PERIOD", help="audit, summary: only deals closed since (90d, 6m, a date).")
@click.option(
    "--as-of",
    "as_of",
    type=click.DateTime(["%Y-%m-%d"]),
    metavar="YYYY-MM-DD",
    help="audit, summary: the day SLAs are judged on (default: today).",
)
def sql(spec: Path, dialect: str, table: str, query: str, since: str | None, as_of) -> None:
    """Print the scoring or audit query for a deals table in a warehouse.

    The queries apply the same rules as `score` and `audit`, so the audit of a long deal history can run
    where the data is. The header lists the columns the table must have.

    \b
    Examples:
      handrail sql --spec handoff.yaml --dialect snowflake --table analytics.crm.deals
      handrail sql --spec handoff.yaml --dialect bigquery --query summary --since 12m
    """
    from handrail.generators.commands.sql import print_sql

    print_sql(spec, dialect, table, query, since, as_of.date() if as_of else None)


for command in (crm_commands.build, crm_commands.plan, crm_commands.apply, crm_commands.diff):
    cli.add_command(command)
for command in adopt_commands.COMMANDS:
    cli.add_command(command)


def main(argv: list[str] | None = None) -> None:
    """Console entry point: one place turns every failure into a message and an exit code."""
    try:
        cli.main(args=argv, prog_name="handrail", standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.Abort:
        click.echo("aborted", err=True)
        sys.exit(EXIT_FAILURE)
    except SpecError as exc:
        from handrail.generators.output.console import print_diagnostics

        print_diagnostics(exc.diagnostics, as_json=False)
        sys.exit(exc.exit_code)
    except HandrailError as exc:
        from handrail.targets.transport.redact import redact

        click.echo(redact(f"error: {exc}"), err=True)
        sys.exit(exc.exit_code)
    except BrokenPipeError:
        sys.stderr.close()
        sys.exit(EXIT_OK)
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(130)
    except OSError as exc:  # a file or folder the system refused: say which, and why
        from handrail.targets.transport.redact import redact

        where = f": {exc.filename}" if exc.filename else ""
        click.echo(redact(f"error: {exc.strerror or exc}{where}"), err=True)
        sys.exit(EXIT_FAILURE)
    except Exception as exc:  # noqa: BLE001 - the last line of defence against tracebacks
        if os.environ.get("HANDRAIL_DEBUG"):
            raise
        from handrail.targets.transport.redact import redact

        click.echo(
            redact(f"internal error: {type(exc).__name__}: {exc}\n")
            + "This is a bug in Handrail; rerun with HANDRAIL_DEBUG=1 for details.",
            err=True,
        )
        sys.exit(EXIT_FAILURE)
    sys.exit(EXIT_OK)


def console() -> None:
    """The `handrail` console script: main(), ending quickly after read-only commands."""
    from handrail.generators.commands.console import run

    run(main, sys.argv[1:])


if __name__ == "__main__":
    console()
