"""Checks on the spec as written: unique keys, references that resolve, per-type field attributes.

These run on the raw data (next to the schema check), so every problem is reported in one pass.
They tolerate malformed items: the schema check reports those.
"""

from __future__ import annotations

from handrail.specs import clocks, csm_rules, playbook_rules
from handrail.specs.computed import RESERVED as COMPUTED_KEYS
from handrail.specs.diagnostics import Diagnostic, error, format_path
from handrail.specs.loader import Document
from handrail.specs.model import CHOICE_TYPES, NUMBER_TYPES, TEXT_TYPES
from handrail.specs.playbook import RESERVED as PLAYBOOK_KEYS
from handrail.specs.schema_check import listing, short, suggest

RESERVED_KEYS = COMPUTED_KEYS | PLAYBOOK_KEYS

DEFAULT_SECTIONS = (
    "goals",
    "stakeholders",
    "commitments",
    "technical",
    "objections",
    "sales_cycle",
    "risks",
    "partner",
    "other",
)
PICKLIST_MAX_VALUES = {"picklist": 1000, "multi_select": 500}
OPTION_MAX_LENGTH = 255
LABEL_MAX = 40
HELP_MAX = 510


class _Checker:
    def __init__(self, doc: Document):
        self.doc = doc
        self.data = doc.data if isinstance(doc.data, dict) else {}
        self.out: list[Diagnostic] = []

    def err(self, code: str, message: str, path: tuple, hint: str = "", *, at_key: bool = False) -> None:
        span = self.doc.key_span(path) if at_key else self.doc.span(path)
        self.out.append(error(code, message, path=format_path(path), span=span, hint=hint))

    def items(self, name: str) -> list[tuple[int, dict]]:
        value = self.data.get(name)
        if not isinstance(value, list):
            return []
        return [(i, item) for i, item in enumerate(value) if isinstance(item, dict)]

    def keys(self, name: str) -> dict[str, None]:
        """The keys defined in a section, in order (a dict: membership tests stay fast on huge inputs)."""
        return dict.fromkeys(item["key"] for _, item in self.items(name) if isinstance(item.get("key"), str))

    def unique(self, name: str, what: str) -> None:
        seen: dict[str, int] = {}
        for i, item in self.items(name):
            key = item.get("key")
            if not isinstance(key, str):
                continue
            if key in seen:
                self.err(
                    "duplicate-key",
                    f"{what} key '{key}' is already used by {name}[{seen[key]}]",
                    (name, i, "key"),
                    "keys must be unique",
                )
            else:
                seen[key] = i

    def ref(self, value, known: dict | tuple, path: tuple, what: str, *, allow_all: bool = False) -> None:
        if allow_all and value == "all":
            return
        values = value if isinstance(value, list) else [value]
        for j, v in enumerate(values):
            if not isinstance(v, str) or v in known:
                continue
            where = path + (j,) if isinstance(value, list) else path
            self.err(
                "unknown-reference",
                f"unknown {what} {short(v)}",
                where,
                suggest(v, known)
                or (f"known {what}s: {listing(known)}" if known else f"define a {what} first"),
            )


def check_references(doc: Document) -> list[Diagnostic]:
    c = _Checker(doc)
    for name, what in (
        ("sections", "section"),
        ("fields", "field"),
        ("segments", "segment"),
        ("stages", "stage"),
        ("gates", "gate"),
    ):
        c.unique(name, what)
    fields = {item["key"]: item for _, item in c.items("fields") if isinstance(item.get("key"), str)}
    segments, stages = c.keys("segments"), c.keys("stages")
    sections = c.keys("sections") if "sections" in c.data else dict.fromkeys(DEFAULT_SECTIONS)
    _check_fields(c, sections, segments)
    _check_deal(c, fields)
    _check_segments(c, fields, stages)
    _check_stages(c)
    _check_gates(c, fields, segments, stages)
    _check_automation(c, segments, stages)
    playbook_rules.check(c, fields, segments, _needs_csm)
    _check_tiers(c)
    _check_retired(c, fields, c.keys("gates"))
    return c.out


