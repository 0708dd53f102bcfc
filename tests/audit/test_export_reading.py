"""Process data (close dates, SLA timestamps, ratings, the stored score) read from exports for audits and
briefs."""

from __future__ import annotations

import json
from datetime import date, datetime, timezone

import pytest

from handrail.generators.data.reader import read_deals
from handrail.specs.diagnostics import InputError


def one(path, model):
    (deal,) = read_deals(path, model, process_fields=True)
    return deal


def test_salesforce_report_columns(example_model, tmp_path):
    path = tmp_path / "sf.csv"
    path.write_text(
        "Id,Name,StageName,Amount,CloseDate,CreatedDate,Handoff_Closed_Won_At__c,Handoff_First_Touch_At__c,"
        "Handoff_Score__c,Handoff_Csm_Rating__c,Handoff_Intake_Status__c,Handoff_Tier__c\n"
        "006X,Foo,Closed Won,50000,2026-01-12,2025-11-01T08:00:00.000+0000,2026-01-12T10:00:00.000+0000,"
        "2026-01-13T07:30:00.000+0100,73.5,4,Returned to Sales,Gaps\n"
    )
    deal = one(path, example_model)
    assert deal.extra == {
        "close_date": date(2026, 1, 12),
        "created_date": date(2025, 11, 1),
        "closed_won_at": datetime(2026, 1, 12, 10, tzinfo=timezone.utc),
        "first_touch_at": datetime(2026, 1, 13, 6, 30, tzinfo=timezone.utc),  # converted to UTC
        "score": 73.5,
        "csm_rating": 4,
        "intake_status": "Returned to Sales",
        "tier": "Gaps",
    }


def test_hubspot_json_with_epoch_milliseconds(example_model, tmp_path):
    path = tmp_path / "hs.json"
    path.write_text(
        json.dumps(
            {
                "results": [
                    {
                        "id": "9",
                        "properties": {
                            "dealname": "Bar",
                            "dealstage": "closedwon",
                            "closedate": "2026-02-03T15:04:05Z",
                            "handoff_closed_won_at": "1770131045000",
                            "handoff_kickoff_at": "2026-02-09",
                            "handoff_score": 61,
                            "handoff_csm_rating": "5.0",
                        },
                    }
                ]
            }
        )
    )
    deal = one(path, example_model)
    assert deal.extra["close_date"] == date(2026, 2, 3)
    assert deal.extra["closed_won_at"] == datetime(2026, 2, 3, 15, 4, 5, tzinfo=timezone.utc)
    # a date alone is midnight UTC
    assert deal.extra["kickoff_at"] == datetime(2026, 2, 9, tzinfo=timezone.utc)
    assert (deal.extra["score"], deal.extra["csm_rating"]) == (61.0, 5)


def test_label_columns_and_blank_cells(example_model, tmp_path):
    path = tmp_path / "labels.csv"
    path.write_text(
        "id,Deal Name,stage,Close Date,Closed Won At,CSM Handoff Rating,CS Intake Status,Handoff "
        "Score\n1,A,Closed Won,,,,,\n2,B,Closed Won,2026-03-01,2026-03-01 09:00,2,Accepted,88\n"
    )
    first, second = read_deals(path, example_model, process_fields=True)
    assert first.extra == {}
    assert second.extra == {
        "close_date": date(2026, 3, 1),
        "closed_won_at": datetime(2026, 3, 1, 9, tzinfo=timezone.utc),
        "csm_rating": 2,
        "intake_status": "Accepted",
        "score": 88.0,
    }


def test_without_process_fields_nothing_is_parsed(example_model, tmp_path):
    path = tmp_path / "plain.csv"
    path.write_text(
        "id,name,stage,close_date,Closed Won At,Handoff Score\n1,A,Closed Won,2026-01-01,not a date,high\n"
    )
    (deal,) = read_deals(path, example_model)
    assert deal.extra == {}


@pytest.mark.parametrize(
    "header,good,bad,message",
    [
        (
            "Closed Won At",
            "2026-01-01",
            "12/01/2026",
            "column 'Closed Won At': '12/01/2026' could be 1 December or 12 January 2026; pass --date-format "
            "%m/%d/%Y (month first, as in US exports) or --date-format %d/%m/%Y",
        ),
        ("Closed Won At", "2026-01-01", "soon", "column 'Closed Won At': 'soon' is not a date; use ISO 8601"),
        (
            "CloseDate",
            "2026-01-01",
            "Jan 5",
            "column 'CloseDate': 'Jan 5' is not a date; use ISO 8601 such as 2026-01-31",
        ),
        ("Handoff_Score__c", "80", "high", "column 'Handoff_Score__c': 'high' is not a number"),
        ("CSM Handoff Rating", "1", "7", "column 'CSM Handoff Rating': '7' is not a rating from 1 to 5"),
        ("CSM Handoff Rating", "5", "3.5", "'3.5' is not a rating from 1 to 5"),
        ("CSM Handoff Rating", "2", "good", "'good' is not a rating from 1 to 5"),
    ],
)
def test_bad_values_name_the_row_and_column(example_model, tmp_path, header, good, bad, message):
    path = tmp_path / "bad.csv"
    if header == "CloseDate":
        path.write_text(f"id,name,stage,{header}\n1,A,Closed Won,{good}\n2,B,Closed Won,{bad}\n")
    else:
        path.write_text(
            f"id,name,stage,close_date,{header}\n1,A,Closed Won,2026-01-01,{good}\n"
            f"2,B,Closed Won,2026-01-01,{bad}\n"
        )
    with pytest.raises(InputError) as exc:
        list(read_deals(path, example_model, process_fields=True))
    assert str(exc.value).startswith(f"{path}:3: ")
    assert message in str(exc.value)
