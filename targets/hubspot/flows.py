"""Automation v4 workflows: stage gates, stage-entry automation, Closed Won handoff, SLA escalations.

HubSpot has no API for "required before this stage", so a gate is enforced after the fact: a workflow
enrols deals that sit in the gated stage (or a later one) without meeting the gate, moves them back
to the stage before it and e-mails the owner what is missing. Every other workflow enrols only deals
that meet the gates of their stage, so a deal that is about to be moved back triggers nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from handrail.generators.plan.resources import Origin
from handrail.specs.diagnostics import Span
from handrail.specs.model import Escalation, Gate, Model, Notification, Stage, StageEntry, Task
from handrail.specs.pipelines import Pipeline, gate_pipelines, pipelines_of
from handrail.targets.hubspot import actions as act
from handrail.targets.hubspot import csm_assign
from handrail.targets.hubspot import filters as flt
from handrail.targets.hubspot.calendar_timing import execution_timing, sla_wait_minutes
from handrail.targets.hubspot.flow_graph import lay_out
from handrail.targets.hubspot.stages import closed_won_stage, gated_stages, revert_stage, stage_ids
from handrail.targets.hubspot.vocabulary import DEAL_OBJECT_TYPE_ID, FLOW_PREFIX, MANAGED_MARK, STAGE_PROPERTY

SLA_TIMESTAMPS = {
    "internal_handoff": "internal_handoff_at",
    "first_touch": "first_touch_at",
    "kickoff": "kickoff_at",
    "implementation_contact": "implementation_contact_at",  # the playbook's (specs.playbook)
}
SLA_WORDS = {
    "internal_handoff": "internal handoff",
    "first_touch": "first CS touch",
    "kickoff": "kickoff",
    "implementation_contact": "contact with the implementation owner",
}


@dataclass(frozen=True)
class Flow:
    key: str  # stable: file name, resource key and customProperties.handrail_key
    body: dict[str, Any]
    source: Span | None
    origin: Origin | None = None  # the spec item: its gate, else the workflow itself ("flow", key)
    facts: Mapping[str, Any] = field(default_factory=dict)  # a gate workflow's {"min_score": ...}


def flows(model: Model) -> list[Flow]:
    out = [f for gate in model.gates for f in gate_flows(model, gate)]
    out += [f for entry in model.automation.on_stage_entry if (f := stage_entry_flow(model, entry))]
    if f := closed_won_flow(model):
        out.append(f)
    out += [f for e in model.automation.on_closed_won.escalations if (f := escalation_flow(model, e))]
    from handrail.targets.hubspot.intake import intake_flows  # they build on this module's helpers
    from handrail.targets.hubspot.recovery import recovery_flow
    from handrail.targets.hubspot.task_clocks import clock_flows

    return out + intake_flows(model) + [f for f in (recovery_flow(model),) if f] + clock_flows(model)


def _flow(
    model: Model,
    key: str,
    name: str,
    purpose: str,
    enabled: bool,
    enrollment: dict,
    start: str | None,
    actions: list[dict],
) -> dict[str, Any]:
    return {
        "type": "PLATFORM_FLOW",
        "objectTypeId": DEAL_OBJECT_TYPE_ID,
        "flowType": "WORKFLOW",
        "isEnabled": enabled and model.automation.flow_status == "active",
        "name": f"{FLOW_PREFIX} {name}",
        "description": f"{purpose} {MANAGED_MARK} from {Path(model.source).name}: "
        "edit the spec, not this workflow.",
        "startActionId": start,
        "actions": actions,
        "enrollmentCriteria": enrollment,
        "timeWindows": [],
        "blockedDates": [],
        "customProperties": {"handrail_key": key},
        "dataSources": [],
    }


def _enrollment(branches: list[dict], trigger_stages: list[str], *, unenroll: bool = False) -> dict[str, Any]:
    return {
        "type": "LIST_BASED",
        "shouldReEnroll": True,
        "unEnrollObjectsNotMeetingCriteria": unenroll,
        "listFilterBranch": flt.either(branches),
        "reEnrollmentTriggersFilterBranches": [flt.stage_entered(trigger_stages)],
    }


def _segment_filter(model: Model, keys: list[str]) -> list[flt.Filter]:
    """Nothing when the keys cover every segment."""
    if len(keys) == len(model.segments):
        return []
    return [flt.any_of(model.computed_field("segment").hubspot_name, keys)]


def _grouped(model: Model, per_segment: dict[str, list[flt.Filter]], fixed: list[flt.Filter]) -> list[dict]:
    """One AND branch per distinct filter list, naming the segments that share it."""
    groups: dict[str, tuple[list[str], list[flt.Filter]]] = {}
    for key, filters in per_segment.items():
        fingerprint = repr(filters)
        groups.setdefault(fingerprint, ([], filters))[0].append(key)
    return [
        flt.branch([*fixed, *_segment_filter(model, keys), *filters]) for keys, filters in groups.values()
    ]


def applicable_gates(model: Model, stage: Stage, pipeline: Pipeline | None = None) -> list[Gate]:
    """Active enforced gates that hold at `stage`: their own stage or an earlier one (in `pipeline`: those
    that apply to it). A monitor gate only flags, so a deal failing it still gets its stage's automation."""
    if stage.closed_lost:
        return []
    return [
        g
        for g in model.gates
        if g.active
        and g.mode != "monitor"
        and model.stage(g.stage).order <= stage.order
        and (pipeline is None or pipeline in gate_pipelines(model, g))
    ]


