"""What a spec assumes a HubSpot portal holds, read from the components that say so.

The stages are the deal stages of each pipeline the spec names (kind "pipeline", GET
/crm/v3/pipelines/deals, as `handrail import` saves them): a stage id the pipeline does not hold, or holds
archived, is missing; the closed-won stage must be closed with probability 1.0 (stage metadata isClosed and
probability: https://developers.hubspot.com/docs/api/crm/pipelines), the closed-lost one closed with 0.0.
The deal-type values are the options of the deal-type property, the ACV property must be a number. A
snapshot that does not hold a component says nothing about it (only a live portal's absence means
missing). Owners are checked where plan resolves them (placeholders.py). The wording is
generators.plan.assumptions'.
"""

from __future__ import annotations

from typing import Mapping

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
from handrail.targets.hubspot import environment_stages

DEFAULT_PIPELINE = "default"


def _pipelines(model: Model) -> list[tuple[str, list[tuple[str, str, str, object]]]]:
    """(pipeline id, [(stage key, stage id, spec path, span)]) for each pipeline the spec names."""
    default = next((p for p in model.pipelines if p.default), None)
    own = [(s.key, s.hubspot, f"stages[{s.order}].hubspot", s.span) for s in model.stages if s.hubspot]
    out = [((default.hubspot_id if default else None) or DEFAULT_PIPELINE, own)] if own else []
    for p in model.pipelines:
        if p.default or not p.hubspot_id:
            continue
        stages = [
            (s.stage, s.hubspot, f"pipelines.{p.key}.stages.{s.stage}.hubspot", p.span)
            for s in p.stages
            if s.hubspot
        ]
        out.append((p.hubspot_id, stages))
    return out


def assumed_keys(model: Model, env: Environment) -> list[Key]:
    deal = model.deal
    keys = [("pipeline", pid) for pid, _ in _pipelines(model)]
    if deal.expansion_values_hubspot or deal.renewal_values_hubspot:
        keys.append(("property", deal.deal_type_hubspot))
    keys.append(("property", deal.acv_hubspot))
    return list(dict.fromkeys(keys))


def check(
    model: Model, env: Environment, live: Mapping[Key, Resource], complete: bool, planned: set[Key]
) -> list[Broken]:
    """Each assumption the portal (`live`: the assumed keys it holds) does not meet; see
    targets.salesforce.preflight.check."""
    ids = environment_stages.stage_ids(model, env) if env.hubspot_stages else {}
    out = []
    for pid, stages in _pipelines(model):
        if ("pipeline", pid) in live:
            out += _stages(model, env, pid, live[("pipeline", pid)].body, stages, ids)
    out += _deal_types(model, live)
    acv = model.deal.acv_hubspot
    body = live.get(("property", acv))
    uses = ("no deal can be sized by its ACV",)
    path = "acv.hubspot"
    where = dict(path=f"deal.{path}", span=model.deal.span(path), uses=uses)
    if body is None and complete and ("property", acv) not in planned:
        out.append(Broken("property", acv, MISSING, **where))
    elif body is not None and body.body.get("type") != "number":
        detail = f"a {body.body.get('type') or 'untyped'} property, not a number"
        out.append(Broken("property", acv, WRONG_TYPE, detail=detail, **where))
    return list(dict.fromkeys(out))


def _stages(
    model: Model, env: Environment, pid: str, body: dict, stages, ids: dict[str, str]
) -> list[Broken]:
    held = {str(s.get("id")): s for s in body.get("stages") or [] if isinstance(s, dict)}
    active = tuple(i for i, s in held.items() if not s.get("archived"))

    def closed(i: str, probability: float) -> bool:
        meta = held[i].get("metadata") or {}
        try:
            return (
                str(meta.get("isClosed")).lower() == "true" and float(meta.get("probability")) == probability
            )
        except (TypeError, ValueError):
            return False

    won = tuple(i for i in active if closed(i, 1.0))
    lost = tuple(i for i in active if closed(i, 0.0))
    where = f"pipeline '{pid}'"
    out = []
    for key, spec_id, path, span in stages:
        value = ids.get(spec_id, spec_id)
        if value != spec_id:  # this environment's id for the stage (environment_stages.py)
            path, span = f"environments.{env.name}.hubspot_stages.{key}", env.span
        stage = model.stage(key)
        common = dict(path=path, span=span, where=where, uses=stage_uses(model, key))
        if value not in held:
            out.append(Broken("stage", value, MISSING, have=active, **common))
        elif value not in active:
            out.append(Broken("stage", value, INACTIVE, have=active, **common))
        elif stage.closed_won and value not in won:
            out.append(Broken("stage", value, NOT_WON, have=won, **common))
        elif stage.closed_lost and value not in lost:
            out.append(Broken("stage", value, NOT_LOST, have=lost, **common))
    return out


def _deal_types(model: Model, live: Mapping[Key, Resource]) -> list[Broken]:
    deal = model.deal
    body = live.get(("property", deal.deal_type_hubspot))
    if body is None:
        return []
    options = [o for o in body.body.get("options") or [] if isinstance(o, dict)]
    values = tuple(str(o.get("value")) for o in options)
    out = []
    for kind, wanted in (
        ("expansion", deal.expansion_values_hubspot),
        ("renewal", deal.renewal_values_hubspot),
    ):
        for i, value in enumerate(wanted):
            if value not in values:
                path = f"{kind}_values.hubspot[{i}]"
                out.append(
                    Broken(
                        f"{deal.deal_type_hubspot} value",
                        value,
                        MISSING,
                        path=f"deal.deal_type.{path}",
                        span=deal.span(path),
                        have=values,
                        uses=DEAL_TYPE_USES[kind],
                    )
                )
    return out
