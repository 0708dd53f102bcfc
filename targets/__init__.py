"""The targets Handrail compiles for, and the one interface the pipeline and the CLI use to reach them.

A target is a `Target` object; each target package exposes one as `target.TARGET`. The registry names the
modules, which are imported on first use so that offline commands stay fast.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from typing import TYPE_CHECKING, Any, Callable, Mapping

if TYPE_CHECKING:
    from handrail.generators.plan.diff import Change, Key
    from handrail.generators.plan.org import Org
    from handrail.generators.plan.resources import Desired
    from handrail.specs.diagnostics import Diagnostic
    from handrail.specs.model import Environment, Model

TARGETS = {"salesforce": "handrail.targets.salesforce.target", "hubspot": "handrail.targets.hubspot.target"}


@dataclass(kw_only=True)
class Target:
    """What a CRM target provides: one object per target, built with every hook named (a missing or misspelt
    one is a TypeError where the target is defined). All hooks are pure except open_org and deal_source."""

    name: str
    verify_scope: str  # what `build --check` validates against, for its one-line report
    render: Callable[["Model", dict[str, Any]], "Desired"]  # files to write and resources to diff; SpecError
    check_spec: Callable[["Model"], list["Diagnostic"]]  # warnings only this CRM raises (`validate --target`)
    verify: Callable[["Desired", dict[str, Any]], list["Diagnostic"]]  # against official schemas (`--check`)
    retired_keys: Callable[["Model"], dict["Key", str]]  # components the spec's retired items name
    describe: Callable[["Change"], list[str]]  # a planned change or drift in handoff terms, one line each
    open_org: Callable[["Environment", "Model"], "Org"]  # a live connection; imports the API client itself
    deal_source: Callable[["Environment", "Model"], Any]  # deals read live, for `audit --env`/`brief --env`
    change_validators: tuple[Callable[["Change"], list], ...] = ()  # judge each planned change
    # resource kinds no API reads back: reported, never diffed
    unverifiable_kinds: frozenset[str] = frozenset()
    # adopted items (ones the spec names that existed before Handrail): desired bodies take the live value
    # of every attribute the spec does not state, before the diff; None: compared whole
    adopt: Callable[["Model", "Desired", Mapping["Key", Any]], "Desired"] | None = None
    # which components are Handrail's, by (kind, key, body): one rule for a live org and a snapshot
    owns: Callable[["Model"], Callable[[str, str, Any], bool]] | None = None
    # what the spec assumes the org holds (stages, deal-type values, fields): the components that say
    # so, and the assumptions they break (generators.plan.assumptions; targets.<crm>.preflight)
    assumed_keys: Callable[["Model", "Environment"], list["Key"]] | None = None
    check_assumptions: Callable[..., list] | None = None


def load_target(name: str) -> Target:
    if name not in TARGETS:
        raise KeyError(f"no target named {name!r}; targets: {', '.join(TARGETS)}")
    return import_module(TARGETS[name]).TARGET


def deal_source(env: "Environment", model: "Model") -> Any:
    """The live deals of a CRM environment (what `audit --env` and `brief --env` read)."""
    from handrail.specs.diagnostics import HandrailError

    if env.target not in TARGETS:
        raise HandrailError(
            f"environment '{env.name}' is a {env.target} of the CRM's configuration and "
            "holds no deals; name a salesforce or hubspot environment, or use --from FILE"
        )
    return load_target(env.target).deal_source(env, model)
