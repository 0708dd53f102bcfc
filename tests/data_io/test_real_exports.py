"""Real exports read as they come: Salesforce report and HubSpot deal export headers, locale dates,
required columns named when absent, one warning for optional columns segments need, a column map.

Header spellings: Salesforce opportunity fields as labelled in Salesforce Help "Opportunity Fields"
(https://help.salesforce.com/s/articleView?id=sales.opp_fields.htm) - Opportunity Name, Account Name,
Amount, Close Date, Stage, Type, Lead Source, Opportunity Owner; report exports quote every value and end
with one-cell footer lines
(http://frombelvideres4thfloor.blogspot.com/2010/08/salesforce-csv-format-for-report.html).
HubSpot deal exports use property labels (Deal Name, Deal Stage, Close Date, Create Date, Deal owner,
Amount, Deal Type, Pipeline) with Record ID first. Dates: MM/DD/YYYY in US locales, DD/MM/YYYY elsewhere;
01/03/2024 is ambiguous (https://xappex.com/blog/salesforce-data-loader-date-format).
"""

from __future__ import annotations

import json
from datetime import date

import pytest
from helpers import audit_on_both_engines

from handrail.generators.data.columns import load_column_map
from handrail.generators.data.reader import read_deals
from handrail.specs.diagnostics import InputError

SALESFORCE_REPORT = (
    '"Opportunity Owner","Account Name","Opportunity Name","Type","Lead Source","Amount",'
    '"Close Date","Created Date","Stage","Opportunity ID","Handoff Partner Sourced"\n'
    '"Jordan Lee","Acme Corp","Acme Corp - Platform","New Customer","Partner","60,000.00",'
    '"12/31/2026","11/15/2026","Closed Won","0065g00000Abc12AAB","1"\n'
    '"Riley Chen","Globex","Globex - Upsell","Existing Customer - '
    'Upgrade","Web","$250,000.00","12/15/2026","10/01/2026","Negotiation/Review","0065g00000Abc13AAB","0"\n'
    '""\n'
    '"Confidential Information - Do Not Distribute"\n'
    '"Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved."\n'
)
HUBSPOT_EXPORT = (
    "Record ID,Deal Name,Deal Stage,Close Date,Create Date,Deal owner,Amount,Deal "
    "Type,Pipeline\n9012345601,Initech renewal,Closed Won,2026-12-31 10:00,2026-12-01 "
    "09:30,Sam Roe,12000,New Business,Sales Pipeline\n"
    "9012345602,Umbrella expansion,Closed Won,2026-11-20 16:45,2026-09-01 08:00,Sam Roe,140000,"
    "Existing Business,Sales Pipeline\n"
)


