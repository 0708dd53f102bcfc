"""assign_csm rules as the spec states them: the new keys resolve into the model, and every misuse is a
located error (exit 3) with a hint."""

from __future__ import annotations

from pathlib import Path

import pytest

from handrail.specs.people import named
from handrail.specs.validate import load_spec

SPEC = Path(__file__).resolve().parent.parent / "specs" / "offline" / "csm_rules.yaml"
BASE = SPEC.read_text()


def test_the_rules_resolve_with_their_pools_territories_and_caps():
    rules = load_spec(SPEC).model.automation.on_closed_won.assign_csm
    assert [r.account_csm for r in rules] == [True, False, False, False]
    assert rules[1].when == (("region", ("EMEA",)),) and rules[1].max_open == 2
    assert rules[1].pool == ("emea.one@example.com", "emea.two@example.com") and not rules[1].keep_existing
    assert rules[2].when == (("region", ("North America",)), ("account.BillingCountry", ("US", "CA")))
    assert rules[3].segments == ("expansion", "smb", "enterprise") and rules[3].assign is None
    assert load_spec(SPEC).model.deal.account_csm_salesforce == "Customer_Success_Manager__c"


def test_every_pool_member_is_a_person_the_environments_resolve():
    people = named(load_spec(SPEC).model)
    assert {"cs.ann@example.com", "cs.bob@example.com", "emea.two@example.com", "na.lead@example.com"} <= set(
        people
    )
    assert people["cs.bob@example.com"][0].line == 52  # the rule that names them


@pytest.mark.parametrize(
    "old, new, message, at",
    [
        (
            "        account_csm: true",
            "        account_csm: true\n        assign: na.lead@example.com",
            "the rule names both assign and account_csm",
            "- segments: [expansion]",
        ),
        ("        max_open: 2\n", "", None, None),
        (
            "        pool: [emea.one@example.com, emea.two@example.com]\n",
            "",
            "max_open caps the members of a pool, but the rule has no pool",
            "max_open",
        ),
        (
            "    account_field: {salesforce: Customer_Success_Manager__c, hubspot: customer_success_manager}",
            "",
            "deal.csm.account_field names no account field",
            "account_csm",
        ),
        (
            "when: {region: [EMEA]}",
            "when: {territory: [EMEA]}",
            "unknown field 'territory' in when",
            "territory: [",
        ),
        (
            "when: {region: [EMEA]}",
            "when: {goals: [EMEA]}",
            "a territory matches picklist or short text",
            "goals",
        ),
        (
            "when: {region: [EMEA]}",
            "when: {region: [Europe]}",
            "'Europe' is not an option of field",
            "Europe",
        ),
        (
            "when: {region: [EMEA]}",
            "when: {account.Billing Country: [DE]}",
            "unknown field",
            "account.Billing",
        ),
        (
            "  on_closed_won:\n",
            "  on_closed_won:\n    stamp_close_time: false\n",
            "a pool rotates after the last deal stamped Closed Won At",
            "[emea.one",
        ),
        (
            "        pool: [cs.ann@example.com, cs.bob@example.com, cs.cid@example.com]\n",
            "",
            "the rule neither assigns a CSM nor keeps the existing one",
            "- segments: all",
        ),
        ("max_open: 2", "max_open: 0", "0 is less than the minimum of 1", "0"),
    ],
)
def test_misuse_is_a_located_error(tmp_path, run_cli, old, new, message, at):
    assert old in BASE
    text = BASE.replace(old, new, 1)
    path = tmp_path / "handoff.yaml"
    path.write_text(text)
    code, out, err = run_cli("validate", str(path))
    if message is None:  # a pool without a cap is fine
        assert code == 0, err
        return
    assert code == 3, out + err
    index = text.index(at, text.index("automation:") if at not in ("account_csm",) else 0)
    line = text.count("\n", 0, index) + 1
    found = [ln for ln in err.splitlines() if message in ln]
    assert found and found[0].startswith(f"{path}:{line}:"), err
