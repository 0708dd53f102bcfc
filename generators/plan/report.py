"""Plans and drift, printed for people (text, markdown for pull requests) and machines (JSON).

A change is described in handoff terms and then attribute by attribute: every difference the JSON
lists, with the org's and the spec's value (long texts around their first difference), none left out.
"""

from __future__ import annotations

import json
from typing import Callable

from handrail.generators.plan.diff import CREATE, DELETE, UPDATE, Change, Plan
from handrail.generators.plan.org import ApplyResult

SYMBOL = {CREATE: "+", UPDATE: "~", DELETE: "-"}
COLOUR = {CREATE: "green", UPDATE: "yellow", DELETE: "red"}
Describe = Callable[[Change], list[str]]


def origin_words(change: Change) -> str:
    return change.origin.words() if change.origin else ""


def generic_description(change: Change) -> list[str]:
    """Fallback wording: which spec item, and what differs."""
    what = origin_words(change) or f"{change.kind} {change.key}"
    if change.action == CREATE:
        return [f"{what}: missing, will be created"]
    if change.action == DELETE:
        return [f"{what}: will be deleted"]
    return [
        f"{what}: {d.path or 'value'} {org} -> {spec}"
        for d in change.differences
        for org, spec in [_where_they_differ(d.before, d.after)]
    ]


def differing_values(name: str, change: Change, where: str) -> list[str]:
    """Every difference of a change with both values, one line each, in the order the JSON lists them."""
    lines = [
        f"{name} {d.path or 'value'} in {where}: org {org}, spec {spec}"
        for d in change.differences
        for org, spec in [_where_they_differ(d.before, d.after)]
    ]
    return lines or [f"{name} differs in {where}"]


def _where_they_differ(before, after, context: int = 30) -> tuple[str, str]:
    """Two long texts are shown around their first difference, so the changed part is never cut off;
    texts of up to 80 characters in full."""
    if not (isinstance(before, str) and isinstance(after, str)):
        return short(before), short(after)
    if max(len(before), len(after)) <= 80:
        return repr(before), repr(after)
    start = next((i for i, (a, b) in enumerate(zip(before, after)) if a != b), min(len(before), len(after)))
    start = max(0, start - context)

    def window(text: str) -> str:
        part = text[start : start + 2 * context + 10]
        return repr(("..." if start else "") + part + ("..." if start + len(part) < len(text) else ""))

    return window(before), window(after)


def short(value) -> str:
    text = (
        "(none)"
        if value is None
        else json.dumps(value, ensure_ascii=False)
        if not isinstance(value, str)
        else repr(value)
    )
    return text if len(text) <= 80 else text[:77] + "..."


def summary_line(plan: Plan) -> str:
    n = plan.counts()
    return (
        f"{plan.environment} ({plan.target}): {n[CREATE]} to create, {n[UPDATE]} to change, "
        f"{n[DELETE]} to delete, {n['unchanged']} unchanged"
        + (f", {len(plan.destructive)} destructive" if plan.destructive else "")
    )


def text(
    plan: Plan, describe: Describe, style: Callable[[str, str], str] = lambda s, c: s, drift: bool = False
) -> str:
    lines = [("Drift in " if drift else "Plan for ") + summary_line(plan)]
    for change in plan.pending:
        where = f"  [{change.source}]" if change.source else ""
        heading = f"{SYMBOL[change.action]} {change.kind} {change.key}"
        lines.append(style(heading, COLOUR[change.action]) + where)
        lines += [f"    {line}" for line in (describe(change) or generic_description(change))]
        for f in change.findings:
            tag = "DESTRUCTIVE" if f.destructive else f.severity
            lines.append(style(f"    ! {tag}: {f.message}", "red" if f.destructive else "yellow"))
        lines += [f"    > {n.kind}: {n.text}" for n in plan.notes if n.ident == change.ident]
    lines += [f"> {n.kind}: {n.text}" for n in plan.notes if not n.ident]
    for line in plan.assumptions:
        lines.append(style(f"! {line}", "red"))
    if plan.unmanaged:
        lines.append(f"left alone (in Handrail's namespace but not in the spec): {', '.join(plan.unmanaged)}")
    if plan.unverifiable:
        lines.append(
            f"not verifiable (manual steps an admin must check by hand): {', '.join(plan.unverifiable)}"
        )
    if not plan.pending and not plan.assumptions:
        lines.append(
            "no drift: the org matches the spec" if drift else "no changes: the org matches the spec"
        )
    return "\n".join(lines) + "\n"


