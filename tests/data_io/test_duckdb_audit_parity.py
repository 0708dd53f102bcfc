"""`audit` on DuckDB gives the Python engine's report figure for figure, on generated exports that reach
every rule: each stage kind, every segment and gate form, SLA clocks met, missed and pending in hours and
business days (time-zone offsets, epoch milliseconds, weekends), ratings, intake values, stored scores
that agree and disagree, contact roles for a contact rule, and `--since` windows; and leaves a file it
cannot read exactly to the Python reader. The same exports as Parquet give the same report on both engines."""

from __future__ import annotations

import csv
import json
import random
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from export_values import OFFLINE_SPEC_FILES, SPEC_FILES, cell_value
from helpers import EXAMPLE_DEALS, EXAMPLE_SPEC

from handrail.generators.audit.duck import audit_file
from handrail.generators.audit.engine import audit_options
from handrail.generators.rules.sql import uses_contacts
from handrail.specs.validate import load_spec

ROWS = 1500
ROLES = ["Economic Buyer", "Champion", " Champion ", "Technical Buyer", "", "User"]  # blanks: no role
PROCESS = ["closed_won_at", "internal_handoff_at", "first_touch_at", "kickoff_at"]


# Gate Flags as the flow writes them (targets/salesforce/gate_flags.py), and text that only looks alike
FLAGS = ["", "a (monitor)", "a (bypassed); b (monitor)", "a (Monitor)", "(bypassed", " b (bypassed) "]


