"""plan / apply of the self-stamping clocks against the fake org and portal over HTTP, then the flow and
workflow as the org and portal hold them, run.

HubSpot: the deal's Last Contacted (notes_last_contacted) is one of HubSpot's default deal properties, the
last time a call, sales email or meeting was logged for a contact of the deal
(https://knowledge.hubspot.com/crm-deals/hubspots-default-deal-properties); an event-based workflow enrols
on its property-changed event (4-655002) as the re-enrollment triggers are written (reference README,
Corrections).
"""

from __future__ import annotations

import datetime as dt

from plan.live import HUBSPOT_ENV, MANAGERS, SALESFORCE_ENV, add_people, applied, live_spec
from salesforce.flow_interpreter import Flow, Run
from workflow_run import enrolled_on_change, run

from handrail.specs.validate import load_spec

CLOSE = dt.datetime(2026, 3, 4, 15, 30, tzinfo=dt.timezone.utc)


def test_salesforce_org_holds_the_task_flow_and_it_stamps_the_clocks(org, tmp_path, run_cli):
    spec = live_spec(tmp_path, SALESFORCE_ENV)
    applied(run_cli, spec)
    model = load_spec(spec).model
    c = model.computed_field
    assert f"Opportunity.{c('clocks_stamped').salesforce_name}" in org.org.fields
    held = Flow.parse(org.org.flows["Handoff_Task_Clocks_After_Save"].xml().encode())
    deal = {
        "Id": "006DEAL",
        "StageName": "Closed Won",
        c("internal_handoff_at").salesforce_name: None,
        c("kickoff_at").salesforce_name: CLOSE + dt.timedelta(days=1),  # typed by hand
        c("clocks_stamped").salesforce_name: None,
    }
    opportunities = {"Opportunity": [deal]}

    def complete(subject: str, now: dt.datetime) -> None:
        prior = {"Id": "00T1", "Subject": subject, "WhatId": "006DEAL", "Status": "Open", "IsClosed": False}
        task = {**prior, "Status": "Completed", "IsClosed": True}
        started = Run(held, task, prior=prior, now=now, records=opportunities)
        assert started.triggers()
        started.run()

    complete("Internal handoff meeting", CLOSE + dt.timedelta(hours=4))
    complete("Hold the kickoff call", CLOSE + dt.timedelta(days=3))
    assert deal[c("internal_handoff_at").salesforce_name] == CLOSE + dt.timedelta(hours=4)
    assert deal[c("kickoff_at").salesforce_name] == CLOSE + dt.timedelta(days=1)
    assert deal[c("clocks_stamped").salesforce_name] == "internal_handoff"


def test_hubspot_portal_holds_the_first_touch_workflow(portal, tmp_path, run_cli):
    add_people(portal)
    spec = live_spec(tmp_path, HUBSPOT_ENV + MANAGERS)
    applied(run_cli, spec)
    assert portal.rejections == []
    model = load_spec(spec).model
    c = model.computed_field
    flows = {f["customProperties"]["handrail_key"]: f for f in portal.portal.flows.values()}
    clock = flows["clock-first-touch"]
    assert c("clocks_stamped").hubspot_name in portal.portal.properties["deals"]
    won = {"dealname": "Acme", "dealstage": "closedwon", "notes_last_contacted": "2026-03-05T10:00:00Z"}
    assert enrolled_on_change(clock, won, "notes_last_contacted", "2026-03-05T10:00:00Z")
    (stamp, mark) = run(clock, won)
    assert stamp[1] == {
        "property_name": c("first_touch_at").hubspot_name,
        "value": {"type": "TIMESTAMP", "timestampType": "EXECUTION_TIME"},
    }
    assert mark[1]["value"]["staticValue"] == "first_touch"
    typed = {**won, c("first_touch_at").hubspot_name: "2026-03-04T18:00:00Z"}  # typed by hand: kept
    assert not enrolled_on_change(clock, typed, "notes_last_contacted", "2026-03-05T10:00:00Z")
    open_deal = {**won, "dealstage": "contractsent"}  # contact before close is a sales touch
    assert not enrolled_on_change(clock, open_deal, "notes_last_contacted", "2026-03-05T10:00:00Z")
    # another property changing does not enrol it
    assert not enrolled_on_change(clock, won, "amount", "100")
