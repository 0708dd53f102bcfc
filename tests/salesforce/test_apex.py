"""The Apex test class: valid Apex (checked with the ANTLR Apex grammar from npm), a path per segment and
tier, and expectations that agree with both the scoring engine and the flow it tests."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import shutil
import subprocess
from decimal import Decimal

import pytest
from helpers import EXAMPLE_SPEC, ROOT
from salesforce.flow_cases import type_value
from salesforce.flow_interpreter import Flow, Run

from handrail.specs.validate import load_spec
from handrail.targets.salesforce import flows
from handrail.targets.salesforce.apex_scenarios import (
    NOW,
    RUNNING_USER,
    TODAY,
    all_fields_complete,
    expected,
    segment_attributes,
    tier_values,
)
from handrail.targets.salesforce.apex_test import apex_class_name, apex_string
from handrail.targets.salesforce.schema import validate_xml
from handrail.targets.salesforce.score_flow import score_flow
from handrail.targets.salesforce.xml import metadata_xml

APEX_TOOLS = ROOT / "tests" / "apex"
SPECS = [EXAMPLE_SPEC] + sorted((ROOT / "tests" / "specs").glob("*.yaml"))


@pytest.fixture(scope="module")
def check_apex():
    """Runs tests/apex/check_apex.cjs; skips only when Node.js itself is missing."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("Node.js is not installed, so the Apex parser (@apexdevtools/apex-parser) cannot run")
    if not (APEX_TOOLS / "node_modules" / "@apexdevtools" / "apex-parser").is_dir():
        pytest.fail("the Apex parser is not installed: run `npm ci --prefix tests/apex` (make test does)")

    def check(*files) -> subprocess.CompletedProcess:
        return subprocess.run(
            [node, str(APEX_TOOLS / "check_apex.cjs"), *map(str, files)],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=APEX_TOOLS,
        )

    return check


def apex_class(model):
    """The class for the spec's flows, deployed active (a draft spec ships none)."""
    active = dataclasses.replace(
        model, automation=dataclasses.replace(model.automation, flow_status="active")
    )
    return next(c for c in flows.components(active, {}) if c.type == "ApexClass")


@pytest.fixture(scope="module")
def example():
    return load_spec(EXAMPLE_SPEC).model


@pytest.mark.parametrize("spec", SPECS, ids=lambda p: p.stem)
def test_the_generated_class_parses_as_apex(spec, check_apex, tmp_path):
    component = apex_class(load_spec(spec).model)
    path = tmp_path / f"{component.name}.cls"
    path.write_bytes(component.content)
    result = check_apex(path)
    assert result.returncode == 0 and result.stdout == "", result.stdout + result.stderr


def test_the_parser_does_reject_broken_apex(check_apex, tmp_path, example):
    source = apex_class(example).content.decode().replace("insert deal;", "insert deal", 1)
    path = tmp_path / "Broken.cls"
    path.write_text(source)
    result = check_apex(path)
    assert result.returncode == 1
    assert re.search(r"Broken\.cls:\d+:\d+: ", result.stdout)


def test_the_meta_file_is_active_and_schema_valid(example):
    component = apex_class(example)
    data = metadata_xml("ApexClass", component.pairs)
    assert validate_xml("Handoff_Flows_Test.cls-meta.xml", data) == []
    assert b"<apiVersion>63.0</apiVersion>" in data and b"<status>Active</status>" in data


def test_a_test_method_for_every_segment_tier_and_automation_path(example):
    source = apex_class(example).content.decode()
    methods = set(re.findall(r"static void (\w+)\(\)", source))
    segments = ["".join(w.title() for w in s.key.split("_")) for s in example.segments]
    assert "EnterpriseChannel" in segments and "MidMarketRenewal" in segments
    assert {f"scores{s}{t}" for s in segments for t in ("Ready", "Gaps", "Blocked")} <= methods
    assert {f"closesWon{s}" for s in segments} <= methods
    assert {
        "resolvesSegmentBoundaries",
        "rescoresOnEverySave",
        "countsTheSalesCycleFromCreation",
        "entersStageNegotiation",
    } <= methods
    assert source.count("@isTest") == len(methods) + 1  # every method, and the class


