"""`audit` on DuckDB: the audit printed as SQL (generators.audit.sql) over a staged deals file
(generators.data.duck), gathered into the same report as the Python engine (generators.audit.engine),
which stays the reference.

Each deal's audit facts are written once to a table, in file order (its rowid is the deal's place in
the file), in memory or, past DuckDB's memory limit, in a database file in the spill folder (_table); a
handful of aggregates over that table fill an `Audit`'s counters, and the few example deals a report
lists are read again from the file by position, rebuilt from their staged values and run through the
Python engine for their gate reasons. A file with any row the staging cannot read exactly as the reader
would is left to the Python path (`audit_file` returns None).
"""

from __future__ import annotations

from pathlib import Path

from handrail.generators.audit import clock_sources
from handrail.generators.audit.engine import SKIP_REASONS, Audit, AuditOptions
from handrail.generators.audit.packed import OUTCOME, STATE, packed_columns, slots
from handrail.generators.audit.quality import considered_fields
from handrail.generators.audit.redesign import DISTINCT_CAP, counted_fields
from handrail.generators.audit.sla import OUTCOMES, clocks_for
from handrail.generators.audit.sql import audit_query, summary_query
from handrail.generators.audit.tally import Group, ViolationTally, deal_ref
from handrail.generators.data.columns import ColumnMap
from handrail.generators.data.duck import MEMORY_BYTES, estimated_rows, stage
from handrail.generators.data.reader import Warn
from handrail.generators.data.score_report import Totals
from handrail.generators.rules.contacts import contact_roles
from handrail.generators.rules.gates import gate_failures
from handrail.generators.rules.scoring import Deal, score_deal
from handrail.generators.rules.sql import _trimmed, literal, quoted, uses_contacts
from handrail.specs.diagnostics import InputError
from handrail.specs.model import Model

WON, OPEN = "kind = 'closed_won'", "kind = 'open'"
BYTES_PER_DEAL, TEXT_BYTES = 100, 30  # the audited table in memory (measured: 343 bytes a deal at 8 texts)
DEAL_COLUMNS = (
    "acv",
    "expansion",
    "renewal",
    "cycle_days",
)  # what rebuilds an example deal, beside its values


def audit_file(
    path: Path,
    model: Model,
    options: AuditOptions,
    columns: ColumnMap | None,
    date_format: str | None,
    warn: Warn,
) -> dict | None:
    """The audit report of the deals in `path`, or None when the Python reader must read the file."""
    staged = stage(Path(path), model, columns, date_format, process=True, numbered=True)
    if staged is None:
        return None
    import duckdb

    con = staged.con
    typed = _typed(model)
    keep = ("unreadable", *typed.values())
    query = audit_query(model, "deals", options.now, options.since, options.tolerance, keep=keep)
    # The table holds what the aggregates read, nothing per deal that only a listed example needs: those
    # few deals' values are read again from the file by position (_staged). A text field's typed answer
    # (trimmed, lower-cased) is kept for closed-won deals that fill it, and lower-cased for those only.
    filled = "{won} AND {state} <> 'missing'"
    kept = ", ".join(
        f"CASE WHEN {filled.format(won=WON, state=quoted('state_' + k))} THEN LOWER({c}) END AS {c}"
        for k, c in typed.items()
    )
    # Flags, field states and SLA outcomes are stored packed into a few integers (generators.audit.packed).
    packing = slots(model)
    unused = ["id", "name", "close_day", *(quoted("filled_" + f.key) for f in model.fields)]
    unused += [quoted(slot.name) for slot in packing]
    packed = packed_columns(packing)
    try:
        kind, table = _table(con, Path(path), staged.spill.name, len(typed))
        columns = f"* EXCLUDE ({', '.join(unused)})" + (f" REPLACE ({kept})" if kept else "")
        # In file order (preserve_insertion_order is on): the rowid is each deal's place in the file.
        con.execute(f"CREATE {kind} {table} AS SELECT {columns}, {', '.join(packed)} FROM ({query}) AS facts")
        unpacked = ", ".join(slot.unpacking() for slot in packing)
        kept_packed = ", ".join(sorted({slot.column for slot in packing}))
        con.execute(
            f"CREATE TEMP VIEW audited AS SELECT rowid AS pos, * EXCLUDE ({kept_packed}), {unpacked} "
            f"FROM {table}"
        )
        (bad,) = con.execute("SELECT COALESCE(BOOL_OR(unreadable), FALSE) FROM audited").fetchone()
        if bad:
            return None
        audit = Audit(model, options)
        _gather(audit, con, model, typed, path)
    except duckdb.Error:
        return None
    finally:
        con.close()
        staged.spill.cleanup()
    for line in staged.warnings:
        warn(line)
    return audit.report()


