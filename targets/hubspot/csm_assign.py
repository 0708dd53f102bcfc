"""CSM assignment in the Closed Won workflow: the `assign_csm` rules as workflow steps.

The rules become one if/else chain ahead of the workflow's segment branch: a rule is a LIST_BRANCH on the
segment property and its `when:` deal properties (each one of its values), whose other path tries the
rules after it; a rule for every segment without `when:` ends the chain. Each rule is laid out once, so a
pool's rotation is shared by all its segments. `assign` sets the CSM property to the owner (kept when
named, with keep_existing); `pool` is HubSpot's own "Rotate record to owner" action (0-11) into the CSM
property, which rotates evenly over the users and, with keep_existing, leaves a named CSM alone
(overwrite_current_owner).

What HubSpot cannot do here, as CAPABILITIES.md states: a workflow cannot count a CSM's open onboardings,
so `max_open` is not enforced (the rotation stays even); and it cannot copy a property of the deal's company
onto the deal, so an `account_csm` rule is passed over (the next rule applies). A `when:` on an account
field names a Salesforce Account field: a located spec error, since dropping it would widen the territory.
"""

from __future__ import annotations

from itertools import product

from handrail.specs.csm_rules import when_field
from handrail.specs.diagnostics import Diagnostic, SpecError, error, warning
from handrail.specs.model import Assignment, Model
from handrail.targets.hubspot import actions as act
from handrail.targets.hubspot import filters as flt
from handrail.targets.hubspot.vocabulary import ROTATE_TO_OWNER


def steps(model: Model) -> list:
    """The rules as one chain of steps, run before the workflow branches by segment: each rule once, so a
    pool is one rotate action whose turn every segment shares."""
    csm = model.csm_field
    if csm is None:
        return []
    every = {s.key for s in model.segments}
    chain: list = []
    rules = [r for r in model.automation.on_closed_won.assign_csm if not r.account_csm]
    for rule in reversed(rules):
        body = _body(model, rule, csm.hubspot_name)
        segments = [] if set(rule.segments) >= every else [[flt.any_of(_segment(model), rule.segments)]]
        alternatives = segments + _territory(model, rule)
        if alternatives:
            branches = [flt.branch(list(combo)) for combo in product(*alternatives)]
            chain = [act.Choose(flt.either(branches), tuple(body), tuple(chain), _label(model, rule))]
        else:
            chain = body  # every deal: the rules after it never apply
    return chain


def _segment(model: Model) -> str:
    return model.computed_field("segment").hubspot_name


def _label(model: Model, rule: Assignment) -> str:
    words = [", ".join(model.segment(k).label for k in rule.segments)]
    words += [f"{k} is {' or '.join(v)}" for k, v in rule.when]
    return ("CSM rule: " + "; ".join(words))[:100]


def rotate(model: Model, pool: tuple[str, ...], overwrite: bool) -> act.Step:
    """HubSpot's "Rotate record to owner" into the CSM property, over the pool's users (placeholders that
    plan resolves to user ids)."""
    return act.Step(
        ROTATE_TO_OWNER,
        {
            "user_ids": [act.user_placeholder(p) for p in pool],
            "target_property": model.csm_field.hubspot_name,
            "overwrite_current_owner": "true" if overwrite else "false",
        },
    )


def _body(model: Model, rule: Assignment, prop: str) -> list:
    if rule.pool:
        return [rotate(model, rule.pool, not rule.keep_existing)]
    if not rule.assign:
        return []
    assign = act.set_static(prop, act.owner_placeholder(rule.assign))
    return [act.IfEmpty(prop, (assign,), "No CSM yet")] if rule.keep_existing else [assign]


def _territory(model: Model, rule: Assignment) -> list[list[dict]]:
    """Per `when` property, the filters of which one must hold (text values one filter each)."""
    alternatives = []
    for ref, values in rule.when:
        found = when_field(model, ref)
        if found.kind == "account":
            raise SpecError([_account_error(rule, ref)])
        if found.kind == "deal_type":
            alternatives.append([flt.any_of(model.deal.deal_type_hubspot, values)])
        elif found.field.type == "picklist":
            alternatives.append([flt.any_of(found.field.hubspot_name, values)])
        else:
            alternatives.append([_text_is(found.field.hubspot_name, v) for v in values])
    return alternatives