def entered(model: Model, stage: Stage, extra: list[flt.Filter] = ()) -> list[dict]:
    """Deals in `stage` that meet every gate holding there, one branch per group of segments, per
    pipeline that has the stage (its stage id, the gates that apply to it)."""
    out = []
    for pipeline in pipelines_of(model):
        stage_id = pipeline.value(stage.key, "hubspot")
        if not stage_id:
            continue
        gates = applicable_gates(model, stage, pipeline if model.pipelines else None)
        per_segment = {
            s.key: flt.met(model, flt.combined(model, gates, s.key)) + list(extra) for s in model.segments
        }
        out += _grouped(model, per_segment, [flt.any_of(STAGE_PROPERTY, [stage_id])])
    return out


def _routes(model: Model, items: list[tuple[tuple[str, ...], act.Step | act.IfEmpty]]) -> dict[str, list]:
    """Each segment's steps, in order, from (segments, step) pairs."""
    return {s.key: [step for segments, step in items if s.key in segments] for s in model.segments}


def _items(model: Model, tasks: tuple[Task, ...], notes: tuple[Notification, ...]) -> list[tuple[tuple, Any]]:
    """(segments, step) for each task, then each notification; a step with tiers or pipelines is behind a
    branch on each."""

    def limited(item, step):  # behind the tier branch, then the pipeline branch
        return act.for_pipelines(model, item.pipelines, act.for_tiers(model, item.tiers, step))

    items = [(t.segments, limited(t, act.create_task(model, t))) for t in tasks]
    return items + [
        (n.segments, limited(n, act.notify(model, n.to, n.title, act.paragraphs(model, n.body))))
        for n in notes
    ]


# --- gates --------------------------------------------------------------------------------------------


def gate_requirements(model: Model, gate: Gate) -> list[str]:
    """The gate's requirements in words, per segment where they differ."""
    per_segment = {key: flt.needs(model, gate, key).describe() for key in gate.segments}
    common = [w for w in next(iter(per_segment.values()), []) if all(w in ws for ws in per_segment.values())]
    lines = [", ".join(common)] if common else []
    for key, words in per_segment.items():
        extra = [w for w in words if w not in common]
        if extra:
            lines.append(f"for {model.segment(key).label}: {', '.join(extra)}")
    return lines


def gate_flows(model: Model, gate: Gate) -> list[Flow]:
    """One workflow per pipeline the gate applies to: each moves deals back within their own pipeline."""
    if not model.pipelines:
        return [f for f in (gate_flow(model, gate),) if f]
    return [f for p in gate_pipelines(model, gate) if (f := gate_flow(model, gate, p))]


