"""Stage gates evaluated on one deal: which gates stop it, and why, in words.

The requirements are the gate's rule tree (generators.rules.tree), which the targets print as
validation rules and workflow filters:
  - a gate applies when the deal is at the gate's stage or any later one; closed-lost stages never are;
  - an inactive gate never applies; a deal with no resolved segment counts as every segment;
  - a gate applies to deals of its pipelines (specs.pipelines.gate_pipelines; a deal of no known
    pipeline is in the default one);
  - a blank score fails a score or tier floor (gates fail closed);
  - `csm_assigned` is checked only when the spec names the CSM field.
"""

from __future__ import annotations

from dataclasses import dataclass

from handrail.generators.rules.scoring import Deal, HandoffScore
from handrail.generators.rules.tree import Empty, EmptyInSegments, Facts, ScoreBelow, populated, rules_for
from handrail.specs.model import Gate, Model
from handrail.specs.pipelines import gate_pipelines


@dataclass(frozen=True)
class GateFailure:
    gate: Gate
    reasons: tuple[str, ...]  # "Customer Success Manager is empty", "score 55.0 is below 60"


def applicable_gates(
    model: Model, stage: str | None, segment: str | None, pipeline: str | None = None
) -> list[Gate]:
    """Active gates a deal at `stage` (a stage key) in `segment` (and `pipeline`, a pipeline key; None:
    the default pipeline) must satisfy."""
    if stage is None:
        return []
    current = model.stage(stage)
    if current.closed_lost:
        return []
    return [
        g
        for g in model.gates
        if g.active
        and model.stage(g.stage).order <= current.order
        and (segment is None or segment in g.segments)
        and (not model.pipelines or _in(model, g, pipeline))
    ]


def _in(model: Model, gate: Gate, pipeline: str | None) -> bool:
    keys = {p.key for p in gate_pipelines(model, gate)}
    return (pipeline or next(p.key for p in model.pipelines if p.default)) in keys


def gate_failure_reasons(model: Model, gate: Gate, deal: Deal, result: HandoffScore) -> tuple[str, ...]:
    """Why `deal` does not satisfy `gate`; empty when it does. Reads the gate's rule tree: the fields its
    failing requirements find empty (CSM, then the gate's fields, then its segments', spec order), then
    the score."""
    d = Facts(deal.values, segment=result.segment, score=result.score)
    named: list[str] = []
    in_segments: list[str] = []
    floor: ScoreBelow | None = None
    for requirement in rules_for(model).gate(gate.key):
        if isinstance(requirement, Empty) and requirement.value(d):
            named.append(requirement.field.key)
        elif isinstance(requirement, EmptyInSegments) and requirement.applies(d):
            in_segments += [f.key for f in requirement.fields if not populated(f, deal.values.get(f.key))]
        elif isinstance(requirement, ScoreBelow) and requirement.value(d):
            floor = requirement
    order = {f.key: i for i, f in enumerate(model.fields)}
    empty = list(dict.fromkeys(named + sorted(in_segments, key=order.__getitem__)))
    reasons = [Empty(model.field(k)).failure() for k in empty]
    if floor is not None:
        reasons.append(floor.failure(result.score))
    return tuple(reasons)


def gate_failures(
    model: Model, deal: Deal, result: HandoffScore, stage: str | None = None, gates: list[Gate] | None = None
) -> list[GateFailure]:
    """Every applicable gate the deal fails at `stage` (default: its own stage), spec order.
    `gates` may pass applicable_gates() already worked out for that stage and the deal's segment."""
    out = []
    if gates is None:
        gates = applicable_gates(model, stage or deal.stage, result.segment, deal.pipeline)
    for gate in gates:
        reasons = gate_failure_reasons(model, gate, deal, result)
        if reasons:
            out.append(GateFailure(gate, reasons))
    return out


def failing_gates(model: Model, deal: Deal, result: HandoffScore) -> list[Gate]:
    """The gates that should have stopped `deal` reaching its current stage."""
    return [f.gate for f in gate_failures(model, deal, result)]


def is_gated_stage(model: Model, stage: str | None) -> bool:
    """Whether any active gate applies at `stage`, whatever the segment."""
    return bool(applicable_gates(model, stage, None))
