"""The spec's stage vocabulary mapped onto one HubSpot deal pipeline, checked before anything is built.

Gates apply when a deal enters their stage or any later one (Closed Lost excepted), so a gate's
workflow watches every later stage too, and moves the deal back to the stage before the gate.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from handrail.specs.diagnostics import Diagnostic, InputError, error, warning
from handrail.specs.model import Gate, Model, Stage
from handrail.specs.pipelines import Pipeline as SpecPipeline
from handrail.specs.pipelines import gate_pipelines, pipelines_of

STAGE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$")
DEFAULT_PIPELINE = "default"


@dataclass(frozen=True)
class Pipeline:
    """A pipeline as GET /crm/v3/pipelines/deals returns it: id, label and stage ids with metadata."""

    id: str
    label: str
    stages: dict[str, dict[str, str]]  # stage id -> metadata


def load_pipelines(path: str | Path) -> list[Pipeline]:
    """Read a saved GET /crm/v3/pipelines/deals response (or one pipeline object)."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read: {exc}") from None
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}:{exc.lineno}:{exc.colno}: invalid JSON: {exc.msg}") from None
    items = data.get("results", [data]) if isinstance(data, dict) else data
    if not isinstance(items, list) or not all(_is_pipeline(p) for p in items):
        raise InputError(
            f"{path}: expected the JSON of GET /crm/v3/pipelines/deals (results of pipelines with stages)"
        )
    return [
        Pipeline(
            str(p["id"]),
            str(p.get("label", "")),
            {str(s["id"]): {k: str(v) for k, v in (s.get("metadata") or {}).items()} for s in p["stages"]},
        )
        for p in items
    ]


def _is_pipeline(p: Any) -> bool:
    return (
        isinstance(p, dict)
        and "id" in p
        and isinstance(p.get("stages"), list)
        and all(isinstance(s, dict) and "id" in s for s in p["stages"])
    )


def choose_pipeline(model: Model, pipelines: list[Pipeline], wanted: str | None) -> Pipeline | None:
    """The pipeline named by id, else the one that holds the spec's stage ids."""
    if wanted:
        return next((p for p in pipelines if p.id == wanted), None)
    ids = {s.hubspot for s in model.stages if s.hubspot}
    return max(pipelines, key=lambda p: len(ids & set(p.stages)), default=None)


def in_pipeline(model: Model, pipeline: SpecPipeline | None) -> list[Stage]:
    """The stages of a pipeline (default: the stages' own ids), each with that pipeline's stage id."""
    if pipeline is None:
        return list(model.stages)
    return [
        replace(s, hubspot=pipeline.value(s.key, "hubspot")) for s in model.stages if pipeline.stage(s.key)
    ]


def gated_stages(model: Model, gate: Gate, pipeline: SpecPipeline | None = None) -> list[Stage]:
    """The gate's stage and every later stage a deal can enter past it (not Closed Lost), with ids."""
    start = model.stage(gate.stage).order
    return [s for s in in_pipeline(model, pipeline) if s.order >= start and not s.closed_lost and s.hubspot]


def revert_stage(model: Model, gate: Gate, pipeline: SpecPipeline | None = None) -> Stage | None:
    """Where a deal that fails the gate goes back to: the nearest earlier open stage with an id (in the
    deal's pipeline)."""
    start = model.stage(gate.stage).order
    earlier = [
        s
        for s in in_pipeline(model, pipeline)
        if s.order < start and s.hubspot and not (s.closed_won or s.closed_lost)
    ]
    return earlier[-1] if earlier else None


def stage_ids(model: Model, stage: Stage) -> list[str]:
    """The stage's HubSpot ids in every pipeline that has it (a stage id implies its pipeline)."""
    return [v for p in pipelines_of(model) if (v := p.value(stage.key, "hubspot"))]


def closed_won_stage(model: Model) -> Stage | None:
    return next((s for s in model.stages if s.closed_won), None)


def used_stages(model: Model) -> dict[str, str]:
    """Stage key -> why HubSpot needs its id."""
    needs: dict[str, str] = {}
    for gate in model.gates:
        if gate.active:
            needs.setdefault(gate.stage, f"gate '{gate.key}' is enforced on it")
    for entry in model.automation.on_stage_entry:
        needs.setdefault(entry.stage, "automation runs when deals enter it")
    won = closed_won_stage(model)
    auto = model.automation.on_closed_won
    if won and (auto.tasks or auto.notify or auto.assign_csm or auto.escalations or auto.stamp_close_time):
        needs.setdefault(won.key, "the Closed Won automation runs when deals enter it")
    return needs


