"""The monthly review's reports in HubSpot, as manual steps: each report's exact definition.

HubSpot's reporting API (a beta) manages reports' metadata and dashboards' widgets but cannot create a
report: "It does not yet support a report's configuration ... you cannot currently: Create a report"
(developers.hubspot.com/docs/api-reference/2027-03-beta/reporting/guide). So an admin builds each one in
the custom report builder from the definition below, and `handrail audit --env` stays the source of the
monthly figures. The definitions mirror the Salesforce reports (targets/salesforce/reports.py).
"""

from __future__ import annotations

from typing import Any

from handrail.specs.model import Model
from handrail.specs.review import first_touch_days, gated_stages

AUDIT_NOTE = (
    "This report is a view for the CRM; the monthly figures (per AE, per field, the trend) come from "
    "`handrail audit --env <portal> --since 2m`."
)


def _prop(model: Model, key: str) -> str:
    return model.computed_field(key).hubspot_name


def _won(model: Model, this_month: bool = True) -> list[dict[str, Any]]:
    won = [s.hubspot for s in model.stages if s.closed_won and s.hubspot]
    out = [{"property": "dealstage", "operator": "is any of", "values": won}]
    if this_month:
        out.append({"property": "closedate", "operator": "is", "values": ["This month"]})
    return out


def definitions(model: Model) -> list[dict[str, Any]]:
    """Each report: data source, filter groups (a deal matches when it meets every filter of any group),
    grouping, measures."""
    score, tier = _prop(model, "score"), _prop(model, "tier")
    count = {"measure": "Count of deals"}
    stages = [s.hubspot for s in gated_stages(model) if s.hubspot]
    days = first_touch_days(model)
    late = _prop(model, "closed_won_at") if model.automation.on_closed_won.stamp_close_time else "closedate"
    no_touch = {"property": _prop(model, "first_touch_at"), "operator": "is unknown", "values": []}
    sla_groups = [
        [
            *_won(model, this_month=False),
            no_touch,
            *(
                [{"property": _prop(model, "segment"), "operator": "is any of", "values": segments}]
                if len(days) > 1
                else []
            ),
            {"property": late, "operator": "is more than", "values": [f"{n} days ago"]},
        ]
        for n, segments in days.items()
    ]
    return [
        {
            "key": "quality_by_owner",
            "name": "Handoff quality by owner",
            "filter_groups": [_won(model)],
            "group_by": ["hubspot_owner_id"],
            "measures": [
                {"measure": "Average", "property": score},
                {"measure": "Average", "property": _prop(model, "completeness")},
            ],
        },
        {
            "key": "won_below_ready",
            "name": "Handoff won below Ready",
            "filter_groups": [
                [*_won(model), {"property": score, "operator": "is less than", "values": [model.tiers.ready]}]
            ],
            "group_by": ["hubspot_owner_id"],
            "measures": [count],
        },
        {
            "key": "open_by_tier",
            "name": "Handoff open deals by tier",
            "filter_groups": [[{"property": "dealstage", "operator": "is any of", "values": stages}]],
            "group_by": ["dealstage", tier],
            "measures": [count],
        },
        {
            "key": "field_gaps",
            "name": "Handoff field gaps",
            "filter_groups": [
                [
                    *_won(model),
                    {"property": _prop(model, "missing_summary"), "operator": "is known", "values": []},
                ]
            ],
            "group_by": [tier],
            "measures": [count],
            "columns": ["dealname", "hubspot_owner_id", score, _prop(model, "missing_summary")],
        },
        {
            "key": "sla_breaches",
            "name": "Handoff SLA breaches",
            "filter_groups": sla_groups,
            "group_by": [_prop(model, "segment")],
            "measures": [count],
        },
        {
            "key": "intake_decisions",
            "name": "Handoff intake decisions",
            "filter_groups": [_won(model)],
            "group_by": [_prop(model, "intake_status"), _prop(model, "csm_rating")],
            "measures": [count],
        },
    ]


def _words(group: list[dict[str, Any]]) -> str:
    return " AND ".join(
        f"{f['property']} {f['operator']}" + (f" {', '.join(map(str, f['values']))}" if f["values"] else "")
        for f in group
    )


def report_steps(model: Model) -> list[dict[str, Any]]:
    steps = []
    for report in definitions(model):
        groups = report["filter_groups"]
        instructions = [
            "In HubSpot, open Reporting > Reports > Create report > Custom report builder, with Deals as "
            "the only data source.",
            "Filters: "
            + (" OR ".join(f"({_words(g)})" for g in groups) if len(groups) > 1 else _words(groups[0]))
            + ".",
            f"Group by {', then '.join(report['group_by'])}; measure "
            + ", ".join(
                " of ".join(filter(None, (m["measure"], m.get("property")))) for m in report["measures"]
            )
            + ".",
            f"Save it as '{report['name']}' and add it to a dashboard named 'Handoff review'.",
            AUDIT_NOTE,
        ]
        steps.append(
            {
                "id": f"report-{report['key'].replace('_', '-')}",
                "kind": "report",
                "verifiable": False,
                "title": f"Build the report '{report['name']}'",
                "report": {"data_source": "deals", **report},
                "instructions": instructions,
            }
        )
    return steps
