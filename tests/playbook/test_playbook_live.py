"""plan / apply of the playbook's edge cases against the fake org and portal over HTTP, then the flows and
workflows as the org and portal hold them, run: a missed implementation-owner contact escalates and one
made on day 10 does not; an owner change on a pending handoff gives a recovery owner and a task."""

from __future__ import annotations

import datetime as dt
import json

from plan.live import HUBSPOT_ENV, MANAGERS, SALESFORCE_ENV, add_people, applied
from playbook.spec import write_playbook_spec
from salesforce.flow_interpreter import NS, Flow, Run
from workflow_run import enrolled_on_change, enrolls, run

from handrail.specs.validate import load_spec

CLOSED = dt.datetime(2026, 3, 2, 9, tzinfo=dt.timezone.utc)


def live(tmp_path, environment: str):
    spec = write_playbook_spec(tmp_path)
    spec.write_text(spec.read_text().replace("environments:\n", "environments:" + environment, 1))
    return spec


# --- Salesforce -------------------------------------------------------------------------------------------


def test_salesforce_org_runs_the_contact_escalation_and_the_recovery(org, tmp_path, run_cli):
    spec = live(tmp_path, SALESFORCE_ENV)
    applied(run_cli, spec)
    model = load_spec(spec).model
    c = model.computed_field
    assert {
        f"Opportunity.{c(k).salesforce_name}" for k in ("implementation_contact_at", "recovery_owner")
    } <= set(org.org.fields)
    deployed = {name: Flow.parse(component.xml().encode()) for name, component in org.org.flows.items()}
    assert {
        "Handoff_Recovery_Before_Save",
        "Handoff_Recovery_After_Save",
        "Handoff_Recovery_Inactive_Owner",
    } <= set(deployed)

    # the 14-day path: no contact escalates, a day-10 contact does not
    won = deployed["Handoff_Closed_Won_After_Save"]
    (path,) = [
        p for p in won.start.findall(NS + "scheduledPaths") if "Implementation" in p.findtext(NS + "name")
    ]
    runs_at = CLOSED + dt.timedelta(days=int(path.findtext(NS + "offsetNumber")))
    target = path.find(NS + "connector").findtext(NS + "targetReference")
    record = {
        "Id": "006DEAL",
        "Name": "Acme",
        "OwnerId": "005REP",
        "StageName": "Closed Won",
        model.field("csm").salesforce_name: "005CSM",
        "Handoff_Csm__r": {"ManagerId": "005CSMBOSS"},
        c("segment").salesforce_name: "enterprise",
        c("closed_won_at").salesforce_name: CLOSED,
        c("intake_status").salesforce_name: "Pending",
        c("recovery_owner").salesforce_name: None,
    }
    missed = Run(won, {**record, c("implementation_contact_at").salesforce_name: None}, now=runs_at).go(
        target
    )
    assert [i["recipientIds"] for _, i in missed.actions] == [["005CSMBOSS"]]
    day_10 = {**record, c("implementation_contact_at").salesforce_name: CLOSED + dt.timedelta(days=10)}
    assert Run(won, day_10, now=runs_at).go(target).actions == []

    # the owner changes on the pending handoff: the former owner's manager recovers it, with a task
    users = {"User": [{"Id": "005REP", "ManagerId": "005BOSS"}]}
    prior, changed = dict(record), {**record, "OwnerId": "005PEER", "Owner": {"ManagerId": None}}
    before = Run(deployed["Handoff_Recovery_Before_Save"], changed, prior=prior, records=users)
    assert before.triggers()
    before.run()
    assert changed[c("recovery_owner").salesforce_name] == "005BOSS"
    after = Run(deployed["Handoff_Recovery_After_Save"], changed, prior=prior, today=dt.date(2026, 3, 10))
    assert after.triggers()
    assert [(v["OwnerId"], v["ActivityDate"]) for _, v in after.run().created] == [
        ("005BOSS", dt.date(2026, 3, 17))
    ]


# --- HubSpot ----------------------------------------------------------------------------------------------


def test_hubspot_portal_runs_the_contact_escalation_and_the_recovery(portal, tmp_path, run_cli):
    add_people(portal)
    spec = live(tmp_path, HUBSPOT_ENV + MANAGERS)
    applied(run_cli, spec)
    assert portal.rejections == []
    model = load_spec(spec).model
    c = model.computed_field
    flows = {f["customProperties"]["handrail_key"]: f for f in portal.portal.flows.values()}
    owners = {o["email"]: o for o in portal.portal.owners}
    lead, sales = owners["cs-lead@example.com"], owners["sales-lead@example.com"]
    assert "${" not in json.dumps([flows["escalation-implementation_contact"], flows["recovery-owner"]])

    record = {
        "dealname": "Acme",
        "dealstage": "closedwon",
        "hubspot_owner_id": "101",
        c("segment").hubspot_name: "enterprise",
        c("intake_status").hubspot_name: "Pending",
        c("closed_won_at").hubspot_name: "2026-03-02T09:00:00Z",
    }
    for f in model.fields:  # every gate met
        record.setdefault(f.hubspot_name, "A specific answer, long enough to count in full for this field")
    record.update(
        {
            model.field("communication_prefs").hubspot_name: "Weekly call",
            model.field("partner_sourced").hubspot_name: "false",
            c("score").hubspot_name: "95",
            c("tier").hubspot_name: "Ready",
        }
    )
    escalation = flows["escalation-implementation_contact"]
    assert enrolls(escalation, record)
    steps = run(escalation, record)
    assert steps[0][1]["delta"] == str(14 * 24 * 60) and steps[1][1]["user_ids"] == [str(lead["userId"])]
    contacted = {**record, c("implementation_contact_at").hubspot_name: "2026-03-12T09:00:00Z"}
    assert not enrolls(escalation, contacted)  # unenrolled before the delay ends

    recovery = flows["recovery-owner"]
    moved = {**record, "hubspot_owner_id": "303"}
    assert enrolled_on_change(recovery, moved, "hubspot_owner_id", "303")
    (set_owner, task) = run(recovery, moved)
    assert set_owner[1]["value"]["staticValue"] == str(sales["id"])
    assert task[1]["owner_assignment"]["value"]["staticValue"] == str(sales["id"])
