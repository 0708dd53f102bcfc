"""Stage gates evaluated on one deal with the scoring engine: which gates stop it, and why, in words.

The same rules the targets compile into validation rules:
  - a gate applies when the deal is at the gate's stage or any later one; closed-lost stages never are;
  - an inactive gate never applies; a deal with no resolved segment counts as every segment;
  - a blank score fails a score or tier floor (gates fail closed);
  - `csm_assigned` is checked only when the spec names the CSM field.
"""
from __future__ import annotations

from dataclasses import dataclass

from handrail.generators.rules.scoring import Deal, HandoffScore, is_populated
from handrail.specs.model import Gate, Model


@dataclass(frozen=True)
class GateFailure:
    gate: Gate
    reasons: tuple[str, ...]  # "Customer Success Manager is empty", "score 55.0 is below 60"


def applicable_gates(model: Model, stage: str | None, segment: str | None) -> list[Gate]:
    """Active gates a deal at `stage` (a stage key) in `segment` must satisfy."""
    if stage is None:
        return []
    current = model.stage(stage)
    if current.closed_lost:
        return []
    return [g for g in model.gates
            if g.active and model.stage(g.stage).order <= current.order
            and (segment is None or segment in g.segments)]


def gate_failure_reasons(model: Model, gate: Gate, deal: Deal, result: HandoffScore) -> tuple[str, ...]:
    """Why `deal` does not satisfy `gate`; empty when it does."""
    req = gate.require
    reasons: list[str] = []
    csm = model.csm_field
    if req.csm_assigned and csm and not is_populated(csm, deal.values.get(csm.key)):
        reasons.append(f"{csm.label} is empty")
    empty = [k for k in req.fields if not is_populated(model.field(k), deal.values.get(k))]
    if req.segment_required_fields:
        if result.segment is None:
            required = [f.key for f in model.fields
                        if any(f.key in model.segment(seg).required_fields for seg in gate.segments)]
            empty += [k for k in required if not is_populated(model.field(k), deal.values.get(k))]
        else:
            empty += result.missing_required
    empty = list(dict.fromkeys(empty))
    if csm and req.csm_assigned:
        empty = [k for k in empty if k != csm.key]
    reasons += [f"{model.field(k).label} is empty" for k in empty]
    floor = req.effective_min_score(model.tiers)
    if floor is not None:
        if result.score is None:
            reasons.append(f"no handoff score (needs {floor:g} or more)")
        elif result.score < floor:
            reasons.append(f"score {result.score:.1f} is below {floor:g}")
    return tuple(reasons)


def gate_failures(model: Model, deal: Deal, result: HandoffScore, stage: str | None = None,
                  gates: list[Gate] | None = None) -> list[GateFailure]:
    """Every applicable gate the deal fails at `stage` (default: its own stage), spec order.
    `gates` may pass applicable_gates() already worked out for that stage and the deal's segment."""
    out = []
    for gate in applicable_gates(model, stage or deal.stage, result.segment) if gates is None else gates:
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