def _table(con, path: Path, spill: str, texts: int) -> tuple[str, str]:
    """Where the audited table goes: the kind of table to create, and its name. In memory while it fits
    DuckDB's memory limit (about BYTES_PER_DEAL a deal, and TEXT_BYTES per counted text field); past
    that, in a database file in the spill folder: stored compressed, it takes a tenth of the memory, and
    the aggregates read it faster than the blocks an in-memory table spills (10M deals: 54 s -> 40 s,
    peak 1.16 -> 0.64 GB), while at a million deals compressing costs more than it saves."""
    if estimated_rows(con, path) * (BYTES_PER_DEAL + TEXT_BYTES * texts) < MEMORY_BYTES * 3 // 4:
        return "TEMP TABLE", "audited_rows"
    con.execute(f"ATTACH {literal(str(Path(spill) / 'audited.duckdb'))} AS audit_store")
    return "TABLE", "audit_store.audited_rows"


def _gather(audit: Audit, con, model: Model, typed: dict[str, str], path: Path) -> None:
    def rows(sql: str) -> list[tuple]:
        return con.execute(sql).fetchall()

    for kind, n in rows("SELECT kind, COUNT(*) FROM audited GROUP BY kind"):
        audit.read += n
        if kind in SKIP_REASONS:
            audit.skipped[kind] = n
    audit.totals, _ = Totals.from_sql(con, model, f"(SELECT * FROM audited WHERE {WON}) AS won", fields=False)
    _groups(audit, rows(summary_query("audited")))
    _field_months(audit, rows, model)
    _typed_values(audit, rows, typed)
    _owner_junk(audit, rows, model)
    _sla(audit, rows, model)
    clock_sources.gather(audit.clock_sources, rows, "audited", WON)
    for rating, n in rows(f"SELECT csm_rating, COUNT(*) FROM audited WHERE {WON} GROUP BY 1"):
        audit.ratings[rating or "unrated"] = n
    for intake, n in rows(f"SELECT intake, COUNT(*) FROM audited WHERE {WON} GROUP BY 1"):
        audit.intake[intake] = n
    for monitor, bypassed in rows(
        f"SELECT COUNT(*) FILTER (WHERE flagged_monitor), COUNT(*) FILTER (WHERE flagged_bypassed) "
        f"FROM audited WHERE {WON}"
    ):
        audit.gate_flags.update(monitor=monitor, bypassed=bypassed)
    limit = audit.options.examples
    largest = "score IS NULL DESC, ABS(stored_score - score) DESC, pos"
    picks = {
        name: rows(f"SELECT pos, owner, stage, stored_score FROM audited WHERE {where} LIMIT {limit}")
        for name, where in (
            ("won", f"{WON} AND violated ORDER BY pos"),
            ("open", f"{OPEN} AND violated ORDER BY pos"),
            ("disagreeing", f"{WON} AND disagrees ORDER BY {largest}"),
        )
    }
    staged = _staged(con, model, {pos for picked in picks.values() for pos, *_ in picked}, path)
    examples = {
        name: [_deal(model, staged[pos], *rest) for pos, *rest in picked] for name, picked in picks.items()
    }
    audit.violations = _violations(con, model, WON, limit, examples["won"])
    audit.open_violations = _violations(con, model, OPEN, limit, examples["open"])
    for stage_key, tier, n in rows(f"SELECT stage, tier, COUNT(*) FROM audited WHERE {OPEN} GROUP BY 1, 2"):
        audit.open["deals"] += n
        audit.open["stages"][stage_key] += n
        audit.open["tiers"][tier or "unscored"] += n
    _disagreements(audit, con, examples["disagreeing"])


