"""The review's reports and dashboard: valid metadata, laid out in their folders, and filters that follow
the spec (gated stages, segments' SLAs, the Ready threshold)."""

from __future__ import annotations

from helpers import EXAMPLE_SPEC
from lxml import etree

from handrail.specs.validate import load_spec_text
from handrail.targets.salesforce.render import render, verify
from handrail.targets.salesforce.schema import validate_xml

NS = "{http://soap.sforce.com/2006/04/metadata}"
SOURCE = "force-app/main/default/"


def model_of(old: str = "", new: str = ""):
    text = EXAMPLE_SPEC.read_text()
    assert old in text
    return load_spec_text(text.replace(old, new, 1), str(EXAMPLE_SPEC)).model


def report(model, name: str) -> etree._Element:
    return etree.fromstring(render(model, {}).files[f"{SOURCE}reports/Handrail/{name}.report-meta.xml"])


def criteria(root) -> list[tuple[str, str, str]]:
    return [
        (c.findtext(f"{NS}column"), c.findtext(f"{NS}operator"), c.findtext(f"{NS}value") or "")
        for c in root.iter(f"{NS}criteriaItems")
    ]


def test_every_report_dashboard_and_folder_is_valid_in_both_formats(example_model):
    for fmt, paths in (
        (
            "source",
            [
                "reports/Handrail.reportFolder-meta.xml",
                "reports/Handrail/Handoff_Quality_By_Owner.report-meta.xml",
                "dashboards/Handrail.dashboardFolder-meta.xml",
                "dashboards/Handrail/Handoff_Review.dashboard-meta.xml",
            ],
        ),
        (
            "mdapi",
            [
                "reports/Handrail-meta.xml",
                "reports/Handrail/Handoff_SLA_Breaches.report",
                "dashboards/Handrail-meta.xml",
                "dashboards/Handrail/Handoff_Review.dashboard",
            ],
        ),
    ):
        desired = render(example_model, {"format": fmt})
        root = SOURCE if fmt == "source" else ""
        for path in paths:
            assert f"{root}{path}" in desired.files
        review = {p: d for p, d in desired.files.items() if "/reports/" in f"/{p}" or "dashboards/" in p}
        assert len(review) == 9  # two folders, six reports, one dashboard
        for path, data in review.items():
            assert validate_xml(path, data) == [], path
        assert verify(desired, {"format": fmt}) == []


def test_the_manifest_lists_each_folder_under_the_type_it_holds(example_model):
    package = etree.fromstring(render(example_model, {"format": "mdapi"}).files["package.xml"])
    types = {t.findtext(f"{NS}name"): [m.text for m in t.findall(f"{NS}members")] for t in package}
    assert "Handrail" in types["Report"] and "Handrail/Handoff_Field_Gaps" in types["Report"]
    assert types["Dashboard"] == ["Handrail", "Handrail/Handoff_Review"]
    assert "ReportFolder" not in types and "DashboardFolder" not in types


def test_custom_fields_are_columns_of_the_opportunity_report_type(example_model):
    root = report(example_model, "Handoff_Quality_By_Owner")
    assert root.findtext(f"{NS}reportType") == "Opportunity"
    columns = [c.findtext(f"{NS}field") for c in root.iter(f"{NS}columns")]
    assert "Opportunity.Handoff_Score__c" in columns
    assert [g.findtext(f"{NS}field") for g in root.iter(f"{NS}groupingsDown")] == ["FULL_NAME"]
    params = {p.findtext(f"{NS}name"): p.findtext(f"{NS}value") for p in root.iter(f"{NS}params")}
    assert params["open"] == "closedwon"
    assert root.find(f"{NS}timeFrameFilter").findtext(f"{NS}interval") == "INTERVAL_THISMONTH"


def test_open_deals_are_filtered_on_the_gated_stages(example_model):
    # Gates: enterprise_csm at negotiation, mid_market_csm at commit, two at closed_won (commit before it).
    root = report(example_model, "Handoff_Open_By_Tier")
    assert criteria(root) == [
        ("STAGE_NAME", "equals", "Negotiation/Review"),
        ("STAGE_NAME", "equals", "Commit"),
    ]
    assert root.find(f"{NS}filter").findtext(f"{NS}booleanFilter") == "(1 OR 2)"
    moved = model_of(
        "    stage: negotiation\n    segments: [enterprise]",
        "    stage: proposal\n    segments: [enterprise]",
    )
    assert criteria(report(moved, "Handoff_Open_By_Tier")) == [
        ("STAGE_NAME", "equals", "Proposal/Price Quote"),
        ("STAGE_NAME", "equals", "Commit"),
    ]


def test_the_ready_threshold_is_the_below_ready_filter(example_model):
    assert criteria(report(example_model, "Handoff_Won_Below_Ready")) == [
        ("Opportunity.Handoff_Score__c", "lessThan", "85")
    ]
    stricter = model_of("  ready: 85\n", "  ready: 90\n")
    assert criteria(report(stricter, "Handoff_Won_Below_Ready")) == [
        ("Opportunity.Handoff_Score__c", "lessThan", "90")
    ]


def test_sla_breaches_follow_each_segments_first_touch_sla(example_model):
    root = report(example_model, "Handoff_SLA_Breaches")
    items = criteria(root)
    assert items[0] == ("Opportunity.Handoff_First_Touch_At__c", "equals", "")
    channel = [s.key for s in example_model.segments if s.sla.first_touch_hours == 72]
    assert channel and items[1:] == [
        ("Opportunity.Handoff_Segment__c", "notEqual", ",".join(channel)),
        ("Opportunity.Handoff_Closed_Won_At__c", "lessThan", "LAST_N_DAYS:2"),
        ("Opportunity.Handoff_Segment__c", "equals", ",".join(channel)),
        ("Opportunity.Handoff_Closed_Won_At__c", "lessThan", "LAST_N_DAYS:3"),
    ]
    assert root.find(f"{NS}filter").findtext(f"{NS}booleanFilter") == "1 AND ((2 AND 3) OR (4 AND 5))"
    uniform = model_of("    sla: {first_touch_hours: 72}\n", "")
    assert criteria(report(uniform, "Handoff_SLA_Breaches"))[1:] == [
        ("Opportunity.Handoff_Closed_Won_At__c", "lessThan", "LAST_N_DAYS:2")
    ]


def test_the_dashboard_charts_every_report(example_model):
    desired = render(example_model, {})
    board = etree.fromstring(desired.files[f"{SOURCE}dashboards/Handrail/Handoff_Review.dashboard-meta.xml"])
    charted = [c.findtext(f"{NS}report") for c in board.iter(f"{NS}components")]
    reports = sorted(
        p.removeprefix(f"{SOURCE}reports/").removesuffix(".report-meta.xml")
        for p in desired.files
        if p.endswith(".report-meta.xml")
    )
    assert sorted(charted) == reports and len(reports) == 6
    assert board.findtext(f"{NS}dashboardType") == "LoggedInUser"
