"""The Apex test class for the contact-role flow (a field complete_when contacts, flows deployed active).

Production orgs deploy flows as active only when Apex tests run them. This class inserts a deal, then its
contacts and their Opportunity Contact Roles: the contact-role flow saves the deal again, and the score flow
credits the contact-based field from the roles. It asserts the score and missing summary before and after,
as Handrail's scoring engine computed them for the same deal and roles at build time.
"""

from __future__ import annotations

import dataclasses

from handrail.generators.rules.scoring import score_deal, summary
from handrail.specs.model import Field, Model
from handrail.targets.salesforce.apex_scenarios import Attributes, engine_deal, segment_attributes
from handrail.targets.salesforce.apex_source import INDENT, apex_decimal, apex_string, comment_text
from handrail.targets.salesforce.components import Component

CLASS_NAME_MAX = 40
FILLER_ROLE = "Other"  # a standard Opportunity Contact Role value, for contacts beyond the required roles
DEFAULT_ATTRIBUTES = Attributes(0.0, "new_business", False, 30)


def contact_roles_test_name(model: Model) -> str:
    suffix = "_Contact_Roles_Test"
    prefix = (model.naming.salesforce_prefix or "Handoff")[: CLASS_NAME_MAX - len(suffix)].rstrip("_")
    return prefix + suffix


def full_credit_roles(f: Field) -> list[str]:
    """Enough roles for full credit: every required role, then fillers up to the minimum."""
    rule = f.contacts
    return list(rule.roles) + [FILLER_ROLE] * max(0, rule.min - len(rule.roles))


def _attributes(model: Model, f: Field) -> Attributes:
    """A deal whose segment scores the field (or requires it), or a plain one."""
    ranked = [s for s in model.segments if f.key in s.scored_fields and f.weight]
    ranked += [s for s in model.segments if f.key in s.required_fields and s not in ranked]
    for s in ranked:
        attrs = segment_attributes(model, s)
        if attrs is not None:
            return attrs
    return DEFAULT_ATTRIBUTES


def contact_roles_test_component(model: Model, api_version: str, open_stage: str, flow: str) -> Component:
    f = next(f for f in model.fields if f.contacts)
    attrs = _attributes(model, f)
    roles = full_credit_roles(f)
    deal = engine_deal(model, attrs, {})
    before = score_deal(model, deal)
    after = score_deal(model, dataclasses.replace(deal, contact_roles=tuple(roles)))
    c = {k: model.computed_field(k).salesforce_name for k in ("score", "missing_summary")}
    listed = {
        "expansion": model.deal.expansion_values_salesforce,
        "renewal": model.deal.renewal_values_salesforce,
    }.get(attrs.deal_type)
    fields = [
        "Name = 'Contact roles'",
        f"StageName = {apex_string(open_stage)}",
        f"Amount = {apex_decimal(attrs.acv)}",
        f"Type = {apex_string(listed[0]) if listed else 'null'}",
        f"CloseDate = Date.today().addDays({attrs.cycle_days})",
    ]
    if model.partner_field:
        fields.append(f"{model.partner_field.salesforce_name} = {'true' if attrs.partner else 'false'}")
    name = contact_roles_test_name(model)
    i2, i3 = INDENT * 2, INDENT * 3
    lines = [
        "/*",
        f" * Managed by Handrail from '{comment_text(model.name)}'. Do not edit: change the spec and "
        "rebuild.",
        " *",
        f" * Runs {flow}: contact roles added to a deal save it again, and the score flow credits",
        f" * {comment_text(f.label)} from them ({comment_text(f.contacts.words())}).",
        " * Expected values were computed by Handrail's scoring engine for the same deal and roles.",
        " */",
        "@isTest",
        f"private class {name} {{",
        f"{INDENT}@isTest",
        f"{INDENT}static void rescoresWhenContactRolesAreAdded() {{",
        f"{i2}Opportunity deal = new Opportunity({', '.join(fields)});",
        f"{i2}insert deal;",
        f"{i2}assertHandoff(deal.Id, {_score(before.score)}, {_text(summary(model, before))});",
        f"{i2}List<String> roles = new List<String>{{{', '.join(apex_string(r) for r in roles)}}};",
        f"{i2}List<Contact> contacts = new List<Contact>();",
        f"{i2}for (Integer i = 0; i < roles.size(); i++) {{",
        f"{i3}contacts.add(new Contact(LastName = 'Handrail contact ' + i));",
        f"{i2}}}",
        f"{i2}insert contacts;",
        f"{i2}List<OpportunityContactRole> contactRoles = new List<OpportunityContactRole>();",
        f"{i2}for (Integer i = 0; i < roles.size(); i++) {{",
        f"{i3}contactRoles.add(new OpportunityContactRole(OpportunityId = deal.Id, "
        "ContactId = contacts[i].Id, Role = roles[i]));",
        f"{i2}}}",
        f"{i2}Test.startTest();",
        f"{i2}insert contactRoles;",
        f"{i2}Test.stopTest();",
        f"{i2}assertHandoff(deal.Id, {_score(after.score)}, {_text(summary(model, after))});",
        f"{INDENT}}}",
        "",
        f"{INDENT}private static void assertHandoff(Id dealId, Decimal score, String summary) {{",
        f"{i2}Opportunity saved = [SELECT {c['score']}, {c['missing_summary']} FROM Opportunity WHERE Id = "
        ":dealId];",
        f"{i2}Decimal savedScore = saved.{c['score']} == null ? null : saved.{c['score']}.setScale(1);",
        f"{i2}System.assertEquals(score, savedScore, 'score');",
        f"{i2}System.assertEquals(summary, saved.{c['missing_summary']}, 'missing summary');",
        f"{INDENT}}}",
        "}",
        "",
    ]
    source = "\n".join(lines)
    return Component(
        "ApexClass", name, (("apiVersion", api_version), ("status", "Active")), content=source.encode("utf-8")
    )


def _score(value: float | None) -> str:
    return apex_decimal(value, 1) if value is not None else "null"


def _text(value: str) -> str:
    return apex_string(value) if value else "null"
