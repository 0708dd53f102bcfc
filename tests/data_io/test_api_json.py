"""Deals saved from the CRMs' APIs as JSON (generators.data.api_records).

Salesforce's REST query response
(https://developer.salesforce.com/docs/platform/api-rest/guide/dome-query.html): `{"totalSize", "done",
"records": [...]}`, each record with an `attributes` object and a parent's fields as a nested object;
`sf data query --json` wraps it in `{"status": 0, "result": {...}}`. A page with `"done": false` is not
the whole query.
"""

from __future__ import annotations

import json

import pytest

from handrail.generators.data.reader import read_deals
from handrail.specs.diagnostics import InputError


def record(ident: str, name: str, owner: str | None, amount: float, stage: str = "Closed Won") -> dict:
    return {
        "attributes": {"type": "Opportunity", "url": f"/services/data/v63.0/sobjects/Opportunity/{ident}"},
        "Id": ident,
        "Name": name,
        "StageName": stage,
        "CloseDate": "2026-01-15",
        "CreatedDate": "2025-10-01T09:00:00.000+0000",
        "Amount": amount,
        "Type": "New Customer",
        "Owner": None if owner is None else {"attributes": {"type": "User", "url": "/u"}, "Name": owner},
    }


QUERY = {
    "totalSize": 2,
    "done": True,
    "records": [record("006A", "Acme", "Jane Roe", 150000), record("006B", "Beta", None, 9000, "Commit")],
}


@pytest.mark.parametrize("shape", ["rest", "sf cli"])
def test_a_salesforce_query_result_reads_its_records_and_their_parents_fields(example_model, tmp_path, shape):
    path = tmp_path / "deals.json"
    document = QUERY if shape == "rest" else {"status": 0, "result": QUERY, "warnings": []}
    path.write_text(json.dumps(document), encoding="utf-8")
    acme, beta = read_deals(path, example_model, warn=lambda m: None)
    assert (acme.id, acme.name, acme.owner, acme.acv, acme.stage) == (
        "006A",
        "Acme",
        "Jane Roe",
        150000.0,
        "closed_won",
    )
    assert (beta.id, beta.owner, beta.stage) == ("006B", "", "commit")  # no owner, as in a CSV
    assert acme.sales_cycle_days == 106


def test_score_reads_sf_data_query_json(run_cli, tmp_path, example_spec):
    path = tmp_path / "deals.json"
    path.write_text(json.dumps({"status": 0, "result": QUERY}), encoding="utf-8")
    code, out, err = run_cli("score", str(path), "--spec", str(example_spec), "--format", "json")
    assert code == 0, err
    assert [d["name"] for d in json.loads(out)["deals"]] == ["Acme", "Beta"]


def test_one_page_of_a_query_is_refused(run_cli, tmp_path, example_spec, example_model):
    page = {**QUERY, "done": False, "nextRecordsUrl": "/services/data/v63.0/query/01gD0000002HU6KIAW-2000"}
    path = tmp_path / "page.json"
    path.write_text(json.dumps(page), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        list(read_deals(path, example_model))
    more = "more at /services/data/v63.0/query/01gD0000002HU6KIAW-2000"
    assert f"one page of a Salesforce query (done: false, {more})" in str(caught.value)
    code, out, err = run_cli("score", str(path), "--spec", str(example_spec))
    assert (code, out) == (3, "") and "save every page" in err


def test_a_document_of_no_known_shape_names_the_shapes(example_model, tmp_path):
    path = tmp_path / "deals.json"
    path.write_text(json.dumps({"opportunities": []}), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        list(read_deals(path, example_model))
    assert '{"results": [...]} or {"records": [...]}' in str(caught.value)


@pytest.mark.parametrize(
    "name, text, message",
    [
        ("deep.json", "[" * 100_000 + "]" * 100_000, "deep.json: invalid JSON: nested too deeply"),
        (
            "long.json",
            '[{"Id": "1", "Amount": ' + "9" * 5_000 + "}]",
            "long.json: invalid JSON: Exceeds the limit",
        ),
        (
            "huge.json",
            '[{"Id": "1", "Name": "A", "Amount": 1' + "0" * 400 + "}]",
            "'Amount': a 401-digit number is",
        ),
        (
            "lines.jsonl",
            '{"Id": "1", "Name": "A"}\n{"Id": "2",\n',
            "lines.jsonl:2:1: invalid JSON: Expecting",
        ),
    ],
)
def test_json_a_parser_cannot_take_stops_with_its_place(run_cli, tmp_path, example_spec, name, text, message):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    for args in (["score", str(path)], ["audit", "--from", str(path)]):
        code, out, err = run_cli(*args, "--spec", str(example_spec))
        assert (code, out) == (3, ""), err
        assert message in err and "internal error" not in err
