"""What a spec assumes a Salesforce org holds, read from the components that say so.

The stages are StageName values: the StandardValueSet OpportunityStage (each value's `closed` and `won`
flags, `isActive` false once deactivated), and per pipeline its sales process (BusinessProcess, the
values it offers). The deal-type values are the Type field's (StandardValueSet OpportunityType) or a
custom picklist's. Custom fields `deal:` reads (a custom ACV, the account's CSM field) must exist with a
usable type. All of them are fetched in plan's one retrieve, or read from a snapshot's files; a snapshot
that does not hold a component says nothing about it (only a live org's absence means missing).
Users are checked where plan resolves them (people.py, assignments.py). The wording is
generators.plan.assumptions'.
"""

from __future__ import annotations

from typing import Any, Mapping

from handrail.generators.plan.assumptions import (
    DEAL_TYPE_USES,
    INACTIVE,
    MISSING,
    NOT_LOST,
    NOT_WON,
    WRONG_TYPE,
    Broken,
    stage_uses,
)
from handrail.generators.plan.diff import Key
from handrail.generators.plan.resources import Resource
from handrail.specs.model import Environment, Model

OBJECT = "Opportunity"
STAGES: Key = ("StandardValueSet", "OpportunityStage")
TYPES: Key = ("StandardValueSet", "OpportunityType")
NUMBERS = ("Currency", "Number")  # what an ACV can be read from


def assumed_keys(model: Model, env: Environment) -> list[Key]:
    """The components that say whether the spec's assumptions hold."""
    deal = model.deal
    keys = [STAGES] if any(s.salesforce for s in model.stages) else []
    if deal.expansion_values_salesforce or deal.renewal_values_salesforce:
        keys.append(
            TYPES if deal.deal_type_salesforce == "Type" else _custom(OBJECT, deal.deal_type_salesforce)
        )
    if deal.acv_salesforce.endswith("__c"):
        keys.append(_custom(OBJECT, deal.acv_salesforce))
    if deal.account_csm_salesforce and deal.account_csm_salesforce.endswith("__c"):
        keys.append(_custom("Account", deal.account_csm_salesforce))
    keys += [
        ("BusinessProcess", f"{OBJECT}.{p.business_process}") for p in model.pipelines if p.business_process
    ]
    return [k for k in dict.fromkeys(keys) if k[1]]


def _custom(obj: str, name: str) -> Key:
    return ("CustomField", f"{obj}.{name}") if name.endswith("__c") else ("", "")


def check(
    model: Model, env: Environment, live: Mapping[Key, Resource], complete: bool, planned: set[Key]
) -> list[Broken]:
    """Each assumption the org (`live`: the assumed keys it holds) does not meet. `complete`: a key
    absent from `live` is absent from the org (a live org), not merely unsaved (a snapshot);
    `planned`: components plan creates, which need not exist yet."""
    out = _stages(model, live)
    out += _deal_types(model, live, complete)
    out += _fields(model, live, complete, planned)
    return list(dict.fromkeys(out))


def _values(body: Any, key: str) -> list[dict]:
    items = (body or {}).get(key) or []
    return [v for v in (items if isinstance(items, list) else [items]) if isinstance(v, dict)]


def _true(value: Any) -> bool:
    return str(value).lower() == "true"


def _stages(model: Model, live: Mapping[Key, Resource]) -> list[Broken]:
    if STAGES not in live:
        return []
    values = {v.get("fullName", ""): v for v in _values(live[STAGES].body, "standardValue")}
    active = tuple(n for n, v in values.items() if v.get("isActive", "true") != "false")
    won = tuple(n for n in active if _true(values[n].get("won")))
    lost = tuple(n for n in active if _true(values[n].get("closed")) and not _true(values[n].get("won")))
    out = []
    for stage, value, path, span, pipeline in _stage_values(model):
        uses = stage_uses(model, stage.key)
        common = dict(path=path, span=span, uses=uses)
        if value not in values:
            out.append(Broken("stage", value, MISSING, have=active, **common))
            continue
        if value not in active:
            out.append(Broken("stage", value, INACTIVE, have=active, **common))
            continue
        if stage.closed_won and value not in won:
            out.append(Broken("stage", value, NOT_WON, have=won, **common))
        if stage.closed_lost and value not in lost:
            out.append(Broken("stage", value, NOT_LOST, have=lost, **common))
        process = (pipeline.business_process if pipeline else None) or ""
        body = live.get(("BusinessProcess", f"{OBJECT}.{process}"))
        offered = tuple(v.get("fullName", "") for v in _values(body.body if body else None, "values"))
        if body is not None and value not in offered:
            where = f"sales process '{process}'"
            out.append(Broken("stage", value, MISSING, where=where, have=offered, **common))
    return out


