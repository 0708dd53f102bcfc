"""`handrail snapshot`: the live state of everything the spec owns, saved as a snapshot environment.

What is saved is what plan reads: the components the spec renders and the ones it retires, and those
that say what the spec assumes of the org (its stages and deal types: targets.<crm>.preflight), fetched
through the environment's own fetch (so in the normal form plan compares), with the people plan resolves
for this environment saved as the spec names them. Point a snapshot environment
at the folder to diff offline; keep it beside the commit it was taken before an apply.
"""

from __future__ import annotations

import os
from pathlib import Path

import click

from handrail.generators.plan.environments import environment, platform_of
from handrail.generators.plan.snapshot_save import as_spec_names, check_destination, save
from handrail.specs.validate import load_spec
from handrail.targets import load_target
from handrail.targets.pipeline import open_org


def save_snapshot(spec: Path, env_name: str, out: Path, edition: str) -> int:
    check_destination(out)  # before any call to the org
    model = load_spec(spec).model
    env = environment(model, env_name)
    platform = platform_of(env)
    target = load_target(platform)
    desired = rendered = target.render(model, {"edition": edition})
    org = open_org(model, env)
    prepare = getattr(org, "prepare", None)
    if prepare is not None:
        desired = prepare(desired, model)
    wanted = [(r.kind, r.key) for r in desired.resources if r.kind not in target.unverifiable_kinds]
    keys = wanted + [k for k in target.retired_keys(model) if k not in wanted]
    # what the spec assumes the org holds (its stages, deal types), so plan checks them offline too
    assumed = [k for k in (target.assumed_keys(model, env) if target.assumed_keys else []) if k not in keys]
    live = org.fetch(keys + assumed)
    spec_bodies = {(r.kind, r.key): r.body for r in rendered.resources}
    resolved = {(r.kind, r.key): r.body for r in desired.resources}
    bodies = {
        k: as_spec_names(r.body, resolved[k], spec_bodies[k])
        if k in resolved and k in spec_bodies
        else r.body
        for k, r in live.items()
    }
    count = save(out, platform, env_name, bodies)
    held = len([k for k in assumed if k in live])
    click.echo(
        f"saved {count - held} of {len(keys)} component(s) the spec owns in {env_name} to {out}"
        + (f", and {held} the spec assumes the org holds (stages, deal types)" if held else "")
    )
    rel = os.path.relpath(out.resolve(), spec.resolve().parent)
    click.echo(
        "to diff against it offline, add to environments:\n"
        f"  {env_name}_baseline: {{target: snapshot, platform: {platform}, path: {rel}}}",
        err=True,
    )
    return count
