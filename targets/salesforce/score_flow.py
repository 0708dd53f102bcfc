"""The before-save flow: the handoff score on every save, and the Closed Won field updates.

    Start (Opportunity, created or updated, before save)
      -> Get Contact Roles      only when a field is complete_when contacts: the deal's contact roles, one
                                lookup per required role, and their count (contact_roles_flow.py)
      -> Which segment?         one outcome per segment, in spec order: the first whose Matches_ formula holds
      -> Set <Segment> Handoff  segment, score, completeness, tier and missing summary from that
                                segment's formulas
      -> Resubmitted to CS?     the intake steps (intake.py): a tick on a returned handoff sets it back to
                                Pending; an Accept or Return stamps the decision time
      -> Became Closed Won?     only on the save that moves the deal to the closed-won stage
      -> Set Intake Pending     CS has a new handoff to accept or return (as HubSpot's Closed Won workflow)
      -> Stamp Closed Won At    when the spec stamps the close time
      -> Which CSM rule?        the first assign_csm rule for the deal's segment and territory: keep a CSM
                                already named, or assign one by username, pool or account (csm_flow.py)

Before-save flows update the record without DML, and validation rules run after them in the same save,
so the gates see the fresh score. The CSM is assigned here too, so a gate that requires a CSM at Closed
Won is met by the assignment rule, and the after-save automation already sees the assigned CSM.
"""

from __future__ import annotations

from handrail.generators.rules import tree
from handrail.specs.diagnostics import Diagnostic
from handrail.specs.model import Field, Model, Segment
from handrail.specs.naming import camel
from handrail.targets.salesforce import contact_roles_flow as cr
from handrail.targets.salesforce import flow_elements as fe
from handrail.targets.salesforce import formulas as fx
from handrail.targets.salesforce import intake
from handrail.targets.salesforce.csm_flow import csm_rules
from handrail.targets.salesforce.flow_elements import FlowBuilder
from handrail.targets.salesforce.gate_flags import flag_last
from handrail.targets.salesforce.managed_flow import managed_flow
from handrail.targets.salesforce.pipeline_stages import stage_entered

_TYPE_NAMES = {
    "short_text": "text",
    "long_text": "long text",
    "picklist": "picklist",
    "multi_select": "multi-select",
    "number": "number",
    "currency": "currency",
    "percent": "percent",
    "date": "date",
    "datetime": "date/time",
    "checkbox": "checkbox",
    "user": "user",
}


def considered_fields(model: Model) -> list[Field]:
    """Fields some segment scores or requires, in spec order: the ones the flow measures."""
    keys = {k for s in model.segments for k in (*s.scored_fields, *s.required_fields)}
    return [f for f in model.fields if f.key in keys]


def closed_won_stage(model: Model):
    return next((s for s in model.stages if s.closed_won and s.salesforce), None)


def score_flow(model: Model, status: str, api_version: str) -> tuple[list, list[Diagnostic]]:
    """The flow's XML pairs, and the formula-limit problems found while building it."""
    flow = managed_flow(
        model,
        "Score (Before Save)",
        "Computes the handoff segment, score, completeness, tier and missing summary on every save, before "
        "validation rules run; on Closed Won sets intake to Pending, stamps the close time and assigns the "
        "CSM.",
        status,
        api_version,
    )
    formulas = fx.Formulas(flow)
    _shared_formulas(model, formulas)
    for f in considered_fields(model):
        _field_formulas(model, f, formulas)
    close = intake.before_save_steps(model, flow, _closed_won_steps(model, flow))
    rules = []
    for s in model.segments:
        formulas.add(
            fx.matches_name(s),
            "Boolean",
            fx.match_expression(model, s),
            f"{s.label}: {s.match.describe()}.",
            _where(model, s),
        )
        target = _segment_assignment(model, s, formulas, close)
        rules.append(fe.rule(f"Segment_{camel(s.key)}", s.label, [fe.is_true(fx.matches_name(s))], target))
    unmatched = _no_segment_assignment(model, flow, close)
    flow.decision("Which_Segment", "Which segment?", rules, default=unmatched, default_label="No segment")
    contacts = cr.contact_fields(model, considered_fields(model))
    first = cr.contact_steps(flow, contacts, "Which_Segment") if contacts else "Which_Segment"
    flag_last(model, flow)
    flow.start = [
        ("connector", fe.connector(first)),
        ("object", model.naming.salesforce_object),
        ("recordTriggerType", "CreateAndUpdate"),
        ("triggerType", "RecordBeforeSave"),
    ]
    flow.start_targets = (first,)
    return flow.pairs(), formulas.problems