def _stage_values(model: Model):
    """(stage, StageName value, spec path, span, pipeline) for every value the spec names."""
    default = next((p for p in model.pipelines if p.default), None)
    others = {s.stage for p in model.pipelines if not p.default for s in p.stages}
    for stage in model.stages:
        if stage.salesforce:  # a stage another pipeline maps may be absent from the default's process
            process = default if stage.key not in others else None
            yield stage, stage.salesforce, f"stages[{stage.order}].salesforce", stage.span, process
    for p in model.pipelines:
        for s in p.stages if not p.default else ():
            if s.salesforce:
                path = f"pipelines.{p.key}.stages.{s.stage}.salesforce"
                yield model.stage(s.stage), s.salesforce, path, p.span, p


def _deal_types(model: Model, live: Mapping[Key, Resource], complete: bool) -> list[Broken]:
    deal = model.deal
    name = deal.deal_type_salesforce
    if name == "Type":
        body = live.get(TYPES)
        items = _values(body.body if body else None, "standardValue")
    else:
        key = _custom(OBJECT, name)
        body = live.get(key)
        if body is None:
            missing = (
                complete and key[1] and (deal.expansion_values_salesforce or deal.renewal_values_salesforce)
            )
            return (
                [
                    _missing_field(
                        name, "deal_type.salesforce", model, ("no deal is ever an expansion or a renewal",)
                    )
                ]
                if missing
                else []
            )
        value_set = body.body.get("valueSet") if isinstance(body.body.get("valueSet"), dict) else {}
        if not value_set.get("valueSetDefinition"):  # a global value set, or no picklist: not checked
            return []
        items = _values(value_set["valueSetDefinition"], "value")
    if body is None:
        return []
    values = {v.get("fullName", ""): v for v in items}
    active = tuple(n for n, v in values.items() if v.get("isActive", "true") != "false")
    out = []
    for kind, wanted in (
        ("expansion", deal.expansion_values_salesforce),
        ("renewal", deal.renewal_values_salesforce),
    ):
        for i, value in enumerate(wanted):
            if value in active:
                continue
            path = f"{kind}_values.salesforce[{i}]"
            out.append(
                Broken(
                    f"{name} value",
                    value,
                    MISSING if value not in values else INACTIVE,
                    path=f"deal.deal_type.{path}",
                    span=deal.span(path),
                    have=active,
                    uses=DEAL_TYPE_USES[kind],
                )
            )
    return out


def _fields(model: Model, live: Mapping[Key, Resource], complete: bool, planned: set[Key]) -> list[Broken]:
    deal = model.deal
    out = []
    checks = [
        (OBJECT, deal.acv_salesforce, "acv.salesforce", ("no deal can be sized by its ACV",), _number),
        (
            "Account",
            deal.account_csm_salesforce,
            "account_field.salesforce",
            ("the account CSM rule never assigns",),
            _user,
        ),
    ]
    for obj, name, path, uses, usable in checks:
        key = _custom(obj, name or "")
        if not key[1] or key in planned:
            continue
        if key not in live:
            if complete:
                out.append(_missing_field(f"{obj}.{name}", path, model, uses))
            continue
        problem = usable(live[key].body)
        if problem:
            out.append(
                Broken(
                    "field",
                    f"{obj}.{name}",
                    WRONG_TYPE,
                    path=_deal_path(path),
                    span=deal.span(path),
                    uses=uses,
                    detail=problem,
                )
            )
    return out


def _deal_path(path: str) -> str:
    return "deal." + ("csm." + path if path.startswith("account_field") else path)


def _missing_field(name: str, path: str, model: Model, uses: tuple[str, ...]) -> Broken:
    return Broken("field", name, MISSING, path=_deal_path(path), span=model.deal.span(path), uses=uses)


def _number(body: dict) -> str:
    kind = body.get("type") or ""
    return "" if kind in NUMBERS else f"a {kind or 'untyped'} field, not a Currency or Number one"


def _user(body: dict) -> str:
    if body.get("type") == "Lookup" and body.get("referenceTo") == "User":
        return ""
    return f"a {body.get('type') or 'untyped'} field, not a lookup to User"
