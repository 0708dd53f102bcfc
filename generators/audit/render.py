"""The audit report as text (a table for people), JSON (stable keys) and CSV (one row per metric).

CSV layout: columns `section,group,metric,value`, e.g. `segment,mid_market,average_score,71.3` or
`field,success_criteria,generic_rate,45.0`; `group` is empty for report-wide figures. Sections:
summary, skipped, tiers, segment, owner, field, month, clock_source (group: clock; set, by_hand,
by_automation), sla, sla_segment (group `clock/segment`),
csm_rating, intake, gate, open_gate, open_stage, disagreement (group: deal id), and the quality alarm's
runs: quality_overall (group empty), quality_owner (group: owner), quality_field (group: field key), each
run a row whose metric is its months `YYYY-MM..YYYY-MM` and whose value is how many months it lasted;
junk_field (group: field key): its completion_rate, generic_rate, distinct_values and suggestion (the kind of
redesign: remove, picklist, min_length, narrow_question, drop_generic_options or require); junk_owner
(group: owner): the values the AE filled, how many generic, and the generic_rate.
"""

from __future__ import annotations

import json
from typing import Any, Iterator, TextIO

from handrail.generators.audit.clock_sources import hand_line
from handrail.generators.data.csv_cells import SafeWriter
from handrail.generators.rules.scoring import TIER_LABELS

GROUP_METRICS = (
    "deals",
    "average_score",
    "completion",
    "ready",
    "gaps",
    "blocked",
    "unscored",
    "gate_violations",
)
SLA_METRICS = (
    "handoffs",
    "within",
    "breached",
    "pending",
    "unmeasured",
    "compliance_rate",
    "average_elapsed",
)
SKIPPED_LABELS = {
    "no_stage": "with no known stage",
    "closed_lost": "closed lost",
    "open_not_gated": "open before any gated stage",
    "no_close_date": "with no close date",
    "before_since": "closed before the period",
}


def num(value: Any, suffix: str = "", places: int = 1) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.{places}f}{suffix}"
    return f"{value:,}{suffix}"


def write_json(report: dict, out: TextIO) -> None:
    json.dump(report, out, indent=2, sort_keys=True)
    out.write("\n")


def csv_rows(report: dict) -> Iterator[tuple[str, str, str, Any]]:
    cw = report["closed_won"]
    for key in ("deals_read", "as_of", "since"):
        yield "summary", "", key, report[key]
    for key in ("deals", "average_score", "completion"):
        yield "summary", "", f"closed_won_{key}", cw[key]
    yield "summary", "", "completion_alert", int(cw["completion_alert"]["flagged"])
    yield "summary", "", "quality_alert", int(cw["quality_alert"]["flagged"])
    for reason, n in report["skipped"].items():
        yield "skipped", reason, "deals", n
    for tier, n in cw["tiers"].items():
        yield "tiers", "", tier, n
    for section, rows, key in (
        ("segment", cw["by_segment"], "segment"),
        ("owner", cw["by_owner"], "owner"),
        ("month", cw["trend"], "month"),
    ):
        for row in rows:
            for metric in GROUP_METRICS + (
                ("under_floor", "score_under_floor", "specific_rate") if section == "month" else ()
            ):
                value = row[metric]
                yield section, row[key], metric, int(value) if isinstance(value, bool) else value
    for row in cw["fields"]:
        for metric in ("deals", "filled", "generic", "completion_rate", "generic_rate", "flagged"):
            value = row[metric]
            yield "field", row["field"], metric, int(value) if isinstance(value, bool) else value
    yield from _quality_rows(cw["quality_alert"])
    for row in cw["junk_fields"]:
        for metric in ("completion_rate", "generic_rate", "distinct_values", "suggestion"):
            yield "junk_field", row["field"], metric, row[metric]
    for row in cw["junk_by_owner"]:
        for metric in ("filled", "generic", "generic_rate"):
            yield "junk_owner", row["owner"], metric, row[metric]
    for clock, counts in cw["clock_sources"].items():
        for metric, value in counts.items():
            yield "clock_source", clock, metric, value
    for clock in cw["sla"]:
        for metric in SLA_METRICS:
            yield "sla", clock["sla"], metric, clock[metric]
        for seg in clock["by_segment"]:
            for metric in ("target",) + SLA_METRICS:
                yield "sla_segment", f"{clock['sla']}/{seg['segment']}", metric, seg[metric]
    ratings = cw["csm_ratings"]
    for stars, n in ratings["distribution"].items():
        yield "csm_rating", stars, "deals", n
    for key in ("rated", "unrated", "average"):
        yield "csm_rating", "", key, ratings[key]
    for key, value in cw["intake"].items():
        yield "intake", "", key, value
    for key, value in cw["gate_flags"].items():
        yield "gate_flags", "", key, value
    for section, violations in (
        ("gate", cw["gate_violations"]),
        ("open_gate", report["open_in_gated_stages"]["gate_violations"]),
    ):
        yield section, "", "deals", violations["deals"]
        for row in violations["by_gate"]:
            yield section, row["gate"], "deals", row["deals"]
    for row in report["open_in_gated_stages"]["by_stage"]:
        yield "open_stage", row["stage"], "deals", row["deals"]
    dis = cw["score_disagreements"]
    for key in ("compared", "disagreeing", "not_stored"):
        yield "disagreement", "", key, dis[key]
    for row in dis["examples"]:
        for key in ("stored_score", "score", "difference"):
            yield "disagreement", row["id"], key, row[key]


