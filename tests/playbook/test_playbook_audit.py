"""`audit` counts the playbook's 14-day implementation-owner contact clock: on hand-computed Enterprise deals,
on both engines (the Python engine and the DuckDB twin), and only for the segments the playbook names."""

from __future__ import annotations

import csv
import json
import random
from datetime import date, datetime, timedelta, timezone

import pytest
from playbook.spec import write_playbook_spec

from handrail.generators.audit.duck import audit_file
from handrail.generators.audit.engine import audit_options
from handrail.specs.validate import load_spec

HEADER = [
    "Opportunity ID",
    "Opportunity Name",
    "Stage",
    "Amount",
    "Type",
    "Created Date",
    "Close Date",
    "Opportunity Owner",
    "closed_won_at",
    "implementation_contact_at",
    "post_sale_owner",
]
CLOSE = datetime(2026, 5, 1, 10, tzinfo=timezone.utc)
AS_OF = "2026-06-15"  # the audit's now: 2026-06-15 23:59:59 UTC


def row(n: int, amount: str, closed: datetime | None, contact: datetime | None) -> list[str]:
    stamp = lambda t: "" if t is None else t.strftime("%Y-%m-%dT%H:%M:%SZ")  # noqa: E731
    return [
        f"D{n}",
        f"Deal {n}",
        "Closed Won",
        amount,
        "New Business",
        "2026-01-05",
        (closed or CLOSE).date().isoformat(),
        "ae@example.com",
        stamp(closed),
        stamp(contact),
        "Dana Lee, VP Operations",
    ]


# Enterprise (ACV 250,000), then one Mid-Market deal the clock does not run for.
CASES = [
    row(1, "250000", CLOSE, CLOSE + timedelta(days=10)),  # within: day 10
    row(2, "250000", CLOSE, CLOSE + timedelta(days=14)),  # within: exactly 14 days
    row(3, "250000", CLOSE, CLOSE + timedelta(days=14, seconds=1)),  # breached: a second late
    row(4, "250000", CLOSE, None),  # breached: 14 days passed on 15 May, no contact
    row(5, "250000", datetime(2026, 6, 10, 10, tzinfo=timezone.utc), None),  # pending: due 24 June
    row(6, "250000", None, None),  # unmeasured: no close stamp
    row(7, "50000", CLOSE, None),  # Mid-Market: no such clock
]


def write(path, rows) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(rows)


def audit(run_cli, deals, spec, *extra) -> dict:
    source = ("--from", str(deals)) if deals else ()
    code, out, err = run_cli(
        "audit", *source, "--spec", str(spec), "--format", "json", "--as-of", AS_OF, *extra
    )
    assert code == 0, err
    return json.loads(out)


def contact_clock(report: dict) -> dict:
    return next(c for c in report["closed_won"]["sla"] if c["sla"] == "implementation_contact")


@pytest.mark.parametrize("engine", ["python", "duckdb"])
def test_the_contact_clock_on_hand_computed_deals(engine, tmp_path, run_cli):
    spec, deals = write_playbook_spec(tmp_path), tmp_path / "deals.csv"
    write(deals, CASES)
    if engine == "duckdb":  # the default engine reads this file on DuckDB, not by falling back
        options = audit_options(None, date.fromisoformat(AS_OF))
        assert audit_file(deals, load_spec(spec).model, options, None, None, print) is not None
    clock = contact_clock(audit(run_cli, deals, spec, "--engine", "auto" if engine == "duckdb" else engine))
    assert clock["unit"] == "days"
    assert (clock["within"], clock["breached"], clock["pending"], clock["unmeasured"]) == (2, 2, 1, 1)
    assert clock["handoffs"] == 4 and clock["compliance_rate"] == 50.0
    # timed: 10 days, 14 days, 14 days and a second -> 12.67 days
    assert clock["average_elapsed"] == 12.7
    assert [(s["segment"], s["target"]) for s in clock["by_segment"]] == [("enterprise", 14)]


def test_a_spec_without_the_playbook_runs_no_contact_clock(tmp_path, run_cli):
    from helpers import EXAMPLE_SPEC

    deals = tmp_path / "deals.csv"
    write(deals, CASES)
    report = audit(run_cli, deals, EXAMPLE_SPEC)
    assert [c["sla"] for c in report["closed_won"]["sla"]] == ["internal_handoff", "first_touch", "kickoff"]


def test_both_engines_agree_on_random_contact_times(tmp_path, run_cli):
    rng = random.Random(17)
    rows = []
    for n in range(600):
        closed = CLOSE + timedelta(minutes=rng.randrange(90 * 24 * 60))
        days = rng.choice([None, -1, 0, 9.99, 13.99, 14, 14.0001, 15, 30])
        contact = None if days is None else closed + timedelta(days=days)
        amount = rng.choice(["250000", "50000", "10000", "1,000,000"])
        rows.append(row(n, amount, rng.choice([closed, closed, None]), contact))
    spec, deals = write_playbook_spec(tmp_path), tmp_path / "deals.csv"
    write(deals, rows)
    on_duckdb = audit(run_cli, deals, spec)
    assert on_duckdb == audit(run_cli, deals, spec, "--engine", "python")
    assert contact_clock(on_duckdb)["handoffs"] > 100


def test_the_brief_shows_the_contact_deadline_for_an_enterprise_deal(tmp_path, run_cli):
    spec, deals = write_playbook_spec(tmp_path), tmp_path / "deals.csv"
    write(deals, CASES)
    code, out, err = run_cli("brief", "D4", "--from", str(deals), "--spec", str(spec))
    assert code == 0, err
    line = next(x for x in out.splitlines() if "implementation owner contact" in x)
    assert "14 days" in line and "2026-05-15" in line  # closed 1 May 10:00 UTC, not reached: missed
    code, out, err = run_cli("brief", "D7", "--from", str(deals), "--spec", str(spec))
    assert code == 0 and "implementation owner contact" not in out  # Mid-Market: no such clock


