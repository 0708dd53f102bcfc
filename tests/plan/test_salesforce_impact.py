"""`handrail plan` against the fake org says what its changes do: the open deals a raised gate would stop
(an aggregate SOQL query with the gate's rule tree as its WHERE clause), the records a narrowed field no
longer fits, and what else in the org references a changed field (Tooling API MetadataComponentDependency,
https://developer.salesforce.com/docs/platform/api-tooling/references/tooling-objects/tooling-metadatacomponentdependency.html).
"""

from __future__ import annotations

import json
import random
from collections import Counter

import pytest
from fakes.salesforce_rest import field_id
from plan.live import SALESFORCE_ENV, args, edit, live_spec

from handrail.generators.rules.gates import applicable_gates, gate_failure_reasons
from handrail.generators.rules.scoring import Deal, HandoffScore
from handrail.specs.validate import load_spec

OWNERS = ["Ana Ortiz", "Ben Okafor", "Chen Li", "Dana Weiss"]


@pytest.fixture
def spec(tmp_path):
    return live_spec(tmp_path, SALESFORCE_ENV)


def seed(org, model, n: int = 120, seed: int = 5) -> list[dict]:
    """Open and closed deals across stages, segments (some not yet resolved), scores and owners."""
    rng = random.Random(seed)
    users = {name: org.add_record("User", Name=name) for name in OWNERS}
    segment, score = (model.computed_field(k).salesforce_name for k in ("segment", "score"))
    rows = []
    for i in range(n):
        stage = rng.choice(model.stages)
        rows.append(
            {
                "Id": f"006{i:012d}AAA",
                "Name": f"Deal {i}",
                "OwnerId": users[rng.choice(OWNERS)],
                "StageName": stage.salesforce,
                segment: rng.choice([s.key for s in model.segments] + [None]),
                score: rng.choice([None, 40.0, 70.0, 84.9, 85.0, 89.9, 90.0, 97.5]),
            }
        )
    org.add_records("Opportunity", rows)
    return rows


def hand_count(model, rows, gate_key: str) -> tuple[int, Counter, Counter]:
    """The open deals the gate stops, by the Python engine: applicable at the gate's stage, failing it."""
    gate = next(g for g in model.gates if g.key == gate_key)
    segment, score = (model.computed_field(k).salesforce_name for k in ("segment", "score"))
    stopped = []
    for r in rows:
        stage = next(s for s in model.stages if s.salesforce == r["StageName"])
        if (
            stage.closed_won
            or stage.closed_lost
            or gate not in applicable_gates(model, gate.stage, r[segment])
        ):
            continue
        result = HandoffScore(r["Id"], r[segment], r[score], None, 0, 0, 0, (), ())
        if gate_failure_reasons(model, gate, Deal(r["Id"], {}, stage=stage.key), result):
            stopped.append((stage.label, r["OwnerId"]))
    return len(stopped), Counter(s for s, _ in stopped), Counter(o for _, o in stopped)


def test_raising_a_gate_shows_the_open_deals_it_would_stop(org, spec, run_cli):
    assert run_cli(*args(spec, "apply"))[0] == 0
    model = load_spec(spec).model
    rows = seed(org.org, model)
    edit(spec, "require: {min_tier: ready}", "require: {min_score: 90}")
    total, stages, owner_ids = hand_count(load_spec(spec).model, rows, "enterprise_ready")
    users = {u["Id"]: u["Name"] for u in org.org.records["User"].values()}
    owners = {users[i]: n for i, n in owner_ids.items()}
    assert 10 < total < len(rows)

    org.clear_log()
    code, out, err = run_cli(*args(spec, "plan", "--json"))
    assert code == 0, err
    change = next(c for c in json.loads(out)["changes"] if c["kind"] == "ValidationRule")
    note = next(n for n in change["notes"] if n["kind"] == "impact")
    assert note["open_deals"] == total
    assert note["by_owner"] == owners and note["by_stage"] == dict(stages)
    assert all(k.startswith("Enterprise") or k == "no segment yet" for k in note["by_segment"])
    queries = [c.query for c in org.calls("query") if "COUNT(Id)" in (c.query or "")]
    assert len(queries) == 1 and "GROUP BY StageName" in queries[0]
    assert "Handoff_Score__c < 90" in queries[0]

    code, out, _ = run_cli(*args(spec, "plan"))
    top = max(owners.items(), key=lambda kv: kv[1])
    line = next(x for x in out.splitlines() if "> impact:" in x)
    assert f"raises gate 'enterprise_ready' 85 → 90: {total} open deals would be stopped" in line
    assert "moving into Closed Won or later" in line and f"{top[0]} ({top[1]})" in line

    code, out, _ = run_cli(*args(spec, "plan", "--format", "markdown"))
    assert f"**impact:** raises gate 'enterprise_ready' 85 → 90: {total} open deals" in out


