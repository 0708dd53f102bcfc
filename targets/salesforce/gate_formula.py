"""A gate as a validation-rule error condition: TRUE means "stop this save".

    AND(
      OR(ISNEW(), ISCHANGED(StageName),           only the stage change is gated, not later edits,
         <resubmitted>),                          and the resubmission of a handoff CS returned
      <StageName is the gate's stage or later>,    closed-lost stages never are
      <record type is one of the gate's pipelines>, only when the gate names pipelines
      <segment is one of the gate's>,              blank (not yet resolved) counts as every segment
      OR(<any requirement fails>)                  a blank score fails: the rule fails closed
    )

The segment and score are the computed fields the before-save flow writes earlier in the same save.
"""

from __future__ import annotations

from dataclasses import dataclass

from handrail.generators.rules import tree
from handrail.specs.model import TEXT_TYPES, Field, Gate, Model
from handrail.specs.pipelines import gate_pipelines, pipelines_of

INDENT = "  "


@dataclass(frozen=True)
class Dialect:
    """How a formula reads the record. Validation rules name fields and call ISNEW, ISCHANGED and
    PRIORVALUE; flow formulas have none of the three and merge {!$Record.X} and {!$Record__Prior.X}
    instead (the prior record is blank on a create)."""

    flow: bool = False

    def ref(self, name: str) -> str:
        return "{!$Record." + name + "}" if self.flow else name

    def prior(self, name: str) -> str:
        return "{!$Record__Prior." + name + "}" if self.flow else f"PRIORVALUE({name})"

    def is_new(self) -> str:
        return "ISBLANK({!$Record__Prior.Id})" if self.flow else "ISNEW()"

    def picklist_changed(self, name: str) -> str:
        if self.flow:
            return f"TEXT({self.ref(name)}) <> TEXT({self.prior(name)})"
        return f"ISCHANGED({name})"


VALIDATION_RULE, FLOW_FORMULA = Dialect(), Dialect(flow=True)


