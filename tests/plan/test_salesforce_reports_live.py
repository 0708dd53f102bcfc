"""The review's reports and dashboard against the fake org: planned, deployed in their folders, read back
by folder, and a report edited in the org is drift.

Metadata API Developer Guide, "Report" and "Folder": a report's fullName is "Folder/Name", its file
reports/Folder/Name.report, the folder's metadata reports/Folder-meta.xml; package.xml lists the folder
as a member of Report; listMetadata of Report needs the folder (ListMetadataQuery.folder, "required for
components that use folders, such as Dashboard, Document, EmailTemplate, or Report").
https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/meta_folder.htm
"""

from __future__ import annotations

import json

import pytest
from plan.live import SALESFORCE_ENV, args, live_spec

MD = "http://soap.sforce.com/2006/04/metadata"
REPORTS = {
    "Handrail/Handoff_Quality_By_Owner",
    "Handrail/Handoff_Won_Below_Ready",
    "Handrail/Handoff_Open_By_Tier",
    "Handrail/Handoff_Field_Gaps",
    "Handrail/Handoff_SLA_Breaches",
    "Handrail/Handoff_Intake_Decisions",
}


@pytest.fixture
def spec(tmp_path):
    return live_spec(tmp_path, SALESFORCE_ENV)


def test_an_empty_org_gets_the_folders_the_reports_and_the_dashboard_then_plans_clean(org, spec, run_cli):
    code, out, err = run_cli(*args(spec, "plan", "--json"))
    assert code == 0, err
    created = {(c["kind"], c["key"]) for c in json.loads(out)["changes"] if c["action"] == "create"}
    expected = {("Report", name) for name in REPORTS} | {
        ("ReportFolder", "Handrail"),
        ("DashboardFolder", "Handrail"),
        ("Dashboard", "Handrail/Handoff_Review"),
    }
    assert expected <= created
    code, out, err = run_cli(*args(spec, "apply"))
    assert code == 0, out + err
    assert set(org.org.store("Report")) == REPORTS
    assert set(org.org.store("ReportFolder")) == {"Handrail"} == set(org.org.store("DashboardFolder"))
    board = org.org.find("Dashboard", "Handrail/Handoff_Review").element
    assert {r.text for r in board.iter(f"{{{MD}}}report")} == REPORTS
    code, out, err = run_cli(*args(spec, "plan", "--exit-code"))
    assert code == 0, out + err
    assert not org.rejections


def test_a_report_edited_in_the_org_is_drift_and_apply_restores_it(org, spec, run_cli):
    assert run_cli(*args(spec, "apply"))[0] == 0
    report = org.org.find("Report", "Handrail/Handoff_Won_Below_Ready").element
    value = next(v for v in report.iter(f"{{{MD}}}value") if v.getparent().tag == f"{{{MD}}}criteriaItems")
    value.text = "70"  # someone lowered the bar in the report builder
    code, out, _ = run_cli(*args(spec, "diff", "--exit-code"))
    assert code == 4 and "Handrail/Handoff_Won_Below_Ready" in out and "70" in out
    assert run_cli(*args(spec, "apply"))[0] == 0
    assert run_cli(*args(spec, "plan", "--exit-code"))[0] == 0


def test_the_org_lists_the_reports_only_by_folder(org, spec, run_cli):
    assert run_cli(*args(spec, "apply"))[0] == 0
    before = len(org.rejections)
    code, out, err = run_cli(*args(spec, "plan", "--json"))
    assert code == 0, err
    assert json.loads(out)["unmanaged"] == []
    del org.org.store("Report")["Handrail/Handoff_Field_Gaps"]
    org.org.put_xml(
        "Report",
        "Handrail/Handoff_Old_Review",
        f'<Report xmlns="{MD}"><format>Tabular</format><name>Old</name><reportType>Opportunity</reportType>'
        "</Report>",
    )
    code, out, err = run_cli(*args(spec, "plan", "--json"))
    plan = json.loads(out)
    assert ("Report", "Handrail/Handoff_Field_Gaps", "create") in {
        (c["kind"], c["key"], c["action"]) for c in plan["changes"]
    }
    assert plan["unmanaged"] == ["Report:Handrail/Handoff_Old_Review"]
    assert len(org.rejections) == before