def _moment(rng: random.Random, moment: datetime) -> str:
    """One instant written the ways exports write it."""
    form = rng.randrange(6)
    if form == 0:
        return moment.strftime("%Y-%m-%dT%H:%M:%S.000+0000")
    if form == 1:
        return moment.strftime("%Y-%m-%d %H:%M")
    if form == 2:
        return (moment - timedelta(hours=5)).strftime("%Y-%m-%dT%H:%M:%S-05:00")
    if form == 3:
        return str(int(moment.timestamp() * 1000))
    if form == 4:
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    return (moment + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%S.%f+02")


def _process(rng: random.Random, model) -> list[str]:
    closed = datetime(2025, 10, 1, tzinfo=timezone.utc) + timedelta(minutes=rng.randrange(300 * 24 * 60))
    row = [
        rng.choice(["", closed.date().isoformat(), _moment(rng, closed)]),  # close date
        rng.choice(["", "ae1@example.com", "ae2@example.com", "  "]),
    ]
    start = None if rng.random() < 0.1 else closed
    row.append("" if start is None else _moment(rng, start))
    for _ in PROCESS[1:]:
        if rng.random() < 0.25:
            row.append("")
            continue
        # near the targets (24-72 hours, 5 business days) on both sides, some before the close
        delay = timedelta(hours=rng.choice([-2, 1, 23.99, 24, 24.01, 47, 48, 49, 71, 73, 100, 170, 200]))
        row.append(_moment(rng, closed + delay))
    row.append(rng.choice(["", "1", "2", "3", "4", "5", "5.0"]))
    options = [o for o in model.computed_field("intake_status").options]
    row.append(rng.choice(["", "Unknown", " accepted "] + [rng.choice([o.value, o.label]) for o in options]))
    row.append(rng.choice(FLAGS))
    row.append(rng.choice(["", "0", "42.9", "60.05", "60", "99.95", "100", "12.34"]))
    return row


def _export(path: Path, model, seed: str, rows: int = ROWS) -> None:
    rng = random.Random(seed)
    deal = model.deal
    types = ["", "New Business", *deal.expansion_values_salesforce, " Expansion "]
    stages = [rng.choice([s.label, s.key, s.salesforce or s.label]) for s in model.stages] + ["", "Unknown"]
    header = ["Opportunity ID", "Opportunity Name", "Stage", "Amount", "Type", "Created Date", "Close Date"]
    header += ["Opportunity Owner", *PROCESS, "csm_rating", "intake_status", "gate_flags", "score"]
    header += [rng.choice([f.key, f.salesforce_name, f.label]) for f in model.fields]
    contacts = uses_contacts(model)
    header += ["Contact Roles"] if contacts else []
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for n in range(rows):
            process = _process(rng, model)
            row = [
                f"D{n}",
                rng.choice(["", f"Deal {n}"]),
                rng.choice(stages),
                rng.choice(["", "0", "24999", "25000", "$120,000", "250000", "1,000,000", "75000.5"]),
                rng.choice(types),
                f"2025-0{rng.randint(1, 9)}-{rng.randint(10, 28)}",
                *process,
            ]
            roles = [";".join(rng.choices(ROLES, k=rng.randrange(5)))] if contacts else []
            writer.writerow(row + [cell_value(rng, f) for f in model.fields] + roles)


def _audit(run_cli, path: Path, spec: Path, *extra: str) -> str:
    as_of = () if "--as-of" in extra else ("--as-of", "2026-06-15")
    code, out, err = run_cli(
        "audit", "--from", str(path), "--spec", str(spec), "--format", "json", *as_of, *extra
    )
    assert code == 0, err
    return out


# Each window with another day of the week as "today": a business-day deadline passes at midnight after it.
WINDOWS = [(None, "2026-06-15"), ("6m", "2026-06-16"), ("2026-01-01", "2026-06-20")]


@pytest.mark.parametrize("spec", SPEC_FILES + OFFLINE_SPEC_FILES, ids=lambda p: p.stem)
@pytest.mark.parametrize("since,as_of", WINDOWS)
def test_duckdb_audits_every_deal_as_the_python_engine_does(spec, since, as_of, tmp_path, run_cli):
    model = load_spec(spec).model
    deals = tmp_path / "deals.csv"
    _export(deals, model, f"{spec.stem}-{since}")
    options = audit_options(since, date.fromisoformat(as_of))
    assert audit_file(deals, model, options, None, None, print) is not None, "DuckDB declined the file"
    window = ("--since", since, "--as-of", as_of) if since else ("--as-of", as_of)
    on_duckdb = _audit(run_cli, deals, spec, *window)
    assert on_duckdb == _audit(run_cli, deals, spec, *window, "--engine", "python")
    assert '"deals": 0' not in on_duckdb.split('"closed_won"')[1][:400]  # the set reaches closed-won deals


def test_parquet_exports_give_the_same_report_on_both_engines(tmp_path, run_cli):
    import duckdb

    model = load_spec(EXAMPLE_SPEC).model
    deals, parquet = tmp_path / "deals.csv", tmp_path / "deals.parquet"
    _export(deals, model, "parquet", rows=400)
    duckdb.execute(
        f"COPY (SELECT * FROM read_csv('{deals}', all_varchar = true)) TO '{parquet}' (FORMAT parquet)"
    )
    from_csv = _audit(run_cli, deals, EXAMPLE_SPEC, "--engine", "python")
    assert _audit(run_cli, parquet, EXAMPLE_SPEC) == _audit(
        run_cli, parquet, EXAMPLE_SPEC, "--engine", "python"
    )
    assert _audit(run_cli, parquet, EXAMPLE_SPEC) == from_csv


@pytest.mark.parametrize(
    "column,cell,why",
    [
        ("closed_won_at", "31/12/2025 10:00", "a date form only the Python reader knows"),
        ("closed_won_at", "2026-02-30T10:00", "not a date: the Python reader says where"),
        ("csm_rating", "4.5", "not a rating from 1 to 5"),
        ("Stage", "Clôture", "non-ASCII stage names are lower-cased differently"),
    ],
)
def test_rows_duckdb_cannot_read_exactly_go_to_the_python_reader(column, cell, why, tmp_path, run_cli):
    model = load_spec(EXAMPLE_SPEC).model
    deals = tmp_path / "deals.csv"
    row = {"id": "D1", "name": "A", "Stage": "Closed Won", "close date": "2026-01-05", column: cell}
    header = list(dict.fromkeys(["id", "name", "Stage", "close date", column]))
    deals.write_text(",".join(header) + "\n" + ",".join(row[h] for h in header) + "\n")
    options = audit_options(None, date(2026, 6, 15))
    assert audit_file(deals, model, options, None, None, print) is None, why
    args = [
        "audit",
        "--from",
        str(deals),
        "--spec",
        str(EXAMPLE_SPEC),
        "--format",
        "json",
        "--as-of",
        "2026-06-15",
    ]
    assert run_cli(*args) == run_cli(*args, "--engine", "python")


def test_stored_scores_a_tolerance_apart_agree_on_both_engines(tmp_path, run_cli):
    """42.95 - 42.9 is 0.05000000000000426 in floating point: still within a 0.05 tolerance."""
    import json

    code, out, _ = run_cli("score", str(EXAMPLE_DEALS), "--spec", str(EXAMPLE_SPEC), "--format", "json")
    scores = {row["id"]: row["score"] for row in json.loads(out)["deals"]}
    with EXAMPLE_DEALS.open(newline="") as handle:
        rows = list(csv.reader(handle))
    rows[0].append("score")
    for n, row in enumerate(rows[1:]):
        row.append(f"{scores[row[0]] + (0.05 if n % 2 else -0.05):.2f}")
    deals = tmp_path / "deals.csv"
    with deals.open("w", newline="") as handle:
        csv.writer(handle).writerows(rows)
    reports = [json.loads(_audit(run_cli, deals, EXAMPLE_SPEC, *e)) for e in ((), ("--engine", "python"))]
    assert reports[0] == reports[1]
    compared = reports[0]["closed_won"]["score_disagreements"]
    assert compared["compared"] > 0 and compared["disagreeing"] == 0


def test_a_damaged_parquet_file_is_a_located_error_on_both_commands(tmp_path, run_cli):
    damaged = tmp_path / "deals.parquet"
    damaged.write_bytes(b"PAR1 this is not really parquet")
    for command in (["score", str(damaged)], ["audit", "--from", str(damaged)]):
        code, out, err = run_cli(*command, "--spec", str(EXAMPLE_SPEC))
        assert code == 3 and out == ""  # bad input
        assert f"{damaged}: not a readable Parquet file" in err and "Traceback" not in err


def _wide_spec(fields: int) -> str:
    """A spec scoring `fields` text fields, some required, with gates in two stages."""
    lines = ["version: 1", "name: Wide handoff", "fields:"]
    for n in range(fields):
        kind = "long_text" if n % 2 else "short_text"
        required = ", required_in: [enterprise]" if n % 5 == 0 else ""
        lines.append(f"  - {{key: f{n:02d}, label: Field {n}, type: {kind}, weight: {1 + n % 3}{required}}}")
    lines += [
        "segments:",
        "  - {key: smb, label: SMB, match: {acv: {lt: 25000}}, motion: automated}",
        "  - {key: enterprise, label: Enterprise, match: {acv: {gte: 25000}}, motion: white_glove}",
        "stages:",
        "  - {key: commit, label: Commit, salesforce: Commit, hubspot: contractsent}",
        "  - {key: won, label: Won, salesforce: Closed Won, hubspot: closedwon, closed_won: true}",
        "  - {key: lost, label: Lost, salesforce: Closed Lost, hubspot: closedlost, closed_lost: true}",
        "gates:",
        "  - {key: won_ready, stage: won, require: {min_score: 60}, message: Not ready.}",
        "  - {key: enterprise_ready, stage: won, segments: [enterprise], require: {min_tier: ready},"
        " message: Enterprise handoffs must be Ready.}",
        "  - {key: commit_filled, stage: commit, require: {segment_required_fields: true},"
        " message: Fill them.}",
    ]
    return "\n".join(lines) + "\n"


def test_flags_and_states_packed_into_several_columns_read_back_as_the_python_engine_counts(
    tmp_path, run_cli
):
    """Forty scored fields: the audited table's flags, field states and SLA outcomes fill more than one
    packed column (generators.audit.packed), and the report is the Python engine's."""
    from handrail.generators.audit.packed import slots

    spec = tmp_path / "wide.yaml"
    spec.write_text(_wide_spec(40))
    model = load_spec(spec).model
    assert len({slot.column for slot in slots(model)}) >= 2
    deals = tmp_path / "deals.csv"
    _export(deals, model, "wide")
    assert audit_file(deals, model, audit_options(None, date(2026, 6, 15)), None, None, print) is not None
    on_duckdb = _audit(run_cli, deals, spec)
    assert on_duckdb == _audit(run_cli, deals, spec, "--engine", "python")
    won = json.loads(on_duckdb)["closed_won"]
    assert len(won["fields"]) == 40 and won["deals"] > 100
    assert {g["gate"] for g in won["gate_violations"]["by_gate"]} == {
        "won_ready",
        "enterprise_ready",
        "commit_filled",
    }


def test_an_export_too_large_for_memory_is_audited_in_a_database_file_alike(tmp_path, run_cli, monkeypatch):
    """Past DuckDB's memory limit the audited table goes to a database file in the spill folder (here
    forced, with the limit taken as nothing): the same report as the Python engine, and the file goes with
    the spill folder."""
    from handrail.generators.audit import duck as audit_duck

    monkeypatch.setattr(audit_duck, "MEMORY_BYTES", 0)
    stores = []
    choose = audit_duck._table

    def spy(con, path, spill, texts):
        stores.append((choose(con, path, spill, texts), Path(spill)))
        return stores[-1][0]

    monkeypatch.setattr(audit_duck, "_table", spy)
    model = load_spec(EXAMPLE_SPEC).model
    deals = tmp_path / "deals.csv"
    _export(deals, model, "on-disk")
    options = audit_options(None, date(2026, 6, 15))
    assert audit_file(deals, model, options, None, None, print) is not None, "DuckDB declined the file"
    assert [kind for (kind, _), _ in stores] == ["TABLE"]
    assert not stores[0][1].exists()
    on_duckdb = _audit(run_cli, deals, EXAMPLE_SPEC)
    assert on_duckdb == _audit(run_cli, deals, EXAMPLE_SPEC, "--engine", "python")


def test_the_row_estimate_is_a_parquet_files_count_and_a_csv_files_size_over_its_lines(tmp_path):
    """The estimate that chooses where the audited table goes: a CSV's size over the mean length of its
    first MiB of lines (a cell spanning lines raises it), a Parquet file's row count."""
    import duckdb

    from handrail.generators.data.duck import estimated_rows

    deals = tmp_path / "deals.csv"
    with deals.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Id", "Name", "Amount"])
        for n in range(50_000):  # about 1.5 MiB: past the sample
            writer.writerow([f"D{n}", f"Deal {n}" * (1 + n % 3), 1000 * (n % 97)])
    con = duckdb.connect()
    assert abs(estimated_rows(con, deals) - 50_001) < 50_001 * 0.05  # the header is a line too
    parquet = tmp_path / "deals.parquet"
    con.execute(f"COPY (SELECT * FROM read_csv('{deals}', all_varchar = true)) TO '{parquet}'")
    assert estimated_rows(con, parquet) == 50_000
    spanning = tmp_path / "notes.csv"
    spanning.write_text("Id,Notes\n" + "".join(f'D{n},"line one\nline two"\n' for n in range(1000)))
    assert estimated_rows(con, spanning) > 1000