def literal(text: str) -> str:
    """A formula string literal."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def number(value: float) -> str:
    return f"{value:g}"


def gated_stage_names(model: Model, gate: Gate) -> list[str]:
    """Salesforce StageName values that entering counts as entering the gate's stage or passing it, in
    every pipeline the gate applies to (each pipeline's own values for those stages)."""
    start = model.stage(gate.stage).order
    keys = [s.key for s in model.stages if s.order >= start and not s.closed_lost]
    out: list[str] = []
    for pipeline in gate_pipelines(model, gate):
        out += [v for k in keys if (v := pipeline.value(k, "salesforce")) and v not in out]
    return out


def record_type_is(model: Model, gate: Gate, d: Dialect = VALIDATION_RULE) -> str | None:
    """TRUE for records of the gate's pipelines (by RecordType.DeveloperName); None when the gate names
    no pipelines. A record of no record type, or of one no pipeline names, belongs to the default."""
    if not gate.pipelines:
        return None
    chosen = gate_pipelines(model, gate)
    kind = d.ref("RecordType.DeveloperName")
    if any(p.default for p in chosen):
        others = [p.record_type for p in pipelines_of(model) if p not in chosen and p.record_type]
        if not others:
            return None
        return f"NOT({any_of([f'{kind} = {literal(r)}' for r in others], inline=True)})"
    names = [p.record_type for p in chosen if p.record_type]
    return any_of([f"{kind} = {literal(r)}" for r in names], inline=True) if names else None


def missing(f: Field, d: Dialect = VALIDATION_RULE) -> str:
    """TRUE when the field holds no value, written the way Salesforce formulas accept for its type."""
    name = d.ref(f.salesforce_name)
    if f.type == "picklist":
        return f'ISPICKVAL({name}, "")'
    if f.type == "checkbox":
        return f"NOT({name})"
    if f.type in TEXT_TYPES:  # the score's rule: a text of spaces is blank (ISBLANK would call it filled)
        return f"LEN(TRIM({name})) = 0"
    return f"ISBLANK({name})"  # numbers, dates, multi-select, user lookup


def segment_is(
    model: Model, keys: tuple[str, ...], universe: tuple[str, ...], d: Dialect = VALIDATION_RULE
) -> str | None:
    """TRUE for deals in `keys` or with no resolved segment; None when `keys` covers the whole universe."""
    if set(universe) <= set(keys):
        return None
    name = d.ref(model.computed_field("segment").salesforce_name)
    others = [k for k in universe if k not in keys]
    if len(others) <= len(keys):  # the shorter formula: "not one of the others" is TRUE for blank too
        return f"NOT({any_of([f'ISPICKVAL({name}, {literal(k)})' for k in others], inline=True)})"
    blank = [f'ISPICKVAL({name}, "")']
    return any_of(blank + [f"ISPICKVAL({name}, {literal(k)})" for k in keys], inline=True)


def requirement_failures(model: Model, gate: Gate, d: Dialect = VALIDATION_RULE) -> list[str]:
    """The gate's requirements (rule tree) printed: any TRUE means the gate does not pass."""
    out: list[str] = []
    for requirement in tree.rules_for(model).gate(gate.key):
        if isinstance(requirement, tree.Empty):
            out.append(missing(requirement.field, d))
        elif isinstance(requirement, tree.EmptyInSegments):
            checks = [missing(f, d) for f in requirement.fields]
            condition = segment_is(model, requirement.segments, requirement.universe, d)
            out += checks if condition is None else [f"AND({condition}, {any_of(checks, inline=True)})"]
        elif isinstance(requirement, tree.ScoreBelow):
            score = d.ref(model.computed_field("score").salesforce_name)
            out += [f"ISBLANK({score})", f"{score} < {number(requirement.floor)}"]
        else:
            raise TypeError(f"no Salesforce printing for {type(requirement).__name__}")
    return out


def any_of(terms: list[str], *, inline: bool = False, depth: int = 1) -> str:
    if len(terms) == 1:
        return terms[0]
    if inline:
        return f"OR({', '.join(terms)})"
    pad = INDENT * depth
    return "OR(\n" + ",\n".join(pad + INDENT + t for t in terms) + f"\n{pad})"


def resubmitted(model: Model, d: Dialect = VALIDATION_RULE) -> str:
    """TRUE on the save that sends a returned handoff back to CS: the before-save flow has just set the
    intake status from Returned to Pending (intake.py)."""
    status = model.computed_field("intake_status").salesforce_name
    return (
        f'AND({d.picklist_changed(status)}, ISPICKVAL({d.prior(status)}, "Returned"), '
        f'ISPICKVAL({d.ref(status)}, "Pending"))'
    )


def gate_formula(model: Model, gate: Gate, d: Dialect = VALIDATION_RULE) -> str | None:
    """The error condition, or None when Salesforce cannot express the gate (no mapped stage, nothing
    required)."""
    stages = gated_stage_names(model, gate)
    failures = requirement_failures(model, gate, d)
    if not stages or not failures:
        return None
    stage_terms = [f"ISPICKVAL({d.ref('StageName')}, {literal(s)})" for s in stages]
    moved = [d.is_new(), d.picklist_changed("StageName")]
    if any(s.closed_won for s in model.stages):  # a won handoff CS returned comes back through the gates
        moved.append(resubmitted(model, d))
    terms = [f"OR({', '.join(moved)})", any_of(stage_terms, inline=True)]
    record_type = record_type_is(model, gate, d)
    if record_type:
        terms.append(record_type)
    segment = segment_is(model, gate.segments, tuple(s.key for s in model.segments), d)
    if segment:
        terms.append(segment)
    terms.append(any_of(failures))
    if model.gate_bypass and not d.flow:  # holders pass; the flow flags what they passed (gate_flags.py)
        terms.append(f"NOT($Permission.{model.gate_bypass.permission})")
    return "AND(\n" + ",\n".join(INDENT + t for t in terms) + "\n)"
