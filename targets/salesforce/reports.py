"""The monthly review's Salesforce reports, in a "Handrail" report folder, built from the spec.

Every report uses the standard Opportunity report type, where a standard column has a fixed token
(FULL_NAME is the owner, STAGE_NAME the stage, CLOSE_DATE the close date) and a custom field is
`Opportunity.<Name>__c`; the `open` parameter is the report's Opportunity Status filter (open, closedwon).

    quality by owner     won this month, grouped by owner: average score and completeness
    below Ready          won this month with a score under the spec's Ready threshold, by owner
    open by tier         open deals at the gated stages, by stage and tier
    field gaps           won this month with a missing summary, by tier: each row names the scored
                         fields missing or generic (a report cannot count blanks field by field; the
                         per-field shares are `handrail audit`'s)
    SLA breaches         won deals with no first CS touch stamped once the segment's first-touch SLA,
                         rounded up to whole days, has passed since Closed Won
    intake decisions     won this month, by CS intake status and CSM rating

The filters read the spec's stages, gates, segments and thresholds, so a spec change changes them.
"""

from __future__ import annotations

from dataclasses import dataclass

from handrail.specs.model import Model
from handrail.specs.review import first_touch_days, gated_stages
from handrail.targets.salesforce.components import Component

FOLDER = "Handrail"
THIS_MONTH = "INTERVAL_THISMONTH"
OWNER, STAGE, NAME, ACCOUNT, CLOSE_DATE = (
    "FULL_NAME",
    "STAGE_NAME",
    "OPPORTUNITY_NAME",
    "ACCOUNT_NAME",
    "CLOSE_DATE",
)


@dataclass(frozen=True)
class Report:
    """One report's definition; `chart` is what the dashboard plots: (summary column, aggregate)."""

    name: str  # developer name, without the folder
    label: str
    description: str
    status: str  # the Opportunity Status parameter: open, closedwon or all
    groupings: tuple[str, ...]
    columns: tuple[tuple[str, str | None], ...]  # (column, aggregate type or None)
    criteria: tuple[tuple[str, str, str], ...] = ()  # (column, operator, value)
    boolean_filter: str | None = None
    this_month: bool = True
    chart: tuple[str, str | None] = ("RowCount", None)

    @property
    def full_name(self) -> str:
        return f"{FOLDER}/{self.name}"


def column(model: Model, key: str) -> str:
    """A computed field as the Opportunity report type names it."""
    return f"{model.naming.salesforce_object}.{model.computed_field(key).salesforce_name}"


def report_name(model: Model, suffix: str) -> str:
    prefix = model.naming.salesforce_prefix or "Handoff"
    return f"{prefix}_{suffix}"


def gated_stage_values(model: Model) -> list[str]:
    """The Salesforce values of the stages where deals meet the gates (specs.review)."""
    return [s.salesforce for s in gated_stages(model) if s.salesforce]


def _any_of(col: str, values: list[str], first: int) -> tuple[list[tuple[str, str, str]], str]:
    """One `equals` criterion per value (a value may hold a comma), ORed: (criteria, boolean expression)."""
    items = [(col, "equals", v) for v in values]
    return items, "(" + " OR ".join(str(first + i) for i in range(len(items))) + ")"


def _sla_breaches(model: Model) -> Report:
    """No first touch stamped, Closed Won more than the segment's first-touch days ago (by segment group)."""
    won_at = column(model, "closed_won_at") if model.automation.on_closed_won.stamp_close_time else CLOSE_DATE
    days = first_touch_days(model)
    criteria = [(column(model, "first_touch_at"), "equals", "")]
    groups = []
    # The largest group is "every other segment", which keeps the picklist value lists short.
    largest = max(days, key=lambda n: len(days[n]))
    others = ",".join(k for n, keys in sorted(days.items()) if n != largest for k in keys)
    for n, segments in sorted(days.items()):
        late = (won_at, "lessThan", f"LAST_N_DAYS:{n}")
        if len(days) == 1:
            criteria.append(late)
            groups.append(str(len(criteria)))
            continue
        segment = ("notEqual", others) if n == largest else ("equals", ",".join(segments))
        criteria += [(column(model, "segment"), *segment), late]
        groups.append(f"({len(criteria) - 1} AND {len(criteria)})")
    return Report(
        report_name(model, "SLA_Breaches"),
        "Handoff SLA breaches",
        "Won deals with no first CS touch once the segment's first-touch SLA has passed since Closed Won "
        "(in whole days). Managed by Handrail.",
        "closedwon",
        (column(model, "segment"),),
        ((NAME, None), (OWNER, None), (won_at, None), (column(model, "tier"), None)),
        tuple(criteria),
        f"1 AND ({' OR '.join(groups)})",
        this_month=False,
    )


