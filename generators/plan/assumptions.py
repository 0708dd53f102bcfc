"""What a spec assumes an org already holds: the stages it gates on, the deal-type values that make a
deal an expansion or a renewal, the fields `deal:` reads. Handrail creates none of them, so when one is
missing nothing fails loudly: a gate on a stage the org lacks never fires, a deal-type value no deal can
have makes no deal an expansion.

Each target lists the components that say what the org holds and checks them
(targets.<crm>.preflight); that check is CRM-specific, the wording is here. Plan and apply refuse a
broken assumption as a located spec error (exit 3) with the org's values and the closest one; diff
reports it as drift, in handoff terms ("stage 'Commit' no longer exists in Salesforce: gate 'mm_csm' can
never fire").
"""

from __future__ import annotations

from dataclasses import dataclass
from difflib import get_close_matches

from handrail.specs.diagnostics import Diagnostic, Span, error
from handrail.specs.model import Model

MISSING, INACTIVE, NOT_WON, NOT_LOST, WRONG_TYPE = "missing", "inactive", "not won", "not lost", "wrong type"
CRM_NAMES = {"salesforce": "Salesforce", "hubspot": "HubSpot"}
SHOWN = 30  # org values listed in a message at most


@dataclass(frozen=True)
class Broken:
    """One assumption the org does not hold."""

    what: str  # "stage", "deal type value", "field"
    value: str  # as the spec names it in this CRM
    problem: str  # MISSING, INACTIVE, NOT_WON, NOT_LOST or WRONG_TYPE
    path: str  # spec path, e.g. "stages.commit.salesforce"
    span: Span | None = None
    where: str = ""  # e.g. "sales process 'Renewal Process'", "pipeline 'default'"
    have: tuple[str, ...] = ()  # the org's values of this kind, for the listing and the closest match
    uses: tuple[str, ...] = ()  # what stops working, e.g. "gate 'mm_csm' can never fire"
    detail: str = ""  # WRONG_TYPE: what the org holds, e.g. "a Text field"


def _subject(b: Broken) -> str:
    return f"{b.what} '{b.value}'" + (f" of {b.where}" if b.where else "")


def _state(b: Broken, crm: str, drift: bool) -> str:
    if b.problem == MISSING:
        return f"{'no longer exists' if drift else 'does not exist'} in {crm}"
    if b.problem == INACTIVE:
        return f"is inactive in {crm}"
    if b.problem == NOT_WON:
        return f"is not a won stage in {crm}"
    if b.problem == NOT_LOST:
        return f"is not a lost stage in {crm}"
    return f"is {b.detail} in {crm}"


def drift_line(b: Broken, platform: str) -> str:
    """'stage 'Commit' no longer exists in Salesforce: gate 'mm_csm' can never fire'."""
    crm = CRM_NAMES.get(platform, platform)
    return f"{_subject(b)} {_state(b, crm, True)}" + (f": {'; '.join(b.uses)}" if b.uses else "")


def diagnostic(b: Broken, platform: str, env_name: str) -> Diagnostic:
    """A located error naming the org's values and the closest of them."""
    crm = CRM_NAMES.get(platform, platform)
    message = f"{_subject(b)} {_state(b, crm, False)} (environment '{env_name}')"
    if b.uses:
        message += f": {'; '.join(b.uses)}"
    close = get_close_matches(b.value, list(b.have), 1, 0.5) if b.problem == MISSING else []
    listed = ", ".join(repr(v) for v in b.have[:SHOWN]) + (", ..." if len(b.have) > SHOWN else "")
    has = {NOT_WON: "the org's won stages are", NOT_LOST: "the org's lost stages are"}.get(
        b.problem, "the org has"
    )
    hint = (f"did you mean {close[0]!r}? " if close else "") + (f"{has} {listed}" if b.have else "")
    return error("org-assumption", message, path=b.path, span=b.span, hint=hint.strip())


def stage_uses(model: Model, stage_key: str) -> tuple[str, ...]:
    """What stops working when the org has no such stage, in handoff terms."""
    out = [f"gate '{g.key}' can never fire" for g in model.gates if g.stage == stage_key and g.active]
    out += [
        f"the automation on entering '{stage_key}' never runs"
        for e in model.automation.on_stage_entry
        if e.stage == stage_key
    ][:1]
    stage = model.stage(stage_key)
    if stage.closed_won:
        out.append("no deal is ever won: the close automation never runs")
    return tuple(out)


DEAL_TYPE_USES = {"expansion": ("no deal is ever an expansion",), "renewal": ("no deal is ever a renewal",)}
