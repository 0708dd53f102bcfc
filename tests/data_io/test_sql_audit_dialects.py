"""`handrail sql --query audit|summary`: executed on DuckDB and on a real PostgreSQL server over a typed
deals table, the printed queries give the Python audit engine's figures: the deals in each list, every
gate's violations, every SLA clock's outcomes, and the summary's groups added up by segment and owner.
Snowflake and BigQuery print in a form their grammars accept."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, datetime, timezone
from fractions import Fraction

import pytest
import sqlglot
from data_io.test_duckdb_audit_parity import _export
from export_values import SPEC_FILES

from handrail.generators.audit.engine import AuditOptions, run_audit
from handrail.generators.commands.sql import query_for
from handrail.generators.data.reader import read_deals
from handrail.specs.model import NUMBER_TYPES
from handrail.specs.validate import load_spec

AS_OF = date(2026, 6, 16)
SINCE = date(2025, 12, 1)
NOW = datetime(2026, 6, 16, 23, 59, 59, tzinfo=timezone.utc)
TIMES = ("closed_won_at", "internal_handoff_at", "first_touch_at", "kickoff_at")


def _deals(spec, tmp_path):
    model = load_spec(spec).model
    path = tmp_path / "deals.csv"
    _export(path, model, f"sql-{spec.stem}", rows=500)
    return model, list(read_deals(path, model, process_fields=True, warn=lambda _: None))


def _columns(model) -> list[tuple[str, str]]:
    def kind(f):
        return "BOOLEAN" if f.type == "checkbox" else "DOUBLE PRECISION" if f.type in NUMBER_TYPES else "TEXT"

    out = [("id", "TEXT"), ("name", "TEXT"), ("acv", "DOUBLE PRECISION"), ("expansion", "BOOLEAN")]
    out += [("renewal", "BOOLEAN")]
    out += [("cycle_days", "DOUBLE PRECISION")] + [(f'"{f.key}"', kind(f)) for f in model.fields]
    out += [("stage", "TEXT"), ("owner", "TEXT"), ("close_date", "DATE")]
    out += [(t, "TIMESTAMP") for t in TIMES]
    out += [("csm_rating", "INTEGER"), ("intake_status", "TEXT"), ("gate_flags", "TEXT")]
    out += [("clocks_stamped", "TEXT")]
    return out + [("stored_score", "DOUBLE PRECISION")]


def _record(model, deal) -> tuple:
    x = deal.extra

    def naive(moment):
        return None if moment is None else moment.astimezone(timezone.utc).replace(tzinfo=None)

    values = [deal.values.get(f.key) for f in model.fields]
    return (
        deal.id,
        deal.name,
        deal.acv,
        deal.deal_type == "expansion",
        deal.deal_type == "renewal",
        deal.sales_cycle_days,
        *values,
        deal.stage,
        deal.owner,
        x.get("close_date"),
        *(naive(x.get(t)) for t in TIMES),
        x.get("csm_rating"),
        x.get("intake_status"),
        x.get("gate_flags"),
        x.get("clocks_stamped"),
        x.get("score"),
    )


def _check(model, deals, audit_rows, summary_rows) -> None:
    report = run_audit(model, iter(deals), AuditOptions(now=NOW, since=SINCE))
    cw, names = report["closed_won"], [d[0] for d in audit_rows.description]
    rows = [dict(zip(names, r)) for r in audit_rows.fetchall()]
    kinds = Counter(r["kind"] for r in rows)
    assert {k: kinds[k] for k in report["skipped"]} == report["skipped"]
    assert kinds["closed_won"] == cw["deals"]
    assert kinds["open"] == report["open_in_gated_stages"]["deals"]
    for kind, violations in (("closed_won", cw), ("open", report["open_in_gated_stages"])):
        listed = [r for r in rows if r["kind"] == kind]
        assert sum(bool(r["violated"]) for r in listed) == violations["gate_violations"]["deals"]
        by_gate = {g["gate"]: g["deals"] for g in violations["gate_violations"]["by_gate"]}
        assert {
            g.key: sum(bool(r[f"fails_{g.key}"]) for r in listed) for g in model.gates if g.key in by_gate
        } == by_gate
    won = [r for r in rows if r["kind"] == "closed_won" and r["segment"] is not None]
    for clock in cw["sla"]:
        outcomes = Counter(r[f"sla_{clock['sla']}"] for r in won)
        assert {k: outcomes[k] for k in ("within", "breached", "pending", "unmeasured")} == {
            k: clock[k] for k in ("within", "breached", "pending", "unmeasured")
        }
    assert (
        sum(bool(r["disagrees"]) for r in rows if r["kind"] == "closed_won")
        == (cw["score_disagreements"]["disagreeing"])
    )
    # the summary's groups, added up by segment and by owner
    names = [d[0] for d in summary_rows.description]
    groups = [dict(zip(names, r)) for r in summary_rows.fetchall()]
    for key, listed in (("segment", cw["by_segment"]), ("owner", cw["by_owner"])):
        totals: dict = defaultdict(Counter)
        for g in groups:
            t = totals[g[key]]
            for column in ("deals", "ready", "gaps", "blocked", "unscored", "gate_violations", "scored"):
                t[column] += int(g[column])
            t["tenths"] += int(g["score_tenths"] or 0)
            required = int(g["required"])
            t["completion"] += (
                Fraction(100 * int(g["required_filled"]), required) if required else 100 * g["deals"]
            )
        for row in listed:
            t = totals[row[key]]
            assert (t["deals"], t["ready"], t["gaps"], t["blocked"], t["gate_violations"]) == (
                row["deals"],
                row["ready"],
                row["gaps"],
                row["blocked"],
                row["gate_violations"],
            )
            assert row["average_score"] == (round(t["tenths"] / 10 / t["scored"], 1) if t["scored"] else None)
            assert row["completion"] == round(float(Fraction(t["completion"]) / t["deals"]), 1)
        assert len(totals) == len(listed)


def _queries(model, dialect):
    return [query_for(model, dialect, "deals", q, SINCE, AS_OF) for q in ("audit", "summary")]


@pytest.mark.parametrize("spec", SPEC_FILES, ids=lambda p: p.stem)
def test_the_duckdb_audit_queries_give_the_engines_figures(spec, tmp_path):
    import duckdb

    model, deals = _deals(spec, tmp_path)
    con = duckdb.connect()
    columns = _columns(model)
    con.execute(
        "CREATE TABLE deals ("
        + ", ".join(f"{n} {t.replace('DOUBLE PRECISION', 'DOUBLE')}" for n, t in columns)
        + ")"
    )
    con.executemany(
        f"INSERT INTO deals VALUES ({', '.join('?' for _ in columns)})", [_record(model, d) for d in deals]
    )
    audit, summary = _queries(model, "duckdb")
    _check(model, deals, con.cursor().execute(audit), con.cursor().execute(summary))


@pytest.mark.parametrize("spec", SPEC_FILES, ids=lambda p: p.stem)
def test_the_postgres_audit_queries_give_the_engines_figures_on_a_real_server(spec, tmp_path, postgres):
    model, deals = _deals(spec, tmp_path)
    columns = _columns(model)
    with postgres.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS deals")
        cur.execute("CREATE TABLE deals (" + ", ".join(f"{n} {t}" for n, t in columns) + ")")
        marks = ", ".join(f"%s::{t}" for _, t in columns)
        cur.executemany(f"INSERT INTO deals VALUES ({marks})", [_record(model, d) for d in deals])
    audit, summary = _queries(model, "postgres")
    with postgres.cursor() as first, postgres.cursor() as second:
        _check(model, deals, first.execute(audit), second.execute(summary))


@pytest.mark.parametrize("dialect", ["snowflake", "bigquery"])
@pytest.mark.parametrize("query", ["audit", "summary"])
def test_warehouse_dialects_parse_the_audit_in_their_own_grammar(dialect, query, example_spec):
    model = load_spec(example_spec).model
    text = query_for(model, dialect, "analytics.deals", query, SINCE, AS_OF)
    assert sqlglot.parse_one(text, read=dialect) is not None


def test_the_command_prints_the_summary_with_its_input_columns(run_cli, example_spec):
    code, out, _ = run_cli(
        "sql",
        "--spec",
        str(example_spec),
        "--query",
        "summary",
        "--since",
        "2026-01-01",
        "--as-of",
        "2026-06-16",
    )
    assert code == 0, out
    assert "--   closed_won_at: timestamp, UTC" in out and "DATE '2026-01-01'" in out.replace(
        "CAST('2026-01-01' AS DATE)", "DATE '2026-01-01'"
    )
    code, _, err = run_cli("sql", "--spec", str(example_spec), "--query", "audit", "--since", "soon")
    assert code == 2 and "--since" in err
