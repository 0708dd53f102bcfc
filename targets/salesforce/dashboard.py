"""The Handrail dashboard: one chart per monthly-review report, in a "Handrail" dashboard folder.

It runs as the logged-in user (a dynamic dashboard), so each viewer sees the deals their own sharing
lets them see and no username has to be named per org.
"""

from __future__ import annotations

from handrail.specs.model import Model
from handrail.targets.salesforce.components import Component
from handrail.targets.salesforce.reports import FOLDER, Report, definitions, report_name

SECTIONS = ("leftSection", "middleSection", "rightSection")


def dashboard_name(model: Model) -> str:
    return f"{FOLDER}/{report_name(model, 'Review')}"


def folder_component() -> Component:
    share = [("accessLevel", "View"), ("sharedTo", "AllInternalUsers"), ("sharedToType", "Organization")]
    return Component("DashboardFolder", FOLDER, (("folderShares", [share]), ("name", FOLDER)))


def _chart(report: Report) -> list:
    col, aggregate = report.chart
    summary = [("aggregate", aggregate), ("axisBinding", "y"), ("column", col)]
    return [
        ("autoselectColumnsFromReport", False),
        ("chartAxisRange", "Auto"),
        ("chartSummary", [summary]),
        ("componentType", "Bar"),
        ("displayUnits", "Auto"),
        ("drillEnabled", False),
        ("drillToDetailEnabled", False),
        ("enableHover", True),
        ("expandOthers", False),
        ("groupingColumn", report.groupings[0]),
        ("header", report.label),
        ("legendPosition", "Bottom"),
        ("report", report.full_name),
        ("showPercentage", False),
        ("showValues", True),
        ("sortBy", "RowLabelAscending"),
        ("useReportChart", False),
    ]


def dashboard_component(model: Model) -> Component:
    reports = definitions(model)
    sections = [
        (name, [("columnSize", "Medium"), ("components", [_chart(r) for r in reports[i :: len(SECTIONS)]])])
        for i, name in enumerate(SECTIONS)
    ]
    pairs = (
        ("backgroundEndColor", "#FFFFFF"),
        ("backgroundFadeDirection", "Diagonal"),
        ("backgroundStartColor", "#FFFFFF"),
        ("dashboardType", "LoggedInUser"),
        ("description", f"The monthly handoff review of '{model.name}'. Managed by Handrail."[:255]),
        ("isGridLayout", False),
        *sections,
        ("textColor", "#000000"),
        ("title", "Handoff review"),
        ("titleColor", "#000000"),
        ("titleSize", 12),
    )
    return Component("Dashboard", dashboard_name(model), pairs)


def dashboard_components(model: Model) -> list[Component]:
    return [folder_component(), dashboard_component(model)]
