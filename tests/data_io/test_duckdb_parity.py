"""`score` on DuckDB gives the Python engine's output row for row, and leaves every file it cannot read
exactly as the Python reader would to the Python path (which then gives its result or located error)."""

from __future__ import annotations

import csv
import random
from pathlib import Path

import pytest
from export_values import OFFLINE_SPEC_FILES, SPEC_FILES, cell_value
from helpers import EXAMPLE_SPEC

from handrail.generators.data.duck import scored_rows
from handrail.specs.validate import load_spec


def _deals_csv(path: Path, model, rng: random.Random, rows: int) -> None:
    deal = model.deal
    types = ["", "New Business", *deal.expansion_values_salesforce, "existingbusiness", " Expansion "]
    header = ["Opportunity ID", "Opportunity Name", "Stage", "Amount", "Type", "Created Date", "Close Date"]
    stages = [s.label for s in model.stages]
    with_cycle = rng.random() < 0.5
    header += ["Sales Cycle Days"] if with_cycle else []
    names = [rng.choice([f.key, f.salesforce_name, f.label]) for f in model.fields]
    contacts = any(f.contacts for f in model.fields)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header + names + (["Contact Roles"] if contacts else []))
        for n in range(rows):
            created = f"2026-0{rng.randint(1, 3)}-{rng.randint(10, 28)}"
            close = rng.choice(["", f"2026-0{rng.randint(4, 9)}-{rng.randint(10, 28)}"])
            row = [
                f"D{n}",
                rng.choice(["", f"Deal {n}"]),
                rng.choice(stages),
                rng.choice(
                    ["", "0", "24999", "25000", "$120,000", "250000", "250001", "1,000,000", "75000.5"]
                ),
                rng.choice(types),
                created,
                close,
            ]
            row += [rng.choice(["", "0", "14", "30", "31", "120", "400"])] if with_cycle else []
            roles = [_contact_roles(rng)] if contacts else []
            writer.writerow(row + [cell_value(rng, f) for f in model.fields] + roles)


ROLE_CELLS = ["Economic Buyer", "Champion", " Champion ", "Influencer", "", " ", "\u3000", "Evaluator"]


def _contact_roles(rng: random.Random) -> str:
    """0 to 5 contacts' roles as 'a;b;c', some blank or padded (a blank role is a contact without one)."""
    return rng.choice(["", ";", "; "]) + ";".join(rng.choice(ROLE_CELLS) for _ in range(rng.randint(0, 5)))


@pytest.mark.parametrize("spec", SPEC_FILES + OFFLINE_SPEC_FILES, ids=lambda p: p.stem)
@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_duckdb_scores_every_deal_as_the_python_engine_does(spec, fmt, tmp_path, run_cli):
    model = load_spec(spec).model
    deals = tmp_path / "deals.csv"
    _deals_csv(deals, model, random.Random(f"{spec.stem}-{fmt}"), 600)
    assert scored_rows(deals, model, None, None, print) is not None, "DuckDB declined a file it can read"
    on_duckdb = run_cli("score", str(deals), "--spec", str(spec), "--format", fmt)
    on_python = run_cli("score", str(deals), "--spec", str(spec), "--format", fmt, "--engine", "python")
    assert on_duckdb[0] == on_python[0] == 0, on_duckdb[2]
    assert on_duckdb[1] == on_python[1]
    assert on_duckdb[2] == on_python[2]  # the same warnings
    for shown in (fmt, "text"):  # text --summary computes the totals alone
        summary = [
            run_cli("score", str(deals), "--spec", str(spec), "--format", shown, "--summary", *engine)
            for engine in ((), ("--engine", "python"))
        ]
        assert summary[0] == summary[1]


@pytest.mark.parametrize(
    "cell,why", [("lots", "not a number"), ("nan", "NaN orders differently in SQL"), ("", "a blank id")]
)
def test_files_duckdb_cannot_read_exactly_go_to_the_python_reader(cell, why, tmp_path, run_cli):
    model = load_spec(EXAMPLE_SPEC).model
    deals = tmp_path / "deals.csv"
    ident, amount = ("", "5") if why == "a blank id" else ("D1", cell)
    deals.write_text(f"id,name,stage,close date,amount\nD0,A,Commit,,10\n{ident},B,Commit,,{amount}\n")
    assert scored_rows(deals, model, None, None, print) is None, why
    assert run_cli("score", str(deals), "--spec", str(EXAMPLE_SPEC)) == run_cli(
        "score", str(deals), "--spec", str(EXAMPLE_SPEC), "--engine", "python"
    )


def test_a_ragged_export_with_a_report_footer_goes_to_the_python_reader(tmp_path, run_cli):
    model = load_spec(EXAMPLE_SPEC).model
    deals = tmp_path / "deals.csv"
    footer = '"Confidential Information - Do Not Distribute"'
    deals.write_text(f"id,name,stage,close date,amount\nD0,A,Commit,,10\n\n{footer}\n")
    assert scored_rows(deals, model, None, None, print) is None
    code, out, _ = run_cli("score", str(deals), "--spec", str(EXAMPLE_SPEC), "--format", "json")
    assert code == 0 and '"id": "D0"' in out


def test_non_iso_dates_go_to_the_python_reader(tmp_path):
    model = load_spec(EXAMPLE_SPEC).model
    deals = tmp_path / "deals.csv"
    deals.write_text("id,name,stage,amount,created date,close date\nD0,A,Commit,10,2026-1-5,2026-03-01\n")
    assert scored_rows(deals, model, None, None, print) is None