def markdown(plan: Plan, describe: Describe, drift: bool = False) -> str:
    title = "Handrail drift" if drift else "Handrail plan"
    out = [f"### {title}: {summary_line(plan)}", ""]
    if plan.pending:
        out += ["| | component | what | spec |", "|---|---|---|---|"]
        for c in plan.pending:
            words = "<br>".join(_cell(w) for w in (describe(c) or generic_description(c)))
            words += "".join(f"<br>**{n.kind}:** {_cell(n.text)}" for n in plan.notes if n.ident == c.ident)
            flags = " **destructive**" if c.destructive else ""
            out.append(
                f"| {SYMBOL[c.action]}{flags} | `{c.kind} {c.key}` | {words} | {_cell(str(c.source or ''))} |"
            )
    elif not plan.assumptions:
        out.append("No drift: the org matches the spec." if drift else "No changes.")
    out += ["", *(f"- **{_cell(line)}**" for line in plan.assumptions)] if plan.assumptions else []
    out += [f"- {n.kind}: {_cell(n.text)}" for n in plan.notes if not n.ident]
    return "\n".join(out) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def as_json(plan: Plan, describe: Describe, result: ApplyResult | None = None) -> str:
    data = {
        "target": plan.target,
        "environment": plan.environment,
        "counts": plan.counts(),
        "changes": [
            {
                "action": c.action,
                "kind": c.kind,
                "key": c.key,
                "origin": str(c.origin or ""),
                "source": str(c.source) if c.source else None,
                "destructive": c.destructive,
                "description": describe(c) or generic_description(c),
                "differences": [
                    {"path": d.path, "before": d.before, "after": d.after} for d in c.differences
                ],
                "notes": [_note(n) for n in plan.notes if n.ident == c.ident],
                "findings": [
                    {
                        "severity": f.severity,
                        "code": f.code,
                        "message": f.message,
                        "destructive": f.destructive,
                    }
                    for f in c.findings
                ],
            }
            for c in plan.pending
        ],
        "unmanaged": list(plan.unmanaged),
        "unverifiable": list(plan.unverifiable),
        "assumptions": list(plan.assumptions),
        "notes": [_note(n) for n in plan.notes if not n.ident],
    }
    if result is not None:
        data["result"] = {
            "applied": result.applied,
            "failed": [{"component": i, "error": m} for i, m in result.failed],
            "not_attempted": result.not_attempted,
            "notes": result.notes,
        }
    return json.dumps(data, indent=2, sort_keys=True) + "\n"


def _note(note) -> dict:
    return {"kind": note.kind, "text": note.text, **note.data}


def apply_text(result: ApplyResult) -> str:
    if result.check_only and not result.failed:
        lines = [f"check only: {len(result.not_attempted)} change(s) validated; nothing was saved"]
    elif not (result.applied or result.failed or result.not_attempted):
        return "\n".join(result.notes or ["nothing applied"]) + "\n"
    else:
        lines = [f"applied {len(result.applied)} change(s)"]
    lines += [f"  failed: {ident}: {message}" for ident, message in result.failed]
    if result.not_attempted and not (result.check_only and not result.failed):
        lines.append(f"  not attempted: {', '.join(result.not_attempted)}")
    lines += [f"  {note}" for note in result.notes]
    return "\n".join(lines) + "\n"
