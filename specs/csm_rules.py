"""CSM assignment rules (`automation.on_closed_won.assign_csm`): what a rule's `when:` keys name, and the
checks a rule's keys need beyond the schema.

A `when:` key is a field key of the spec (its CRM field in each target), `deal_type` (deal.deal_type), or
`account.<Field>`: a field of the deal's Account, read in Salesforce as $Record.Account.<Field>.
"""

from __future__ import annotations

import re
from typing import Literal

from handrail.specs.model import Field, Model
from handrail.specs.record import record

ACCOUNT = re.compile(r"^account\.([A-Za-z][A-Za-z0-9_]*)$")
WHEN_TYPES = ("picklist", "short_text")  # a territory matches one value; text compares exactly
_RULE = ("automation", "on_closed_won", "assign_csm")


@record
class WhenField:
    """What an assignment rule's `when:` entry reads: a spec field, the deal type or an Account field."""

    kind: Literal["field", "deal_type", "account"]
    name: str  # the spec field key, "deal_type", or the Account field's API name
    field: Field | None = None


def when_field(model: Model, ref: str) -> WhenField:
    found = ACCOUNT.match(ref)
    if found:
        return WhenField("account", found.group(1))
    if ref == "deal_type":
        return WhenField("deal_type", ref)
    return WhenField("field", ref, model.field(ref))


def check(c, rule: dict, i: int) -> None:
    """Located errors for one rule (`c` is specs.references' checker)."""
    path = _RULE + (i,)
    doers = [k for k in ("assign", "pool", "account_csm") if rule.get(k)]
    if len(doers) > 1:
        c.err("conflict", f"the rule names both {doers[0]} and {doers[1]}", path, "split it into two rules")
    if not doers and rule.get("keep_existing") is False:
        c.err(
            "conflict",
            "the rule neither assigns a CSM nor keeps the existing one",
            path,
            "add assign: <username> or pool: [<username>, ...]",
        )
    if "max_open" in rule and not rule.get("pool"):
        c.err(
            "missing-key",
            "max_open caps the members of a pool, but the rule has no pool",
            path + ("max_open",),
        )
    auto = c.data.get("automation") or {}
    won = auto.get("on_closed_won") if isinstance(auto, dict) else None
    if rule.get("pool") and isinstance(won, dict) and won.get("stamp_close_time") is False:
        c.err(
            "conflict",
            "a pool rotates after the last deal stamped Closed Won At, but stamp_close_time is false",
            path + ("pool",),
            "remove stamp_close_time: false",
        )
    deal = c.data.get("deal") if isinstance(c.data.get("deal"), dict) else {}
    csm = deal.get("csm") if isinstance(deal.get("csm"), dict) else {}
    if rule.get("account_csm") and not isinstance(csm.get("account_field"), dict):
        c.err(
            "missing-key",
            "account_csm: true, but deal.csm.account_field names no account field holding its CSM",
            path + ("account_csm",),
            "add deal: {csm: {field: csm, account_field: {salesforce: <Account field>, hubspot: <company "
            "property>}}}",
        )
    _check_when(c, rule.get("when"), path + ("when",))


def _check_when(c, when, path: tuple) -> None:
    if not isinstance(when, dict):
        return
    fields = {f["key"]: f for _, f in c.items("fields") if isinstance(f.get("key"), str)}
    for key in when:
        if ACCOUNT.match(key) or key == "deal_type":
            continue
        if key not in fields:
            c.err(
                "unknown-reference",
                f"unknown field '{key}' in when",
                path + (key,),
                "name a field key of this spec, deal_type, or account.<Field> (e.g. account.BillingCountry)",
                at_key=True,
            )
        elif fields[key].get("type") == "picklist" and isinstance(when[key], list):
            options = [o.get("value") if isinstance(o, dict) else o for o in fields[key].get("options") or []]
            for j, value in enumerate(when[key]):
                if value not in options:
                    c.err(
                        "unknown-reference",
                        f"'{value}' is not an option of field '{key}'",
                        path + (key, j),
                        f"options: {', '.join(str(o) for o in options)}",
                    )
        elif fields[key].get("type") not in WHEN_TYPES:
            c.err(
                "wrong-type",
                f"field '{key}' is {fields[key].get('type')}; a territory matches picklist or short text",
                path + (key,),
                at_key=True,
            )