def check_stages(model: Model, pipeline: Pipeline | None = None) -> list[Diagnostic]:
    """Errors for stage ids that are missing, malformed, duplicated or unknown to the pipeline."""
    out: list[Diagnostic] = []
    seen: dict[str, str] = {}
    for stage in model.stages:
        where = f"stages[{stage.order}].hubspot"
        if stage.hubspot is None:
            continue
        if not STAGE_ID.match(stage.hubspot):
            out.append(
                error(
                    "hubspot-stage",
                    f"stage '{stage.key}': '{stage.hubspot}' is not a HubSpot stage id",
                    path=where,
                    span=stage.span,
                    hint="use the id from Settings > Objects > Deals > Pipelines, e.g. closedwon or 12345678",
                )
            )
        elif stage.hubspot in seen:
            out.append(
                error(
                    "hubspot-stage",
                    f"stages '{seen[stage.hubspot]}' and '{stage.key}' share the HubSpot stage id "
                    f"'{stage.hubspot}'",
                    path=where,
                    span=stage.span,
                )
            )
        seen.setdefault(stage.hubspot, stage.key)
        if pipeline is not None and stage.hubspot not in pipeline.stages:
            out.append(
                error(
                    "hubspot-stage",
                    f"stage '{stage.key}': pipeline '{pipeline.id}' has no stage '{stage.hubspot}'",
                    path=where,
                    span=stage.span,
                    hint="known ids: " + ", ".join(sorted(pipeline.stages)),
                )
            )
    for key, why in used_stages(model).items():
        stage = model.stage(key)
        if not stage.hubspot:
            out.append(
                error(
                    "hubspot-stage",
                    f"stage '{key}' has no hubspot stage id, but {why}",
                    path=f"stages[{stage.order}]",
                    span=stage.span,
                    hint="add hubspot: <stage id>",
                )
            )
    for gate in model.gates:
        if gate.active and model.stage(gate.stage).hubspot and revert_stage(model, gate) is None:
            out.append(
                error(
                    "hubspot-stage",
                    f"gate '{gate.key}': no earlier stage with a hubspot id to move failing deals back to",
                    path="gates",
                    span=gate.span,
                    hint="map an earlier stage to HubSpot, or gate a later stage",
                )
            )
    if pipeline is not None:
        out += _check_closed_metadata(model, pipeline)
    return out + _check_pipelines(model)


def _check_pipelines(model: Model) -> list[Diagnostic]:
    """Each other pipeline's stage ids, and a stage to move a deal back to in every pipeline a gate
    applies to."""
    out = []
    for p in (p for p in model.pipelines if not p.default):
        for s in p.stages:
            if s.hubspot and not STAGE_ID.match(s.hubspot):
                message = f"pipeline '{p.key}', stage '{s.stage}': '{s.hubspot}' is not a HubSpot stage id"
                out.append(error("hubspot-stage", message, path=f"pipelines.{p.key}", span=p.span))
    for gate in model.gates:
        for p in gate_pipelines(model, gate) if model.pipelines and gate.active else ():
            if p.value(gate.stage, "hubspot") and revert_stage(model, gate, p) is None:
                out.append(
                    error(
                        "hubspot-stage",
                        f"gate '{gate.key}': pipeline '{p.key}' has no earlier stage with a hubspot id to "
                        "move failing deals back to",
                        path="gates",
                        span=gate.span,
                        hint="map an earlier stage in that pipeline, or limit the gate with pipelines:",
                    )
                )
    return out


def _check_closed_metadata(model: Model, pipeline: Pipeline) -> list[Diagnostic]:
    out = []
    for stage in model.stages:
        meta = pipeline.stages.get(stage.hubspot or "")
        if meta is None or not (stage.closed_won or stage.closed_lost):
            continue
        probability = "1.0" if stage.closed_won else "0.0"
        closed = meta.get("isClosed", "").lower() == "true"
        if not closed or _probability(meta.get("probability")) != float(probability):
            out.append(
                warning(
                    "hubspot-stage",
                    f"stage '{stage.key}' is marked "
                    f"{'closed_won' if stage.closed_won else 'closed_lost'}, "
                    f"but HubSpot stage '{stage.hubspot}' has isClosed={meta.get('isClosed')} "
                    f"probability={meta.get('probability')}",
                    path=f"stages[{stage.order}]",
                    span=stage.span,
                    hint=f"HubSpot marks it with isClosed true and probability {probability}",
                )
            )
    return out


def _probability(text: str | None) -> float | None:
    try:
        return float(text) if text is not None else None
    except ValueError:
        return None
