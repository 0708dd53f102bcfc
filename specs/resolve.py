"""Validated spec data -> the frozen Model every target compiles from.

Defaults are applied here and nowhere else: quality defaults, SLA defaults, section and tier defaults,
generated CRM names, "all" segment lists, {top: N} scored fields, and the implicit CSM gates that
`csm_required_by` implies.
"""

from __future__ import annotations

from handrail.specs import playbook_rules
from handrail.specs.automation_spec import all_segments, automation_from
from handrail.specs.calendar import calendar_from
from handrail.specs.computed import computed_fields
from handrail.specs.contacts import contact_rule
from handrail.specs.deal_environment import deal_source, environment
from handrail.specs.gate_rollout import gate_bypass_from
from handrail.specs.loader import Document
from handrail.specs.model import (
    TEXT_TYPES,
    Approval,
    Field,
    Gate,
    Match,
    Model,
    Naming,
    Option,
    Quality,
    Range,
    Requirement,
    Section,
    Segment,
    Sla,
    Stage,
    Tiers,
)
from handrail.specs.naming import hubspot_property_name, salesforce_field_name
from handrail.specs.pipelines import resolve_pipelines
from handrail.specs.platforms import salesforce_settings

DEFAULT_SECTION_LABELS = {
    "goals": ("Goals and use case", ("csm", "leadership")),
    "stakeholders": ("Stakeholder map", ("csm", "implementation", "leadership")),
    "commitments": ("Commercial commitments", ("csm", "leadership")),
    "technical": ("Technical requirements", ("implementation",)),
    "objections": ("Objections and competition", ("csm", "leadership")),
    "sales_cycle": ("Key moments of the sales cycle", ("csm", "leadership")),
    "risks": ("Risks and communication", ("csm", "implementation", "leadership")),
    "partner": ("Channel partner", ("csm", "implementation")),
    "other": ("Other", ("csm", "implementation", "leadership")),
}


def resolve(doc: Document) -> Model:
    data = doc.data
    naming = Naming(**(data.get("naming") or {}))
    segment_keys = tuple(s["key"] for s in data["segments"])
    sections = _sections(data)
    defaults = _quality(data.get("quality_defaults") or {}, Quality())
    fields = tuple(_field(f, i, naming, defaults, doc) for i, f in enumerate(data["fields"]))
    stages = tuple(_stage(s, i, doc) for i, s in enumerate(data["stages"]))
    if any(f.section == "other" for f in fields) and "other" not in {s.key for s in sections}:
        sections += (Section("other", "Other"),)
    sla_defaults = Sla(**(data.get("sla_defaults") or {}))
    segments = tuple(
        _segment(s, i, data["fields"], fields, sla_defaults, doc) for i, s in enumerate(data["segments"])
    )
    tiers = Tiers(**(data.get("tiers") or {}))
    explicit = tuple(_gate(g, i, segment_keys, doc) for i, g in enumerate(data.get("gates") or []))
    gates = explicit + _implicit_csm_gates(segments, stages, explicit)
    model = Model(
        name=data.get("name", "Handoff"),
        source=doc.file,
        naming=naming,
        deal=deal_source(data.get("deal") or {}, doc),
        sections=sections,
        fields=fields,
        tiers=tiers,
        segments=segments,
        stages=stages,
        gates=gates,
        automation=automation_from(data.get("automation") or {}, segment_keys, doc),
        environments=tuple(environment(name, e, doc) for name, e in (data.get("environments") or {}).items()),
        computed=computed_fields(naming, segments),
        retired_fields=tuple(
            _retired_field(key, naming) for key in (data.get("retired") or {}).get("fields", ())
        ),
        retired_gates=tuple((data.get("retired") or {}).get("gates", ())),
        salesforce=salesforce_settings(doc),
        pipelines=resolve_pipelines(data, stages, doc),
        calendar=calendar_from(data.get("calendar"), doc.span(("calendar", "holidays"))),
        gate_bypass=gate_bypass_from(
            data.get("gate_bypass"), naming.salesforce_prefix, doc.span(("gate_bypass",))
        ),
    )
    return playbook_rules.applied(model, data.get("playbook"), doc)


def _retired_field(key: str, naming: Naming) -> Field:
    sf, hs = (
        salesforce_field_name(naming.salesforce_prefix, key),
        hubspot_property_name(naming.hubspot_prefix, key),
    )
    return Field(
        key, key, "short_text", "other", None, "", "", Quality(), salesforce_name=sf, hubspot_name=hs
    )


def _sections(data: dict) -> tuple[Section, ...]:
    if "sections" not in data:
        return tuple(
            Section(k, label, roles=roles)
            for k, (label, roles) in DEFAULT_SECTION_LABELS.items()
            if k != "other"
        )
    return tuple(
        Section(
            s["key"],
            s["label"],
            s.get("description", ""),
            tuple(s.get("roles", ("csm", "implementation", "leadership"))),
        )
        for s in data["sections"]
    )


def _quality(raw: dict, base: Quality) -> Quality:
    return Quality(
        min_length=raw.get("min_length", base.min_length),
        filler_phrases=tuple(p.strip().lower() for p in raw["filler_phrases"])
        if "filler_phrases" in raw
        else base.filler_phrases,
        generic_if_contains=tuple(p.lower() for p in raw["generic_if_contains"])
        if "generic_if_contains" in raw
        else base.generic_if_contains,
    )