def _quality_rows(alert: dict) -> Iterator[tuple[str, str, str, Any]]:
    groups = [("quality_overall", "", alert["overall"])]
    groups += [("quality_owner", o["owner"], o["runs"]) for o in alert["by_owner"]]
    groups += [("quality_field", f["field"], f["runs"]) for f in alert["by_field"]]
    for section, group, runs in groups:
        for run in runs:
            yield section, group, f"{run['from']}..{run['to']}", run["months"]


def quality_lines(alert: dict) -> list[str]:
    """The quality alarm in words, one line per run: overall, per owner, per field."""
    score, fill = f"{alert['score_floor']:g}", f"{alert['fill_floor']:g}"

    def span(run: dict) -> str:
        return f"for {run['months']} months running ({run['from']} to {run['to']})"

    lines = [f"Average handoff score was under {score} {span(r)}" for r in alert["overall"]]
    lines += [
        f"Average handoff score of {o['owner']}'s deals was under {score} {span(r)}"
        for o in alert["by_owner"]
        for r in o["runs"]
    ]
    lines += [
        f"{f['label']} was filled with specific content in under {fill}% of deals {span(r)}: "
        "redesign or remove it"
        for f in alert["by_field"]
        for r in f["runs"]
    ]
    return lines


def write_csv(report: dict, out: TextIO) -> None:
    writer = SafeWriter(out)
    writer.writerow(["section", "group", "metric", "value"])
    for row in csv_rows(report):
        writer.writerow(row)


