"""The Salesforce target as the pipeline sees it: compile, judge changes, describe drift, connect."""

from __future__ import annotations

from handrail.specs.model import Environment, Model
from handrail.targets import Target
from handrail.targets.salesforce import ownership, preflight
from handrail.targets.salesforce import render as _render
from handrail.targets.salesforce.adoption import adopt
from handrail.targets.salesforce.drift import describe, retired_keys
from handrail.targets.salesforce.validators import CHANGE_VALIDATORS

check_spec = _render.check_spec
verify = _render.verify
render = _render.render  # each resource carries its origin and facts from where it is built


def open_org(env: Environment, model: Model):
    from handrail.targets.salesforce.org import SalesforceOrg

    return SalesforceOrg.connect(env, model)


def deal_source(env: Environment, model: Model):
    from handrail.targets.salesforce.deals import source

    return source(env, model)


TARGET = Target(
    name="salesforce",
    verify_scope="the official schema",
    render=render,
    check_spec=check_spec,
    verify=verify,
    retired_keys=retired_keys,
    describe=describe,
    open_org=open_org,
    deal_source=deal_source,
    change_validators=CHANGE_VALIDATORS,
    adopt=adopt,
    owns=ownership.owns,
    assumed_keys=preflight.assumed_keys,
    check_assumptions=preflight.check,
)
