"""A gate's rule tree as SOQL WHERE conditions over open Opportunities: the deals it would stop.

    StageName IN (<every open stage of the gate's pipelines>)     open deals, wherever they are now
    AND <record type is one of the gate's pipelines>              only when the gate names pipelines
    AND (Segment = null OR Segment IN (<the gate's segments>))    blank counts as every segment
    AND (<any requirement fails>)                                 a blank score fails: gates fail closed

The requirements are printed as gate_formula.py prints them for the validation rule, in SOQL: a picklist,
number, date, multi-select or user lookup is empty when `= null`, a checkbox when `= false`. Text is left
to the Python engine (None here): SOQL cannot trim a value of only spaces, which the rule counts as
empty, and cannot filter long text areas at all.
"""

from __future__ import annotations

from handrail.generators.rules import tree
from handrail.specs.model import TEXT_TYPES, Field, Gate, Model
from handrail.specs.pipelines import gate_pipelines, pipelines_of


def quote(text: str) -> str:
    """A SOQL string literal."""
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def any_of(terms: list[str]) -> str:
    return terms[0] if len(terms) == 1 else "(" + " OR ".join(terms) + ")"


def open_stage_names(model: Model, gate: Gate) -> list[str]:
    """StageName values of every open stage (neither won nor lost) in the gate's pipelines."""
    keys = [s.key for s in model.stages if not s.closed_won and not s.closed_lost]
    out: list[str] = []
    for pipeline in gate_pipelines(model, gate):
        out += [v for k in keys if (v := pipeline.value(k, "salesforce")) and v not in out]
    return out


def record_type_in(model: Model, gate: Gate) -> str | None:
    """The gate's pipelines by record type, as gate_formula.record_type_is decides them."""
    if not gate.pipelines:
        return None
    chosen = gate_pipelines(model, gate)
    if any(p.default for p in chosen):
        others = [p.record_type for p in pipelines_of(model) if p not in chosen and p.record_type]
        if not others:
            return None
        names = ", ".join(quote(r) for r in others)
        return f"(RecordTypeId = null OR RecordType.DeveloperName NOT IN ({names}))"
    names = [p.record_type for p in chosen if p.record_type]
    return f"RecordType.DeveloperName IN ({', '.join(quote(r) for r in names)})" if names else None


def segment_in(model: Model, keys: tuple[str, ...], universe: tuple[str, ...]) -> str | None:
    """Deals in `keys` or with no resolved segment; None when `keys` covers the whole universe."""
    if set(universe) <= set(keys):
        return None
    name = model.computed_field("segment").salesforce_name
    return f"({name} = null OR {name} IN ({', '.join(quote(k) for k in keys)}))"


def empty(f: Field) -> str | None:
    if f.type in TEXT_TYPES:
        return None
    return f"{f.salesforce_name} = false" if f.type == "checkbox" else f"{f.salesforce_name} = null"


def requirement_failures(model: Model, gate: Gate) -> list[str] | None:
    """The gate's requirements printed in SOQL, any true stops the deal; None when one names text."""
    out: list[str] = []
    for requirement in tree.rules_for(model).gate(gate.key):
        if isinstance(requirement, tree.Empty):
            term = empty(requirement.field)
            if term is None:
                return None
            out.append(term)
        elif isinstance(requirement, tree.EmptyInSegments):
            checks = [empty(f) for f in requirement.fields]
            if None in checks:
                return None
            condition = segment_in(model, requirement.segments, requirement.universe)
            failing = any_of(checks)
            out.append(failing if condition is None else f"({condition} AND {failing})")
        elif isinstance(requirement, tree.ScoreBelow):
            score = model.computed_field("score").salesforce_name
            out.append(f"({score} = null OR {score} < {requirement.floor:g})")
        else:
            raise TypeError(f"no SOQL printing for {type(requirement).__name__}")
    return out


def scope(model: Model, gate: Gate) -> str:
    """The open deals the gate applies to, whether or not they fail it."""
    stages = ", ".join(quote(s) for s in open_stage_names(model, gate))
    terms = [f"StageName IN ({stages})"]
    terms += [t for t in (record_type_in(model, gate),) if t]
    segment = segment_in(model, gate.segments, tuple(s.key for s in model.segments))
    return " AND ".join(terms + ([segment] if segment else []))


def stopped_where(model: Model, gate: Gate) -> str | None:
    """The WHERE clause of the deals the gate would stop; None when SOQL cannot say (text fields)."""
    failures = requirement_failures(model, gate)
    if failures is None:
        return None
    if not failures:  # nothing required: nothing stopped
        return f"{scope(model, gate)} AND Id = null"
    return f"{scope(model, gate)} AND {any_of(failures)}"