def write_table(report: dict, out: TextIO) -> None:
    cw, w = report["closed_won"], out.write
    since = f", closed since {report['since']}" if report["since"] else ""
    w(f"Handoff audit: {report['spec']}, as of {report['as_of'][:10]}{since}\n")
    skipped = ", ".join(f"{n:,} {SKIPPED_LABELS[r]}" for r, n in report["skipped"].items() if n)
    w(
        f"Read {report['deals_read']:,} deals: {cw['deals']:,} closed won, "
        f"{report['open_in_gated_stages']['deals']:,} open in gated stages"
        + (f"; skipped {skipped}" if skipped else "")
        + "\n\n"
    )
    w(
        f"Closed won: {cw['deals']:,} deals, average score {num(cw['average_score'])}, "
        f"completion {num(cw['completion'], '%')}\n"
    )
    w("Tiers: " + tier_line(cw["tiers"], cw["deals"]) + "\n")
    _groups(w, "By segment", "segment", [(r["label"], r) for r in cw["by_segment"]])
    _groups(w, "By owner", "owner", [(r["owner"], r) for r in cw["by_owner"]])
    _fields(w, cw["fields"], report["thresholds"]["generic_flag"])
    _junk(w, cw["junk_fields"])
    _owner_junk(w, cw["junk_by_owner"])
    _trend(w, cw)
    _sla(w, cw["sla"])
    typed = hand_line(cw["clock_sources"])
    if typed:
        w(f"{typed} (not stamped by a completed task)\n")
    r, i = cw["csm_ratings"], cw["intake"]
    w(
        f"\nCSM handoff ratings: {r['rated']:,} rated, average {num(r['average'], places=2)} "
        f"({', '.join(f'{k}: {v:,}' for k, v in r['distribution'].items())}); {r['unrated']:,} unrated\n"
    )
    w(
        f"CS intake: {i['accepted']:,} accepted, {i['returned']:,} returned to Sales "
        f"({num(i['returned_rate'], '%')} returned), {i['pending']:,} pending, {i['not_recorded']:,} not "
        "recorded\n"
    )
    flags = cw["gate_flags"]
    if flags["monitor"] or flags["bypassed"]:
        w(
            f"Gate flags: {flags['monitor']:,} won deals failed a gate in monitor mode, "
            f"{flags['bypassed']:,} passed an enforced gate through the gate bypass (see Gate Flags)\n"
        )
    _violations(
        w,
        "Gate violations: {n} closed-won deals reached Closed Won although a gate should have stopped them",
        cw["gate_violations"],
    )
    _disagreements(w, cw["score_disagreements"], report["thresholds"]["score_tolerance"])
    op = report["open_in_gated_stages"]
    stages = ", ".join(f"{s['label']} {s['deals']:,}" for s in op["by_stage"])
    w(f"\nOpen deals in gated stages: {op['deals']:,}" + (f" ({stages})" if stages else "") + "\n")
    if op["deals"]:
        w("Tiers: " + tier_line(op["tiers"], op["deals"]) + "\n")
    _violations(
        w,
        "Gate violations: {n} open deals sit in a stage a gate should have kept them out of",
        op["gate_violations"],
    )


def tier_line(tiers: dict, total: int) -> str:
    parts = [
        f"{TIER_LABELS[t]} {tiers[t]:,} ({num(tiers[t] / total * 100 if total else None, '%')})"
        for t in ("ready", "gaps", "blocked")
    ]
    return ", ".join(parts) + (f", unscored {tiers['unscored']:,}" if tiers["unscored"] else "")


def _groups(w, title: str, name: str, rows: list[tuple[str, dict]]) -> None:
    if not rows:
        return
    w(
        f"\n{title}\n{name:<28} {'deals':>7} {'avg score':>9} {'completion':>10} {'ready':>6} {'gaps':>6} "
        f"{'blocked':>7} {'gate violations':>15}\n"
    )
    for label, r in rows:
        w(
            f"{label[:28]:<28} {r['deals']:>7,} {num(r['average_score']):>9} {num(r['completion'], '%'):>10} "
            f"{r['ready']:>6,} {r['gaps']:>6,} {r['blocked']:>7,} {r['gate_violations']:>15,}\n"
        )


def weakest_first(fields: list[dict]) -> list[dict]:
    return sorted(fields, key=lambda r: (r["completion_rate"], -(r["generic_rate"] or 0), r["field"]))


def _fields(w, fields: list[dict], flag: float) -> None:
    if not fields:
        return
    w(
        f"\nFields, weakest first (generic = share of filled values)\n{'field':<28} {'deals':>7} "
        f"{'completed':>9} {'generic':>8}\n"
    )
    for r in weakest_first(fields):
        mark = (
            f"  ! generic {num(r['generic_rate'], '%')} of the time (>= {flag:g}%): redesign it"
            if r["flagged"]
            else ""
        )
        w(
            f"{r['label'][:28]:<28} {r['deals']:>7,} {num(r['completion_rate'], '%'):>9} "
            f"{num(r['generic_rate'], '%'):>8}{mark}\n"
        )


JUNK_REASONS = {
    "generic": "usually generic",
    "low_fill": "rarely specific, 2+ months running",
    "rarely_filled": "rarely filled",
}


def _junk(w, rows: list[dict]) -> None:
    if not rows:
        return
    w("\nJunk fields and how to redesign them\n")
    for r in rows:
        why = ", ".join(JUNK_REASONS[k] for k in r["why"])
        w(f"{r['label']} ({why}): {r['redesign']}\n")