def _groups(audit: Audit, summary: list[tuple]) -> None:
    """Adds the summary's (month, segment, owner) groups into the audit's segments, owners and months."""
    for month, segment, owner, deals, ready, gaps, blocked, unscored, scored, tenths, *rest in summary:
        _, required, filled, _, violations = rest
        whole = filled if required else deals  # Group.filled counts a deal with nothing required as 1
        keys = [(audit.segments, segment or "none"), (audit.owners, owner)]
        if month is not None:
            keys.append((audit.months, _month(month)))
            audit.quality.add_owner_sums(owner, _month(month), tenths or 0, scored)
        for groups, key in keys:
            g = groups.setdefault(key, Group())
            g.deals += deals
            for tier, n in (("ready", ready), ("gaps", gaps), ("blocked", blocked), ("unscored", unscored)):
                if n:
                    g.tiers[tier] += n
            g.score_tenths += tenths or 0
            g.scored += scored
            g.filled[required] += whole
            g.violations += violations
        audit.filled[required] += whole


def _month(yyyymm: int) -> str:
    return f"{yyyymm // 100:04d}-{yyyymm % 100:02d}"


def _field_months(audit: Audit, rows, model: Model) -> None:
    """Per close month, the deals considering each field and those holding a specific value in it."""
    keys = considered_fields(model)
    if not keys:
        return
    states = [quoted("state_" + k) for k in keys]
    parts = ", ".join(f"COUNT({s}), COUNT(*) FILTER (WHERE {s} = {STATE['complete']})" for s in states)
    query = f"SELECT close_month, {parts} FROM audited WHERE {WON} AND close_month IS NOT NULL GROUP BY 1"
    for month, *counts in rows(query):
        for i, key in enumerate(keys):
            audit.quality.add_field_counts(key, _month(month), counts[2 * i], counts[2 * i + 1])


def _owner_junk(audit: Audit, rows, model: Model) -> None:
    """Per owner and field: deals considering it, filling it, and of those with a generic value
    (redesign.OwnerJunk; summed over owners, the totals' field counts)."""
    keys = considered_fields(model)
    if not keys:
        return
    states = [quoted("state_" + k) for k in keys]
    parts = ", ".join(
        f"COUNT({s}), COUNT(*) FILTER (WHERE {s} <> {STATE['missing']}), "
        f"COUNT(*) FILTER (WHERE {s} = {STATE['generic']})"
        for s in states
    )
    owner = "COALESCE(NULLIF(owner, ''), '(no owner)')"
    for name, *counts in rows(f"SELECT {owner}, {parts} FROM audited WHERE {WON} GROUP BY 1"):
        for i, key in enumerate(keys):
            considered, filled, generic = counts[3 * i : 3 * i + 3]
            audit.owner_junk.add_counts(name, key, filled, generic)
            audit.totals.add_field_counts(key, considered, filled, generic)


def _typed(model: Model) -> dict[str, str]:
    """The trimmed column of each counted text field the audit considers, by field key; in the audited
    table it holds the lower-cased answer."""
    considered = considered_fields(model)
    return {f.key: _trimmed(f) for f in counted_fields(model) if f.key in considered}


def _typed_values(audit: Audit, rows, typed: dict[str, str]) -> None:
    """Each text field's typed answers counted, as redesign.ValueCounts counts them (None past the cap):
    one more group than the cap is enough to know."""
    for key, column in typed.items():
        where = f"{column} IS NOT NULL"
        counted = rows(
            f"SELECT {column}, COUNT(*) FROM audited WHERE {where} GROUP BY 1 LIMIT {DISTINCT_CAP + 1}"
        )
        if len(counted) > DISTINCT_CAP:
            audit.values.counts[key] = None
            continue
        for value, deals in counted:
            audit.values.add(key, value, deals)


