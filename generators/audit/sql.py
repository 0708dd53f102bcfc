"""The audit as SQL: each deal's audit facts (which list it falls in, the gates it fails, its SLA outcomes)
and the monthly summary by segment and owner, over the scoring query (generators.rules.sql).

`handrail sql --query audit` prints these for a warehouse table; the DuckDB audit engine
(generators.audit.duck) runs the same text. The input relation has the scoring query's columns and:
    stage            text: the stage as the CRM or the spec names it (API value, label or key)
    owner            text
    close_date       date
    closed_won_at, internal_handoff_at, first_touch_at, kickoff_at     timestamps, UTC
    csm_rating       integer 1-5
    intake_status    text
    clocks_stamped   text: the clocks automation stamped, ;-separated (generators.audit.clock_sources)
    stored_score     number: the score the CRM holds, compared with the recomputed one

The rules are the Python engine's (generators.audit.engine, generators.audit.sla): business days are
weekdays, counted from a Monday far in the past so no weekday arithmetic depends on the engine.
"""

from __future__ import annotations

from datetime import date, datetime, timezone

from handrail.generators.audit import clock_sources
from handrail.generators.audit.sla import SlaClock, clocks_for
from handrail.generators.data.stage_names import stage_lookup
from handrail.generators.rules import tree
from handrail.generators.rules.gates import is_gated_stage
from handrail.generators.rules.sql import at_least, by_segment, literal, quoted, score_query, segment_in
from handrail.specs.model import Gate, Model

PROCESS_COLUMNS = (
    "stage",
    "owner",
    "close_date",
    "closed_won_at",
    "internal_handoff_at",
    "first_touch_at",
    "kickoff_at",
    "csm_rating",
    "intake_status",
    "gate_flags",
    "clocks_stamped",
    "stored_score",
)
SLACK = 1e-9  # as generators.audit.engine.SLACK
MONDAY = "DATE '0001-01-01'"  # a Monday: day numbers count from it
MICROSECONDS_PER_HOUR = 3_600_000_000
MICROSECONDS_PER_DAY = 86_400_000_000


def _in(column: str, values: list[str]) -> str:
    return f"{column} IN ({', '.join(literal(v) for v in values)})" if values else "FALSE"


def _timestamp(moment: datetime) -> str:
    utc = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return f"TIMESTAMP '{utc.isoformat(sep=' ', timespec='microseconds')}'"


def _day_number(value: str) -> str:
    return f"DATE_DIFF('day', {MONDAY}, CAST({value} AS DATE))"


def _weekdays(value: str) -> str:
    """Weekdays from MONDAY up to and including the day of `value`."""
    n = _day_number(value)
    return f"(CAST(FLOOR({n} / 7) AS BIGINT) * 5 + LEAST({n} % 7 + 1, 5))"


def _by_segment(model: Model, value) -> str:
    cases = by_segment(model, {s.key: value(s) for s in model.segments})
    return f"(CASE {cases} END)" if cases else "NULL"


def _sla(model: Model, clock: SlaClock) -> tuple[str, str]:
    """The clock's outcome (within, breached, pending, unmeasured) and elapsed time (exact: microseconds
    or business days), as generators.audit.sla.check decides them."""
    start, event = "closed_won_at", clock.event
    target = _by_segment(model, lambda s: _or_null(clock.target(s.sla)))
    if clock.unit in ("hours", "days"):
        per = MICROSECONDS_PER_HOUR if clock.unit == "hours" else MICROSECONDS_PER_DAY
        elapsed = f"DATE_DIFF('microsecond', {start}, {event})"
        limit = f"{target} * {per}"
        late = f"DATE_DIFF('microsecond', {start}, now_at) > {limit}"
    else:
        elapsed = f"({_weekdays(event)} - {_weekdays(start)})"
        limit = target
        reached = f"{_weekdays(start)} + {target} - 1"  # the weekday number the deadline falls on
        deadline = (
            f"CASE WHEN {target} = 0 THEN {_day_number(start)} "
            f"ELSE CAST(FLOOR(({reached}) / 5) AS BIGINT) * 7 + ({reached}) % 5 END"
        )
        late = f"{_day_number('now_at')} > {deadline}"
    runs = (
        ""
        if all(clock.target(s.sla) is not None for s in model.segments)
        else f"WHEN {target} IS NULL THEN NULL "
    )
    outcome = (
        f"CASE WHEN segment_no IS NULL THEN NULL {runs}WHEN {start} IS NULL THEN 'unmeasured' "
        f"WHEN {event} IS NULL THEN (CASE WHEN {late} THEN 'breached' ELSE 'pending' END) "
        f"WHEN {elapsed} <= {limit} THEN 'within' ELSE 'breached' END"
    )
    timed = f"{start} IS NOT NULL AND {event} IS NOT NULL" + (f" AND {target} IS NOT NULL" if runs else "")
    return outcome, f"CASE WHEN {timed} THEN {elapsed} END"


