"""Helpers tests import directly (conftest holds only fixtures)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_SPEC = ROOT / "specs" / "examples" / "handoff.yaml"
EXAMPLE_DEALS = ROOT / "specs" / "examples" / "deals.csv"
SHARED = ROOT.parent / "shared"
GOLDEN = Path(__file__).resolve().parent / "golden"
MINIMAL_SPEC = Path(__file__).resolve().parent / "specs" / "minimal.yaml"


def write_spec(tmp_path: Path, text: str, name: str = "handoff.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def audit_on_both_engines(run_cli, deals: Path, spec: Path, as_of: str = "2026-04-30") -> list[dict]:
    """`audit --from DEALS --format json` on DuckDB (auto) and on the Python engine, parsed."""
    reports = []
    for engine in ("auto", "python"):
        args = ["audit", "--from", str(deals), "--spec", str(spec), "--engine", engine, "--format", "json"]
        code, out, err = run_cli(*args, "--as-of", as_of)
        assert code == 0, err
        reports.append(json.loads(out))
    return reports


def shared_path(*parts: str) -> Path:
    """A file in ../shared; skips the test, saying why, when it is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is absent (the shared reference material is not beside this checkout)")
    return path


def hubspot_example(name: str) -> dict:
    """A HubSpot reference example; flows get their re-enrollment triggers in the event wrapper HubSpot
    requires (the reference README's Corrections: the flow examples still show the plain AND branch)."""
    import json

    body = json.loads(shared_path("reference", "hubspot", "examples", name).read_text())
    criteria = body.get("enrollmentCriteria", {})
    if name.startswith("flow-") and "reEnrollmentTriggersFilterBranches" in criteria:
        criteria["reEnrollmentTriggersFilterBranches"] = [
            {
                **b,
                "filterBranchType": "UNIFIED_EVENTS",
                "eventTypeId": "4-655002",
                "operator": "HAS_COMPLETED",
            }
            for b in criteria["reEnrollmentTriggersFilterBranches"]
        ]
    return body


# A spec whose filler phrase (str.format `phrase`) makes the formulas as long as a test needs.
SPEC_WITH_A_HUGE_PHRASE = """\
version: 1
name: Huge phrase
deal:
  csm: {{field: csm}}
fields:
  - key: goals
    label: Goals
    type: long_text
    weight: 3
    quality:
      filler_phrases: ["{phrase}"]
  - key: csm
    label: CSM
    type: user
segments:
  - key: everyone
    label: Everyone
    match: {{}}
    motion: automated
stages:
  - {{key: commit, label: Commit, salesforce: Commit, hubspot: contractsent}}
  - {{key: won, label: Won, salesforce: Closed Won, hubspot: closedwon, closed_won: true}}
"""


def json_like(words: list[str], *, text: int, items: int, keys: int, leaves: int):
    """A hypothesis strategy of nested JSON-like values whose keys and strings are drawn from `words`:
    the spec-shaped garbage the fuzz tests feed the loader and the schema checks."""
    from hypothesis import strategies as st

    scalars = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(10**6), 10**6),
        st.floats(allow_nan=True),
        st.sampled_from(words),
        st.text(max_size=text),
    )
    return st.recursive(
        scalars,
        lambda children: st.one_of(
            st.lists(children, max_size=items),
            st.dictionaries(st.sampled_from(words), children, max_size=keys),
        ),
        max_leaves=leaves,
    )


# A handoff every scored field of the example spec holds specifically: Ready in every segment.
SPECIFIC_HANDOFF = {
    "business_goals": "Cut onboarding from 30 to 10 days for 40 regional teams by the end of June.",
    "stakeholder_map": "Dana Lee (CFO, economic buyer); Sam Ortiz (RevOps, champion); Kim Wu (IT lead).",
    "success_criteria": "Ten-day onboarding for 90% of new teams by 30 June, measured in the admin report.",
    "risk_flags": "IT security review must finish before SSO goes live; champion changes role in Q3.",
    "products_scope": "Enterprise plan, SSO add-on, Salesforce integration",
    "key_conversations": "Discount traded for a case study; SSO promised by go-live.",
    "contract_terms": "3 years, renews 2029-06-30, annual billing",
    "communication_prefs": "Weekly email to Sam; monthly call with Dana; Slack for urgent items.",
}
