"""A live org (or a snapshot of one), seen through the normal form."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Collection, Protocol

from handrail.generators.plan.diff import Key, Plan
from handrail.generators.plan.resources import Desired, Resource
from handrail.specs.model import Model


@dataclass
class ApplyResult:
    """What an apply did: partial success is ordinary data, not an exception."""

    applied: list[str] = field(default_factory=list)  # change idents
    failed: list[tuple[str, str]] = field(default_factory=list)  # (ident, message)
    not_attempted: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # e.g. "deploy 0Af... succeeded"
    check_only: bool = False  # validated without saving: nothing applied, by request

    @property
    def ok(self) -> bool:
        return not self.failed and (self.check_only or not self.not_attempted)


class Org(Protocol):
    platform: str  # "salesforce" or "hubspot"
    name: str  # the environment name

    def fetch(self, keys: Collection[Key]) -> dict[Key, Resource]:
        """The live state of exactly these components (absent ones are left out)."""

    def managed(self) -> list[Key]:
        """Live components inside Handrail's namespace (prefix or marker), for reporting unmanaged
        leftovers."""

    def apply(self, plan: Plan, desired: Desired, model: Model, options: dict) -> ApplyResult:
        """Carry out the plan's pending changes; never raises halfway, reports what happened.

        options: "check_only" (validate without saving, where the CRM can), "api_version"."""