def _or_null(value: int | None) -> str:
    return "NULL" if value is None else str(value)


def _requirement(model: Model, requirement: tree.Requirement) -> str:
    if isinstance(requirement, tree.Empty):
        return f"NOT {quoted('filled_' + requirement.field.key)}"
    if isinstance(requirement, tree.EmptyInSegments):
        empty = " OR ".join(f"NOT {quoted('filled_' + f.key)}" for f in requirement.fields)
        return f"((segment_no IS NULL OR {segment_in(model, list(requirement.segments))}) AND ({empty}))"
    if not isinstance(requirement, tree.ScoreBelow):
        raise TypeError(f"no SQL printing for {type(requirement).__name__}")
    return f"(score_tenths IS NULL OR score_tenths < {at_least(requirement.floor)})"


def gate_fails(model: Model, gate: Gate) -> str:
    """The deal is at or past the gate's stage, in one of its segments, and fails a requirement."""
    requirements = tree.rules_for(model).gate(gate.key)
    if not gate.active or not requirements:
        return "FALSE"
    order = model.stage(gate.stage).order
    stages = [s.key for s in model.stages if not s.closed_lost and s.order >= order]
    segments = f"(segment_no IS NULL OR {segment_in(model, list(gate.segments))})"
    failing = " OR ".join(_requirement(model, r) for r in requirements)
    return f"({_in('stage_key', stages)} AND {segments} AND ({failing}))"


def _kind(model: Model, since: date | None) -> str:
    lost = [s.key for s in model.stages if s.closed_lost]
    open_ = [s for s in model.stages if not s.closed_lost and not s.closed_won]
    gated = [s.key for s in open_ if is_gated_stage(model, s.key)]
    quiet = [s.key for s in open_ if s.key not in gated]
    window = (
        f"WHEN close_day IS NULL THEN 'no_close_date' WHEN close_day < DATE '{since.isoformat()}' "
        "THEN 'before_since' "
        if since
        else ""
    )
    return (
        f"CASE WHEN stage_key IS NULL THEN 'no_stage' WHEN {_in('stage_key', lost)} THEN 'closed_lost' "
        f"WHEN {_in('stage_key', gated)} THEN 'open' WHEN {_in('stage_key', quiet)} THEN 'open_not_gated' "
        f"{window}ELSE 'closed_won' END"
    )


def _intake(model: Model) -> str:
    names: dict[str, str] = {}
    for o in model.computed_field("intake_status").options:
        for name in (o.value, o.label):
            names.setdefault(name.lower(), o.value.lower())
    cases = " ".join(f"WHEN {literal(k)} THEN {literal(v)}" for k, v in names.items())
    return (
        "CASE WHEN intake_status IS NULL THEN 'not_recorded' "
        f"ELSE (CASE LOWER(intake_status) {cases} ELSE 'other' END) END"
    )


