"""plan / apply / diff orchestration: the only place that wires a target, an org and the generic diff
together.

The target is reached only through its `Target` (handrail.targets). An org may provide
prepare(desired, model) -> Desired: portal-specific values resolved (e.g. HubSpot owner ids for the
people the spec names) before the diff; then the target's `adopt` fills the attributes the spec does
not state of items that existed before Handrail from the live bodies just fetched. The result is what
plan compares and apply sends. A saved plan holds that result, so `apply PLAN` sends it as saved and
never renders the spec again.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from handrail.generators.plan import assumptions
from handrail.generators.plan import saved as plan_file
from handrail.generators.plan.assumptions import Broken
from handrail.generators.plan.diff import Plan, diff, fingerprint, ident
from handrail.generators.plan.environments import environment, platform_of
from handrail.generators.plan.org import ApplyResult, Org
from handrail.generators.plan.resources import Desired, Origin
from handrail.generators.plan.snapshot import SnapshotOrg
from handrail.generators.plan.validators import check_plan, refusals
from handrail.specs.diagnostics import HandrailError, SpecError
from handrail.specs.environment_ids import for_environment
from handrail.specs.model import Environment, Model
from handrail.targets import TARGETS, Target, load_target


class RefusedError(HandrailError):
    """Apply refused before touching anything (destructive changes not allowed)."""

    exit_code = 1


@dataclass
class Planned:
    plan: Plan
    desired: Desired
    org: Org


def open_org(model: Model, env: Environment) -> Org:
    if env.target == "snapshot":  # its components are Handrail's by the rule the live org follows
        spec_dir = Path(model.source).resolve().parent
        target = load_target(platform_of(env)) if platform_of(env) in TARGETS else None
        owns = target.owns(model) if target is not None and target.owns is not None else None
        return SnapshotOrg.inside(spec_dir, env.get("path"), env.get("platform"), env.name, owns)
    return load_target(env.target).open_org(env, model)


def assumptions_broken(
    target: Target, model: Model, env: Environment, org: Org, live: dict, planned: set
) -> list[Broken]:
    """What the spec assumes of the org that `live` (holding target.assumed_keys) shows does not hold."""
    if target.check_assumptions is None:
        return []
    needs = set(target.assumed_keys(model, env))
    held = {k: r for k, r in live.items() if k in needs}
    return target.check_assumptions(model, env, held, not isinstance(org, SnapshotOrg), planned)


def refuse_broken(broken: list[Broken], platform: str, env: Environment) -> None:
    """Plan and apply stop at a broken assumption, before anything is applied (exit 3)."""
    if broken:
        raise SpecError([assumptions.diagnostic(b, platform, env.name) for b in broken])


def make_plan(
    model: Model,
    env_name: str,
    options: dict | None = None,
    org: Org | None = None,
    *,
    drift: bool = False,
    impact: bool = False,
) -> Planned:
    """The plan for `env_name`. A broken assumption about the org (a stage, deal-type value or field the
    spec names that the org lacks) is a spec error, or with `drift` (diff) part of the plan's drift.
    With `impact`, a live org's `impact(model, plan)` adds notes: the open deals each created or changed
    gate would stop, the records a narrowed field no longer fits, what else uses a changed field."""
    env = environment(model, env_name)
    platform = platform_of(env)
    target = load_target(platform)
    if env.target == "hubspot":  # this portal's pipeline and stage ids where they differ
        model = for_environment(model, env)
    desired = target.render(model, dict(options or {}))
    org = org or open_org(model, env)
    prepare = getattr(org, "prepare", None)
    if prepare is not None:
        desired = prepare(desired, model)
    retired = target.retired_keys(model)
    unverifiable = target.unverifiable_kinds
    checked = [r for r in desired.resources if r.kind not in unverifiable]
    wanted = [(r.kind, r.key) for r in checked]
    needs = [k for k in (target.assumed_keys(model, env) if target.assumed_keys else []) if k not in wanted]
    live = org.fetch(
        wanted + [k for k in retired if k not in wanted] + [k for k in needs if k not in retired]
    )
    broken = assumptions_broken(target, model, env, org, live, set(wanted))
    if not drift:
        refuse_broken(broken, platform, env)
    live = {k: r for k, r in live.items() if k not in needs or k in retired}
    if target.adopt is not None:  # adopted items keep what the spec does not say; apply sends that
        desired = target.adopt(model, desired, live)
        checked = [r for r in desired.resources if r.kind not in unverifiable]
    plan = diff(platform, env.name, checked, live, retired, org.managed())
    plan = dataclasses.replace(
        plan,
        unverifiable=tuple(ident((r.kind, r.key)) for r in desired.resources if r.kind in unverifiable),
        desired=desired,
        assumptions=tuple(assumptions.drift_line(b, platform) for b in broken),
    )
    plan = check_plan(plan, target.change_validators)
    if impact and not isinstance(org, SnapshotOrg) and getattr(org, "impact", None) is not None:
        plan = dataclasses.replace(plan, notes=tuple(org.impact(model, plan)))
    return Planned(plan, desired, org)


def allowed_origins(model: Model) -> set[Origin]:
    """Spec items whose destructive changes the spec itself allows."""
    out = {Origin("field", f.key) for f in model.fields if f.allow_destructive}
    out |= {Origin("gate", g.key) for g in model.gates if g.allow_destructive}
    out |= {Origin("field", f.key) for f in model.retired_fields}
    out |= {Origin("gate", k) for k in model.retired_gates}
    return out


class DeclinedError(HandrailError):
    """The person at the terminal did not confirm the plan: nothing was applied."""

    exit_code = 1


def apply(
    model: Model,
    env_name: str,
    *,
    saved: Path | None,
    spec_path: Path,
    allow_destructive: bool,
    options: dict | None = None,
    org: Org | None = None,
    confirm: Callable[[Plan], bool] | None = None,
) -> tuple[Plan, ApplyResult]:
    """Plan afresh, or carry out a saved plan as saved, once `confirm` agrees."""
    if saved is None:
        fresh = make_plan(model, env_name, options, org)
        plan, desired, org = fresh.plan, fresh.desired, fresh.org
    else:
        plan, org = saved_plan(model, env_name, saved, spec_path, org)
        desired = plan.desired
    blocked = refusals(plan, allow_destructive, allowed_origins(model))
    if blocked:
        raise RefusedError(
            "refusing destructive changes:\n  "
            + "\n  ".join(blocked)
            + "\nMark the item in the spec (retired: or allow_destructive: true) "
            "and pass --allow-destructive."
        )
    if not plan.pending:
        return plan, ApplyResult(notes=["nothing to apply"])
    if confirm is not None and not confirm(plan):
        raise DeclinedError("not confirmed: nothing was applied")
    return plan, org.apply(plan, desired, model, dict(options or {}))


def saved_plan(
    model: Model, env_name: str, saved: Path, spec_path: Path, org: Org | None = None
) -> tuple[Plan, Org]:
    """The saved plan and the org it applies to; refused when the spec or a component it read has changed.

    Nothing is rendered: the plan file holds the desired state apply sends. An org that prepares
    desired state (HubSpot) is given the saved one, already resolved, to read the live side against.
    """
    env = environment(model, env_name)
    stored, spec_sha = plan_file.load(saved)
    if stored.environment != env_name:
        raise HandrailError(f"{saved} was made for environment '{stored.environment}', not '{env_name}'")
    if spec_sha != plan_file.spec_digest(spec_path):
        raise plan_file.StalePlanError(
            f"{spec_path} changed since {saved} was made; run `handrail plan` again"
        )
    if stored.target != platform_of(env):
        raise HandrailError(f"{saved} was made for {stored.target}, but '{env_name}' is {platform_of(env)}")
    org = org or open_org(model, env)
    prepare = getattr(org, "prepare", None)
    if prepare is not None:
        stored = dataclasses.replace(stored, desired=prepare(stored.desired, model))
    target = load_target(platform_of(env))
    if env.target == "hubspot":  # this portal's pipeline and stage ids, as make_plan reads them
        model = for_environment(model, env)
    needs = [
        k
        for k in (target.assumed_keys(model, env) if target.assumed_keys else [])
        if k not in stored.fingerprints
    ]
    live = org.fetch(list(stored.fingerprints) + needs)
    planned = {(r.kind, r.key) for r in stored.desired.resources} if stored.desired else set()
    refuse_broken(assumptions_broken(target, model, env, org, live, planned), stored.target, env)
    now = {k: fingerprint(live[k].body) if k in live else None for k in stored.fingerprints}
    stale = plan_file.stale_components(stored, now)
    if stale:
        raise plan_file.StalePlanError(
            f"the org changed since {saved} was made ({len(stale)} component(s): {', '.join(stale[:5])}); "
            "run `handrail plan` again"
        )
    return stored, org
