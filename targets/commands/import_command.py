"""`handrail import`: read what an environment holds and write a draft spec that adopts it.

The environment comes from the spec given with --spec; only its environments: section is read, so a file
holding nothing else will do. A snapshot environment is read from its folder, and the CRM clients are
then never imported. The draft is checked with the validator before it is written, and written whole or
not at all; an existing --out is replaced only with --force.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import click

from handrail.generators.importing.draft import render
from handrail.generators.importing.inventory import Inventory
from handrail.generators.importing.mapping import map_fields
from handrail.generators.output.files import atomic_text
from handrail.generators.plan.snapshot_save import check_destination, save
from handrail.specs.computed import RESERVED
from handrail.specs.deal_environment import environment as make_environment
from handrail.specs.diagnostics import InputError, UsageProblem
from handrail.specs.loader import load_file
from handrail.specs.model import Environment
from handrail.specs.snapshot_path import SnapshotPathError, confined_snapshot_folder
from handrail.specs.validate import load_spec_text


def import_spec(spec: Path, env_name: str, out: Path, force: bool, snapshot: Path | None = None) -> Inventory:
    if snapshot is not None:
        check_destination(snapshot)  # before any call to the org
    if out.exists() and not force:
        raise UsageProblem(f"--out {out} already exists; pass --force to replace it, or name another file")
    if out.exists() and out.is_dir():
        raise UsageProblem(f"--out {out} is a folder; name a file")
    doc = load_file(spec)
    envs = (doc.data or {}).get("environments") if isinstance(doc.data, dict) else None
    envs = envs if isinstance(envs, dict) else {}
    raw = envs.get(env_name)
    if not isinstance(raw, dict) or raw.get("target") not in ("salesforce", "hubspot", "snapshot"):
        raise UsageProblem(
            f"--env {env_name}: no such environment in {spec}; "
            f"choose one of: {', '.join(map(str, envs)) or 'none (add an environments: section)'}"
        )
    env = make_environment(env_name, raw, doc)
    spec_dir = spec.resolve().parent
    inventory, bodies = read(env, spec_dir)
    kept = {str(k): dict(v) for k, v in envs.items() if isinstance(v, dict)}
    for name, entry in kept.items():
        if entry.get("target") == "snapshot" and isinstance(entry.get("path"), str):
            entry["path"] = _relative(spec_dir / entry["path"], out.resolve().parent, entry["path"])
    text = render(inventory, kept, env_name, set(RESERVED))
    model = load_spec_text(
        text, str(out)
    ).model  # a draft that does not validate is a bug: nothing is written
    if snapshot is not None:  # what was read, as a snapshot environment's folder holds it
        saved = save(snapshot, env_platform(env), env_name, bodies)
        click.echo(f"saved the {saved} component(s) read from {env_name} to {snapshot}", err=True)
    with atomic_text(out) as handle:
        handle.write(text)
    _, unmapped = map_fields(inventory.fields, set(RESERVED))
    names = {f.name for f in inventory.fields}
    mapped = [
        f
        for f in model.fields
        if (f.salesforce_name if env_platform(env) == "salesforce" else f.hubspot_name) in names
    ]
    weighted = sum(1 for f in mapped if f.weight)
    click.echo(
        f"wrote {out}: {len(mapped)} field(s) adopted ({weighted} weighted), {len(unmapped)} listed as not "
        f"adopted, {len(inventory.stages)} stage(s); review the `# review:` comments, then run\n"
        f"  handrail validate {out}\n  handrail plan --spec {out} --env {env_name}"
    )
    for note in inventory.notes:
        click.echo(f"note: {note}", err=True)
    return inventory


def env_platform(env: Environment) -> str:
    return env.get("platform") if env.target == "snapshot" else env.target


def read(env: Environment, spec_dir: Path) -> tuple[Inventory, dict[tuple[str, str], dict]]:
    """The environment's inventory and the bodies it was made from (<kind>, <key>) -> body; a snapshot is
    read from its folder with no CRM client imported."""
    if env.target == "snapshot":
        platform = env.get("platform")
        try:
            folder = confined_snapshot_folder(spec_dir, env.get("path") or "")
        except SnapshotPathError as exc:
            raise InputError(f"environments.{env.name}.path: {exc}") from None
        if not folder.is_dir():
            raise InputError(f"environments.{env.name}.path: {folder} is not a folder")
        bodies = snapshot_bodies(folder)
    elif env.target == "hubspot":
        platform = "hubspot"
        from handrail.targets.hubspot import importer as hubspot_importer
        from handrail.targets.hubspot.client import connect as hubspot_connect

        bodies = hubspot_importer.read_live(hubspot_connect(env))
    else:
        platform = "salesforce"
        from handrail.targets.salesforce import importer as salesforce_importer
        from handrail.targets.salesforce.client import connect as salesforce_connect

        bodies = salesforce_importer.read_live(salesforce_connect(env))
    if platform == "hubspot":
        from handrail.targets.hubspot import importer as hubspot_importer

        return hubspot_importer.inventory(bodies, env.name), bodies
    from handrail.targets.salesforce import importer as salesforce_importer

    return salesforce_importer.inventory(bodies, env.name), bodies


def snapshot_bodies(folder: Path) -> dict[tuple[str, str], dict]:
    """Every component file of a snapshot folder: <kind>/<key>.json."""
    out = {}
    for path in sorted(folder.glob("*/**/*.json")):
        rel = path.relative_to(folder)
        kind, key = rel.parts[0], "/".join(rel.parts[1:]).removesuffix(".json")
        try:
            body = json.loads(path.read_text("utf-8"))
        except (ValueError, UnicodeDecodeError) as exc:
            raise InputError(f"{path}: invalid JSON in snapshot: {exc}") from None
        if isinstance(body, dict):
            out[(kind, key)] = body
    return out


def _relative(target: Path, base: Path, written: str) -> str:
    """A snapshot path as seen from the draft's folder (kept as written when it would climb out)."""
    rel = os.path.relpath(target.resolve(), base)
    return written if rel.startswith("..") else rel
