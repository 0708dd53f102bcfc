"""The audit report as one self-contained HTML file: inline CSS and SVG, nothing fetched from anywhere."""

from __future__ import annotations

from typing import TextIO

from markupsafe import Markup

from handrail.generators.audit.clock_sources import hand_line
from handrail.generators.audit.render import JUNK_REASONS, SKIPPED_LABELS, weakest_first
from handrail.generators.audit.svg_charts import (
    BLOCKED,
    BLUE,
    GAPS,
    GREY,
    PURPLE,
    READY,
    column_chart,
    compliance_color,
    line_chart,
    paired_bars,
    percent_bars,
    stacked_bars,
)
from handrail.generators.report_templates import environment, render

WEAKEST_SHOWN = 12


def tier_parts(counts: dict) -> list[tuple[str, int, str]]:
    parts = [
        ("Ready", counts["ready"], READY),
        ("Gaps", counts["gaps"], GAPS),
        ("Blocked", counts["blocked"], BLOCKED),
    ]
    return parts + ([("Unscored", counts["unscored"], GREY)] if counts.get("unscored") else [])


def charts(report: dict) -> dict[str, Markup]:
    cw = report["closed_won"]
    out = dict.fromkeys(("tiers", "trend", "fields", "sla", "ratings"), "")
    if cw["deals"]:
        rows = [("All closed won", tier_parts(cw["tiers"]))] + [
            (s["label"], tier_parts(s)) for s in cw["by_segment"]
        ]
        out["tiers"] = stacked_bars("Tier mix, all closed-won deals and by segment", rows)
    if cw["trend"]:
        out["trend"] = line_chart(
            "Completion, average score and specific answers by close month",
            [r["month"] for r in cw["trend"]],
            [
                ("Completion %", [r["completion"] for r in cw["trend"]], BLUE),
                ("Average score", [r["average_score"] for r in cw["trend"]], PURPLE),
                ("Specific answers %", [r["specific_rate"] for r in cw["trend"]], READY),
            ],
            floor=cw["completion_alert"]["floor"],
            x_title="Close month",
            y_title="Percent / score (0-100)",
        )
    if cw["fields"]:
        weakest = weakest_first(cw["fields"])[:WEAKEST_SHOWN]
        out["fields"] = paired_bars(
            "Weakest fields: completion and generic share of filled values",
            [(f["label"], f["completion_rate"], f["generic_rate"]) for f in weakest],
            (("Completed", BLUE), ("Generic (of filled)", GAPS)),
        )
    out["sla"] = percent_bars(
        "SLA compliance",
        [(c["label"], c["compliance_rate"], compliance_color(c["compliance_rate"])) for c in cw["sla"]],
    )
    if cw["csm_ratings"]["rated"]:
        out["ratings"] = column_chart(
            "CSM handoff ratings, 1 (poor) to 5 (excellent)",
            list(cw["csm_ratings"]["distribution"].items()),
            x_title="Rating: 1 poor to 5 excellent",
            y_title="Handoffs",
        )
    return {k: Markup(v) for k, v in out.items()}


def write_html(report: dict, out: TextIO) -> None:
    cw = report["closed_won"]
    out.write(
        render(
            environment(),
            "audit.html.j2",
            report=report,
            cw=cw,
            open=report["open_in_gated_stages"],
            charts=charts(report),
            weakest=weakest_first(cw["fields"]),
            skipped_labels=SKIPPED_LABELS,
            junk_reasons=JUNK_REASONS,
            first_touch=next(c for c in cw["sla"] if c["sla"] == "first_touch"),
            clocks_by_hand=hand_line(cw["clock_sources"]),
        )
    )
