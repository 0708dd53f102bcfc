"""Adoption, the step between fetch and diff: a component that existed before Handrail keeps what the
spec does not say. Each target decides which components are adopted and how one is filled from its live
body (targets/*/adoption.py); this walks the desired resources and fills those the org already has."""

from __future__ import annotations

from dataclasses import replace
from typing import Callable, Mapping, TypeVar

from handrail.generators.plan.diff import Key
from handrail.generators.plan.resources import Desired, Resource

Item = TypeVar("Item")


def fill_adopted(
    desired: Desired,
    live: Mapping[Key, Resource],
    kind: str,
    adopted: Mapping[str, Item],
    fill: Callable[[Resource, Resource, Item], Resource],
) -> Desired:
    """`desired` with each resource of `kind` whose key is in `adopted` and that exists live replaced by
    fill(desired resource, live resource, adopted[key])."""
    if not adopted:
        return desired
    out = []
    for r in desired.resources:
        current = live.get((r.kind, r.key))
        if r.kind == kind and r.key in adopted and current is not None:
            r = fill(r, current, adopted[r.key])
        out.append(r)
    return replace(desired, resources=tuple(out))
