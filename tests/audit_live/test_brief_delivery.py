"""`handrail brief --env NAME --closed-since 1d --deliver` against the fake org and portal: each deal won in
the window gets its brief attached once; a re-run updates the same note, never a second one.

Salesforce: a classic Note on the Opportunity (SOAP API Developer Guide, "Note": ParentId, Title up to 80
characters, Body up to 32,000). HubSpot: a note created through CRM objects v3 with hs_timestamp and
hs_note_body, associated with the deal by the HUBSPOT_DEFINED note-to-deal type 214 (Associations v4,
"Association type ID values").
"""

from __future__ import annotations

import dataclasses
import re
from datetime import datetime, timedelta, timezone

import pytest
from audit_live.seeding import generated, seed_hubspot, seed_salesforce

TITLE = "Handoff brief (Handrail)"


def with_recent_wins(model, count: int = 3) -> tuple[list, list]:
    """40 deals: `count` of the won ones won a few hours ago, every other one won or closed 30+ days ago."""
    now = datetime.now(timezone.utc)
    old = now - timedelta(days=30)
    deals, recent = [], []
    for d in generated(model, 40):
        extra = dict(d.extra, close_date=old.date())
        if d.stage == "closed_won" and len(recent) < count:
            won = (now - timedelta(hours=2 + len(recent))).replace(microsecond=0)
            extra.update(closed_won_at=won, close_date=won.date())
            recent.append(d.id)
        elif extra.get("closed_won_at") is not None:
            extra["closed_won_at"] = old.replace(microsecond=0)
        deals.append(dataclasses.replace(d, extra=extra))
    return deals, recent


def deliver(run_cli, spec, *more):
    code, out, err = run_cli("brief", "--env", "live", "--spec", str(spec), "--closed-since", "1d", *more)
    assert code == 0, err
    return out


def test_salesforce_three_wins_three_notes_then_updated_in_place(
    org, salesforce_spec, example_model, run_cli
):
    deals, recent = with_recent_wins(example_model)
    stored = seed_salesforce(org.org, example_model, deals)
    won_ids = sorted(s.id for s, d in zip(stored, deals) if d.id in recent)
    listed = deliver(run_cli, salesforce_spec)
    assert "would deliver 3 brief(s)" in listed and all(i in listed for i in won_ids)
    assert org.org.records["Note"] == {}  # a listing writes nothing

    out = deliver(run_cli, salesforce_spec, "--deliver")
    assert "delivered 3 brief(s) to environment 'live': 3 created, 0 updated, 0 unchanged" in out
    notes = list(org.org.records["Note"].values())
    assert sorted(n["ParentId"] for n in notes) == won_ids
    assert {n["Title"] for n in notes} == {TITLE}
    for note in notes:  # the rendered brief of that deal
        deal = next(s for s in stored if s.id == note["ParentId"])
        assert note["Body"].startswith("# Handoff brief") and f"| Deal | {deal.id} ·" in note["Body"]

    # the AE completes a field of one deal: a re-run updates that note in place, leaves the others
    goals = example_model.field("business_goals").salesforce_name
    org.org.records["Opportunity"][won_ids[0]][goals] = "Go live in 30 days for the 12 EMEA teams."
    first = next(n for n in org.org.records["Note"].values() if n["ParentId"] == won_ids[0])
    again = deliver(run_cli, salesforce_spec, "--deliver")
    assert "3 brief(s) to environment 'live': 0 created, 1 updated, 2 unchanged" in again
    assert sorted(n["ParentId"] for n in org.org.records["Note"].values()) == won_ids
    assert len(org.org.records["Note"]) == 3
    assert "Go live in 30 days for the 12 EMEA teams." in org.org.records["Note"][first["Id"]]["Body"]
    assert org.count("sobject.update") == 1


def test_hubspot_three_wins_three_notes_then_updated_in_place(portal, hubspot_spec, example_model, run_cli):
    deals, recent = with_recent_wins(example_model)
    stored = seed_hubspot(portal.portal, example_model, deals)
    won_ids = sorted(s.id for s, d in zip(stored, deals) if d.id in recent)
    out = deliver(run_cli, hubspot_spec, "--deliver")
    assert "delivered 3 brief(s) to environment 'live': 3 created, 0 updated, 0 unchanged" in out
    notes = portal.portal.records["notes"]
    assert len(notes) == 3
    links = portal.portal.associations[("notes", "deals")]
    assert sorted(next(iter(links[n])) for n in notes) == won_ids
    for note_id, note in notes.items():
        body = note["properties"]["hs_note_body"]
        deal = next(s for s in stored if s.id == next(iter(links[note_id])))
        assert body.startswith(f"<p><strong>{TITLE}</strong>") and f"{deal.id} ·" in body
        assert note["properties"]["hs_timestamp"]
    # a note of someone else's on one of the deals stays as it is and is not taken for the brief
    portal.portal.records["notes"]["999"] = {
        "id": "999",
        "properties": {"hs_note_body": "<p>Call notes</p>", "hs_timestamp": "2026-01-01T00:00:00Z"},
        "createdAt": "2026-01-01T00:00:00Z",
        "updatedAt": "2026-01-01T00:00:00Z",
        "archived": False,
    }
    portal.portal.associations[("deals", "notes")][won_ids[0]]["999"] = []
    goals = example_model.field("business_goals").hubspot_name
    portal.portal.records["deals"][won_ids[0]]["properties"][goals] = "Go live in 30 days for 12 EMEA teams."
    again = deliver(run_cli, hubspot_spec, "--deliver")
    assert "0 created, 1 updated, 2 unchanged" in again
    assert len(portal.portal.records["notes"]) == 4
    assert portal.portal.records["notes"]["999"]["properties"]["hs_note_body"] == "<p>Call notes</p>"
    created = [c for c in portal.calls("records.create")]
    assert len(created) == 3


@pytest.mark.parametrize(
    "args, message",
    [
        (["--closed-since", "1d"], "add --env NAME"),
        (["Acme", "--env", "live", "--closed-since", "1d"], "either DEAL or --closed-since"),
        (["--env", "live", "--closed-since", "1d", "--out", "x.md"], "take no --from, --out or --format"),
        (["--env", "live", "--closed-since", "yesterday"], "'yesterday' is not a period"),
    ],
)
def test_usage_errors(args, message, run_cli, salesforce_spec, org):
    code, _, err = run_cli("brief", *args, "--spec", str(salesforce_spec))
    assert code == 2 and message in err and "Traceback" not in err


def test_the_window_counts_back_to_the_minute():
    from handrail.generators.brief.delivery import window_start

    now = datetime(2026, 3, 4, 15, 30, tzinfo=timezone.utc)
    assert window_start("1d", now) == datetime(2026, 3, 3, 15, 30, tzinfo=timezone.utc)
    assert window_start("2h", now) == datetime(2026, 3, 4, 13, 30, tzinfo=timezone.utc)
    assert window_start("2026-03-01", now) == datetime(2026, 3, 1, tzinfo=timezone.utc)
    with pytest.raises(ValueError, match=re.escape("'soon' is not a period")):
        window_start("soon", now)
