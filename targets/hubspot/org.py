"""A live HubSpot portal in the normal form: plan reads a constant number of calls, apply writes item
by item and reports each one.

Reads, whatever the spec's size: the deal properties (one GET, filtered to the spec's), the property
groups, the deal property validations (one GET), the deal workflows (paged list, then batch reads of
their full bodies), the pipeline rules only when the spec manages them, and the owners (one paged
GET) when workflows name people. Live bodies are reshaped into the request bodies Handrail sends
(targets.hubspot.org_normalise), so a fresh apply plans empty.

HubSpot has no transactions: apply (targets.hubspot.org_apply) sends each change on its own and
reports every item as applied, failed (with its spec location) or not attempted; a rerun plans from
live state and converges.

Test and proxy settings: HANDRAIL_HUBSPOT_API_URL (API base URL) and REQUESTS_CA_BUNDLE are read by
targets.hubspot.client.connect; HANDRAIL_HUBSPOT_TIMEOUT sets the read timeout in seconds.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import Any, Collection, Mapping

from handrail.generators.plan.diff import Key, Plan
from handrail.generators.plan.org import ApplyResult
from handrail.generators.plan.resources import Desired, Resource
from handrail.specs.diagnostics import InputError
from handrail.specs.model import Environment, Model
from handrail.targets.hubspot import environment_stages, placeholders
from handrail.targets.hubspot.org_normalise import normalise
from handrail.targets.hubspot.ownership import KEY_PROPERTY, is_handrails
from handrail.targets.hubspot.portal_pipelines import PIPELINES_PATH, check_portal_pipelines
from handrail.targets.hubspot.vocabulary import DEAL_OBJECT_TYPE_ID, DEALS, FLOWS_PATH, PIPELINE_RULES_PATH

TIMEOUT_VARIABLE = "HANDRAIL_HUBSPOT_TIMEOUT"
VALIDATIONS_PATH = f"/crm/v3/property-validations/{DEAL_OBJECT_TYPE_ID}"
PAGE = 100  # flows per list page and per batch read; owners per page


@dataclass
class LiveState:
    """The raw reads of the last fetch (None: not read)."""

    properties: dict[str, dict] | None = None
    groups: dict[str, dict] | None = None
    validations: dict[str, dict] | None = None  # "property/RULE_TYPE" -> rule
    flows: dict[str, dict] | None = None  # spec key -> full flow
    all_flows: list[dict] = field(default_factory=list)  # every deal workflow read, for managed()
    pipeline_rules: dict[str, dict] = field(default_factory=dict)


class HubSpotOrg:
    platform = "hubspot"

    def __init__(self, connection, env: Environment, model: Model):
        self.conn, self.env, self.name = connection, env, env.name
        self.group = model.naming.hubspot_group
        self.desired: dict[Key, Resource] = {}
        self.live = LiveState()

    @classmethod
    def connect(
        cls, env: Environment, model: Model, *, environ: Mapping[str, str] = os.environ, **kwargs
    ) -> "HubSpotOrg":
        """kwargs go to targets.hubspot.client.connect (host, ca_file, timeout, retry_policy)."""
        from handrail.targets.hubspot.client import connect

        if "timeout" not in kwargs and environ.get(TIMEOUT_VARIABLE):
            try:
                seconds = float(environ[TIMEOUT_VARIABLE])
            except ValueError:
                raise InputError(
                    f"{TIMEOUT_VARIABLE}={environ[TIMEOUT_VARIABLE]!r} is not a number of seconds"
                ) from None
            kwargs["timeout"] = (min(10.0, seconds), seconds)
        return cls(connect(env, environ=environ, **kwargs), env, model)

    # -- plan ---------------------------------------------------------------------------------------
    def prepare(self, desired: Desired, model: Model) -> Desired:
        """Resolve people placeholders to this portal's ids and the environment's stage ids
        (environment_stages.py); remember the bodies fetch compares with. The pipelines the spec names
        must exist in the portal (portal_pipelines.py)."""
        check_portal_pipelines(self.conn, model)
        desired = environment_stages.resolve(desired, model, self.env)
        if placeholders.used(desired):  # else there is nothing to resolve (and no owners to read)
            desired = placeholders.resolve(desired, model, self.env, self.read_owners())
        self.desired = {(r.kind, r.key): r for r in desired.resources}
        return desired

    def fetch(self, keys: Collection[Key]) -> dict[Key, Resource]:
        wanted: dict[str, list[str]] = {}
        for kind, key in keys:
            wanted.setdefault(kind, []).append(key)
        found: dict[Key, dict] = {}
        if "property" in wanted:
            live = self.read_properties()
            found.update({("property", k): live[k] for k in wanted["property"] if k in live})
        if "property_group" in wanted:
            groups = self.read_groups()
            found.update({("property_group", k): groups[k] for k in wanted["property_group"] if k in groups})
        if "property_validation" in wanted:
            rules = self.read_validations()
            found.update(
                {
                    ("property_validation", k): _rule_body(rules[k])
                    for k in wanted["property_validation"]
                    if k in rules
                }
            )
        if "flow" in wanted:
            flows = self.read_flows()
            found.update({("flow", k): flows[k] for k in wanted["flow"] if k in flows})
        if "pipeline" in wanted:  # the deal pipelines and their stages, as the spec assumes them
            pipelines = self.read_pipelines()
            found.update({("pipeline", k): pipelines[k] for k in wanted["pipeline"] if k in pipelines})
        for pipeline in wanted.get("pipeline_rules", []):
            found[("pipeline_rules", pipeline)] = _rules_body(self.read_pipeline_rules(pipeline))
        out = {}
        for (kind, key), body in found.items():
            target = self.desired.get((kind, key))
            out[(kind, key)] = Resource(kind, key, normalise(kind, body, target.body if target else None))
        return out

    def managed(self) -> list[Key]:
        """Properties in the spec's group and workflows Handrail made (by marker or name prefix)."""
        properties = self.live.properties if self.live.properties is not None else self.read_properties()
        if self.live.flows is None:
            self.read_flows()
        found = [
            ("property", name) for name, p in properties.items() if is_handrails(self.group, "property", p)
        ]
        for flow in self.live.all_flows:  # the rule a snapshot follows too (ownership.py)
            if is_handrails(self.group, "flow", flow):
                key = (flow.get("customProperties") or {}).get(KEY_PROPERTY)
                found.append(("flow", key or flow.get("name", "")))
        return sorted(set(found))

    def impact(self, model: Model, plan: Plan) -> list:
        """The plan's notes: deals its gates would stop, deals holding removed options, dependencies."""
        from handrail.targets.hubspot.impact import notes

        return notes(self, model, plan)

    # -- reads (each a constant number of calls) ------------------------------------------------------
    def read_properties(self) -> dict[str, dict]:
        api = self.conn.client.crm.properties.core_api
        raw = self.conn.call("properties.list", api.get_all, DEALS, _preload_content=False, idempotent=True)
        self.live.properties = {p["name"]: p for p in _json(raw)["results"] if not p.get("archived")}
        return self.live.properties

    def read_groups(self) -> dict[str, dict]:
        api = self.conn.client.crm.properties.groups_api
        raw = self.conn.call("groups.list", api.get_all, DEALS, _preload_content=False, idempotent=True)
        self.live.groups = {g["name"]: g for g in _json(raw)["results"] if not g.get("archived")}
        return self.live.groups

    def read_validations(self) -> dict[str, dict]:
        data = self.conn.request("GET", VALIDATIONS_PATH)
        self.live.validations = {
            f"{item['propertyName']}/{rule['ruleType']}": rule
            for item in data.get("results", [])
            for rule in item.get("propertyValidationRules", [])
        }
        return self.live.validations

    def read_flows(self) -> dict[str, dict]:
        """Deal workflows by spec key: customProperties.handrail_key, else the desired name."""
        listing, after = [], None
        while True:
            query = {"limit": PAGE, **({"after": after} if after else {})}
            page = self.conn.request("GET", FLOWS_PATH, query=query)
            listing += [
                f for f in page.get("results", []) if f.get("objectTypeId") in (DEAL_OBJECT_TYPE_ID, None)
            ]
            after = ((page.get("paging") or {}).get("next") or {}).get("after")
            if not after:
                break
        flows = []
        for start in range(0, len(listing), PAGE):
            inputs = [{"flowId": str(f["id"]), "type": "FLOW_ID"} for f in listing[start : start + PAGE]]
            flows += self.conn.request(
                "POST", f"{FLOWS_PATH}/batch/read", body={"inputs": inputs}, idempotent=True
            ).get("results", [])
        flows.sort(key=lambda f: int(f["id"]) if str(f.get("id", "")).isdigit() else 0)
        by_key: dict[str, dict] = {}
        for flow in flows:
            key = (flow.get("customProperties") or {}).get(KEY_PROPERTY)
            if key:
                by_key.setdefault(key, flow)
        names = {str(f.get("name")): f for f in reversed(flows)}
        for (kind, key), resource in self.desired.items():
            if kind == "flow" and key not in by_key and resource.body.get("name") in names:
                by_key[key] = names[resource.body["name"]]
        self.live.all_flows, self.live.flows = flows, by_key
        return by_key

    def read_flow(self, flow_id: str) -> dict:
        return self.conn.request("GET", f"{FLOWS_PATH}/{flow_id}")

    def read_pipelines(self) -> dict[str, dict]:
        data = self.conn.request("GET", PIPELINES_PATH) or {}
        return {str(p["id"]): p for p in data.get("results", []) if not p.get("archived")}

    def read_pipeline_rules(self, pipeline: str) -> dict:
        rules = self.conn.request("GET", PIPELINE_RULES_PATH.format(pipeline=pipeline))
        self.live.pipeline_rules[pipeline] = rules
        return rules

    def read_owners(self) -> list[dict]:
        api = self.conn.client.crm.owners.owners_api
        owners, after = [], None
        while True:
            kwargs = {"limit": PAGE, **({"after": after} if after else {})}
            page = _json(
                self.conn.call("owners.list", api.get_page, _preload_content=False, idempotent=True, **kwargs)
            )
            owners += page.get("results", [])
            after = ((page.get("paging") or {}).get("next") or {}).get("after")
            if not after:
                return owners

    # -- apply ----------------------------------------------------------------------------------------
    def apply(self, plan: Plan, desired: Desired, model: Model, options: dict) -> ApplyResult:
        from handrail.targets.hubspot.org_apply import Applier

        if options.get("check_only"):
            return ApplyResult(
                check_only=True,
                not_attempted=[c.ident for c in plan.pending],
                notes=[
                    "check only: HubSpot has no validate-only mode, so nothing was sent; the plan above is "
                    "what "
                    "apply would do"
                ],
            )
        return Applier(self, desired).run(plan)


def _json(raw) -> Any:
    return json.loads(raw.data)


def _rule_body(rule: dict) -> dict:
    return {k: v for k, v in rule.items() if k != "ruleType"}


def _rules_body(rules: dict) -> dict:
    """GET .../pipeline-rules in the shape of the PATCH body Handrail sends."""
    body = dict(rules.get("governanceValidationRules") or {})
    if "approvalStage" in rules:
        body["approvalStage"] = rules["approvalStage"]
    return body