def _check_retired(c: _Checker, fields: dict, gates: list[str]) -> None:
    retired = c.data.get("retired") if isinstance(c.data.get("retired"), dict) else {}
    for kind, live in (("fields", fields), ("gates", gates)):
        for j, key in enumerate(retired.get(kind) or []):
            if isinstance(key, str) and key in live:
                c.err(
                    "conflict",
                    f"'{key}' is both retired and still defined in {kind}",
                    ("retired", kind, j),
                    "remove it from one of the two lists",
                )


def _check_fields(c: _Checker, sections: list[str], segments: list[str]) -> None:
    if c.items("fields") and not any(
        isinstance(f.get("weight"), int) and f.get("weight") for _, f in c.items("fields")
    ):
        c.err(
            "no-weights",
            "no field has a weight, so no handoff score can be computed",
            ("fields",),
            "give the fields that matter a weight from 1 to 3",
        )
    for i, f in c.items("fields"):
        p = ("fields", i)
        ftype = f.get("type") if isinstance(f.get("type"), str) else None
        if isinstance(f.get("key"), str) and f["key"] in RESERVED_KEYS:
            c.err(
                "reserved-key",
                f"field key '{f['key']}' is reserved for a field Handrail computes",
                p + ("key",),
                "choose another key",
            )
        if "section" in f:
            c.ref(f["section"], sections, p + ("section",), "section")
        for attr in ("required_in", "applies_to"):
            if attr in f:
                c.ref(f[attr], segments, p + (attr,), "segment", allow_all=True)
        if isinstance(f.get("label"), str) and len(f["label"]) > LABEL_MAX:
            c.err(
                "too-long",
                f"label is {len(f['label'])} characters; Salesforce allows {LABEL_MAX}",
                p + ("label",),
                "shorten the label; put detail in help",
            )
        if isinstance(f.get("help"), str) and len(f["help"]) > HELP_MAX:
            c.err(
                "too-long",
                f"help is {len(f['help'])} characters; Salesforce allows {HELP_MAX}",
                p + ("help",),
            )
        if ftype not in TEXT_TYPES | CHOICE_TYPES | NUMBER_TYPES | {"date", "datetime", "checkbox", "user"}:
            continue
        _check_field_attributes(c, f, ftype, p)


def _check_field_attributes(c: _Checker, f: dict, ftype: str, p: tuple) -> None:
    def only_for(attr: str, types: frozenset, what: str) -> None:
        if attr in f and ftype not in types:
            c.err(
                "misplaced-key",
                f"'{attr}' applies only to {what} fields, not {ftype}",
                p + (attr,),
                at_key=True,
            )

    only_for("options", CHOICE_TYPES, "picklist and multi_select")
    only_for("length", TEXT_TYPES, "text")
    only_for("visible_lines", frozenset({"long_text"}), "long_text")
    only_for("precision", NUMBER_TYPES, "number, currency and percent")
    only_for("scale", NUMBER_TYPES, "number, currency and percent")
    if f.get("quality") not in (None, False):
        only_for("quality", TEXT_TYPES, "text (picklists mark generic options instead)")
    if ftype in CHOICE_TYPES:
        options = f.get("options")
        if not options:
            c.err("missing-key", f"a {ftype} field needs options", p, "list the values under options:")
        elif isinstance(options, list):
            _check_options(c, options, ftype, p + ("options",))
    length = f.get("length")
    if isinstance(length, int):
        if ftype == "short_text" and length > 255:
            c.err("limit", f"short_text length {length} exceeds 255", p + ("length",), "use type long_text")
        if ftype == "long_text" and length < 256:
            c.err("limit", f"long_text length {length} is below 256", p + ("length",), "use type short_text")
    precision, scale = f.get("precision"), f.get("scale")
    if isinstance(precision, int) and isinstance(scale, int) and scale > precision:
        c.err("limit", f"scale {scale} is larger than precision {precision}", p + ("scale",))


