"""Broken specs: each must give exit code 3, the right message, and the right file:line:column."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

BASE = (Path(__file__).resolve().parent.parent / "specs" / "minimal.yaml").read_text()


@dataclass
class Case:
    id: str
    text: str | bytes
    message: str  # a substring of the diagnostic
    at: str | None = None  # the diagnostic points at the first occurrence of this text...
    occurrence: int = 1  # ...or at its n-th occurrence
    offset: int = 0  # columns after the start of `at`
    hint: str = ""  # a substring of the hint


def edit(old: str, new: str, count: int = 1) -> str:
    assert old in BASE, old
    return BASE.replace(old, new, count)


def location(text: str, at: str, occurrence: int, offset: int) -> tuple[int, int]:
    index = -1
    for _ in range(occurrence):
        index = text.index(at, index + 1)
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1 + offset
    return line, column


BOMB = (
    "version: 1\n"
    + "\n".join(
        ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
        + [
            f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, "
            f"*a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}]"
            for i in range(1, 9)
        ]
    )
    + "\n"
)

CASES = [
    # --- syntax and encoding
    Case(
        "unclosed-flow-mapping",
        edit("match: {acv: {lt: 25000}}", "match: {acv: {lt: 25000}"),
        "while parsing a flow mapping that starts at line 21",
        at="motion: automated",
    ),
    Case(
        "tab-indentation",
        edit("    label: Goals", "\tlabel: Goals"),
        "YAML syntax error",
        at="\tlabel",
        hint="tabs",
    ),
    Case("empty-file", "", "the file is empty", at="", hint="handrail init"),
    Case("comments-only", "# nothing here\n\n# still nothing\n", "the file is empty", at="# nothing"),
    Case(
        "latin-1-bytes",
        edit("label: Goals", "label: Gr\u00fc\u00dfe").encode("latin-1"),
        "is not valid UTF-8",
        at="label: Gr",
        offset=9,
        hint="UTF-8",
    ),
    Case("utf-16", BASE.encode("utf-16"), "UTF-16", at="version"),
    Case("nul-byte", edit("label: Goals", "label: Go\x00als"), "NUL character", at="label: Go", offset=9),
    Case(
        "two-documents",
        BASE + "---\nversion: 1\n",
        "more than one YAML document",
        at="version: 1",
        occurrence=2,
        hint="one spec per file",
    ),
    Case("not-a-mapping", "- version: 1\n- fields: []\n", "expected a mapping", at="- version"),
    # --- YAML abuse
    Case(
        "duplicate-key",
        edit("    label: Goals\n", "    label: Goals\n    label: Aims\n"),
        "duplicate key 'label' (first defined at line 7)",
        at="label: Aims",
        hint="keeps only the last",
    ),
    Case("alias-bomb", BOMB, "expands to more than", at="a4: ", hint="aliases"),
    Case(
        "recursive-alias",
        edit("stages:\n", "loop: &loop [*loop]\nstages:\n"),
        "refers to itself",
        at="&loop",
        hint="recursive alias",
    ),
    Case(
        "python-tag",
        edit("label: Goals", "label: !!python/object/apply:os.system [echo hi]"),
        "unsupported YAML tag",
        at="!!python",
        hint="plain data",
    ),
    Case(
        "merge-key",
        edit("  - key: enterprise\n", "  - <<: {motion: automated}\n    key: enterprise\n"),
        "merge keys",
        at="<<",
    ),
    # --- schema
    Case("wrong-version", edit("version: 1", "version: 2"), "must be 1, not 2", at="2\nname", offset=0),
    Case("missing-version", edit("version: 1\n", ""), "missing required key 'version'", at="name:"),
    Case(
        "unknown-top-level-key",
        edit("segments:", "segmnts:"),
        "unknown key 'segmnts'",
        at="segmnts",
        hint="did you mean `segments`?",
    ),
    Case(
        "unknown-field-key",
        edit("    weight: 3", "    wieght: 3"),
        "unknown key 'wieght'",
        at="wieght",
        hint="did you mean `weight`?",
    ),
    Case(
        "weight-out-of-range",
        edit("weight: 3", "weight: 5"),
        "5 is greater than the maximum of 3",
        at="5\n",
        offset=0,
    ),
    Case(
        "weight-not-a-number",
        edit("weight: 3", "weight: three"),
        "expected a whole number or nothing, got 'three'",
        at="three",
    ),
    Case(
        "type-typo",
        edit("type: long_text", "type: longtext"),
        "'longtext' is not one of",
        at="longtext",
        hint="did you mean `long_text`?",
    ),
    Case(
        "bad-key-pattern",
        edit("key: goals", "key: Business Goals"),
        "'Business Goals' is not valid here",
        at="Business Goals",
        hint="",
    ),
    Case(
        "segment-refs-wrong-shape",
        edit("    stage: won\n", "    stage: won\n    segments: everyone\n"),
        "is not valid: expected segment keys, or the word 'all'",
        at="everyone",
    ),
    Case(
        "secret-in-environment",
        edit("    auth: jwt\n", "    auth: jwt\n    token: 00Dxx!AQ4AQ\n"),
        "unknown key 'token'",
        at="token: 00D",
        hint="token_env",
    ),
    Case(
        "env-name-not-a-variable",
        edit("username_env: SF_USERNAME", "username_env: admin@example.com"),
        "'admin@example.com' is not valid here: The NAME of an environment variable",
        at="admin@example.com",
    ),
    # --- references and uniqueness
    Case(
        "duplicate-field-key",
        edit("  - key: scope", "  - key: goals"),
        "field key 'goals' is already used by fields[0]",
        at="key: goals",
        occurrence=2,
        offset=5,
    ),
    Case(
        "unknown-stage",
        edit("    stage: won", "    stage: wonn"),
        "unknown stage 'wonn'",
        at="wonn",
        hint="did you mean `won`?",
    ),
    Case(
        "unknown-required-field",
        edit("    motion: automated\n", "    motion: automated\n    required_fields: [gaols]\n"),
        "unknown field 'gaols'",
        at="gaols",
        hint="did you mean `goals`?",
    ),
    Case(
        "unknown-required-in-segment",
        edit("    weight: 3\n", "    weight: 3\n    required_in: [smb, midmarket]\n"),
        "unknown segment 'midmarket'",
        at="midmarket",
    ),
    Case(
        "csm-gate-without-csm-field",
        edit("deal:\n  csm: {field: csm}\n", "").replace(
            "require: {min_score: 60}", "require: {csm_assigned: true}"
        ),
        "deal.csm names no user field",
        at="csm_assigned: true",
        offset=14,
        hint="deal: {csm",
    ),
    Case(
        "csm-field-wrong-type",
        edit("csm: {field: csm}", "csm: {field: goals}"),
        "field 'goals' is long_text; csm needs a user field",
        at="goals}",
    ),
    Case(
        "reserved-key",
        edit("key: scope", "key: score"),
        "reserved for a field Handrail computes",
        at="score\n",
    ),
    # --- per-type attributes and limits
    Case(
        "picklist-without-options",
        edit("    options: [Core, {value: Other, generic: true}]\n", ""),
        "a picklist field needs options",
        at="key: scope",
    ),
    Case(
        "options-on-text",
        edit("    weight: 3\n", "    weight: 3\n    options: [A, B]\n"),
        "'options' applies only to picklist and multi_select fields, not long_text",
        at="options: [A",
    ),
    Case(
        "short-text-too-long",
        edit(
            "    type: long_text\n    weight: 3\n", "    type: short_text\n    length: 300\n    weight: 3\n"
        ),
        "short_text length 300 exceeds 255",
        at="300",
        hint="long_text",
    ),
    Case(
        "label-too-long",
        edit("label: Goals", "label: " + "Customer business goals and measurable outcomes"),
        "Salesforce allows 40",
        at="Customer business",
    ),
    Case(
        "salesforce-name-too-long",
        edit("key: goals", "key: " + "g" * 45).replace("[Core", "[Core"),
        "Salesforce allows 40 before __c",
        at="key: gggg",
    ),
    Case(
        "salesforce-double-underscore",
        edit("    weight: 3\n", "    weight: 3\n    salesforce: {api_name: My__Goals__c}\n"),
        "double underscore",
        at="key: goals",
    ),
    Case(
        "hubspot-name-invalid",
        edit("    weight: 3\n", "    weight: 3\n    hubspot: {name: MyGoals}\n"),
        "HubSpot internal name 'MyGoals' must be lowercase",
        at="key: goals",
    ),
    Case(
        "no-weighted-fields",
        edit("    weight: 3\n", "").replace("    weight: 2\n", ""),
        "no field has a weight",
        at="  - key: goals",
        offset=2,
    ),
    # --- semantics
    Case(
        "tiers-out-of-order",
        edit("stages:", "tiers: {ready: 70, gaps: 80}\nstages:"),
        "gaps (80) must be below ready (70)",
        at="{ready: 70",
        hint="ready: 85",
    ),
    Case(
        "segment-gap",
        edit("{acv: {gte: 25000}}", "{acv: {gte: 50000}}"),
        "no segment matches a new business deal, ACV 25000",
        at="  - key: enterprise",
        offset=4,
    ),
    Case(
        "segment-shadowed",
        edit("match: {acv: {lt: 25000}}", "match: {}"),
        "segment 'enterprise' can never match: every deal it covers is taken by 'smb'",
        at="  - key: enterprise",
        offset=4,
    ),
    Case(
        "gate-unpassable",
        edit("    weight: 3\n", "    weight: 3\n    applies_to: [enterprise]\n").replace(
            "options: [Core, {value: Other, generic: true}]", "options: [{value: Other, generic: true}]"
        ),
        "gate 'won_ready' needs a score of 60, but segment 'smb' can reach at most 50.0",
        at="  - key: won_ready",
        offset=4,
    ),
    Case(
        "two-closed-won-stages",
        edit(
            "salesforce: Commit, hubspot: contractsent}",
            "salesforce: Commit, hubspot: contractsent, closed_won: true}",
        ),
        "more than one stage is marked closed_won",
        at="closed_won: true",
        occurrence=2,
        offset=12,
    ),
    Case(
        "jwt-without-key-file",
        edit("    private_key_file_env: SF_KEY_FILE\n", ""),
        "auth 'jwt' needs private_key_file_env",
        at="target: salesforce",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_broken_spec_is_reported_with_location(case: Case, tmp_path, run_cli):
    path = tmp_path / "handoff.yaml"
    data = case.text if isinstance(case.text, bytes) else case.text.encode("utf-8")
    path.write_bytes(data)
    code, out, err = run_cli("validate", str(path))
    assert code == 3, err
    assert "Traceback" not in err + out
    assert case.message in err, err
    if case.at is not None:
        text = data.decode("utf-8", errors="replace") if not isinstance(case.text, str) else case.text
        if isinstance(case.text, bytes) and case.text.startswith(b"\xff\xfe"):
            line, column = 1, 1
        else:
            line, column = location(text, case.at, case.occurrence, case.offset)
        lines = [ln for ln in err.splitlines() if case.message in ln]
        assert any(ln.startswith(f"{path}:{line}:{column}: ") for ln in lines), (
            f"expected {line}:{column} in\n{err}"
        )
    if case.hint:
        assert case.hint in err, err


def test_there_are_at_least_25_distinct_cases():
    assert len({c.id for c in CASES}) == len(CASES) >= 25


def test_all_problems_are_reported_at_once(tmp_path, run_cli):
    text = (
        edit("type: long_text", "type: longtext")
        .replace("stage: won", "stage: wonn")
        .replace("weight: 2", "weight: 9")
    )
    path = tmp_path / "handoff.yaml"
    path.write_text(text)
    code, _, err = run_cli("validate", str(path))
    assert code == 3
    assert "'longtext' is not one of" in err and "unknown stage 'wonn'" in err and "9 is greater than" in err
    assert err.strip().endswith("3 errors")


def test_json_diagnostics_for_editors(tmp_path, run_cli):
    import json

    path = tmp_path / "handoff.yaml"
    path.write_text(edit("stage: won", "stage: wonn"))
    code, out, _ = run_cli("validate", "--json", str(path))
    assert code == 3
    report = json.loads(out)
    assert report["valid"] is False
    (diag,) = report["diagnostics"]
    assert diag["code"] == "unknown-reference" and diag["path"] == "gates[0].stage"
    assert (diag["line"], diag["column"]) == location(edit("stage: won", "stage: wonn"), "wonn", 1, 0)


def test_missing_file_is_a_clear_error(tmp_path, run_cli):
    code, _, err = run_cli("validate", str(tmp_path / "nope.yaml"))
    assert code == 2  # a spec that is not there is a usage error naming --spec and HANDRAIL_SPEC
    assert "no spec at" in err and "HANDRAIL_SPEC" in err and "Traceback" not in err
