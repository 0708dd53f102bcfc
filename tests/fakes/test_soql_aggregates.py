"""The fake's SOQL aggregates answer as the SOQL reference's GROUP BY and COUNT() sections say:
https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_groupby.htm
"""

import pytest

from fakes import soql

ROWS = [
    {"Id": "1", "StageName": "Commit", "OwnerId": "a"},
    {"Id": "2", "StageName": "Commit", "OwnerId": "b"},
    {"Id": "3", "StageName": "Commit", "OwnerId": "a"},
    {"Id": "4", "StageName": "Proposal", "OwnerId": None},
]


def lookup(record, name):
    return record.get(name)


def aggregate(text):
    query = soql.parse(text, lookup)
    return soql.aggregate(query, soql.run(query, ROWS, lookup), lookup)


def test_count_by_group_with_and_without_alias():
    assert aggregate(
        "SELECT StageName, OwnerId, COUNT(Id) n FROM Opportunity GROUP BY StageName, OwnerId"
    ) == [
        {"StageName": "Commit", "OwnerId": "a", "n": 2},
        {"StageName": "Commit", "OwnerId": "b", "n": 1},
        {"StageName": "Proposal", "OwnerId": None, "n": 1},
    ]
    assert aggregate("SELECT COUNT(Id), COUNT(OwnerId) FROM Opportunity WHERE StageName = 'Commit'") == [
        {"expr0": 3, "expr1": 3}
    ]
    assert aggregate("SELECT COUNT(OwnerId) FROM Opportunity WHERE StageName = 'Proposal'") == [{"expr0": 0}]


def test_a_field_neither_grouped_nor_aggregated_is_refused():
    with pytest.raises(soql.SoqlError, match="Field must be grouped or aggregated: OwnerId"):
        soql.parse("SELECT StageName, OwnerId, COUNT(Id) FROM Opportunity GROUP BY StageName", lookup)


def test_count_star_form_still_counts_rows():
    query = soql.parse("SELECT COUNT() FROM Opportunity WHERE OwnerId = 'a'", lookup)
    assert query.count_only and len(soql.run(query, ROWS, lookup)) == 2
