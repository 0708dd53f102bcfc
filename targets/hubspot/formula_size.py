"""How long a calculated property's formula may be, checked at the spec node that makes it long.

HubSpot documents no maximum length for `calculationFormula`. Searched (Dec 2026): the properties API
guide, section "Create calculation properties"
(developers.hubspot.com/docs/api-reference/crm-properties-v3/guide), the knowledge base's "Create
calculation properties" (knowledge.hubspot.com/properties/create-calculation-properties), the Limits
Tracking API (it counts calculated properties, not formula characters), and the OpenAPI documents
in shared/reference/hubspot (crm-properties-v3 and 2026-03: `calculationFormula` is a plain string without
maxLength). The only documented text cap nearby is 65,536 characters for a string property's value.

So the limit below is Handrail's own, conservative choice, not HubSpot's: under a third of that documented
string cap, with room for today's longest example formula (the missing summary, about 17,500 characters).
A spec whose formula would pass it stops with an error at the field (or segment) that contributes most.
"""

from __future__ import annotations

from handrail.specs.diagnostics import Diagnostic, error
from handrail.specs.model import Model
from handrail.targets.hubspot.calculated import _segments_scoring, completeness_expression, membership
from handrail.targets.hubspot.formula import credited, points, segment_condition, state_label

FORMULA_MAX = 20_000  # not documented by HubSpot: see the module docstring


def _field_terms(model: Model, key: str) -> dict[str, int]:
    """Characters each spec field contributes to the formula of calculated property `key`."""
    out: dict[str, int] = {}
    if key == "score":
        for f in model.fields:
            segments = _segments_scoring(model, f.key)
            if segments:
                out[f.key] = len(points(f, f.weight, membership(model, segments)))
    elif key == "missing_summary":
        for f in model.fields:
            considered = {
                s.key for s in model.segments if f.key in s.scored_fields or f.key in s.required_fields
            }
            if considered:
                out[f.key] = len(state_label(f, membership(model, considered)))
    elif key == "completeness":
        for s in model.segments:
            for k in s.required_fields:
                out[k] = out.get(k, 0) + len(credited(model.field(k)))
    return out


def check(model: Model, formulas: dict[str, str]) -> list[Diagnostic]:
    problems = []
    for key, text in formulas.items():
        if len(text) <= FORMULA_MAX:
            continue
        name = model.computed_field(key).hubspot_name
        message = (
            f"the formula of the HubSpot calculated property {name} "
            f"would be {len(text):,} characters; "
            f"Handrail allows {FORMULA_MAX:,} (HubSpot documents no limit, so Handrail keeps formulas "
            "well below the 65,536 characters HubSpot stores in a text value)"
        )
        terms = _field_terms(model, key)
        if terms:
            culprit = max(terms, key=terms.get)
            index = next(i for i, f in enumerate(model.fields) if f.key == culprit)
            problems.append(
                error(
                    "hubspot-formula-length",
                    f"{message}; field '{culprit}' contributes {terms[culprit]:,}",
                    path=f"fields[{index}]",
                    span=model.fields[index].span,
                    hint="give this field fewer filler phrases or generic words, "
                    "or count it in fewer segments",
                )
            )
            continue
        sizes = [
            len(segment_condition(model, s) or "") + len(completeness_expression(model, s))
            for s in model.segments
        ]
        index = max(range(len(sizes)), key=sizes.__getitem__) if sizes else None
        problems.append(
            error(
                "hubspot-formula-length",
                message,
                path=f"segments[{index}]" if index is not None else "",
                span=model.segments[index].span if index is not None else None,
                hint="simplify the segments' match rules",
            )
        )
    return problems
