"""What HubSpot cannot enforce exactly as the spec says, as diagnostics at the spec node concerned.

`handrail validate --target hubspot` prints these; errors (stage ids HubSpot needs) fail the build too.
"""

from __future__ import annotations

from handrail.specs.diagnostics import Diagnostic, warning
from handrail.specs.model import TEXT_TYPES, Field, Model
from handrail.targets.hubspot import csm_assign, recovery, task_clocks
from handrail.targets.hubspot.actions import MANAGER_ROLES
from handrail.targets.hubspot.calculated import formulas
from handrail.targets.hubspot.formula import expressible
from handrail.targets.hubspot.formula_size import check as check_formula_sizes
from handrail.targets.hubspot.pipeline_rules import check_approvals
from handrail.targets.hubspot.stages import check_stages, gated_stages, revert_stage
from handrail.targets.hubspot.vocabulary import STRING_MAX_LENGTH


def check_spec(model: Model) -> list[Diagnostic]:
    return [
        *check_stages(model),
        *_quality(model),
        *_segments(model),
        *_gates(model),
        *_people(model),
        *_lengths(model),
        *check_formula_sizes(model, formulas(model)),
        *check_approvals(model),
        *csm_assign.check(model),
        *recovery.check(model),
        *task_clocks.check(model),
        *_bypass(model),
    ]


def _bypass(model: Model) -> list[Diagnostic]:
    """HubSpot has no custom permissions, and a deal workflow cannot tell who made the change that enrolled
    the deal (the last modifier is overwritten by every later edit, workflows included)."""
    if model.gate_bypass is None:
        return []
    return [
        warning(
            "hubspot-no-bypass",
            "gate_bypass: HubSpot has no custom permissions and its workflows cannot tell which user made "
            "a change, so integration users are moved back by the gate workflows like anyone else",
            span=model.gate_bypass.span,
            hint="in HubSpot, put a gate in mode: monitor while an integration loads deals",
        )
    ]


def _counted(model: Model) -> list[Field]:
    """Fields the score or the missing summary looks at in some segment."""
    keys = {k for s in model.segments for k in (*s.scored_fields, *s.required_fields)}
    return [f for f in model.fields if f.key in keys]


def _quality(model: Model) -> list[Diagnostic]:
    out = []
    for f in model.fields:
        if f.type in TEXT_TYPES and f.quality.min_length:
            out.append(
                warning(
                    "hubspot-min-length",
                    f"field '{f.key}': HubSpot formulas have no string length function, so the score cannot "
                    "give "
                    f"half credit to text shorter than {f.quality.min_length} characters; Handrail adds a "
                    "MIN_LENGTH validation rule instead, which rejects shorter input rather than scoring it",
                    span=f.span,
                    hint="see CAPABILITIES.md; the rule does not make the field required",
                )
            )
    phrased = [
        f
        for f in _counted(model)
        if f.type in TEXT_TYPES and (f.quality.filler_phrases or f.quality.generic_if_contains)
    ]
    if phrased:
        out.append(
            warning(
                "hubspot-phrase-case",
                "HubSpot compares text case-sensitively and cannot trim it: the formulas list the spellings "
                "they "
                "recognise (every case of phrases up to 4 letters, lower/UPPER/Capitalised/Title Case of "
                "longer "
                "ones, each with one stray space before or after; blanks of up to 3 spaces and tabs) "
                f"({', '.join(f.key for f in phrased)})",
                span=phrased[0].span,
                hint="values such as 'sEe NoTeS', '  tbd  ' or four spaces earn full credit in HubSpot",
            )
        )
    for f in _counted(model):
        bad = [p for p in (*f.quality.filler_phrases, *f.quality.generic_if_contains) if not expressible(p)]
        bad += (
            [o.value for o in f.options if o.generic and not expressible(o.value)]
            if f.type == "picklist"
            else []
        )
        bad += (
            [o.value for o in f.options if not o.generic and not expressible(o.value)]
            if f.type == "multi_select"
            else []
        )
        if bad:
            out.append(
                warning(
                    "hubspot-formula-literal",
                    f"field '{f.key}': {', '.join(repr(b) for b in bad)} contain both ' and \", "
                    "which a HubSpot formula cannot write; the score ignores them",
                    span=f.span,
                )
            )
        if not expressible(f.label):
            out.append(
                warning(
                    "hubspot-formula-literal",
                    f"field '{f.key}': the label contains both ' and \", so the HubSpot missing "
                    "summary shows its double quotes as single ones",
                    span=f.span,
                )
            )
    out.append(
        warning(
            "hubspot-rounding",
            "HubSpot formulas cannot round: the HubSpot score shows all decimals (73.529...) where Handrail "
            "shows 73.5; the tier and score gates use the threshold the rounding reaches, so they agree "
            "exactly",
            path="tiers",
        )
    )
    return out


def _segments(model: Model) -> list[Diagnostic]:
    return [
        warning(
            "hubspot-sales-cycle",
            f"segment '{s.key}': HubSpot measures the sales cycle as (closedate - createdate) in "
            "elapsed days including fractions; Handrail's engine counts calendar days",
            span=s.span,
            hint="deals within a day of the boundary can land in different segments",
        )
        for s in model.segments
        if s.match.sales_cycle_days is not None
    ]


def _gates(model: Model) -> list[Diagnostic]:
    out = []
    for gate in model.gates:
        if not gate.active:
            continue
        back = revert_stage(model, gate)
        stage = model.stage(gate.stage)
        out.append(
            warning(
                "hubspot-gate-after-the-fact",
                f"gate '{gate.key}': HubSpot has no API to block a stage change on property values; a "
                "workflow "
                f"moves deals that reach {stage.label} without meeting it back to "
                f"{back.label if back else 'the previous stage'} and e-mails the owner",
                span=gate.span,
                hint="see the manual steps in CAPABILITIES.md for what can also be required "
                "in HubSpot's settings",
            )
        )
        unmapped = [
            s.key for s in model.stages if s.order > stage.order and not s.closed_lost and not s.hubspot
        ]
        if unmapped and gated_stages(model, gate):
            out.append(
                warning(
                    "hubspot-stage",
                    f"gate '{gate.key}': stages {', '.join(unmapped)} have no hubspot id, so "
                    "deals entering them are not checked",
                    span=gate.span,
                )
            )
    return out


def _people(model: Model) -> list[Diagnostic]:
    out = []
    won = model.automation.on_closed_won
    items = [(t.span, (t.owner,)) for t in won.tasks] + [(n.span, n.to) for n in won.notify]
    items += [(e.span, e.to) for e in won.escalations]
    for entry in model.automation.on_stage_entry:
        items += [(t.span, (t.owner,)) for t in entry.tasks] + [(n.span, n.to) for n in entry.notify]
    for span, people in items:
        for role in (p for p in people if p in MANAGER_ROLES):
            out.append(
                warning(
                    "hubspot-manager",
                    f"HubSpot users have no manager, so '{role}' cannot be looked up; bind it to "
                    "a HubSpot user when applying (manual-steps.json)",
                    span=span,
                )
            )
    return out


def _lengths(model: Model) -> list[Diagnostic]:
    return [
        warning(
            "hubspot-length",
            f"field '{f.key}': length {f.length} exceeds HubSpot's {STRING_MAX_LENGTH} characters "
            "for text properties",
            span=f.span,
        )
        for f in model.fields
        if f.type in TEXT_TYPES and f.length and f.length > STRING_MAX_LENGTH
    ]
