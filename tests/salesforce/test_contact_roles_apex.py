"""The Apex test class of the contact-role flow: generated only with active flows and a contact rule, valid
Apex, and what it asserts before and after the contact roles is what the flows compute."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from helpers import EXAMPLE_SPEC, ROOT
from salesforce.flow_cases import compile_flow, type_value
from salesforce.flow_interpreter import Run

from handrail.specs.validate import load_spec
from handrail.targets.salesforce import flows
from handrail.targets.salesforce.apex_contact_roles import _attributes, full_credit_roles
from handrail.targets.salesforce.schema import validate_xml
from handrail.targets.salesforce.xml import metadata_xml

SPEC = Path(__file__).parent.parent / "specs" / "offline" / "contact_roles.yaml"
APEX_TOOLS = ROOT / "tests" / "apex"
NAME = "Handoff_Contact_Roles_Test"


@pytest.fixture(scope="module")
def model():
    return load_spec(SPEC).model


def component(model):
    return next((c for c in flows.components(model, {}) if c.name == NAME), None)


def test_only_active_flows_with_a_contact_rule_get_the_class(model):
    assert component(model) is not None  # the spec deploys its flows active
    draft = dataclasses.replace(model, automation=dataclasses.replace(model.automation, flow_status="draft"))
    assert component(draft) is None
    assert component(load_spec(EXAMPLE_SPEC).model) is None


def test_the_class_parses_as_apex_and_its_meta_file_is_valid(model, tmp_path):
    c = component(model)
    assert validate_xml(f"{NAME}.cls-meta.xml", metadata_xml("ApexClass", c.pairs)) == []
    node = shutil.which("node")
    if node is None:
        pytest.skip("Node.js is not installed, so the Apex parser (@apexdevtools/apex-parser) cannot run")
    if not (APEX_TOOLS / "node_modules" / "@apexdevtools" / "apex-parser").is_dir():
        pytest.fail("the Apex parser is not installed: run `npm ci --prefix tests/apex` (make test does)")
    path = tmp_path / f"{NAME}.cls"
    path.write_bytes(c.content)
    result = subprocess.run(
        [node, str(APEX_TOOLS / "check_apex.cjs"), str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=APEX_TOOLS,
    )
    assert result.returncode == 0 and result.stdout == "", result.stdout + result.stderr


def _asserted(source: str) -> list[tuple[Decimal | None, str | None]]:
    """(score, summary) of each assertHandoff call the test method makes."""
    calls = re.findall(r"assertHandoff\(deal\.Id, (null|[\d.]+), (null|'(?:[^'\\]|\\.)*')\);", source)
    return [
        (None if s == "null" else Decimal(s), None if t == "null" else re.sub(r"\\(.)", r"\1", t[1:-1]))
        for s, t in calls
    ]


def test_what_the_class_asserts_is_what_the_flows_compute(model):
    source = component(model).content.decode()
    (before, after) = _asserted(source)
    f = next(f for f in model.fields if f.contacts)
    roles = full_credit_roles(f)
    assert roles == ["Economic Buyer", "Champion", "Other"]
    assert "new List<String>{'Economic Buyer', 'Champion', 'Other'}" in source
    attrs = _attributes(model, f)
    record = {
        "Id": "006000000000001AAA",
        "Amount": Decimal(str(attrs.acv)),
        "CreatedDate": None,
        "CloseDate": dt.date(2026, 3, 4) + dt.timedelta(days=attrs.cycle_days),
        "Type": type_value(model, attrs.deal_type),
        "StageName": "Qualification",
        model.partner_field.salesforce_name: attrs.partner,
    }
    score, summary = model.computed_field("score"), model.computed_field("missing_summary")
    rows = [{"Id": f"00K{n}", "OpportunityId": record["Id"], "Role": r} for n, r in enumerate(roles)]
    for rows_now, (want_score, want_summary) in (([], before), (rows, after)):
        out = Run(compile_flow(model), dict(record), contact_roles=rows_now).run().record
        assert out[score.salesforce_name] == want_score
        assert (out[summary.salesforce_name] or None) == want_summary
    assert after[0] > before[0] and "Stakeholder Map" not in after[1]
