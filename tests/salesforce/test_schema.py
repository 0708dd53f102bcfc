"""Every generated XML file is valid against the Metadata API schema, checked two independent ways."""

from __future__ import annotations

import dataclasses
import importlib.util
import subprocess
import sys

import pytest
from helpers import EXAMPLE_SPEC, ROOT, shared_path

from handrail.specs.validate import load_spec
from handrail.targets.salesforce.render import render, verify

SPECS = [EXAMPLE_SPEC] + sorted((ROOT / "tests" / "specs").glob("every_*.yaml"))
XML_SUFFIXES = (".xml", ".object", ".flow", ".permissionset", ".notiftype")


@pytest.fixture(scope="module")
def reference_validator():
    script = shared_path("reference", "salesforce", "extract_xsd.py")
    spec = importlib.util.spec_from_file_location("extract_xsd", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.validate_file


@pytest.mark.parametrize("fmt", ["source", "mdapi"])
@pytest.mark.parametrize("spec", SPECS, ids=lambda p: p.stem)
def test_every_file_is_schema_valid(spec, fmt):
    desired = render(load_spec(spec).model, {"format": fmt})
    assert verify(desired, {"format": fmt}) == []
    assert sum(p.endswith(XML_SUFFIXES) for p in desired.files) >= 3


@pytest.mark.parametrize("fmt", ["source", "mdapi"])
@pytest.mark.parametrize("spec", SPECS, ids=lambda p: p.stem)
def test_the_reference_validator_agrees(spec, fmt, tmp_path, reference_validator):
    desired = render(load_spec(spec).model, {"format": fmt})
    checked = 0
    for rel, data in desired.files.items():
        if rel.endswith(XML_SUFFIXES):
            path = tmp_path / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            assert reference_validator(str(path)) == [], rel
            checked += 1
    assert checked == sum(p.endswith(XML_SUFFIXES) for p in desired.files)


def test_an_invalid_file_is_reported_at_its_line(example_model):
    desired = render(example_model, {})
    path = next(p for p in desired.files if p.endswith(".validationRule-meta.xml"))
    broken = desired.files[path].replace(b"<active>true</active>", b"<active>yes</active>")
    problems = verify(dataclasses.replace(desired, files={**desired.files, path: broken}))
    assert len(problems) == 1
    assert problems[0].span.file == path and problems[0].span.line == 4
    assert "'yes' is not a valid value" in problems[0].message


def test_out_of_order_and_malformed_files_are_reported(example_model):
    desired = render(example_model, {})
    path = "force-app/main/default/objects/Opportunity/fields/Handoff_Score__c.field-meta.xml"
    text = desired.files[path].decode()
    swapped = text.replace("    <label>Handoff Score</label>\n", "").replace(
        "</CustomField>", "    <label>Handoff Score</label>\n</CustomField>"
    )
    files = {
        path: swapped.encode(),
        "x/Bad.flow-meta.xml": b"<Flow xmlns='http://soap.sforce.com/2006/04/metadata'>",
    }
    problems = verify(dataclasses.replace(desired, files=files))
    assert {p.span.file for p in problems} == set(files)
    assert any("not well-formed" in p.message for p in problems)
    assert any("label" in p.message and "not expected" in p.message for p in problems)


def test_verify_finds_the_wsdl_without_importing_simple_salesforce():
    code = (
        "import sys\n"
        "from handrail.specs.validate import load_spec\n"
        "from handrail.targets.salesforce.render import render, verify\n"
        f"d = render(load_spec({str(EXAMPLE_SPEC)!r}).model, {{}})\n"
        "assert verify(d, {}) == []\n"
        "assert 'simple_salesforce' not in sys.modules, 'imported'\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