def test_no_impact_makes_no_deal_queries(org, spec, run_cli):
    assert run_cli(*args(spec, "apply"))[0] == 0
    seed(org.org, load_spec(spec).model)
    edit(spec, "require: {min_tier: ready}", "require: {min_score: 90}")
    org.clear_log()
    code, out, _ = run_cli(*args(spec, "plan", "--no-impact"))
    assert code == 0 and "> impact" not in out
    assert not [c for c in org.calls("query") if "Opportunity" in (c.query or "")]
    assert not org.calls("tooling.query")


def test_a_gate_on_text_fields_is_counted_by_the_python_engine(org, spec, run_cli):
    """SOQL cannot trim text nor filter long text areas: the gate's open deals are read and checked."""
    assert run_cli(*args(spec, "apply"))[0] == 0
    model = load_spec(spec).model
    rows = seed(org.org, model)
    edit(
        spec,
        "require: {min_tier: gaps, segment_required_fields: true}",
        "require: {fields: [business_goals]}",
    )
    goals = model.field("business_goals").salesforce_name
    assert all(goals not in r for r in rows)  # no deal has goals: every open deal is stopped
    code, out, err = run_cli(*args(spec, "plan", "--json"))
    assert code == 0, err
    change = next(c for c in json.loads(out)["changes"] if c["key"].endswith("Closed_Won_Not_Blocked"))
    note = change["notes"][0]
    assert "Python engine" in note["how"]
    closed = {s.salesforce for s in model.stages if s.closed_won or s.closed_lost}
    assert note["open_deals"] == len([r for r in rows if r["StageName"] not in closed]) > 0


def test_a_narrowed_field_lists_the_records_that_would_not_fit_and_its_dependencies(org, spec, run_cli):
    assert run_cli(*args(spec, "apply"))[0] == 0
    model = load_spec(spec).model
    terms = model.field("contract_terms").salesforce_name
    org.org.add_records(
        "Opportunity",
        [
            {"Id": "006000000000001AAA", "Name": "a", "StageName": "Commit", terms: "x" * 41},
            {"Id": "006000000000002AAA", "Name": "b", "StageName": "Commit", terms: "x" * 40},
            {"Id": "006000000000003AAA", "Name": "c", "StageName": "Closed Won", terms: "Net 30, " * 20},
            {"Id": "006000000000004AAA", "Name": "d", "StageName": "Commit", terms: None},
        ],
    )
    ref = field_id(org.org, f"Opportunity.{terms}")
    org.org.dependencies = [
        {
            "MetadataComponentName": "BillingSync",
            "MetadataComponentType": "ApexClass",
            "RefMetadataComponentId": ref,
        },
        {
            "MetadataComponentName": "Handoff_Score_Before_Save",
            "MetadataComponentType": "Flow",
            "RefMetadataComponentId": ref,
        },  # Handrail's own: the plan changes it with the field
    ]
    edit(spec, "    length: 255\n", "    length: 40\n")
    code, out, err = run_cli(*args(spec, "plan", "--json"))
    assert code == 0, err
    change = next(c for c in json.loads(out)["changes"] if c["key"] == f"Opportunity.{terms}")
    notes = {n["kind"]: n for n in change["notes"]}
    assert notes["narrowing"]["ids"] == ["006000000000001AAA", "006000000000003AAA"]
    assert notes["narrowing"]["why"] == "longer than 40 characters"
    assert notes["dependency"]["used_by"] == ["ApexClass BillingSync"]
    text = run_cli(*args(spec, "plan"))[1]
    assert "> narrowing: 2 records hold values that would not fit (longer than 40 characters)" in text
    assert "> dependency: used by ApexClass BillingSync" in text


def test_an_org_refusing_the_dependency_query_is_said_not_fatal(org, spec, run_cli):
    assert run_cli(*args(spec, "apply"))[0] == 0
    org.org.dependency_api = False
    edit(spec, "    length: 255\n", "    length: 40\n")
    code, out, err = run_cli(*args(spec, "plan"))
    assert code == 0, err
    assert "> dependency: dependencies not known: the org refused the MetadataComponentDependency" in out
    assert "INVALID_TYPE" in out