def _where(model: Model, item) -> tuple[str, object]:
    if isinstance(item, Segment):
        return f"segments[{model.segments.index(item)}]", item.span
    return f"fields[{model.fields.index(item)}]", item.span


def _shared_formulas(model: Model, formulas: fx.Formulas) -> None:
    where = ("segments", model.segments[0].span if model.segments else None)
    used = set().union(*(s.match.dimensions for s in model.segments)) if model.segments else set()
    if "acv" in used:
        formulas.add(
            fx.AMOUNT,
            "Currency",
            fx.amount_expression(model),
            f"The deal's ACV ({model.deal.acv_salesforce}); blank counts as 0.",
            where,
            scale=2,
        )
    if "sales_cycle_days" in used:
        formulas.add(
            fx.CYCLE_DAYS,
            "Number",
            fx.cycle_days_expression(),
            "Sales cycle in days: CloseDate minus the creation date (today while the deal is being "
            "created); a blank CloseDate counts as 0.",
            where,
            scale=0,
        )
    if "deal_type" in used:
        values = ", ".join(model.deal.expansion_values_salesforce) or "none configured"
        formulas.add(
            fx.IS_EXPANSION,
            "Boolean",
            fx.expansion_expression(model),
            f"Expansion when {model.deal.deal_type_salesforce} is one of: {values}."[:255],
            where,
        )
        renewals = ", ".join(model.deal.renewal_values_salesforce) or "none configured"
        if not model.deal.renewal_values_salesforce and all(
            s.match.deal_type != "renewal" for s in model.segments
        ):
            return
        formulas.add(
            fx.IS_RENEWAL,
            "Boolean",
            fx.renewal_expression(model),
            f"Renewal when {model.deal.deal_type_salesforce} is one of: {renewals} (and not an expansion "
            "value)."[:255],
            where,
        )


def _field_formulas(model: Model, f: Field, formulas: fx.Formulas) -> None:
    where = _where(model, f)
    if f.contacts:
        roles = cr.required_roles(cr.contact_fields(model, considered_fields(model)))
        cr.add_completion(formulas, f, roles, where)
        return
    terms = fx.generic_terms(f)
    if f.type == "multi_select" and terms and terms != ["TRUE"] and len(terms[0]) > fx.TERM_BUDGET:
        specific = formulas.fit(
            fx.specific_option_name(f),
            "Boolean",
            fx.specific_option_terms(f),
            fx.join_or,
            lambda any_of: any_of,
            f"{f.label}: a non-generic option is selected."[:255],
            where,
            part_type="Boolean",
        )
        terms = [f"NOT({fx.merge(specific)})"]
    empty = fx.empty_condition(f)
    name = fx.completion_name(f)
    description = _completion_description(f)
    if terms:
        formulas.fit(
            name,
            "Number",
            terms,
            fx.join_or,
            lambda generic: fx.completion_expression(empty, generic),
            description,
            where,
            part_type="Boolean",
            scale=1,
        )
    else:
        formulas.add(name, "Number", fx.completion_expression(empty, None), description, where, scale=1)
    summary_help = (
        f"'; {f.label} (missing)' or '; {f.label} (generic)' for the missing summary; blank when complete."
    )[:255]
    formulas.add(fx.summary_item_name(f), "String", fx.summary_item_expression(f), summary_help, where)


def _completion_description(f: Field) -> str:
    weight = f"weight {f.weight}" if f.weight else "unweighted"
    why = []
    if f.type in ("short_text", "long_text"):
        q = f.quality
        if q.filler_phrases:
            why.append("a filler phrase")
        if q.generic_if_contains:
            why.append("contains a generic phrase")
        if q.min_length:
            why.append(f"shorter than {q.min_length} characters")
    elif f.generic_values:
        why.append("only generic options")
    generic = f", 0.5 when generic ({' or '.join(why)})" if why else ""
    return f"{f.label} ({_TYPE_NAMES[f.type]}, {weight}): 1 when complete{generic}, 0 when empty."[:255]