def test_audit_env_reads_the_contact_stamp_from_the_org(org, tmp_path, run_cli):
    """The same hand-computed deals stored as Opportunities: `audit --env` reads Implementation Contact At
    from the org and counts the clock as the export does."""
    from plan.live import SALESFORCE_ENV

    from handrail.generators.data.live import fetched_fields

    spec = write_playbook_spec(tmp_path)
    spec.write_text(spec.read_text().replace("environments:\n", "environments:" + SALESFORCE_ENV, 1))
    model = load_spec(spec).model
    owner = org.org.add_record("User", Name="AE 0")
    rows = []
    for case in CASES:
        values = dict(zip(HEADER, case))
        row = {f.salesforce_name: None for f in fetched_fields(model)}
        row.update(
            {
                "Id": f"006{int(values['Opportunity ID'][1:]):012d}AAA",
                "Name": values["Opportunity Name"],
                "OwnerId": owner,
                "Amount": float(values["Amount"]),
                "Type": "New Customer",
                "StageName": "Closed Won",
                "CloseDate": values["Close Date"],
                "CreatedDate": "2026-01-05T00:00:00.000+0000",
                model.field("partner_sourced").salesforce_name: False,
                model.field("post_sale_owner").salesforce_name: values["post_sale_owner"],
            }
        )
        for key in ("closed_won_at", "implementation_contact_at"):
            moment = values[key]
            row[model.computed_field(key).salesforce_name] = (
                moment.replace("Z", ".000+0000") if moment else None
            )
        rows.append(row)
    org.org.add_records("Opportunity", rows)
    clock = contact_clock(audit(run_cli, "", spec, "--env", "live"))
    assert (clock["within"], clock["breached"], clock["pending"], clock["unmeasured"]) == (2, 2, 1, 1)
    assert clock["average_elapsed"] == 12.7


@pytest.mark.parametrize("dialect", ["duckdb", "postgres", "snowflake", "bigquery"])
def test_handrail_sql_audit_runs_the_contact_clock(dialect, tmp_path):
    """`handrail sql --query audit` reads implementation_contact_at; on DuckDB its per-deal outcomes add up
    to the engine's, the other dialects parse in their grammar."""
    import sqlglot

    from handrail.generators.audit.engine import run_audit
    from handrail.generators.audit.sql import PROCESS_COLUMNS
    from handrail.generators.commands.sql import query_for
    from handrail.generators.data.reader import read_deals
    from handrail.specs.model import NUMBER_TYPES

    model, deals_csv = load_spec(write_playbook_spec(tmp_path)).model, tmp_path / "deals.csv"
    write(deals_csv, CASES)
    query = query_for(model, dialect, "deals", "audit", None, date.fromisoformat(AS_OF))
    assert "implementation_contact_at" in query
    if dialect != "duckdb":
        sqlglot.parse_one(query, read=dialect)
        return
    import duckdb

    deals = list(read_deals(deals_csv, model, process_fields=True, warn=lambda _: None))
    times = (
        "closed_won_at",
        "internal_handoff_at",
        "first_touch_at",
        "kickoff_at",
        "implementation_contact_at",
    )
    columns = [
        "id TEXT",
        "name TEXT",
        "acv DOUBLE",
        "expansion BOOLEAN",
        "renewal BOOLEAN",
        "cycle_days DOUBLE",
    ]
    columns += [
        f'"{f.key}" '
        + ("BOOLEAN" if f.type == "checkbox" else "DOUBLE" if f.type in NUMBER_TYPES else "TEXT")
        for f in model.fields
    ]
    columns += ["stage TEXT", "owner TEXT", "close_date DATE", *(f"{t} TIMESTAMP" for t in times)]
    columns += ["csm_rating INTEGER", "intake_status TEXT", "stored_score DOUBLE"]
    named = {c.split()[0] for c in columns}
    others = [c for c in PROCESS_COLUMNS if c not in named]  # other process columns: blank here
    columns += [f"{c} TEXT" for c in others]
    con = duckdb.connect()
    con.execute(f"CREATE TABLE deals ({', '.join(columns)})")
    naive = lambda m: None if m is None else m.astimezone(timezone.utc).replace(tzinfo=None)  # noqa: E731
    for d in deals:
        x = d.extra
        row = [d.id, d.name, d.acv, d.deal_type == "expansion", d.deal_type == "renewal", d.sales_cycle_days]
        row += [d.values.get(f.key) for f in model.fields]
        row += [d.stage, d.owner, x.get("close_date"), *(naive(x.get(t)) for t in times)]
        row += [x.get("csm_rating"), x.get("intake_status"), x.get("score"), *(None for _ in others)]
        con.execute(f"INSERT INTO deals VALUES ({', '.join('?' * len(row))})", row)
    outcomes = dict(con.execute(f"SELECT id, sla_implementation_contact FROM ({query}) AS facts").fetchall())
    assert outcomes == {
        "D1": "within",
        "D2": "within",
        "D3": "breached",
        "D4": "breached",
        "D5": "pending",
        "D6": "unmeasured",
        "D7": None,  # Mid-Market: no such clock
    }
    report = run_audit(model, iter(deals), audit_options(None, date.fromisoformat(AS_OF)))
    assert contact_clock(report)["within"] == 2