def audit_query(
    model: Model,
    relation: str,
    now: datetime,
    since: date | None = None,
    tolerance: float = 0.05,
    keep: tuple[str, ...] = (),
) -> str:
    """SELECT, per deal: id, name, owner, stage (key), kind (closed_won, open, or why it is skipped),
    segment, score, score_tenths, tier, required, required_filled, close_day, close_month (yyyymm),
    "fails_<gate>" per gate, violated, "sla_<clock>" and "elapsed_<clock>" per clock, csm_rating, intake,
    stored_score, disagrees, and the scoring query's "state_<key>" and "filled_<key>" columns; `keep`
    columns of `relation` pass through."""
    clocks = clocks_for(model)
    playbook = tuple(c.event for c in clocks if c.event not in PROCESS_COLUMNS)  # specs.playbook's
    passed = (*PROCESS_COLUMNS, *playbook, *keep)
    scored = score_query(model, relation, keep=passed, texts=False, detail=True)
    stages = " ".join(f"WHEN {literal(v)} THEN {literal(k)}" for v, k in stage_lookup(model).items())
    fails = {g.key: gate_fails(model, g) for g in model.gates}
    slas = {c.key: _sla(model, c) for c in clocks}
    states = [f'"state_{f.key}"' for f in model.fields if _considered(model, f.key)]
    columns = [
        "id",
        "name",
        *keep,
        "owner",
        "stage_key AS stage",
        f"{_kind(model, since)} AS kind",
        "segment",
        "score",
        "score_tenths",
        "tier",
        "required",
        "required_filled",
        "close_day",
        "EXTRACT(YEAR FROM close_day) * 100 + EXTRACT(MONTH FROM close_day) AS close_month",
        *(f"{sql} AS {quoted('fails_' + key)}" for key, sql in fails.items()),
        f"({' OR '.join(fails.values()) or 'FALSE'}) AS violated",
        *(f"{outcome} AS {quoted('sla_' + key)}" for key, (outcome, _) in slas.items()),
        *(f"{elapsed} AS {quoted('elapsed_' + key)}" for key, (_, elapsed) in slas.items()),
        "csm_rating",
        f"{_intake(model)} AS intake",
        "COALESCE(gate_flags LIKE '%(monitor)%', FALSE) AS flagged_monitor",  # gate_flags.py's labels
        "COALESCE(gate_flags LIKE '%(bypassed)%', FALSE) AS flagged_bypassed",
        *clock_sources.columns(),
        "stored_score",
        f"stored_score IS NOT NULL AND (score IS NULL OR ABS(stored_score - score) > {tolerance + SLACK!r})"
        " AS disagrees",
        *states,
        *(quoted("filled_" + f.key) for f in model.fields),
    ]
    return (
        f"SELECT {', '.join(columns)}\nFROM (SELECT scored.*, "
        f"CASE LOWER(TRIM(CAST(stage AS VARCHAR))) {stages} END AS stage_key, "
        f"COALESCE(CAST(close_date AS DATE), CAST(closed_won_at AS DATE)) AS close_day, "
        f"{_timestamp(now)} AS now_at\nFROM ({scored}) AS scored) AS facts"
    )


def _considered(model: Model, key: str) -> bool:
    return any(key in (*s.scored_fields, *s.required_fields) for s in model.segments)


def summary_query(relation: str) -> str:
    """Closed-won deals by close month, segment and owner, over the rows of audit_query (a table or a
    subquery): what the monthly review reads. Scores and completeness are kept as exact sums
    (score_tenths, required_filled) beside their averages, so the groups can be added up further."""
    return (
        "SELECT close_month, segment, COALESCE(NULLIF(owner, ''), '(no owner)') AS owner, "
        "COUNT(*) AS deals, "
        "SUM(CASE WHEN tier = 'ready' THEN 1 ELSE 0 END) AS ready, "
        "SUM(CASE WHEN tier = 'gaps' THEN 1 ELSE 0 END) AS gaps, "
        "SUM(CASE WHEN tier = 'blocked' THEN 1 ELSE 0 END) AS blocked, "
        "SUM(CASE WHEN tier IS NULL THEN 1 ELSE 0 END) AS unscored, "
        "COUNT(score_tenths) AS scored, SUM(score_tenths) AS score_tenths, "
        "AVG(score) AS average_score, MAX(required) AS required, "
        "SUM(required_filled) AS required_filled, "
        "AVG(CASE WHEN required = 0 THEN 100.0 ELSE required_filled * 100.0 / required END) "
        "AS completion, SUM(CASE WHEN violated THEN 1 ELSE 0 END) AS gate_violations\n"
        f"FROM {relation}\nWHERE kind = 'closed_won'\n"
        "GROUP BY close_month, segment, COALESCE(NULLIF(owner, ''), '(no owner)')"
    )
