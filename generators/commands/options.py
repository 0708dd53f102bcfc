"""Options several commands share, declared once: the spec, files, column maps, dates, environments."""

from __future__ import annotations

import functools
from pathlib import Path

import click


def existing_spec(ctx: click.Context, param: click.Parameter, value: Path | None) -> Path | None:
    """A spec that is not there is a usage error that names both ways of giving one."""
    if value is not None and not value.exists():
        raise click.BadParameter(f"no spec at {value}: pass --spec FILE or set HANDRAIL_SPEC", ctx, param)
    return value


DIALECTS = ("duckdb", "postgres", "snowflake", "bigquery")  # what `handrail sql` prints
QUERIES = ("score", "audit", "summary")
FILE = click.Path(dir_okay=False, path_type=Path)
COLUMNS_OPTION = dict(
    type=FILE,
    default=None,
    help='A column map (YAML): "Export header": role or field key, for headers not recognised.',
)
DATE_FORMAT_OPTION = dict(
    default=None,
    metavar="FORMAT",
    help="How the export writes dates that read both ways (month or day first), in "
    "strptime codes; the error for such a date names the two to choose from.",
)
ENV_OPTION = dict(required=True, help="The environment from the spec's environments: section.")
EDITION_OPTION = dict(
    type=click.Choice(["professional", "enterprise", "unlimited", "performance", "developer"]),
    default="enterprise",
    show_default=True,
    help="Salesforce only: the edition whose custom-field allocation the spec must fit.",
)
SPEC_OPTION = dict(
    type=FILE,
    envvar="HANDRAIL_SPEC",
    default="handoff.yaml",
    show_default=True,
    callback=existing_spec,
    help="The handoff spec (or set HANDRAIL_SPEC).",
)
OUT_OPTION = dict(type=FILE, help="Write to this file instead of stdout.")
ENGINE_OPTION = dict(
    type=click.Choice(["auto", "python"]),
    default="auto",
    show_default=True,
    help="auto: DuckDB for a CSV or Parquet file, or for audit the deals read live with --env, when it "
    "reads them exactly as the Python reader would; python: always Python.",
)


def format_option(*choices: str, default: str, aliases: tuple[str, ...] = ()):
    """One `--format` option for every command; older flags (`--json`, `--markdown`) stay as its aliases."""

    def decorate(command):
        @functools.wraps(command)
        def with_format(*args, fmt: str | None, **kwargs):
            picked = [name for name in aliases if kwargs.pop(f"{name}_alias")]
            if len(set(([fmt] if fmt else []) + picked)) > 1:
                raise click.UsageError(
                    f"the output format is given twice; use one --format {'|'.join(choices)}"
                )
            return command(*args, fmt=fmt or (picked[0] if picked else default), **kwargs)

        for name in reversed(aliases):
            with_format = click.option(
                f"--{name}", f"{name}_alias", is_flag=True, help=f"Same as --format {name}."
            )(with_format)
        return click.option(
            "--format", "fmt", type=click.Choice(choices), help=f"Output format (default: {default})."
        )(with_format)

    return decorate
