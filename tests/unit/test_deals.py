"""Reading exported deals: CSV, JSON, JSON Lines, CRM column names, bad data."""

from __future__ import annotations

import json

import pytest

from handrail.generators.data.reader import read_deals
from handrail.specs.diagnostics import InputError


def test_sample_csv(example_model, example_spec):
    deals = list(read_deals(example_spec.parent / "deals.csv", example_model))
    acme = deals[0]
    assert (acme.id, acme.name, acme.acv, acme.stage, acme.deal_type) == (
        "006A01",
        "Acme Corp",
        60000.0,
        "commit",
        "new_business",
    )
    assert acme.values["success_criteria"] == "TBD"
    stark = next(d for d in deals if d.name == "Stark Industries")
    assert stark.deal_type == "expansion"


def test_salesforce_report_columns(example_model, tmp_path):
    path = tmp_path / "export.csv"
    path.write_text(
        "Id,Name,Amount,StageName,Type,Handoff_Partner_Sourced__c,Handoff_Business_Goals__c,CreatedDate,CloseDate\n"
        '006X,Foo,"$30,000",Closed Won,Existing Customer - Upgrade,'
        "1,Grow,2026-01-01T10:00:00Z,2026-01-11\n"
    )
    (deal,) = read_deals(path, example_model)
    assert deal.acv == 30000 and deal.stage == "closed_won" and deal.deal_type == "expansion"
    assert deal.values == {"partner_sourced": True, "business_goals": "Grow"}
    assert deal.sales_cycle_days == 10


def test_hubspot_search_json(example_model, tmp_path):
    path = tmp_path / "deals.json"
    path.write_text(
        json.dumps(
            {
                "results": [
                    {
                        "id": "901",
                        "properties": {
                            "dealname": "Bar",
                            "amount": "120000",
                            "dealstage": "closedwon",
                            "handoff_risk_flags": "None known",
                        },
                    }
                ]
            }
        )
    )
    (deal,) = read_deals(path, example_model)
    assert (deal.id, deal.acv, deal.stage) == ("901", 120000.0, "closed_won")
    assert deal.values == {"risk_flags": "None known"}


def test_json_lines(example_model, tmp_path):
    path = tmp_path / "deals.jsonl"
    path.write_text('{"id": "1", "amount": 5}\n\n{"id": "2", "amount": 7}\n')
    assert [d.acv for d in read_deals(path, example_model)] == [5, 7]


@pytest.mark.parametrize(
    "name,content,message",
    [
        (
            "bad.csv",
            "id,name,stage,close_date,amount\n1,A,Commit,2026-01-01,lots\n",
            "bad.csv:2: column 'amount': 'lots' is not a number",
        ),
        (
            "bad.csv",
            "id,name,stage,close_date,partner_sourced\n1,A,Commit,2026-01-01,maybe\n",
            "'maybe' is not true or false",
        ),
        ("bad.json", '{"deals": [1, 2]}', "record 1 is not an object"),
        ("bad.json", '{"deals": [', "invalid JSON"),
        ("bad.txt", "x", "expected a .csv, .parquet, .json or .jsonl file"),
        ("empty.csv", "", "the file is empty"),
    ],
)
def test_bad_deal_files(example_model, tmp_path, name, content, message):
    path = tmp_path / name
    path.write_text(content)
    with pytest.raises(InputError, match=None) as exc:
        list(read_deals(path, example_model))
    assert message in str(exc.value)


def test_non_utf8_csv(example_model, tmp_path):
    path = tmp_path / "latin.csv"
    path.write_bytes("id,name\n1,M\u00fcller\n".encode("latin-1"))
    with pytest.raises(InputError, match="not UTF-8"):
        list(read_deals(path, example_model))


def test_written_outputs_get_ordinary_permissions(tmp_path):
    import os
    import stat

    from handrail.generators.output.files import atomic_text, write_tree

    mask = os.umask(0o022)
    try:
        with atomic_text(tmp_path / "report.txt") as handle:
            handle.write("x")
        write_tree(tmp_path / "out", {"a/b.txt": b"y"})
    finally:
        os.umask(mask)
    assert stat.S_IMODE((tmp_path / "report.txt").stat().st_mode) == 0o644
    assert stat.S_IMODE((tmp_path / "out").stat().st_mode) == 0o755
