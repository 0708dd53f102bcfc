"""Deal stage ids per environment: `environments.<name>.hubspot_stages` maps a stage key of the spec to
this portal's stage id where it differs from the stage's `hubspot:` id (a sandbox or second portal
whose custom stages got ids of their own):

    environments:
      hubspot_test:
        target: hubspot
        hubspot_stages: {commit: "1234567", closed_won: "1234570"}

The build uses the spec's ids; plan (the org's prepare step) swaps in the environment's before the diff,
only where a stage id stands: the values of filters and actions on the deal stage property, of
"property value changed" events on it, and the pipeline rules' stage ids. Nothing else changes.
"""

from __future__ import annotations

import dataclasses
from difflib import get_close_matches
from typing import Any

from handrail.generators.plan.resources import Desired
from handrail.specs.diagnostics import Diagnostic, SpecError, error
from handrail.specs.model import Environment, Model
from handrail.targets.hubspot.stages import STAGE_ID
from handrail.targets.hubspot.vocabulary import STAGE_PROPERTY

STAGE_ID_KEYS = ("pipelineStageId", "pipelineStageIds")  # pipeline rules


def resolve(desired: Desired, model: Model, env: Environment) -> Desired:
    """Desired with the environment's stage ids in place of the spec's."""
    if not env.hubspot_stages:
        return desired
    ids = stage_ids(model, env)
    if not ids:
        return desired
    resources = tuple(dataclasses.replace(r, body=swap(r.body, ids)) for r in desired.resources)
    return dataclasses.replace(desired, resources=resources)


def stage_ids(model: Model, env: Environment) -> dict[str, str]:
    """The spec's stage id -> this environment's; a located error for each entry that names no stage
    with a HubSpot id, or is no stage id."""
    stages = {s.key: s for s in model.stages}
    out: dict[str, str] = {}
    problems: list[Diagnostic] = []
    where = f"environments.{env.name}.hubspot_stages"
    for key, stage_id in env.hubspot_stages:
        stage = stages.get(key)
        if stage is None:
            close = get_close_matches(key, list(stages), 1)
            hint = f"did you mean `{close[0]}`?" if close else "name a key of stages:"
            problems.append(
                error("hubspot-stage", f"{where}: unknown stage '{key}'", span=env.span, hint=hint)
            )
        elif not stage.hubspot:
            message = f"{where}: stage '{key}' has no HubSpot stage id in the spec to replace"
            problems.append(
                error("hubspot-stage", message, span=stage.span, hint=f"set stages[{stage.order}].hubspot")
            )
        elif not STAGE_ID.match(str(stage_id)):
            message = f"{where}.{key}: '{stage_id}' is not a HubSpot stage id"
            problems.append(error("hubspot-stage", message, span=env.span))
        elif stage_id != stage.hubspot:
            out[stage.hubspot] = str(stage_id)
    if problems:
        raise SpecError(problems)
    return out


def swap(body: Any, ids: dict[str, str], stage: bool = False) -> Any:
    """`body` with each stage id replaced where it stands for a stage (`stage`: inside a filter or
    action on the deal stage property, or a pipeline rule's stage id)."""
    if isinstance(body, dict):
        here = stage or STAGE_PROPERTY in body.values() or _stage_change_event(body)
        return {k: swap(v, ids, here or k in STAGE_ID_KEYS) for k, v in body.items()}
    if isinstance(body, list):
        return [swap(v, ids, stage) for v in body]
    if stage and isinstance(body, str):
        return ids.get(body, body)
    return body


def _stage_change_event(branch: dict) -> bool:
    """A "property value changed" event branch on the deal stage: its hs_value filter holds stage ids."""
    return branch.get("filterBranchType") == "UNIFIED_EVENTS" and any(
        f.get("property") == "hs_name" and (f.get("operation") or {}).get("value") == STAGE_PROPERTY
        for f in branch.get("filters") or ()
        if isinstance(f, dict)
    )