def definitions(model: Model) -> list[Report]:
    score, tier = column(model, "score"), column(model, "tier")
    stages = gated_stage_values(model)
    stage_criteria, stage_filter = _any_of(STAGE, stages, 1)
    ready = f"{model.tiers.ready:g}"
    return [
        Report(
            report_name(model, "Quality_By_Owner"),
            "Handoff quality by owner",
            "Deals won this month by owner: average handoff score and completeness. Managed by Handrail.",
            "closedwon",
            (OWNER,),
            (
                (NAME, None),
                (ACCOUNT, None),
                (score, "Average"),
                (column(model, "completeness"), "Average"),
                (tier, None),
            ),
            chart=(score, "Average"),
        ),
        Report(
            report_name(model, "Won_Below_Ready"),
            "Handoff won below Ready",
            f"Deals won this month with a handoff score under Ready ({ready}), by owner. "
            "Managed by Handrail.",
            "closedwon",
            (OWNER,),
            ((NAME, None), (score, "Average"), (tier, None), (column(model, "missing_summary"), None)),
            ((score, "lessThan", ready),),
        ),
        Report(
            report_name(model, "Open_By_Tier"),
            "Handoff open deals by tier",
            "Open deals at the stages the handoff gates guard, by stage and tier. Managed by Handrail.",
            "open",
            (STAGE, tier),
            ((NAME, None), (OWNER, None), (score, "Average")),
            tuple(stage_criteria),
            stage_filter if len(stage_criteria) > 1 else None,
            this_month=False,
        ),
        Report(
            report_name(model, "Field_Gaps"),
            "Handoff field gaps",
            "Deals won this month whose handoff has missing or generic scored fields, by tier; the missing "
            "summary names them. Managed by Handrail.",
            "closedwon",
            (tier,),
            ((NAME, None), (OWNER, None), (score, "Average"), (column(model, "missing_summary"), None)),
            ((column(model, "missing_summary"), "notEqual", ""),),
        ),
        _sla_breaches(model),
        Report(
            report_name(model, "Intake_Decisions"),
            "Handoff intake decisions",
            "Deals won this month by CS intake status and CSM rating. Managed by Handrail.",
            "closedwon",
            (column(model, "intake_status"), column(model, "csm_rating")),
            ((NAME, None), (OWNER, None), (score, "Average")),
        ),
    ]


def folder_component() -> Component:
    """The report folder, shared read-only with every internal user."""
    share = [("accessLevel", "View"), ("sharedTo", "AllInternalUsers"), ("sharedToType", "Organization")]
    return Component("ReportFolder", FOLDER, (("folderShares", [share]), ("name", FOLDER)))


def report_component(report: Report) -> Component:
    criteria = [
        [("column", c), ("columnToColumn", False), ("isUnlocked", True), ("operator", op), ("value", v)]
        for c, op, v in report.criteria
    ]
    filter_ = (
        [("booleanFilter", report.boolean_filter), ("criteriaItems", criteria), ("language", "en_US")]
        if criteria
        else None
    )
    pairs = (
        (
            "columns",
            [
                [("aggregateTypes", agg), ("field", col)] if agg else [("field", col)]
                for col, agg in report.columns
            ],
        ),
        ("description", report.description),
        ("filter", filter_),
        ("format", "Summary"),
        (
            "groupingsDown",
            [[("dateGranularity", "Day"), ("field", g), ("sortOrder", "Asc")] for g in report.groupings],
        ),
        ("name", report.label),
        (
            "params",
            [
                [("name", "co"), ("value", "1")],
                [("name", "open"), ("value", report.status)],
                [("name", "probability"), ("value", ">0")],
            ],
        ),
        ("reportType", "Opportunity"),
        ("scope", "organization"),
        ("showDetails", True),
        ("showGrandTotal", True),
        ("showSubTotals", True),
        (
            "timeFrameFilter",
            [
                ("dateColumn", CLOSE_DATE),
                ("interval", THIS_MONTH if report.this_month else "INTERVAL_CUSTOM"),
            ],
        ),
    )
    return Component("Report", report.full_name, pairs)


def report_components(model: Model) -> list[Component]:
    return [folder_component(), *(report_component(r) for r in definitions(model))]
