"""The handoff brief for one deal and one role, as plain data the brief templates render.

Which sections a role sees comes from the spec (each section's `roles`), never from section names.
Within a section: every field with a value, plus the empty fields the deal's segment scores or requires
(shown as missing). Score, tier, completeness and what is missing or generic come from the engine; the
SLA deadlines count from the stamped Closed Won time when the deal has one.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

from handrail.generators.audit.sla import CLOCKS, IMPLEMENTATION_CONTACT, check
from handrail.generators.report_templates import environment, render
from handrail.generators.rules.gates import gate_failures
from handrail.generators.rules.scoring import (
    TIER_LABELS,
    Deal,
    HandoffScore,
    is_populated,
    score_deal,
    selected,
)
from handrail.specs.calendar import BusinessCalendar
from handrail.specs.model import Field, Model, Segment

ROLES = {"csm": "Customer success", "implementation": "Implementation", "leadership": "Leadership"}
STATUS_WORDS = {"within": "met", "breached": "missed", "pending": "open", "unmeasured": ""}
MOTIONS = {
    "automated": "automated",
    "structured": "structured",
    "white_glove": "white-glove",
    "internal": "internal",
    "partner": "partner-mediated",
}


def render_brief(
    model: Model, deal: Deal, role: str, fmt: str, templates: Path | None = None, now: datetime | None = None
) -> str:
    """The brief as Markdown (`md`) or self-contained HTML (`html`); `templates` overrides packaged ones by
    name."""
    context = brief_context(model, deal, role, now or datetime.now(timezone.utc))
    return render(environment(templates), f"brief.{fmt}.j2", **context)


def brief_context(model: Model, deal: Deal, role: str, now: datetime) -> dict:
    """Everything a brief template may use; documented in the README under `handrail brief`."""
    result = score_deal(model, deal)
    segment = model.segment(result.segment) if result.segment else None
    return {
        "spec": model.name,
        "role": role,
        "role_label": ROLES[role],
        "generated_at": _iso(now),
        "deal": _deal(model, deal),
        "handoff": {
            "score": result.score,
            "tier": result.tier,
            "tier_label": TIER_LABELS.get(result.tier or "", ""),
            "completeness": result.completeness,
            "earned": result.earned,
            "possible": result.possible,
        },
        "segment": _segment(segment),
        "sla": _slas(segment, deal, now, model.calendar) if segment else [],
        "sections": _sections(model, deal, result, segment, role),
        "missing": [
            _item(model, model.field(r.key), deal, result, segment)
            for r in result.fields
            if r.state != "complete" and _visible(model, model.field(r.key), role)
        ],
        **_gates(model, deal, result),
    }


def _deal(model: Model, deal: Deal) -> dict:
    extra = deal.extra
    csm = model.csm_field
    return {
        "id": deal.id,
        "name": deal.name or deal.id,
        "owner": deal.owner,
        "stage": model.stage(deal.stage).label if deal.stage else None,
        "amount": deal.acv,
        "closed_won": bool(deal.stage and model.stage(deal.stage).closed_won),
        "closed": bool(
            deal.stage and (model.stage(deal.stage).closed_won or model.stage(deal.stage).closed_lost)
        ),
        "deal_type": {"expansion": "Expansion", "renewal": "Renewal"}.get(deal.deal_type, "New business"),
        "sales_cycle_days": deal.sales_cycle_days,
        "close_date": _iso(extra.get("close_date")),
        "closed_won_at": _iso(extra.get("closed_won_at")),
        "csm": (
            display(csm, deal.values.get(csm.key))
            if csm and is_populated(csm, deal.values.get(csm.key))
            else None
        ),
    }


def _segment(segment: Segment | None) -> dict | None:
    if segment is None:
        return None
    return {
        "key": segment.key,
        "label": segment.label,
        "description": segment.description,
        "motion": MOTIONS.get(segment.motion, segment.motion),
    }


def _slas(segment: Segment, deal: Deal, now: datetime, calendar: BusinessCalendar) -> list[dict]:
    start = deal.extra.get("closed_won_at")
    rows = []
    playbook = (IMPLEMENTATION_CONTACT,) if segment.sla.implementation_contact_days is not None else ()
    for clock in CLOCKS + playbook:
        status, _ = check(clock, segment.sla, deal.extra, now, calendar)
        done = deal.extra.get(clock.event)
        rows.append(
            {
                "key": clock.key,
                "label": clock.label,
                "target": clock.describe(segment.sla, calendar),
                "deadline": _iso(clock.deadline(segment.sla, start, calendar)) if start else None,
                "done_at": _iso(done),
                "status": status,
                "status_text": STATUS_WORDS[status],
            }
        )
    return rows


def _sections(
    model: Model, deal: Deal, result: HandoffScore, segment: Segment | None, role: str
) -> list[dict]:
    considered = {r.key for r in result.fields}
    out = []
    for section in model.sections:
        if role not in section.roles:
            continue
        items = [
            _item(model, f, deal, result, segment)
            for f in model.fields
            if f.section == section.key and (is_populated(f, deal.values.get(f.key)) or f.key in considered)
        ]
        if items:
            out.append(
                {
                    "key": section.key,
                    "label": section.label,
                    "description": section.description,
                    "fields": items,
                }
            )
    return out


def _visible(model: Model, f: Field, role: str) -> bool:
    """A role is never told about a field in a section it does not see."""
    return any(s.key == f.section and role in s.roles for s in model.sections)


def _item(model: Model, f: Field, deal: Deal, result: HandoffScore, segment: Segment | None) -> dict:
    value = deal.values.get(f.key)
    state = next((r for r in result.fields if r.key == f.key), None)
    return {
        "key": f.key,
        "label": f.label,
        "type": f.type,
        "help": f.help,
        "section": f.section,
        "value": display(f, value) if is_populated(f, value) else None,
        "state": state.state if state else "recorded",
        "reason": state.reason if state else "",
        "weight": f.weight if segment and f.key in segment.scored_fields else None,
        "required": bool(segment and f.key in segment.required_fields),
    }


def _gates(model: Model, deal: Deal, result: HandoffScore) -> dict:
    """Gates the deal fails: at its own stage once closed won, else the ones that would stop it at Closed
    Won."""
    won = next((s for s in model.stages if s.closed_won), None)
    at = deal.stage if deal.stage and model.stage(deal.stage).closed_won else (won.key if won else None)
    if at is None or (deal.stage and model.stage(deal.stage).closed_lost):
        return {"gates": [], "gate_stage": None}
    failures = gate_failures(model, deal, result, stage=at)
    return {
        "gate_stage": model.stage(at).label,
        "gates": [
            {
                "gate": f.gate.key,
                "stage": model.stage(f.gate.stage).label,
                "message": f.gate.message,
                "reasons": list(f.reasons),
            }
            for f in failures
        ],
    }


def display(f: Field, value: Any) -> str:
    """A field value as a person reads it."""
    if f.type == "checkbox":
        return "Yes" if value is True else "No"
    if f.type in ("picklist", "multi_select"):
        labels = {o.value: o.label for o in f.options}
        chosen = selected(value) if f.type == "multi_select" else [str(value).strip()]
        return ", ".join(labels.get(v, v) for v in chosen)
    if f.type in ("number", "currency", "percent") and isinstance(value, (int, float)):
        places = f.scale or 0
        text = f"{value:,.{places}f}"
        return f"{text}%" if f.type == "percent" else text
    return str(value).strip()


def _iso(value: Any) -> str | None:
    if isinstance(value, datetime):
        return value.isoformat(timespec="minutes").replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    return None