def gate_flow(model: Model, gate: Gate, pipeline: Pipeline | None = None) -> Flow | None:
    stages, back = gated_stages(model, gate, pipeline), revert_stage(model, gate, pipeline)
    if not stages or back is None:
        return None
    ids = [s.hubspot for s in stages]
    per_filter: dict[str, tuple[list[str], flt.Filter]] = {}
    for key in gate.segments:
        for f in flt.unmet(model, flt.needs(model, gate, key)):
            per_filter.setdefault(repr(f), ([], f))[0].append(key)
    if not per_filter:
        return None
    # A won deal whose intake status is set met the gates when it was won (the Closed Won workflow set
    # it): later edits reopen its handoff (intake.py), never its stage, so the deal stays won.
    won = [s.hubspot for s in stages if s.closed_won]
    where = [[flt.any_of(STAGE_PROPERTY, [i for i in ids if i not in won])]] if len(won) < len(ids) else []
    if won:
        where.append(
            [flt.any_of(STAGE_PROPERTY, won), flt.unknown(model.computed_field("intake_status").hubspot_name)]
        )
    branches = [
        flt.branch([*stage_filters, *_segment_filter(model, keys), f])
        for stage_filters in where
        for keys, f in per_filter.values()
    ]
    stage = model.stage(gate.stage)
    missing = model.computed_field("missing_summary").hubspot_name
    body = act.paragraphs(
        model,
        gate.message,
        f"{{deal}} reached {stage.label} (or a later stage) without meeting this gate, "
        f"so Handrail moved it back to {back.label}.",
        "Required: " + "; ".join(gate_requirements(model, gate)) + ".",
    )
    body += "<p>Missing or generic right now: {{ enrolled_object." + missing + " }}</p>"
    steps = [
        act.set_static(STAGE_PROPERTY, back.hubspot),
        act.notify(model, ("owner",), f"Moved back to {back.label}: {{deal}}", body),
    ]
    if gate.mode == "monitor":  # flag the deal and tell the owner; the deal stays where it is
        steps = monitor_steps(model, gate, stage, body)
    start, actions = lay_out(steps, "", {})
    key, where = f"gate-{gate.key}", ""
    if pipeline is not None and not pipeline.default:
        key, where = f"{key}-{pipeline.key}", f" ({pipeline.label})"
    return Flow(
        key,
        _flow(
            model,
            key,
            f"Gate {gate.key}: {stage.label}{where}",
            f"Flags deals that reach {stage.label} without meeting gate '{gate.key}' (monitor mode)."
            if gate.mode == "monitor"
            else f"Moves deals back to {back.label} when they reach {stage.label} "
            f"without meeting gate '{gate.key}'.",
            gate.active,
            _enrollment(branches, ids),
            start,
            actions,
        ),
        gate.span,
        Origin("gate", gate.key, gate.span),
        _gate_facts(model, gate),
    )


def monitor_steps(model: Model, gate: Gate, stage: Stage, body: str) -> list[act.Step]:
    """A monitor gate's workflow: Gate Flags says which gate would have stopped the deal (the latest one:
    a workflow sets a property, it cannot append to it), Gate Flagged At when; the owner is told."""
    body = body.replace(
        "so Handrail moved it back to", "so a gate in enforce mode would have moved it back to"
    )
    return [
        act.set_static(model.computed_field("gate_flags").hubspot_name, f"{gate.key} (monitor)"),
        act.stamp(model.computed_field("gate_flagged_at").hubspot_name),
        act.notify(model, ("owner",), f"Would have been stopped at {stage.label}: {{deal}}", body),
    ]


def _gate_facts(model: Model, gate: Gate) -> dict[str, Any]:
    floor = gate.require.effective_min_score(model.tiers)
    return {} if floor is None else {"min_score": float(floor)}


# --- stage entry and Closed Won ----------------------------------------------------------------------


def stage_entry_flow(model: Model, entry: StageEntry) -> Flow | None:
    stage = model.stage(entry.stage)
    if not stage.hubspot or not (entry.tasks or entry.notify):
        return None
    items = _items(model, entry.tasks, entry.notify)
    start, actions = lay_out([], model.computed_field("segment").hubspot_name, _routes(model, items))
    key = f"stage-entry-{stage.key}"
    return Flow(
        key,
        _flow(
            model,
            key,
            f"On entering {stage.label}",
            f"Tasks and notifications when a deal enters {stage.label}.",
            True,
            _enrollment(entered(model, stage), stage_ids(model, stage)),
            start,
            actions,
        ),
        entry.span,
        Origin("flow", key, entry.span),
    )


