"""Two pipelines against the fake org and portal over HTTP: plan, apply, an empty second plan, and an
audit that reads each deal's pipeline (record type / HubSpot `pipeline`) and gates it accordingly."""

from __future__ import annotations

import json
from html import escape

import pytest
from fakes.salesforce_org import OPPORTUNITY_STAGES
from fakes.wsdl import MD
from helpers import ROOT
from plan.live import HUBSPOT_ENV, MANAGERS, SALESFORCE_ENV, add_people, args

SPEC = ROOT / "tests" / "specs" / "pipelines.yaml"
PROCESSES = {  # each offers every stage its pipeline names (the closed ones too), as plan checks
    "New Business Process": [
        "Qualification",
        "Needs Analysis",
        "Proposal/Price Quote",
        "Negotiation/Review",
        "Commit",
        "Closed Won",
        "Closed Lost",
    ],
    "Renewal Process": ["Renewal Proposal", "Renewal Negotiation", "Closed Won", "Closed Lost"],
}
RECORD_TYPES = {
    "New_Business": ("New Business", "New Business Process"),
    "Renewal": ("Renewal", "Renewal Process"),
}


def spec_with(tmp_path, environment: str):
    spec = tmp_path / "handoff.yaml"
    spec.write_text(SPEC.read_text() + "environments:" + environment)
    return spec


@pytest.fixture
def org(org):
    state = org.org
    # a sales process offers only StageName values: the renewal stages join the org's
    renewal = [("Renewal Proposal", False, False), ("Renewal Negotiation", False, False)]
    state.put_value_set("OpportunityStage", OPPORTUNITY_STAGES + renewal)
    for process, stages in PROCESSES.items():
        steps = "".join(
            f"<values><fullName>{escape(s)}</fullName><default>false</default></values>" for s in stages
        )
        state.put_xml(
            "BusinessProcess",
            f"Opportunity.{process}",
            f'<BusinessProcess xmlns="{MD}"><isActive>true</isActive>{steps}</BusinessProcess>',
        )
    ids = {}
    for name, (label, process) in RECORD_TYPES.items():
        state.put_xml(
            "RecordType",
            f"Opportunity.{name}",
            f'<RecordType xmlns="{MD}"><active>true</active>'
            f"<businessProcess>{escape(process)}</businessProcess><label>{escape(label)}</label></RecordType>",
        )
        ids[name] = state.add_record("RecordType", DeveloperName=name, Name=label, SobjectType="Opportunity")
    org.record_types = ids
    return org


def test_salesforce_plan_apply_and_a_second_plan_is_empty(org, tmp_path, run_cli):
    spec = spec_with(tmp_path, SALESFORCE_ENV)
    code, out, err = run_cli(*args(spec, "plan", "--exit-code"))
    assert code == 4, out + err
    assert "Handoff_Opportunity_Renewals_Path" in out and "Handoff_Gate_Renewal_Terms" in out
    code, out, err = run_cli(*args(spec, "apply"))
    assert code == 0, err
    code, out, err = run_cli(*args(spec, "plan", "--exit-code"))
    assert code == 0, out + err
    paths = org.org.components["PathAssistant"]
    assert set(paths) == {"Handoff_Opportunity_New_Business_Path", "Handoff_Opportunity_Renewals_Path"}
    assert paths["Handoff_Opportunity_Renewals_Path"].get("recordTypeName") == "Renewal"


def test_salesforce_audit_gates_a_renewal_by_the_renewal_gate_only(org, tmp_path, run_cli):
    spec = spec_with(tmp_path, SALESFORCE_ENV)
    assert run_cli(*args(spec, "apply"))[0] == 0
    ids = org.record_types
    common = {"CloseDate": "2026-01-10", "Amount": 50000, "Handoff_Business_Goals__c": "Grow"}
    org.org.add_record(
        "Opportunity", Name="Renewal A", StageName="Closed Won", RecordTypeId=ids["Renewal"], **common
    )
    org.org.add_record(
        "Opportunity", Name="New A", StageName="Closed Won", RecordTypeId=ids["New_Business"], **common
    )
    code, out, err = run_cli(*args(spec, "audit", "--format", "json", "--as-of", "2026-02-01"))
    assert code == 0, err
    examples = {e["name"]: e for e in json.loads(out)["closed_won"]["gate_violations"]["examples"]}
    assert [g["gate"] for g in examples["Renewal A"]["gates"]] == ["renewal_terms"]
    assert examples["Renewal A"]["segment"].endswith("_renewal")
    new_gates = [g["gate"] for g in examples["New A"]["gates"]]
    assert "closed_won_not_blocked" in new_gates and "renewal_terms" not in new_gates


# -- HubSpot ------------------------------------------------------------------------------------------------
HUBSPOT = HUBSPOT_ENV + MANAGERS
RENEWAL_STAGES = [
    ("renewal_proposal", "Renewal proposal", "0.4"),
    ("renewal_negotiation", "Renewal negotiation", "0.7"),
    ("renewal_won", "Renewal won", "1.0"),
    ("renewal_lost", "Renewal lost", "0.0"),
]


@pytest.fixture
def portal(portal):
    add_people(portal)
    stages = [
        {"stageId": i, "label": label, "displayOrder": n, "metadata": {"probability": p}}
        for n, (i, label, p) in enumerate(RENEWAL_STAGES)
    ]
    portal.portal.add_pipeline(
        "deals", {"label": "Renewals", "displayOrder": 1, "stages": stages}, "renewals"
    )
    return portal