def _sla(audit: Audit, rows, model: Model) -> None:
    parts, clocks = [], clocks_for(model)
    for c in clocks:
        outcome, elapsed = quoted("sla_" + c.key), quoted("elapsed_" + c.key)
        parts += [f"COUNT(*) FILTER (WHERE {outcome} = {OUTCOME[o]})" for o in OUTCOMES]
        parts += [f"COALESCE(SUM({elapsed}), 0)", f"COUNT({elapsed})"]
    query = f"SELECT segment, {', '.join(parts)} FROM audited WHERE {WON} AND segment IS NOT NULL GROUP BY 1"
    for segment, *counts in rows(query):
        for i, c in enumerate(clocks):
            at = i * (len(OUTCOMES) + 2)
            tally = audit.sla[segment][c.key]
            for outcome, n in zip(OUTCOMES, counts[at:]):
                setattr(tally, outcome, n)
            tally.elapsed_sum, tally.timed = int(counts[at + 4]), counts[at + 5]


def _violations(con, model: Model, kind: str, limit: int, examples: list[tuple]) -> ViolationTally:
    fails = [quoted("fails_" + g.key) for g in model.gates]
    counted = ", ".join(f"COUNT(*) FILTER (WHERE {f})" for f in fails)
    deals, *by_gate = con.execute(
        f"SELECT COUNT(*) FILTER (WHERE violated){', ' + counted if fails else ''} FROM audited WHERE {kind}"
    ).fetchone()
    tally = ViolationTally(limit)
    for deal, _ in examples:
        result = score_deal(model, deal)
        tally.add(deal, result, gate_failures(model, deal, result))
    tally.deals = deals
    tally.by_gate.clear()
    tally.by_gate.update({g.key: n for g, n in zip(model.gates, by_gate) if n})
    return tally


def _disagreements(audit: Audit, con, examples: list[tuple]) -> None:
    audit.compared, audit.not_stored, audit.disagreeing = con.execute(
        "SELECT COUNT(stored_score), COUNT(*) - COUNT(stored_score), COUNT(*) FILTER (WHERE disagrees) "
        f"FROM audited WHERE {WON}"
    ).fetchone()
    for n, (deal, stored) in enumerate(examples):
        result = score_deal(audit.model, deal)
        difference = None if result.score is None else stored - result.score
        item = {
            **deal_ref(deal, result),
            "stored_score": stored,
            "difference": None if difference is None else round(difference, 1),
        }
        audit.disagreements.append((float("inf") if difference is None else abs(difference), -n, item))


def _staged(con, model: Model, positions: set[int], path: Path) -> dict[int, tuple]:
    """The staged values (as the reader made them) of the deals at `positions` in the file, in one read
    that stops at the last of them."""
    if not positions:
        return {}
    columns = ["pos", "id", "name", *DEAL_COLUMNS, *(quoted(f.key) for f in model.fields)]
    columns += ["contact_roles"] if uses_contacts(model) else []  # a contact rule's credit needs the roles
    listed = ", ".join(str(pos) for pos in sorted(positions))
    query = f"SELECT {', '.join(columns)} FROM numbered_deals WHERE pos IN ({listed}) LIMIT {len(positions)}"
    found = {row[0]: row[1:] for row in con.execute(query).fetchall()}
    if len(found) < len(positions):  # the audit read more rows than are there now
        raise InputError(f"{path}: the file changed while it was being audited; run the audit again")
    return found


def _deal(model: Model, staged: tuple, owner: str, stage_key: str, stored_score) -> tuple[Deal, float | None]:
    """An example deal rebuilt from its staged values and its audited owner and stage, with its stored
    score."""
    ident, name, acv, expansion, renewal, cycle, *values = staged
    roles = contact_roles(values.pop()) if uses_contacts(model) else ()
    deal = Deal(
        id=ident,
        name=name,
        owner=owner,
        stage=stage_key,
        acv=acv,
        deal_type="expansion" if expansion else "renewal" if renewal else "new_business",
        sales_cycle_days=cycle,
        values=dict(zip([f.key for f in model.fields], values)),
        extra={},
        contact_roles=roles,
    )
    return deal, stored_score
