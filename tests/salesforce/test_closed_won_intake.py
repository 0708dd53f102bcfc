"""Closed Won sets the CS intake status to Pending in Salesforce as in HubSpot, and the Apex test class
asserts it, with the save under test between Test.startTest() and Test.stopTest().

Test.stopTest() makes the asynchronous work started after Test.startTest() finish before the test goes
on, and startTest() gives that code its own governor limits (Apex Developer Guide, "Using the startTest
and stopTest Methods"): the assertions that follow see what the flows did on that save.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from decimal import Decimal

import pytest
from helpers import EXAMPLE_SPEC, ROOT
from salesforce.flow_interpreter import Flow, Run

from handrail.specs.validate import load_spec
from handrail.targets.hubspot.flows import closed_won_flow as hubspot_closed_won_flow
from handrail.targets.salesforce.apex_test import ApexTestWriter
from handrail.targets.salesforce.score_flow import closed_won_stage, score_flow
from handrail.targets.salesforce.xml import metadata_xml

SPECS = [EXAMPLE_SPEC] + sorted((ROOT / "tests" / "specs").glob("*.yaml"))


def before_save(model, stage: str, prior_stage: str | None, **fields) -> dict:
    flow = Flow.parse(metadata_xml("Flow", score_flow(model, "Active", "63.0")[0]))
    record = {
        f.salesforce_name: (False if f.type == "checkbox" else None) for f in model.fields + model.computed
    }
    record.update(
        {
            "Amount": Decimal(50000),
            "CloseDate": dt.date(2026, 4, 1),
            "CreatedDate": None,
            "Type": None,
            "StageName": stage,
            **fields,
        }
    )
    prior = None if prior_stage is None else dict(record, StageName=prior_stage)
    return Run(flow, record, prior=prior).run().record


@pytest.mark.parametrize("spec", SPECS, ids=lambda p: p.stem)
def test_reaching_closed_won_sets_intake_pending(spec):
    model = load_spec(spec).model
    won = closed_won_stage(model)
    intake = model.computed_field("intake_status").salesforce_name
    earlier = next(
        s.salesforce for s in model.stages if s.salesforce and not s.closed_won and not s.closed_lost
    )
    assert before_save(model, won.salesforce, earlier)[intake] == "Pending"
    assert before_save(model, won.salesforce, None)[intake] == "Pending"  # created won
    # a later save of a won deal keeps what CS decided
    assert before_save(model, won.salesforce, won.salesforce, **{intake: "Accepted"})[intake] == "Accepted"
    assert before_save(model, earlier, None)[intake] is None


def test_hubspot_sets_the_same_status_on_the_same_event(example_model):
    body = json.dumps(hubspot_closed_won_flow(example_model).body)
    assert re.search(
        r'"%s".{0,200}"staticValue": "Pending"' % example_model.computed_field("intake_status").hubspot_name,
        body,
    )


def methods(source: str) -> dict[str, list[str]]:
    out, name = {}, None
    for line in source.splitlines():
        found = re.search(r"static void (\w+)\(\)", line)
        if found:
            name = found.group(1)
            out[name] = []
        elif name:
            out[name].append(line.strip())
    return out


@pytest.mark.parametrize("spec", SPECS, ids=lambda p: p.stem)
def test_each_method_times_the_save_it_checks(spec):
    model = load_spec(spec).model
    model = dataclasses.replace(model, automation=dataclasses.replace(model.automation, flow_status="active"))
    found = methods(ApexTestWriter(model, "T", []).source())
    assert found
    for name, lines in found.items():
        assert lines.count("Test.startTest();") == 1 and lines.count("Test.stopTest();") == 1, name
        start, stop = lines.index("Test.startTest();"), lines.index("Test.stopTest();")
        assert stop == start + 2 and re.fullmatch(r"(insert|update) (deals?|task);", lines[start + 1]), name
        if name.startswith(("closesWon", "entersStage")):
            assert lines[start - 1].startswith("deal.StageName = "), name  # the stage change is what is timed
            assert not any("assert" in line for line in lines[:start]), name
        assert any("assert" in line for line in lines[stop:]), name


def test_the_closed_won_tests_expect_intake_pending(example_model):
    source = ApexTestWriter(example_model, "T", []).source()
    intake = example_model.computed_field("intake_status").salesforce_name
    won = {n: lines for n, lines in methods(source).items() if n.startswith("closesWon")}
    assert won and all(
        f"System.assertEquals('Pending', saved.{intake}, 'intake status');" in lines for lines in won.values()
    )
    assert f", {intake}" in source  # reload() selects it