def _interpreter_value(value):
    return (
        {
            TODAY: dt.date(2026, 3, 4),
            NOW: dt.datetime(2026, 3, 4, 12, tzinfo=dt.timezone.utc),
            RUNNING_USER: "005RUNNING",
        }.get(value, value)
        if isinstance(value, str)
        else value
    )


@pytest.mark.parametrize("spec", SPECS, ids=lambda p: p.stem)
def test_what_the_class_expects_is_what_the_flow_computes(spec):
    """Run each scoring scenario's values through the generated flow: the Apex assertions would hold."""
    model = load_spec(spec).model
    pairs, _ = score_flow(model, "Active", "63.0")
    flow = Flow.parse(metadata_xml("Flow", pairs))
    c = model.computed_field
    checked = 0
    for s in model.segments:
        attrs = segment_attributes(model, s)
        if attrs is None:  # a segment only a deal of another pipeline (record type) reaches
            assert s.pipelines, s.key
            continue
        for tier, values in tier_values(model, s, attrs, all_fields_complete(model)).items():
            record = {
                "Amount": Decimal(str(attrs.acv)),
                "CreatedDate": None,
                "CloseDate": dt.date(2026, 3, 4) + dt.timedelta(days=attrs.cycle_days),
                "Type": type_value(model, attrs.deal_type),
            }
            if model.partner_field:
                record[model.partner_field.salesforce_name] = attrs.partner
            for f in model.fields:
                if f is model.partner_field:
                    continue
                value = _interpreter_value(values.get(f.key))
                record[f.salesforce_name] = (
                    Decimal(str(value))
                    if isinstance(value, (int, float)) and not isinstance(value, bool)
                    else value
                )
                if f.type == "checkbox":
                    record[f.salesforce_name] = bool(value)
            out = Run(flow, record).run().record
            e = expected(model, attrs, values)
            assert e.tier == tier
            assert out[c("segment").salesforce_name] == e.segment == s.key
            assert out[c("score").salesforce_name] == Decimal(repr(e.score)).quantize(Decimal("0.1"))
            assert out[c("completeness").salesforce_name] == Decimal(repr(e.completeness)).quantize(
                Decimal("0.1")
            )
            assert out[c("tier").salesforce_name] == e.tier
            assert (out[c("missing_summary").salesforce_name] or "") == e.summary
            checked += 1
    assert checked >= len(model.segments)


def test_expected_scores_follow_the_spec(example):
    """Change a weight and the class expects the engine's new score: nothing is hard-coded."""

    def gaps_line(model):
        source = apex_class(model).content.decode()
        method = source[source.index("static void scoresMidMarketGaps") :]
        return re.search(r"assertHandoff\(deal\.Id, 'mid_market', ([\d.]+),", method).group(1)

    heavier = tuple(
        dataclasses.replace(f, weight=3) if f.key == "business_goals" else f for f in example.fields
    )
    goals = dataclasses.replace(
        example,
        fields=tuple(
            dataclasses.replace(f, weight=1) if f.key == "business_goals" else f for f in example.fields
        ),
    )
    assert gaps_line(example) != gaps_line(goals)
    assert gaps_line(example) == gaps_line(dataclasses.replace(example, fields=heavier))


def test_strings_are_escaped_for_apex():
    assert apex_string("it's a \\ path\nnext") == "'it\\'s a \\\\ path\\nnext'"


def test_the_class_name_fits_salesforce(example):
    long_prefix = dataclasses.replace(
        example, naming=dataclasses.replace(example.naming, salesforce_prefix="A_Very_Long_Prefix_For_Names")
    )
    assert apex_class_name(example) == "Handoff_Flows_Test"
    assert len(apex_class_name(long_prefix)) <= 40
