"""The environment a command names, and the CRM platform behind it."""

from __future__ import annotations

from handrail.specs.diagnostics import UsageProblem
from handrail.specs.model import Environment, Model


def environment(model: Model, name: str) -> Environment:
    """The spec's environment `name`; an unknown name is a usage error (exit 2) listing the ones there are."""
    names = [e.name for e in model.environments]
    if name not in names:
        raise UsageProblem(
            f"--env {name}: no such environment in {model.source}; "
            f"choose one of: {', '.join(names) or 'none (add an environments: section)'}"
        )
    return model.environment(name)


def platform_of(env: Environment) -> str:
    """The CRM an environment holds configuration for; a snapshot names it as `platform`."""
    return env.get("platform") if env.target == "snapshot" else env.target
