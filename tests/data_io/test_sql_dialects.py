"""`handrail sql`: the scoring query gives the engine's results when executed on DuckDB and on a real
PostgreSQL server (started here on 127.0.0.1, skipped where PostgreSQL is not installed), and prints for
Snowflake and BigQuery in a form their grammars accept."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
import sqlglot
from data_io.test_duckdb_parity import _deals_csv
from export_values import SPEC_FILES

from handrail.generators.commands.sql import column_types, query_for
from handrail.generators.data.reader import read_deals
from handrail.generators.rules.scoring import score_deal, summary
from handrail.specs.model import NUMBER_TYPES
from handrail.specs.validate import load_spec

ROWS = 300


def _deals(spec: Path, tmp_path: Path):
    model = load_spec(spec).model
    path = tmp_path / "deals.csv"
    _deals_csv(path, model, random.Random(spec.stem), ROWS)
    return model, list(read_deals(path, model, warn=lambda _: None))


def _record(model, deal) -> tuple:
    values = [deal.values.get(f.key) for f in model.fields]
    kind = deal.deal_type
    return (
        deal.id,
        deal.name,
        deal.acv,
        kind == "expansion",
        kind == "renewal",
        deal.sales_cycle_days,
        *values,
    )


def _expected(model, deal) -> tuple:
    r = score_deal(model, deal)
    missing = "; ".join(model.field(k).label for k in r.missing_required)
    return (deal.id, r.segment, r.score, r.tier, r.completeness, summary(model, r), missing)


def _sql_type(f, dialect: str) -> str:
    if f.type == "checkbox":
        return "BOOLEAN"
    return "DOUBLE PRECISION" if f.type in NUMBER_TYPES else "TEXT"


def _create(model, dialect: str) -> str:
    fixed = "id TEXT, name TEXT, acv DOUBLE PRECISION, expansion BOOLEAN, renewal BOOLEAN, "
    fixed += "cycle_days DOUBLE PRECISION"
    fields = ", ".join(f'"{f.key}" {_sql_type(f, dialect)}' for f in model.fields)
    return f"CREATE TABLE deals ({fixed}, {fields})"


def _results(rows) -> list[tuple]:
    return [
        (i, seg, None if score is None else float(score), tier, float(complete), text, missing)
        for i, _, seg, score, tier, complete, text, missing, *_ in rows
    ]


@pytest.mark.parametrize("spec", SPEC_FILES, ids=lambda p: p.stem)
def test_the_duckdb_query_gives_the_engines_results(spec, tmp_path):
    import duckdb

    model, deals = _deals(spec, tmp_path)
    con = duckdb.connect()
    con.execute(_create(model, "duckdb").replace("DOUBLE PRECISION", "DOUBLE"))
    marks = ", ".join("?" for _ in range(6 + len(model.fields)))
    con.executemany(f"INSERT INTO deals VALUES ({marks})", [_record(model, d) for d in deals])
    got = _results(con.execute(query_for(model, "duckdb", "deals") + " ORDER BY id").fetchall())
    assert got == sorted((_expected(model, d) for d in deals), key=lambda row: row[0])


@pytest.mark.parametrize("spec", SPEC_FILES, ids=lambda p: p.stem)
def test_the_postgres_query_gives_the_engines_results_on_a_real_server(spec, tmp_path, postgres):
    model, deals = _deals(spec, tmp_path)
    with postgres.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS deals")
        cur.execute(_create(model, "postgres"))
        types = ["TEXT", "TEXT", "DOUBLE PRECISION", "BOOLEAN", "BOOLEAN", "DOUBLE PRECISION"]
        marks = ", ".join(f"%s::{t}" for t in types + [_sql_type(f, "postgres") for f in model.fields])
        cur.executemany(f"INSERT INTO deals VALUES ({marks})", [_record(model, d) for d in deals])
        cur.execute(query_for(model, "postgres", "deals") + " ORDER BY id")
        got = _results(cur.fetchall())
    assert got == sorted((_expected(model, d) for d in deals), key=lambda row: row[0])


@pytest.mark.parametrize("dialect", ["snowflake", "bigquery"])
def test_warehouse_dialects_parse_in_their_own_grammar(dialect, example_spec):
    model = load_spec(example_spec).model
    text = query_for(model, dialect, "analytics.deals")
    parsed = sqlglot.parse_one(text, read=dialect)
    assert "CONCAT_WS" not in text  # BigQuery has none; Snowflake's returns NULL when any part is NULL
    for node in parsed.find_all(sqlglot.exp.RegexpReplace):
        # both replace every match by default; Snowflake's 4th argument is a position
        assert node.args.get("modifiers") is None


def test_the_command_prints_the_input_columns_and_refuses_a_bad_table_name(run_cli, example_spec):
    code, out, _ = run_cli(
        "sql", "--spec", str(example_spec), "--dialect", "postgres", "--table", "crm.deals"
    )
    assert code == 0 and "FROM crm.deals" in out
    model = load_spec(example_spec).model
    assert all(f"--   {name}: " in out for name, _ in column_types(model))
    code, _, err = run_cli("sql", "--spec", str(example_spec), "--table", "deals; DROP TABLE x")
    assert code == 2 and "--table" in err