def test_hubspot_plan_apply_and_a_second_plan_is_empty(portal, tmp_path, run_cli):
    spec = spec_with(tmp_path, HUBSPOT)
    code, out, err = run_cli(*args(spec, "plan", "--exit-code"))
    assert code == 4, out + err
    code, out, err = run_cli(*args(spec, "apply"))
    assert code == 0, out + err
    code, out, err = run_cli(*args(spec, "plan", "--exit-code"))
    assert code == 0, out + err
    keys = {f["customProperties"].get("handrail_key") for f in portal.portal.flows.values()}
    assert {"gate-renewal_terms-renewals", "gate-closed_won_not_blocked"} <= keys
    assert portal.rejections == []


def test_hubspot_audit_gates_a_renewal_by_the_renewal_gate_only(portal, tmp_path, run_cli):
    spec = spec_with(tmp_path, HUBSPOT)
    assert run_cli(*args(spec, "apply"))[0] == 0
    common = {"closedate": "2026-01-10T00:00:00Z", "amount": "50000", "handoff_business_goals": "Grow"}
    portal.portal.add_deal(dealname="Renewal A", dealstage="renewal_won", pipeline="renewals", **common)
    portal.portal.add_deal(dealname="New A", dealstage="closedwon", pipeline="default", **common)
    code, out, err = run_cli(*args(spec, "audit", "--format", "json", "--as-of", "2026-02-01"))
    assert code == 0, err
    examples = {e["name"]: e for e in json.loads(out)["closed_won"]["gate_violations"]["examples"]}
    assert [g["gate"] for g in examples["Renewal A"]["gates"]] == ["renewal_terms"]
    new_gates = [g["gate"] for g in examples["New A"]["gates"]]
    assert "closed_won_not_blocked" in new_gates and "renewal_terms" not in new_gates


def test_a_record_type_the_org_lacks_is_a_located_error_at_plan_time(
    fake_salesforce, monkeypatch, tmp_path, run_cli
):
    monkeypatch.setenv("TEST_SF_ACCESS_TOKEN", fake_salesforce.session_id)
    monkeypatch.setenv("TEST_SF_INSTANCE_URL", fake_salesforce.url)
    spec = spec_with(tmp_path, SALESFORCE_ENV)
    code, out, err = run_cli(*args(spec, "plan"))
    assert code == 3, out + err
    assert "handoff.yaml:" in err and "the org has no Opportunity record type 'Renewal'" in err


def test_a_pipeline_or_stage_the_portal_lacks_is_a_located_error_at_plan_time(portal, tmp_path, run_cli):
    spec = spec_with(tmp_path, HUBSPOT)
    spec.write_text(spec.read_text().replace("hubspot: renewal_negotiation", "hubspot: renewal_negotiatoin"))
    code, out, err = run_cli(*args(spec, "plan"))
    assert code == 3, out + err
    assert "handoff.yaml:" in err and "pipeline 'renewals' has no stage 'renewal_negotiatoin'" in err
    spec.write_text(spec.read_text().replace("    id: renewals\n", "    id: renewal\n"))
    code, out, err = run_cli(*args(spec, "plan"))
    assert code == 3 and "the portal has no deal pipeline 'renewal'" in err, out + err


def test_a_portal_whose_renewals_pipeline_has_other_ids_plans_with_them(
    fake_hubspot, monkeypatch, tmp_path, run_cli
):
    """A second portal where the renewals pipeline was created again: its ids come from the environment,
    and the plan differs from the spec's own ids in those ids only."""
    monkeypatch.setenv("TEST_HUBSPOT_TOKEN", fake_hubspot.token)
    monkeypatch.setenv("HANDRAIL_HUBSPOT_API_URL", fake_hubspot.url)
    monkeypatch.setenv("HANDRAIL_HUBSPOT_TIMEOUT", "5")
    add_people(fake_hubspot)
    ids = {key: f"7{n}{n}" for n, (key, *_) in enumerate(RENEWAL_STAGES)}
    stages = [
        {"stageId": ids[i], "label": label, "displayOrder": n, "metadata": {"probability": p}}
        for n, (i, label, p) in enumerate(RENEWAL_STAGES)
    ]
    fake_hubspot.portal.add_pipeline(
        "deals", {"label": "Renewals", "displayOrder": 1, "stages": stages}, "98765"
    )
    spec_map = {
        "renewal_proposal": "proposal",
        "renewal_negotiation": "negotiation",
        "renewal_won": "closed_won",
        "renewal_lost": "closed_lost",
    }
    mapped = "".join(f'          {spec_map[k]}: "{ids[k]}"\n' for k in spec_map if k in ids)
    env = HUBSPOT + '    hubspot_pipelines:\n      renewals:\n        id: "98765"\n        stages:\n' + mapped
    spec = spec_with(tmp_path, env)
    code, out, err = run_cli(*args(spec, "plan"))
    assert code == 0, out + err
    assert run_cli(*args(spec, "apply"))[0] == 0
    portal = fake_hubspot.portal
    flows = json.dumps(list(portal.flows.values()))
    formulas = json.dumps([p.get("calculationFormula") for p in portal.properties["deals"].values()])
    assert "'98765'" in formulas and f'"{ids["renewal_negotiation"]}"' in flows  # the portal's own ids
    assert "'renewals'" not in formulas and "renewal_negotiation" not in flows  # none of the spec's left
    code, out, err = run_cli(*args(spec, "plan", "--exit-code"))
    assert code == 0, out + err
    assert fake_hubspot.rejections == []


def test_hubspot_pipelines_naming_an_unknown_pipeline_is_a_located_error(tmp_path, run_cli):
    spec = spec_with(tmp_path, HUBSPOT + '    hubspot_pipelines:\n      renewal: {id: "98765"}\n')
    code, out, err = run_cli("validate", "--spec", str(spec))
    assert code == 3 and "unknown pipeline 'renewal'" in err and "did you mean `renewals`" in err