def _check_options(c: _Checker, options: list, ftype: str, p: tuple) -> None:
    seen: set[str] = set()
    for j, opt in enumerate(options):
        value = opt.get("value") if isinstance(opt, dict) else opt
        if not isinstance(value, str):
            continue
        if value.lower() in seen:
            c.err("duplicate-item", f"option '{value}' is listed twice", p + (j,))
        seen.add(value.lower())
        if len(value) > OPTION_MAX_LENGTH:
            c.err(
                "limit", f"option is {len(value)} characters; Salesforce allows {OPTION_MAX_LENGTH}", p + (j,)
            )
        if ";" in value and ftype == "multi_select":
            c.err(
                "illegal-character",
                f"option '{value}' contains ';', which separates multi-select values",
                p + (j,),
            )
    if len(options) > PICKLIST_MAX_VALUES[ftype]:
        c.err(
            "limit", f"{len(options)} options; Salesforce allows {PICKLIST_MAX_VALUES[ftype]} for {ftype}", p
        )


def _check_deal(c: _Checker, fields: dict[str, dict]) -> None:
    deal = c.data.get("deal")
    deal = deal if isinstance(deal, dict) else {}
    for attr, ftype in (("partner_sourced", "checkbox"), ("csm", "user")):
        spec = deal.get(attr)
        if not isinstance(spec, dict) or not isinstance(spec.get("field"), str):
            continue
        path = ("deal", attr, "field")
        key = spec["field"]
        if key not in fields:
            c.ref(key, fields, path, "field")
        elif fields[key].get("type") != ftype:
            c.err(
                "wrong-type",
                f"field '{key}' is {fields[key].get('type')}; {attr} needs a {ftype} field",
                path,
            )
    uses_partner = any(
        isinstance(s.get("match"), dict) and "partner_sourced" in s["match"] for _, s in c.items("segments")
    )
    if uses_partner and not isinstance(deal.get("partner_sourced"), dict):
        c.err(
            "missing-key",
            "segments match on partner_sourced, but deal.partner_sourced names no field",
            ("deal",),
            "add deal: {partner_sourced: {field: <a checkbox field>}}",
        )


def _needs_csm(c: _Checker, path: tuple, why: str) -> None:
    deal = c.data.get("deal") if isinstance(c.data.get("deal"), dict) else {}
    if not isinstance(deal.get("csm"), dict):
        c.err(
            "missing-key",
            f"{why}, but deal.csm names no user field for the CSM",
            path,
            "add deal: {csm: {field: <a user field>}}",
        )


def _check_segments(c: _Checker, fields: dict[str, dict], stages: list[str]) -> None:
    weighted = {k for k, f in fields.items() if isinstance(f.get("weight"), int) and f.get("weight")}
    for i, s in c.items("segments"):
        p = ("segments", i)
        if "required_fields" in s:
            c.ref(s["required_fields"], fields, p + ("required_fields",), "field")
        scored = s.get("scored_fields")
        if isinstance(scored, list):
            c.ref(scored, fields, p + ("scored_fields",), "field")
            for j, key in enumerate(scored):
                if isinstance(key, str) and key in fields and key not in weighted:
                    c.err(
                        "unweighted",
                        f"field '{key}' has no weight, so it cannot be scored",
                        p + ("scored_fields", j),
                    )
        elif (
            isinstance(scored, dict) and isinstance(scored.get("top"), int) and scored["top"] > len(weighted)
        ):
            c.err(
                "limit",
                f"top {scored['top']} asks for more fields than the {len(weighted)} weighted ones",
                p + ("scored_fields", "top"),
            )
        if "csm_required_by" in s:
            c.ref(s["csm_required_by"], stages, p + ("csm_required_by",), "stage")
            _needs_csm(c, p + ("csm_required_by",), "a named CSM is required")


