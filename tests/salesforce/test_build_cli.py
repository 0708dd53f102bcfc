"""`handrail build --target salesforce` end to end through the real entry point."""

from __future__ import annotations

import json

from helpers import EXAMPLE_SPEC, write_spec

from handrail.specs.diagnostics import Span, error
from handrail.specs.validate import load_spec
from handrail.targets import load_target


def big_spec(tmp_path, count: int):
    lines = ["version: 1", "fields:"] + [
        f"  - {{key: f{n:03d}, label: Field {n}, type: short_text, weight: 1}}" for n in range(count)
    ]
    lines += [
        "segments:",
        "  - {key: everyone, label: Everyone, match: {}, motion: structured}",
        "stages:",
        "  - {key: won, label: Won, salesforce: Closed Won, closed_won: true}",
    ]
    return write_spec(tmp_path, "\n".join(lines) + "\n", "big.yaml")


def test_build_source_with_check(run_cli, tmp_path):
    out = tmp_path / "sf"
    code, stdout, stderr = run_cli(
        "build", "--spec", str(EXAMPLE_SPEC), "--target", "salesforce", "--out", str(out), "--check"
    )
    assert code == 0, stderr
    assert "to " + str(out) + " (checked against the official schema: all valid)" in stdout
    project = json.loads((out / "sfdx-project.json").read_text())
    assert project["sourceApiVersion"] == "63.0"
    assert (
        out / "force-app/main/default/objects/Opportunity/fields/Handoff_Score__c.field-meta.xml"
    ).is_file()
    written = sorted(p for p in out.rglob("*") if p.is_file() and p.name != ".handrail-build.json")
    assert f"wrote {len(written)} files to {out}" in stdout


def test_build_mdapi_with_api_version(run_cli, tmp_path):
    out = tmp_path / "mdapi"
    code, _, stderr = run_cli(
        "build",
        "--spec",
        str(EXAMPLE_SPEC),
        "--target",
        "salesforce",
        "--out",
        str(out),
        "--format",
        "mdapi",
        "--api-version",
        "62.0",
        "--check",
    )
    assert code == 0, stderr
    assert b"<version>62.0</version>" in (out / "package.xml").read_bytes()
    assert (out / "objects/Opportunity.object").is_file()
    assert not (out / "force-app").exists()


def test_too_many_fields_exits_3_at_the_spec_and_writes_nothing(run_cli, tmp_path):
    spec = big_spec(tmp_path, 600)
    out = tmp_path / "sf"
    out.mkdir()
    (out / "previous.txt").write_text("the last good build")
    code, stdout, stderr = run_cli("build", "--spec", str(spec), "--target", "salesforce", "--out", str(out))
    assert code == 3
    # 500 allowed: the computed fields come first, so the spec's field that no longer fits is 500 - that
    computed = len(load_spec(spec).model.computed)
    first_over = 500 - computed
    line = (
        spec.read_text()
        .splitlines()
        .index(f"  - {{key: f{first_over}, label: Field {first_over}, type: short_text, weight: 1}}")
        + 1
    )
    assert f"{spec}:{line}:5: fields: {600 + computed} custom fields on Opportunity" in stderr
    assert "Enterprise Edition allows 500" in stderr
    assert sorted(p.name for p in out.iterdir()) == ["previous.txt"]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".sf")], "no staging folder left behind"
    assert stdout == ""


def test_a_larger_edition_fits_the_same_spec(run_cli, tmp_path):
    code, _, stderr = run_cli(
        "build",
        "--spec",
        str(big_spec(tmp_path, 600)),
        "--target",
        "salesforce",
        "--out",
        str(tmp_path / "sf"),
        "--edition",
        "unlimited",
    )
    assert code == 0, stderr


def test_a_schema_failure_writes_nothing(run_cli, tmp_path, monkeypatch):
    target = load_target("salesforce")
    problem = error("xsd", "does not match the Metadata API schema: broken", span=Span("package.xml", 3, 5))
    monkeypatch.setattr(target, "verify", lambda desired, options: [problem])
    out = tmp_path / "sf"
    code, _, stderr = run_cli(
        "build", "--spec", str(EXAMPLE_SPEC), "--target", "salesforce", "--out", str(out), "--check"
    )
    assert code == 3
    assert "package.xml:3:5: does not match the Metadata API schema: broken" in stderr
    assert not out.exists()


def test_bad_options_are_usage_errors(run_cli, tmp_path):
    code, _, stderr = run_cli(
        "build",
        "--spec",
        str(EXAMPLE_SPEC),
        "--target",
        "salesforce",
        "--out",
        str(tmp_path / "sf"),
        "--api-version",
        "latest",
    )
    assert code == 2 and "API version 'latest'" in stderr
    code, _, _ = run_cli(
        "build", "--spec", str(EXAMPLE_SPEC), "--target", "salesforce", "--edition", "essentials"
    )
    assert code == 2


def test_validate_with_the_salesforce_target(run_cli, tmp_path):
    code, stdout, _ = run_cli("validate", str(EXAMPLE_SPEC), "--target", "salesforce")
    assert code == 0 and "valid" in stdout
    spec = big_spec(tmp_path, 600)
    code, _, stderr = run_cli("validate", str(spec), "--target", "salesforce")
    assert code == 3 and f"{600 + len(load_spec(spec).model.computed)} custom fields" in stderr