def _owner_junk(w, rows: list[dict]) -> None:
    if not rows:
        return
    w(
        "\nJunk by owner (generic share of the values filled)\n"
        f"{'owner':<28} {'filled':>7} {'generic':>8}  worst field\n"
    )
    for r in rows:
        worst = r["worst_field"]
        where = f"{worst['label']} ({num(worst['generic_rate'], '%')})" if worst else "-"
        w(f"{r['owner'][:28]:<28} {r['filled']:>7,} {num(r['generic_rate'], '%'):>8}  {where}\n")


def _trend(w, cw: dict) -> None:
    if not cw["trend"]:
        return
    floor = cw["completion_alert"]["floor"]
    score = cw["quality_alert"]["score_floor"]
    w(f"\nMonthly trend by close month\n{'month':<8} {'deals':>7} {'avg score':>9} {'completion':>10}\n")
    for r in cw["trend"]:
        marks = [f"under {floor:g}%"] if r["under_floor"] else []
        marks += [f"score under {score:g}"] if r["score_under_floor"] else []
        mark = "  " + ", ".join(marks) if marks else ""
        w(
            f"{r['month']:<8} {r['deals']:>7,} {num(r['average_score']):>9} "
            f"{num(r['completion'], '%'):>10}{mark}\n"
        )
    for run in cw["completion_alert"]["runs"]:
        w(
            f"! Completion under {floor:g}% for {run['months']} months running ({run['from']} to "
            f"{run['to']}): "
            "investigate\n"
        )
    for line in quality_lines(cw["quality_alert"]):
        w(f"! {line}\n")


def _sla(w, clocks: list[dict]) -> None:
    w(
        f"\nSLA compliance (within / handoffs measured)\n{'':<28} {'handoffs':>8} {'within':>7} "
        f"{'breached':>8} {'pending':>7} {'no clock':>8} {'compliance':>10} {'average':>10}\n"
    )
    for c in clocks:
        unit = {"hours": "h", "days": "d"}.get(c["unit"], " bd")
        w(
            f"{c['label']:<28} {c['handoffs']:>8,} {c['within']:>7,} {c['breached']:>8,} {c['pending']:>7,} "
            f"{c['unmeasured']:>8,} {num(c['compliance_rate'], '%'):>10} "
            f"{num(c['average_elapsed'], unit):>10}\n"
        )
        for s in c["by_segment"]:
            if s["handoffs"]:
                w(
                    f"  {s['label'][:18]:<18} {s['target']:>4}{unit:<3} {s['handoffs']:>8,} "
                    f"{s['within']:>7,} "
                    f"{s['breached']:>8,} {s['pending']:>7,} {s['unmeasured']:>8,} "
                    f"{num(s['compliance_rate'], '%'):>10}\n"
                )


def _violations(w, title: str, v: dict) -> None:
    w("\n" + title.format(n=f"{v['deals']:,}") + "\n")
    for row in v["by_gate"]:
        w(f"  {row['gate']:<28} {row['deals']:>7,}  {row['message']}\n")
    if v["examples"]:
        w(f"  examples ({len(v['examples'])} of {v['deals']:,}):\n")
    for e in v["examples"]:
        reasons = "; ".join(f"{g['gate']}: {', '.join(g['reasons'])}" for g in e["gates"])
        w(
            f"    {e['id']} {e['name']} ({e['owner'] or 'no owner'}, {e['segment']}, score "
            f"{num(e['score'])}): "
            f"{reasons}\n"
        )


def _disagreements(w, d: dict, tolerance: float) -> None:
    w(
        f"\nScore disagreements: {d['disagreeing']:,} of {d['compared']:,} stored scores differ from "
        f"Handrail's by more than {tolerance:g} ({d['not_stored']:,} deals have no stored score)\n"
    )
    for e in d["examples"]:
        difference = "-" if e["difference"] is None else f"{e['difference']:+.1f}"
        w(
            f"    {e['id']} {e['name']}: stored {num(e['stored_score'])}, Handrail {num(e['score'])}, "
            f"difference {difference}\n"
        )


WRITERS = {"table": write_table, "json": write_json, "csv": write_csv}
FORMATS = (*WRITERS, "html")


def write_audit(report: dict, fmt: str, out: TextIO) -> None:
    if fmt == "html":
        from handrail.generators.audit.html import write_html

        write_html(report, out)
    else:
        WRITERS[fmt](report, out)