def _check_stages(c: _Checker) -> None:
    for flag in ("closed_won", "closed_lost"):
        marked = [i for i, s in c.items("stages") if s.get(flag) is True]
        for i in marked[1:]:
            c.err(
                "duplicate-item",
                f"more than one stage is marked {flag}",
                ("stages", i, flag),
                f"mark only the one {flag.replace('_', ' ')} stage",
            )
        if flag == "closed_won" and not marked and c.items("stages"):
            c.err(
                "missing-key",
                "no stage is marked closed_won: true",
                ("stages",),
                "close automation and gates need to know which stage is Closed Won",
            )
    for i, s in c.items("stages"):
        if s.get("closed_won") is True and s.get("closed_lost") is True:
            c.err("conflict", "a stage cannot be both closed_won and closed_lost", ("stages", i))


def _check_gates(c: _Checker, fields: dict[str, dict], segments: list[str], stages: list[str]) -> None:
    for i, g in c.items("gates"):
        p = ("gates", i)
        if "stage" in g:
            c.ref(g["stage"], stages, p + ("stage",), "stage")
        if "segments" in g:
            c.ref(g["segments"], segments, p + ("segments",), "segment", allow_all=True)
        req = g.get("require") if isinstance(g.get("require"), dict) else {}
        if "fields" in req:
            c.ref(req["fields"], fields, p + ("require", "fields"), "field")
        if req.get("csm_assigned"):
            _needs_csm(c, p + ("require", "csm_assigned"), "the gate requires a CSM")


def _check_automation(c: _Checker, segments: list[str], stages: list[str]) -> None:
    auto = c.data.get("automation")
    if not isinstance(auto, dict):
        return
    for i, entry in enumerate(auto.get("on_stage_entry") or []):
        if isinstance(entry, dict) and "stage" in entry:
            c.ref(entry["stage"], stages, ("automation", "on_stage_entry", i, "stage"), "stage")
            _check_actions(c, entry, ("automation", "on_stage_entry", i), segments)
    returned = auto.get("on_intake_return")
    if isinstance(returned, dict):
        _check_actions(c, returned, ("automation", "on_intake_return"), segments)
    clocks.check(c, auto)
    won = auto.get("on_closed_won")
    if isinstance(won, dict):
        _check_actions(c, won, ("automation", "on_closed_won"), segments)
        for i, rule in enumerate(won.get("assign_csm") or []):
            if isinstance(rule, dict):
                c.ref(
                    rule.get("segments"),
                    segments,
                    ("automation", "on_closed_won", "assign_csm", i, "segments"),
                    "segment",
                    allow_all=True,
                )
                csm_rules.check(c, rule, i)
        if won.get("assign_csm"):
            _needs_csm(c, ("automation", "on_closed_won", "assign_csm"), "CSM assignment is configured")


def _check_actions(c: _Checker, block: dict, path: tuple, segments: list[str]) -> None:
    task_keys: dict[str, int] = {}
    for kind in ("tasks", "notify", "escalations"):
        for i, item in enumerate(block.get(kind) or []):
            if not isinstance(item, dict):
                continue
            p = path + (kind, i)
            if "segments" in item:
                c.ref(item["segments"], segments, p + ("segments",), "segment", allow_all=True)
            if kind == "tasks" and isinstance(item.get("key"), str):
                if item["key"] in task_keys:
                    c.err("duplicate-key", f"task key '{item['key']}' is already used", p + ("key",))
                task_keys[item["key"]] = i
            people = item.get("to") if kind != "tasks" else [item.get("owner")]
            if isinstance(people, list) and any(r in ("csm", "csm_manager") for r in people):
                _needs_csm(c, p, "a recipient is the CSM")


def _check_tiers(c: _Checker) -> None:
    tiers = c.data.get("tiers")
    if isinstance(tiers, dict):
        ready, gaps = tiers.get("ready", 85), tiers.get("gaps", 60)
        if isinstance(ready, (int, float)) and isinstance(gaps, (int, float)) and not gaps < ready:
            c.err(
                "tier-order",
                f"tiers are out of order: gaps ({gaps:g}) must be below ready ({ready:g})",
                ("tiers",),
                "Ready needs the higher score, e.g. ready: 85, gaps: 60",
            )
