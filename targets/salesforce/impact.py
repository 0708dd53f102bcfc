"""What a Salesforce plan does to open deals and records (generators/plan/impact.py says what is shown).

Gates: one aggregate query per created or changed gate, its rule tree as the WHERE clause (impact_soql.py),
  SELECT StageName, <segment>, OwnerId, COUNT(Id) n FROM Opportunity WHERE ... GROUP BY StageName, ...
then the owners' names. A gate that requires a text field is counted by fetching its open deals and
evaluating the rule tree in Python (SOQL cannot trim text nor filter long text areas); the note says so.
Fields whose type, length or picklist values change: the records holding a value the new definition does
not take, read with `WHERE field != null` (all rows for a long text area, which SOQL cannot filter) and
checked in Python (SOQL has no LEN()).
"""

from __future__ import annotations

from datetime import date

from handrail.generators.plan import impact
from handrail.generators.plan.diff import CREATE, UPDATE, Change, Plan
from handrail.generators.rules import tree
from handrail.specs.model import Gate, Model
from handrail.specs.pipelines import pipelines_of
from handrail.targets.errors import TargetError
from handrail.targets.salesforce import impact_soql
from handrail.targets.salesforce.dependencies import dependency_notes
from handrail.targets.salesforce.drift import live_min_score
from handrail.targets.salesforce.validators import _values

NARROWING = ("field-type-change", "field-narrowed", "picklist-values-removed")


def notes(conn, model: Model, plan: Plan) -> list[impact.Note]:
    """A note per created or changed gate, per narrowed field, and the changed fields' dependencies. A
    query the org refuses is said in the note, never fatal: the plan is still the plan."""
    created = {c.key for c in plan.pending if c.kind == "CustomField" and c.action == CREATE}
    out = []
    for change, gate in impact.gate_changes(model, plan):
        reads = {
            f"{model.naming.salesforce_object}.{f.salesforce_name}" for f in impact.fields_read(model, gate)
        }
        if not reads & created:  # else no deal holds what the gate reads yet: nothing to count
            out.append(_safely(change, "impact", lambda: gate_impact(conn, model, change, gate)))
    for change in impact.field_changes(plan, ["CustomField"]):
        if change.action == UPDATE and any(f.code in NARROWING for f in change.findings):
            out.append(_safely(change, "narrowing", lambda: narrowing(conn, change)))
    return out + dependency_notes(conn, plan)


def _safely(change: Change, kind: str, work) -> impact.Note:
    try:
        return work()
    except TargetError as exc:
        return impact.Note(change.ident, kind, f"not known: {exc}".splitlines()[0], {"error": str(exc)})


def _labels(model: Model) -> tuple[dict, dict]:
    """StageName values (of every pipeline) and segment keys -> their labels."""
    stages = {
        v: s.label for p in pipelines_of(model) for s in model.stages if (v := p.value(s.key, "salesforce"))
    }
    return stages, {s.key: s.label for s in model.segments}


def gate_impact(conn, model: Model, change: Change, gate: Gate) -> impact.Note:
    what = impact.verb(change, live_min_score((change.before or {}).get("errorConditionFormula")), gate)
    stages, segments = _labels(model)
    segment = model.computed_field("segment").salesforce_name
    where = impact_soql.stopped_where(model, gate)
    if where is None:
        return impact.gate_note(
            model,
            change,
            what,
            _evaluated(conn, model, gate, stages, segments),
            "text fields: open deals fetched and checked by the Python engine",
        )
    rows = conn.query_all(
        f"SELECT StageName, {segment}, OwnerId, COUNT(Id) n FROM Opportunity WHERE {where} "
        f"GROUP BY StageName, {segment}, OwnerId"
    )
    owners = _user_names(conn, {r["OwnerId"] for r in rows if r.get("OwnerId")})
    deals = [
        impact.Stopped(
            stages.get(r["StageName"], r["StageName"]),
            segments.get(r.get(segment), r.get(segment)),
            owners.get(r.get("OwnerId"), r.get("OwnerId") or ""),
            int(r["n"]),
        )
        for r in rows
    ]
    return impact.gate_note(model, change, what, deals)


def _user_names(conn, ids: set[str]) -> dict[str, str]:
    if not ids:
        return {}
    listed = ", ".join(impact_soql.quote(i) for i in sorted(ids))
    return {r["Id"]: r["Name"] for r in conn.query_all(f"SELECT Id, Name FROM User WHERE Id IN ({listed})")}


def _evaluated(conn, model: Model, gate: Gate, stages: dict, segments: dict) -> list[impact.Stopped]:
    """The open deals in the gate's scope that fail its rule tree, evaluated as the engine does."""
    requirements = tree.rules_for(model).gate(gate.key)
    fields = {f.key: f for f in impact.fields_read(model, gate)[2:]}
    segment, score = (model.computed_field(k).salesforce_name for k in ("segment", "score"))
    names = ", ".join(dict.fromkeys([segment, score, *(f.salesforce_name for f in fields.values())]))
    rows = conn.query_all(
        f"SELECT Id, StageName, Owner.Name, {names} FROM Opportunity WHERE {impact_soql.scope(model, gate)}"
    )
    out = []
    for r in rows:
        facts = tree.Facts(
            {k: r.get(f.salesforce_name) for k, f in fields.items()},
            segment=r.get(segment),
            score=r.get(score),
        )
        if any(q.value(facts) for q in requirements):
            owner = (r.get("Owner") or {}).get("Name") or ""
            out.append(
                impact.Stopped(
                    stages.get(r["StageName"], r["StageName"]),
                    segments.get(r.get(segment), r.get(segment)),
                    owner,
                )
            )
    return out


# -- fields whose values may no longer fit -------------------------------------------------------------
def narrowing(conn, change: Change) -> impact.Note:
    sobject, name = change.key.split(".", 1)
    before, after = change.before or {}, change.after or {}
    filterable = before.get("type") not in ("LongTextArea", "Html")
    where = f" WHERE {name} != null" if filterable else ""
    rows = conn.query_all(f"SELECT Id, {name} FROM {sobject}{where}")
    removed = set(_values(before)) - set(_values(after))
    why, fits = _rule(after, removed, before.get("type") != after.get("type"))
    return impact.narrowing_note(
        change, why, [r["Id"] for r in rows if r.get(name) is not None and not fits(r[name])]
    )


def _rule(after, removed: set[str], retyped: bool):
    """(the new definition in words, whether a value fits it)."""
    kind, length = after.get("type"), after.get("length")
    if retyped and kind in ("Number", "Currency", "Percent"):
        return f"not a number for {kind}", _is_number
    if retyped and kind == "Checkbox":
        return (
            "not true or false for Checkbox",
            lambda v: isinstance(v, bool) or str(v).lower() in ("true", "false"),
        )
    if retyped and kind == "Date":
        return "not a date for Date", _is_date
    if removed:
        return f"values {', '.join(sorted(removed))} removed", lambda v: not set(str(v).split(";")) & removed
    if after.get("precision") is not None:
        digits = int(after["precision"]) - int(after.get("scale") or 0)
        return (
            f"more than {digits} digits before the point",
            lambda v: _is_number(v) and len(str(int(abs(float(v))))) <= digits,
        )
    if length is not None:
        return f"longer than {length} characters", lambda v: len(str(v)) <= int(length)
    return f"may not convert to {kind}", lambda v: False


def _is_number(value) -> bool:
    try:
        float(value)
        return True
    except (TypeError, ValueError):
        return False


def _is_date(value) -> bool:
    try:
        date.fromisoformat(str(value)[:10])
        return True
    except ValueError:
        return False
