"""The targets Handrail compiles for, and the one interface the pipeline and the CLI use to reach them.

A target is an object satisfying `Target`; each target package exposes one as `target.TARGET`. The registry
names the modules, which are imported on first use so that offline commands stay fast. `load_target` checks
the object against the protocol, so a missing or misspelt hook fails at once, by name.
"""
from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any, Callable, Protocol, runtime_checkable

if TYPE_CHECKING:
    from handrail.generators.plan.diff import Change, Key
    from handrail.generators.plan.org import Org
    from handrail.generators.plan.resources import Desired
    from handrail.specs.diagnostics import Diagnostic
    from handrail.specs.model import Environment, Model

TARGETS = {
    "salesforce": "handrail.targets.salesforce.target",
    "hubspot": "handrail.targets.hubspot.target",
}


@runtime_checkable
class Target(Protocol):
    """What a CRM target provides. Everything is pure except open_org and deal_source, which connect."""

    name: str
    verify_scope: str  # what `build --check` validates against, for its one-line report
    unverifiable_kinds: frozenset[str]  # resource kinds no API reads back: reported, never diffed
    change_validators: tuple[Callable[["Change"], list], ...]  # judge each planned change (lossy, destructive)

    def render(self, model: "Model", options: dict[str, Any]) -> "Desired":
        """The spec as this CRM's configuration: files to write and resources to diff; SpecError at the spec."""

    def check_spec(self, model: "Model") -> list["Diagnostic"]:
        """Warnings about the spec that only this CRM raises (`validate --target`)."""

    def verify(self, desired: "Desired", options: dict[str, Any]) -> list["Diagnostic"]:
        """Problems found checking rendered output against the CRM's official schemas (`build --check`)."""

    def retired_keys(self, model: "Model") -> dict["Key", str]:
        """Components the spec's retired items name, with the item each comes from."""

    def describe(self, change: "Change") -> list[str]:
        """A planned change or drift in handoff terms, one line each."""

    def open_org(self, env: "Environment", model: "Model") -> "Org":
        """A live connection to the environment (the API client is imported here, never before)."""

    def deal_source(self, env: "Environment", model: "Model") -> Any:
        """Deals read live from the environment, for `audit --env` and `brief --env`."""


def load_target(name: str) -> Target:
    if name not in TARGETS:
        raise KeyError(f"no target named {name!r}; targets: {', '.join(TARGETS)}")
    target = import_module(TARGETS[name]).TARGET
    if not isinstance(target, Target):
        missing = [hook for hook in _HOOKS if not hasattr(target, hook)]
        raise TypeError(f"target {name!r} lacks {', '.join(missing)}")
    return target


_HOOKS = ("name", "verify_scope", "unverifiable_kinds", "change_validators", "render", "check_spec", "verify",
          "retired_keys", "describe", "open_org", "deal_source")


def deal_source(env: "Environment", model: "Model") -> Any:
    """The live deals of a CRM environment (what `audit --env` and `brief --env` read)."""
    from handrail.specs.diagnostics import HandrailError

    if env.target not in TARGETS:
        raise HandrailError(f"environment '{env.name}' is a {env.target} of the CRM's configuration and holds "
                            "no deals; name a salesforce or hubspot environment, or use --from FILE")
    return load_target(env.target).deal_source(env, model)