def closed_won_flow(model: Model) -> Flow | None:
    won = closed_won_stage(model)
    auto = model.automation.on_closed_won
    if won is None or not won.hubspot:
        return None
    prefix: list[act.Step | act.IfEmpty] = []
    if auto.stamp_close_time:
        prefix.append(act.stamp(model.computed_field("closed_won_at").hubspot_name))
    prefix.append(act.set_static(model.computed_field("intake_status").hubspot_name, "Pending"))
    prefix += csm_assign.steps(model)
    routes = _routes(model, _items(model, auto.tasks, auto.notify))
    start, actions = lay_out(prefix, model.computed_field("segment").hubspot_name, routes)
    key = "closed-won-handoff"
    return Flow(
        key,
        _flow(
            model,
            key,
            f"{won.label} handoff",
            "Stamps the close time, assigns the CSM and creates the handoff tasks and "
            f"notifications when a deal reaches {won.label} with its gates met.",
            True,
            _enrollment(entered(model, won), stage_ids(model, won)),
            start,
            actions,
        ),
        None,
        Origin("flow", key),
    )


# --- SLA escalations ---------------------------------------------------------------------------------


def sla_minutes(model: Model, sla: str, segment: str) -> int:
    limits = model.segment(segment).sla
    if sla == "implementation_contact":
        return limits.implementation_contact_days * 24 * 60
    if not model.calendar.is_default:  # the longest wait any close needs (calendar_timing.py)
        if sla == "kickoff":
            return sla_wait_minutes(model.calendar, limits.kickoff_business_days, "business_days")
        return sla_wait_minutes(model.calendar, getattr(limits, f"{sla}_hours"), "hours")
    if sla == "kickoff":
        return act.calendar_days(limits.kickoff_business_days) * 24 * 60
    return getattr(limits, f"{sla}_hours") * 60


def sla_words(model: Model, sla: str, segment: str) -> str:
    limits = model.segment(segment).sla
    if sla == "implementation_contact":
        return f"{limits.implementation_contact_days} days"
    if sla == "kickoff":
        return f"{limits.kickoff_business_days} business days"
    return f"{getattr(limits, f'{sla}_hours')} hours"


def escalation_flow(model: Model, escalation: Escalation) -> Flow | None:
    """Waits the segment's SLA after close; a deal whose SLA timestamp gets set meanwhile is unenrolled."""
    won = closed_won_stage(model)
    if won is None or not won.hubspot:
        return None
    stamp = model.computed_field(SLA_TIMESTAMPS[escalation.sla])
    what = SLA_WORDS[escalation.sla]
    routes = {}
    for s in model.segments:
        if escalation.sla == "implementation_contact" and s.sla.implementation_contact_days is None:
            continue  # the playbook's clock runs only for its segments
        body = act.paragraphs(
            model,
            escalation.message,
            f"{{deal}} closed {sla_words(model, escalation.sla, s.key)} ago "
            f"and {stamp.label} is still empty ({s.label} SLA).",
        )
        routes[s.key] = [
            act.delay(sla_minutes(model, escalation.sla, s.key)),
            act.notify(model, escalation.to, f"SLA missed, no {what}: {{deal}}", body),
        ]
    start, actions = lay_out([], model.computed_field("segment").hubspot_name, routes)
    key = f"escalation-{escalation.sla}"
    extra = [flt.unknown(stamp.hubspot_name)]
    if len(routes) < len(model.segments):  # a clock of some segments only: only their deals enrol
        extra.append(flt.any_of(model.computed_field("segment").hubspot_name, list(routes)))
    enrollment = _enrollment(entered(model, won, extra), stage_ids(model, won), unenroll=True)
    body = _flow(
        model,
        key,
        f"Escalation: {what} SLA",
        f"Escalates when no {what} is recorded within the segment's SLA after {won.label}.",
        True,
        enrollment,
        start,
        actions,
    )
    if not model.calendar.is_default:  # the notification waits for working time, holidays aside
        body.update(execution_timing(model.calendar))
    return Flow(key, body, escalation.span, Origin("flow", key, escalation.span))