def write(tmp_path, text, name="export.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_salesforce_report_export(example_model, tmp_path):
    warnings = []
    acme, globex = read_deals(
        write(tmp_path, SALESFORCE_REPORT),
        example_model,
        process_fields=True,
        date_format="%m/%d/%Y",
        warn=warnings.append,
    )  # 10/01/2026 reads both ways
    assert (acme.id, acme.name, acme.owner, acme.acv, acme.stage) == (
        "0065g00000Abc12AAB",
        "Acme Corp - Platform",
        "Jordan Lee",
        60000.0,
        "closed_won",
    )
    assert acme.extra["close_date"] == date(2026, 12, 31) and acme.sales_cycle_days == 46
    assert acme.values["partner_sourced"] is True
    assert (globex.deal_type, globex.stage, globex.acv) == ("expansion", "negotiation", 250000.0)
    assert warnings == []


def test_hubspot_deal_export(example_model, tmp_path):
    initech, umbrella = read_deals(
        write(tmp_path, HUBSPOT_EXPORT), example_model, process_fields=True, warn=lambda m: None
    )
    assert (initech.id, initech.name, initech.owner, initech.stage) == (
        "9012345601",
        "Initech renewal",
        "Sam Roe",
        "closed_won",
    )
    assert initech.extra["close_date"] == date(2026, 12, 31) and initech.sales_cycle_days == 30


def test_unmatched_headers_stop_with_what_was_found(run_cli, tmp_path, example_spec):
    export = write(tmp_path, "Opportunity Name,Amt,Stage Name\nAcme,5000,Closed Won\n")
    code, out, err = run_cli("score", str(export), "--spec", str(example_spec))
    assert (code, out) == (3, "")
    assert "no column for the close date" in err
    assert "columns found: Opportunity Name, Amt, Stage Name" in err and "--columns" in err


def test_missing_optional_columns_warn_once(run_cli, tmp_path, example_spec):
    export = write(
        tmp_path,
        "Deal Name,Deal Stage,Close Date,Amount\nA,Closed Won,2026-01-05,5000\n"
        "B,Closed Won,2026-01-06,7000\n",
    )
    code, out, err = run_cli("score", str(export), "--spec", str(example_spec))
    assert code == 0, err
    lines = [line for line in err.splitlines() if line.startswith("warning:")]
    assert len(lines) == 1
    assert "every sales cycle counts as 0 days (segments smb_rapid_close" in lines[0]
    assert "every deal counts as new business" in lines[0] and "partner-sourced" in lines[0]


def test_ambiguous_dates_need_the_flag(example_model, tmp_path):
    path = write(tmp_path, "Deal Name,Stage,Close Date\nA,Closed Won,12/31/2026\nB,Closed Won,03/04/2026\n")
    with pytest.raises(InputError) as exc:
        list(read_deals(path, example_model, process_fields=True, warn=lambda m: None))
    assert f"{path}:3: column 'Close Date': '03/04/2026' could be" in str(exc.value)
    assert "--date-format %m/%d/%Y" in str(exc.value)
    a, b = read_deals(path, example_model, process_fields=True, date_format="%m/%d/%Y", warn=lambda m: None)
    assert (a.extra["close_date"], b.extra["close_date"]) == (date(2026, 12, 31), date(2026, 3, 4))


def test_column_map(example_model, tmp_path):
    mapping = write(
        tmp_path,
        '"Opp": name\n"Phase": stage\n"Booked": close_date\n"Amt": amount\n'
        '"Goals (free text)": business_goals\n',
        "map.yaml",
    )
    path = write(tmp_path, "Opp,Phase,Booked,Amt,Goals (free text)\nAcme,Closed Won,2026-01-05,5000,Grow\n")
    (deal,) = read_deals(
        path, example_model, columns=load_column_map(mapping, example_model), warn=lambda m: None
    )
    assert (deal.name, deal.stage, deal.acv, deal.values["business_goals"]) == (
        "Acme",
        "closed_won",
        5000.0,
        "Grow",
    )


@pytest.mark.parametrize(
    "text,message",
    [
        ('"Opp": nmae\n', "map.yaml:1:8: 'Opp': 'nmae' is neither a role nor a field"),
        ("- name\n", "map.yaml:1:1: a column map is a mapping"),
        ('"A": name\n"B": name\n', "map.yaml:2:6: 'B': 'name' already has a column"),
        ('"A": [name]\n', "map.yaml:1:6: 'A': the target must be one role or field key"),
        (
            "a: " + "[" * 5_000,
            "map.yaml:1:1003: invalid YAML: exceeded maximum nesting depth",
        ),  # no RecursionError
        ('"A": name\n---\n"B": stage\n', "map.yaml:3:1: a column map is one YAML document"),
    ],
)
def test_bad_column_maps_are_located(example_model, tmp_path, text, message):
    with pytest.raises(InputError) as exc:
        load_column_map(write(tmp_path, text, "map.yaml"), example_model)
    assert message in str(exc.value)


@pytest.mark.parametrize(
    "command",
    [
        ["score", "{export}"],
        ["audit", "--from", "{export}", "--as-of", "2026-04-30"],
        ["brief", "Acme", "--from", "{export}"],
    ],
)
def test_columns_and_date_format_on_every_command(run_cli, tmp_path, example_spec, command):
    mapping = write(tmp_path, '"Opp": name\n"Phase": stage\n"Booked": close_date\n', "map.yaml")
    export = write(
        tmp_path, "Opp,Phase,Booked,Created Date,Amount\nAcme,Closed Won,03/04/2026,2026-01-02,5000\n"
    )
    args = [a.format(export=export) for a in command] + [
        "--spec",
        str(example_spec),
        "--columns",
        str(mapping),
    ]
    code, _, err = run_cli(*args)
    assert code == 3 and "'03/04/2026' could be" in err and "Traceback" not in err
    code, out, err = run_cli(*args, "--date-format", "%m/%d/%Y")
    assert code == 0, err
    bad = write(tmp_path, '"Opp": nmae\n', "bad.yaml")
    code, _, err = run_cli(*[a if a != str(mapping) else str(bad) for a in args])
    assert code == 3 and "bad.yaml:1:8:" in err


@pytest.mark.parametrize(
    "name, content",
    [
        ("deals.json", '[{"Opportunity Nm": "Acme", "Amt": 5, "Stg": "won"}]'),
        ("deals.jsonl", '{"Opportunity Nm": "Acme", "Amt": 5}\n'),
    ],
)
def test_json_records_that_name_no_deal_stop_with_what_was_found(
    run_cli, tmp_path, example_spec, name, content
):
    deals = tmp_path / name
    deals.write_text(content)
    code, out, err = run_cli("score", str(deals), "--spec", str(example_spec))
    assert code == 3 and out == ""
    assert (
        f"{deals}: record 1: no column for the deal name" in err
        and "columns found: Opportunity Nm, Amt" in err
    )


def test_json_records_may_leave_out_null_values(example_model, tmp_path):
    deals = tmp_path / "deals.jsonl"
    deals.write_text(
        '{"id": "1", "dealname": "Acme", "amount": 5}\n{"id": "2", "amount": 7, "closedate": null}\n'
    )
    assert [d.acv for d in read_deals(deals, example_model, warn=lambda line: None)] == [5, 7]


# Excel saves "CSV" with the system's list separator: a semicolon wherever the decimal separator is a comma
# (Peter Hilton, "CSV isn't broken - Excel is broken", https://hilton.org.uk/blog/csv-excel).
EXCEL_GERMANY = (
    "Opportunity Name;Stage;Close Date;Created Date;Amount;Type\n"
    "Acme;Closed Won;31.12.2026;13.08.2026;150000;New Customer\n"
    '"Beta; Inc";Closed Won;15.12.2026;14.10.2026;9000;Renewal\n'
)


@pytest.mark.parametrize("separator", [";", "\t"])
def test_semicolon_and_tab_separated_exports_read_alike_on_both_engines(
    run_cli, tmp_path, example_spec, separator
):
    text = (
        EXCEL_GERMANY
        if separator == ";"
        else EXCEL_GERMANY.replace(";", "\t").replace('"Beta\t Inc"', "Beta; Inc")
    )
    export = write(tmp_path, text)
    scored = {}
    for engine in ("auto", "python"):
        code, out, err = run_cli(
            "score", str(export), "--spec", str(example_spec), "--format", "json", "--engine", engine
        )
        assert code == 0, err
        scored[engine] = out
    assert scored["auto"] == scored["python"]
    acme, beta = json.loads(scored["python"])["deals"]
    assert (acme["name"], acme["segment"]) == ("Acme", "enterprise")
    assert (beta["name"], beta["segment"]) == ("Beta; Inc", "smb_renewal")


def test_a_column_named_twice_stops_unless_it_goes_unread(run_cli, tmp_path, example_spec):
    """A CSV reader keeps one of two same-named columns without a word; Handrail names both places."""
    export = write(
        tmp_path, "Deal Name,Stage,Close Date,Amount,Notes,amount\nA,Closed Won,2026-01-05,5000,x,7\n"
    )
    code, out, err = run_cli("score", str(export), "--spec", str(example_spec))
    assert (code, out) == (3, "")
    assert f"{export}: column 'Amount' appears 2 times (columns 4 and 6): keep one of them" in err
    unread = write(
        tmp_path, "Deal Name,Stage,Close Date,Amount,Notes,Notes\nA,Closed Won,2026-01-05,5000,x,y\n"
    )
    code, out, err = run_cli("score", str(unread), "--spec", str(example_spec))
    assert code == 0, err


def test_an_ambiguous_dotted_date_suggests_formats_with_dots(example_model, tmp_path):
    path = write(tmp_path, "Deal Name;Stage;Close Date\nA;Closed Won;03.04.2026\n")
    with pytest.raises(InputError) as exc:
        list(read_deals(path, example_model, process_fields=True, warn=lambda m: None))
    assert "--date-format %m.%d.%Y (month first, as in US exports) or --date-format %d.%m.%Y" in str(
        exc.value
    )
    (deal,) = read_deals(
        path, example_model, process_fields=True, date_format="%d.%m.%Y", warn=lambda m: None
    )
    assert deal.extra["close_date"] == date(2026, 4, 3)


@pytest.mark.parametrize("command", ["score", "audit"])
@pytest.mark.parametrize("engine", ["auto", "python"])
def test_a_quote_never_closed_stops_at_its_row_on_both_engines(
    run_cli, tmp_path, example_spec, command, engine
):
    """Read leniently, the rest of the file would become one cell (Python's csv) or vanish (DuckDB's
    reader on one thread): the deals after a stray quote were lost without a word."""
    export = write(
        tmp_path,
        "Deal Name,Stage,Close Date,Amount\nA,Closed Won,2026-01-05,5000\n"
        '"B,Closed Won,2026-01-06,7000\nC,Closed Won,2026-01-07,9000\n',
    )
    args = ["score", str(export)] if command == "score" else ["audit", "--from", str(export)]
    code, out, err = run_cli(*args, "--spec", str(example_spec), "--engine", engine)
    assert (code, out) == (3, "")
    assert f"{export}:3: malformed CSV (unexpected end of data): a cell that starts with a quote" in err


def test_gate_flag_counts_are_numbers_even_for_one_deal(run_cli, tmp_path, example_spec):
    export = write(tmp_path, "Deal Name,Stage,Close Date,Amount\nA,Closed Won,2026-01-05,5000\n")
    reports = audit_on_both_engines(run_cli, export, example_spec)
    assert reports[0] == reports[1]
    flags = reports[1]["closed_won"]["gate_flags"]
    assert flags == {"bypassed": 0, "monitor": 0} and all(type(n) is int for n in flags.values())