def _text_is(prop: str, value: str) -> dict:
    return {
        "filterType": "PROPERTY",
        "property": prop,
        "operation": {
            "operationType": "STRING",
            "operator": "IS_EQUAL_TO",
            "value": value,
            "includeObjectsWithNoValueSet": False,
        },
    }


def _account_error(rule: Assignment, ref: str) -> Diagnostic:
    return error(
        "hubspot-unsupported",
        f"'{ref}' names a Salesforce Account field, which HubSpot companies do not have; the HubSpot "
        "workflow matches a territory on deal properties",
        span=rule.span,
        hint="match on a field of this spec (e.g. a region picklist), which both CRMs have",
    )


def check(model: Model) -> list[Diagnostic]:
    """validate --target hubspot: rules HubSpot runs differently (warnings) or cannot compile (errors)."""
    out = []
    for rule in model.automation.on_closed_won.assign_csm:
        out += [_account_error(rule, ref) for ref, _ in rule.when if when_field(model, ref).kind == "account"]
        if rule.max_open:
            out.append(
                warning(
                    "hubspot-approximation",
                    f"HubSpot cannot count open onboardings: max_open: {rule.max_open} is not enforced, and "
                    "the rotation stays even over the pool",
                    span=rule.span,
                )
            )
        if rule.account_csm:
            out.append(
                warning(
                    "hubspot-approximation",
                    "HubSpot workflows cannot copy the company's CSM onto the deal: this rule is passed over "
                    "and the next rule applies",
                    span=rule.span,
                )
            )
    return out


def capability_rows(model: Model) -> list[list[str]]:
    """CAPABILITIES.md rows: how the spec's CSM rules run in HubSpot."""
    rules = model.automation.on_closed_won.assign_csm
    rows = [
        [
            "Close automation: CSM assignment",
            "Set-property action on the CSM owner property; usernames become owner ids at apply",
            "native",
        ]
    ]
    if any(r.pool for r in rules):
        rows.append(
            [
                "CSM pool (round-robin)",
                "HubSpot's Rotate record to owner action (0-11) into the CSM property, over the pool's users "
                "(user ids at apply); keep_existing leaves a named CSM (overwrite_current_owner false)",
                "native (HubSpot keeps the turn; Salesforce reads its last won deal)",
            ]
        )
    if any(r.when for r in rules):
        rows.append(
            [
                "CSM territory rules (when:)",
                "A branch on the deal properties; the other path tries the next rule",
                "native for deal fields; an account field is refused (build exits 3)",
            ]
        )
    if any(r.max_open for r in rules):
        rows.append(
            [
                "CSM capacity (max_open)",
                "Not enforced: a workflow cannot count a CSM's open onboardings, so the rotation gives every "
                "member their turn even at the cap, and a full pool never passes a deal to the next rule",
                "approximate: even turns instead of a cap (Salesforce skips a full CSM)",
            ]
        )
    if any(r.account_csm for r in rules):
        rows.append(
            [
                "CSM from the account (account_csm)",
                "Not compiled: a deal workflow cannot copy its company's CSM onto the deal; the rule "
                "is passed over and the next rule applies (validate --target hubspot warns)",
                "not supported (Salesforce: the Account field)",
            ]
        )
    return rows


def verify_first(model: Model) -> tuple[str, ...]:
    """What to check on a sandbox portal before a pool goes live."""
    if not any(r.pool for r in model.automation.on_closed_won.assign_csm):
        return ()
    return (
        "Rotate record to owner (0-11): the field names (user_ids, target_property, overwrite_current_owner) "
        "follow HubSpot's action reference and real workflows; confirm that target_property accepts the CSM "
        "property (a custom owner property) and that a deactivated user is skipped.",
    )
