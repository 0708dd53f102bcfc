"""The click declarations of the commands that adopt an org: import (a draft spec from what an
environment holds) and snapshot (its live state saved as a snapshot environment). cli.py registers them;
each hands its work to the module beside it, imported when it runs."""

from __future__ import annotations

from pathlib import Path

import click

from handrail.generators.commands.options import EDITION_OPTION, ENV_OPTION, FILE, SPEC_OPTION


@click.command("import")
@click.option("--spec", **SPEC_OPTION)
@click.option("--env", "env_name", **ENV_OPTION)
@click.option(
    "--out",
    type=FILE,
    default="handoff.yaml",
    show_default=True,
    help="Where to write the draft spec (an existing file only with --force).",
)
@click.option("--force", is_flag=True, help="Replace --out if it exists.")
@click.option(
    "--snapshot",
    "snapshot_dir",
    type=click.Path(path_type=Path),
    help="Also save everything the import read as a snapshot folder (new, empty, or a snapshot).",
)
def import_(spec: Path, env_name: str, out: Path, force: bool, snapshot_dir: Path | None) -> None:
    """Draft a spec from what an environment already holds.

    Reads the deal fields, stages, record types or pipelines, and active automation of a live org or a
    snapshot, maps each field to a handoff section with a `# review:` comment on every guess, and adopts
    it by its CRM name, so `plan` right after the import only adds. Only the environments: section of
    --spec is read: a file holding just that will do. --snapshot keeps what was read as a snapshot
    folder, the baseline of the org before Handrail (a snapshot environment on it imports the same).

    \b
    Examples:
      handrail import --spec environments.yaml --env production --out handoff.yaml
      handrail import --env hubspot --out handoff.draft.yaml --force
      handrail import --env production --snapshot baseline/production
    """
    from handrail.targets.commands.import_command import import_spec

    import_spec(spec, env_name, out, force, snapshot_dir)


@click.command()
@click.option("--spec", **SPEC_OPTION)
@click.option("--env", "env_name", **ENV_OPTION)
@click.option(
    "--out",
    required=True,
    type=click.Path(path_type=Path),
    help="The snapshot folder: new, empty, or a snapshot to replace.",
)
@click.option("--edition", **EDITION_OPTION)
def snapshot(spec: Path, env_name: str, out: Path, edition: str) -> None:
    """Save the live state of everything the spec owns as a snapshot environment.

    The components plan would compare (and the ones the spec retires), as the org holds them now,
    written whole or not at all. Keep one before apply; add a snapshot environment pointing at it to
    diff offline.

    \b
    Examples:
      handrail snapshot --env production --out baselines/production
      handrail diff --env production_baseline
    """
    from handrail.targets.commands.snapshot_command import save_snapshot

    save_snapshot(spec, env_name, out, edition)


COMMANDS = (import_, snapshot)