def _segment_assignment(model: Model, s: Segment, formulas: fx.Formulas, then: str | None) -> str:
    names = fx.segment_formula_names(s)
    where = _where(model, s)
    rules = tree.rules_for(model)
    scored = [c.field for _, c in rules.scores[s.key].terms]
    possible = rules.scores[s.key].possible
    score = tier = completeness = summary = None
    if possible:
        terms = [f"{f.weight} * {fx.merge(fx.completion_name(f))}" for f in scored]
        score = formulas.fit(
            names["score"],
            "Number",
            terms,
            fx.join_sum,
            lambda total: f"ROUND(({total}) * 100 / {possible}, 1)",
            f"{s.label} handoff score: weighted completion of {len(scored)} scored fields "
            f"(total weight {possible}), rounded half up to 1 decimal.",
            where,
            part_type="Number",
            scale=1,
            part_scale=1,
        )
        tier = formulas.add(
            names["tier"],
            "String",
            fx.tier_expression(model, fx.merge(score)),
            f"{s.label} tier from the rounded score.",
            where,
        )
    required = rules.completeness[s.key].required
    if required:
        terms = [f"IF({fx.merge(fx.completion_name(f))} > 0, 1, 0)" for f in required]
        completeness = formulas.fit(
            names["completeness"],
            "Number",
            terms,
            fx.join_sum,
            lambda count: f"ROUND(({count}) * 100 / {len(required)}, 1)",
            f"{s.label} completeness: populated required fields of {len(required)}, as a percentage.",
            where,
            part_type="Number",
            scale=1,
            part_scale=0,
        )
    considered = set(s.scored_fields) | set(s.required_fields)
    items = [fx.merge(fx.summary_item_name(f)) for f in model.fields if f.key in considered]
    if items:
        summary = formulas.fit(
            names["summary"],
            "String",
            items,
            fx.join_text,
            lambda text: f"MID({text}, 3, {fx.SUMMARY_MAX})",
            f"{s.label}: its missing and generic fields, in spec order.",
            where,
            part_type="String",
        )
    c = model.computed_field
    values = [
        (c("segment"), fe.string(s.key)),
        (c("score"), fe.reference(score) if score else None),
        (c("completeness"), fe.reference(completeness) if completeness else [("numberValue", "100.0")]),
        (c("tier"), fe.reference(tier) if tier else None),
        (c("missing_summary"), fe.reference(summary) if summary else None),
    ]
    return formulas.flow.assignment(
        f"Set_{camel(s.key)}_Handoff",
        f"Set {s.label} Handoff",
        [fe.assign(f"$Record.{f.salesforce_name}", value) for f, value in values],
        then,
    )


def _no_segment_assignment(model: Model, flow: FlowBuilder, then: str | None) -> str:
    """What the engine gives a deal no segment matches: no segment, score or tier; completeness 100."""
    c = model.computed_field
    items = [
        fe.assign(f"$Record.{c('segment').salesforce_name}", None),
        fe.assign(f"$Record.{c('score').salesforce_name}", None),
        fe.assign(f"$Record.{c('completeness').salesforce_name}", [("numberValue", "100.0")]),
        fe.assign(f"$Record.{c('tier').salesforce_name}", None),
        fe.assign(f"$Record.{c('missing_summary').salesforce_name}", None),
    ]
    return flow.assignment("Set_No_Segment", "Set No Segment", items, then)


def _closed_won_steps(model: Model, flow: FlowBuilder) -> str | None:
    """The Closed Won branch; returns the name of its decision, or None when the spec has no Salesforce
    closed-won stage. The intake status is set to Pending on every win, as HubSpot's Closed Won workflow does:
    here, before the save, it costs no second update of the deal."""
    stage = closed_won_stage(model)
    won = model.automation.on_closed_won
    csm = model.csm_field
    rules = won.assign_csm if csm else ()
    if stage is None:
        return None
    first = csm_rules(model, flow, rules) if rules else None
    if won.stamp_close_time:
        field = model.computed_field("closed_won_at")
        first = flow.assignment(
            "Stamp_Closed_Won_At",
            "Stamp Closed Won At",
            [fe.assign(f"$Record.{field.salesforce_name}", fe.reference("$Flow.CurrentDateTime"))],
            first,
        )
    intake = model.computed_field("intake_status").salesforce_name
    first = flow.assignment(
        "Set_Intake_Pending",
        "Set Intake Pending",
        [fe.assign(f"$Record.{intake}", fe.string("Pending"))],
        first,
    )
    became = fe.rule(
        "Closed_Won_Now", "Closed Won now", target=first, changed_to_meet=True, **stage_entered(model, stage)
    )
    return flow.decision("Became_Closed_Won", "Became Closed Won?", [became], default_label="Not now")