def _field(raw: dict, i: int, naming: Naming, defaults: Quality, doc: Document) -> Field:
    ftype, key = raw["type"], raw["key"]
    quality = Quality()
    if ftype in TEXT_TYPES and raw.get("quality") is not False:
        quality = _quality(raw.get("quality") or {}, defaults)
    options = tuple(
        Option(o, o)
        if isinstance(o, str)
        else Option(o["value"], o.get("label", o["value"]), o.get("generic", False))
        for o in raw.get("options", ())
    )
    length = raw.get("length")
    if length is None and ftype in TEXT_TYPES:
        length = 255 if ftype == "short_text" else 32768
    precision, scale = raw.get("precision"), raw.get("scale")
    if ftype in ("number", "currency", "percent"):
        precision = precision or {"number": 18, "currency": 16, "percent": 5}[ftype]
        scale = scale if scale is not None else (0 if ftype == "number" else 2)
    return Field(
        key=key,
        label=raw["label"],
        type=ftype,
        section=raw.get("section", "other"),
        weight=raw.get("weight"),
        help=raw.get("help", ""),
        description=raw.get("description", ""),
        quality=quality,
        options=options,
        length=length,
        visible_lines=raw.get("visible_lines", 5 if ftype == "long_text" else None),
        precision=precision,
        scale=scale,
        salesforce_name=(
            (raw.get("salesforce") or {}).get("api_name")
            or salesforce_field_name(naming.salesforce_prefix, key)
        ),
        hubspot_name=(raw.get("hubspot") or {}).get("name")
        or hubspot_property_name(naming.hubspot_prefix, key),
        allow_destructive=raw.get("allow_destructive", False),
        span=doc.span(("fields", i)),
        contacts=contact_rule(raw.get("complete_when")),
    )


def _range(raw: dict | None) -> Range | None:
    return Range(**raw) if raw else None


def _segment(
    raw: dict, i: int, raw_fields: list[dict], fields: tuple[Field, ...], sla: Sla, doc: Document
) -> Segment:
    key = raw["key"]
    match = raw["match"]
    required = set(raw.get("required_fields", ()))
    required |= {
        f["key"] for f in raw_fields if f.get("required_in") == "all" or key in (f.get("required_in") or ())
    }
    applicable = [
        f
        for f, rf in zip(fields, raw_fields)
        if f.weight and (rf.get("applies_to") in (None, "all") or key in rf["applies_to"])
    ]
    scored = raw.get("scored_fields")
    if isinstance(scored, dict):  # the N highest weights; ties keep spec order
        top = sorted(applicable, key=lambda f: -f.weight)[: scored["top"]]
        chosen = {f.key for f in top}
    elif isinstance(scored, list):
        chosen = set(scored)
    else:
        chosen = {f.key for f in applicable}
    return Segment(
        key=key,
        label=raw["label"],
        description=raw.get("description", ""),
        match=Match(
            acv=_range(match.get("acv")),
            deal_type=match.get("deal_type"),
            partner_sourced=match.get("partner_sourced"),
            sales_cycle_days=_range(match.get("sales_cycle_days")),
        ),
        motion=raw["motion"],
        required_fields=tuple(f.key for f in fields if f.key in required),
        scored_fields=tuple(f.key for f in fields if f.key in chosen),
        csm_required_by=raw.get("csm_required_by"),
        sla=Sla(**{**sla.__dict__, **(raw.get("sla") or {})}),
        span=doc.span(("segments", i)),
        pipelines=tuple(raw.get("pipelines") or ()),
    )


def _stage(raw: dict, i: int, doc: Document) -> Stage:
    return Stage(
        key=raw["key"],
        label=raw["label"],
        order=i,
        salesforce=raw.get("salesforce"),
        hubspot=raw.get("hubspot"),
        closed_won=raw.get("closed_won", False),
        closed_lost=raw.get("closed_lost", False),
        span=doc.span(("stages", i)),
    )


def _gate(raw: dict, i: int, segment_keys: tuple[str, ...], doc: Document) -> Gate:
    req = raw["require"]
    return Gate(
        key=raw["key"],
        stage=raw["stage"],
        segments=all_segments(raw.get("segments"), segment_keys),
        require=Requirement(
            fields=tuple(req.get("fields", ())),
            segment_required_fields=req.get("segment_required_fields", False),
            min_score=req.get("min_score"),
            min_tier=req.get("min_tier"),
            csm_assigned=req.get("csm_assigned", False),
        ),
        message=raw["message"],
        active=raw.get("active", True),
        allow_destructive=raw.get("allow_destructive", False),
        span=doc.span(("gates", i)),
        hubspot_approval=_approval(raw.get("hubspot"), ("gates", i, "hubspot"), doc),
        pipelines=tuple(raw.get("pipelines") or ()),
        mode=raw.get("mode", "enforce"),
    )


def _approval(raw: dict | None, path: tuple, doc: Document) -> Approval | None:
    if not raw:
        return None
    return Approval(
        approvers=tuple(str(a) for a in raw["approvers"]),
        mode=raw.get("approval_mode", "any"),
        span=doc.span(path),
    )


def _implicit_csm_gates(segments, stages, explicit) -> tuple[Gate, ...]:
    """`csm_required_by: commit` enforces itself unless a written gate already does."""
    order = {s.key: s.order for s in stages}
    label = {s.key: s.label for s in stages}
    out = []
    for seg in segments:
        if not seg.csm_required_by:
            continue
        covered = any(
            g.require.csm_assigned and seg.key in g.segments and order[g.stage] <= order[seg.csm_required_by]
            for g in explicit
        )
        if not covered:
            out.append(
                Gate(
                    key=f"{seg.key}_csm_by_{seg.csm_required_by}",
                    stage=seg.csm_required_by,
                    segments=(seg.key,),
                    require=Requirement(csm_assigned=True),
                    message=f"{seg.label} deals need a named CSM before {label[seg.csm_required_by]}.",
                    span=seg.span,
                )
            )
    return tuple(out)
