"""Contact-based completion (a field's `complete_when: {contacts: ...}`) in the Salesforce flows.

In the before-save score flow, ahead of the segment decision:

    Get Contact Roles         the deal's OpportunityContactRole records with a Role (every one of them)
    Get <Role>                one per role some rule requires: the first of the deal's contact roles with it
    Count Contact Roles       Contact_Role_Count = the number of records Get Contact Roles found

and per contact-based field, the completion formula ContactRule.credit gives:

    IF(count = 0, 0, IF(AND(count >= min, <each required role found>), 1, 0.5))

A contact-role change does not save the Opportunity, so a small record-triggered flow on
OpportunityContactRole (after save, on create and update) updates the contact role's Opportunity with no
field changed: the update runs the score flow, which reads the contact roles afresh. A failed update (a
gate's validation rule the deal already fails) is caught, so it never blocks the contact-role save; the
score then follows on the deal's next save. A deleted contact role cannot be followed by a flow (a flow on
delete runs before the record is gone, when the score flow would still count it): the score follows on the
deal's next save, and `handrail audit` reads the contact roles live.

Salesforce compares the Role filter as SOQL does (case-insensitive); Role is a picklist, so its values are
the spellings the spec names.
"""

from __future__ import annotations

from handrail.specs.model import Field, Model
from handrail.targets.salesforce import flow_elements as fe
from handrail.targets.salesforce import formulas as fx
from handrail.targets.salesforce.flow_elements import FlowBuilder, Pairs
from handrail.targets.salesforce.managed_flow import managed_description, managed_label

OBJECT = "OpportunityContactRole"
GET_ALL = "Get_Contact_Roles"
COUNT = "Contact_Role_Count"
RESCORE_TARGET = "Deal_To_Rescore"
DEAL_ID = "OpportunityId"


def contact_fields(model: Model, considered: list[Field]) -> list[Field]:
    return [f for f in considered if f.contacts]


def required_roles(fields: list[Field]) -> list[str]:
    """Every role some rule requires, once each, in spec order."""
    roles: list[str] = []
    for f in fields:
        roles += [r for r in f.contacts.roles if r not in roles]
    return roles


def role_lookup_name(roles: list[str], role: str) -> str:
    return f"Get_Contact_Role_{roles.index(role) + 1}"


def contact_steps(flow: FlowBuilder, fields: list[Field], then: str) -> str:
    """The Get Records and the count ahead of `then`; returns the first step's name."""
    roles = required_roles(fields)
    flow.variable(
        [
            ("description", "How many of the deal's contact roles have a Role."),
            ("name", COUNT),
            ("dataType", "Number"),
            ("isCollection", False),
            ("isInput", False),
            ("isOutput", False),
            ("scale", 0),
        ]
    )
    step = flow.assignment(
        "Count_Contact_Roles",
        "Count Contact Roles",
        [fe.assign(COUNT, fe.reference(GET_ALL), operator="AssignCount")],
        then,
    )
    for role in reversed(roles):
        step = _lookup(
            flow,
            role_lookup_name(roles, role),
            f"Get {role}"[:255],
            [_deal_filter(), fe.record_filter("Role", "EqualTo", fe.string(role))],
            step,
            first_only=True,
        )
    return _lookup(
        flow,
        GET_ALL,
        "Get Contact Roles",
        [_deal_filter(), fe.record_filter("Role", "IsNull", fe.boolean(False))],
        step,
        first_only=False,
    )


def _deal_filter() -> Pairs:
    return fe.record_filter("OpportunityId", "EqualTo", fe.reference("$Record.Id"))


def _lookup(
    flow: FlowBuilder, name: str, label: str, filters: list[Pairs], then: str, first_only: bool
) -> str:
    """Get Records on OpportunityContactRole, stored automatically: the first match (blank when none), or
    every match as a collection."""
    body = [
        ("assignNullValuesIfNoRecordsFound", False),
        ("connector", fe.connector(then)),
        ("filterLogic", "and"),
        ("filters", filters),
        ("getFirstRecordOnly", first_only),
        ("object", OBJECT),
        ("queriedFields", "Id"),
        ("queriedFields", "Role"),
        ("storeOutputAutomatically", True),
    ]
    return flow._add("recordLookups", name, label, body, (then,))  # FlowBuilder.lookup gets one record


def completion_expression(f: Field, roles: list[str]) -> str:
    rule = f.contacts
    count = fx.merge(COUNT)
    found = [f"NOT(ISBLANK({fx.merge(role_lookup_name(roles, r) + '.Id')}))" for r in rule.roles]
    enough = [f"{count} >= {rule.min}", *found]
    test = enough[0] if len(enough) == 1 else f"AND({', '.join(enough)})"
    return f"IF({count} = 0, 0, IF({test}, {fx.COMPLETE}, {fx.GENERIC}))"


def add_completion(formulas: fx.Formulas, f: Field, roles: list[str], where) -> None:
    weight = f"weight {f.weight}" if f.weight else "unweighted"
    formulas.add(
        fx.completion_name(f),
        "Number",
        completion_expression(f, roles),
        f"{f.label} ({weight}): 1 with {f.contacts.words()}, 0.5 with fewer, 0 with no contact role."[:255],
        where,
        scale=1,
    )
    formulas.add(
        fx.summary_item_name(f),
        "String",
        fx.summary_item_expression(f),
        f"'; {f.label} (missing)' or '; {f.label} (generic)' for the missing summary; blank when complete."[
            :255
        ],
        where,
    )


# --- the contact-role flow --------------------------------------------------------------------------


def rescore_flow(model: Model, status: str, api_version: str) -> Pairs:
    """The record-triggered flow on OpportunityContactRole that saves the contact role's deal again."""
    label = managed_label(model, "Contact Roles (After Save)")
    variables = [
        [
            ("description", "The contact role's deal, holding only its Id: updated with no field changed."),
            ("name", RESCORE_TARGET),
            ("dataType", "SObject"),
            ("isCollection", False),
            ("isInput", False),
            ("isOutput", False),
            ("objectType", model.naming.salesforce_object),
        ],
        [
            ("name", fe.FAULT_MESSAGE),
            ("dataType", "String"),
            ("isCollection", False),
            ("isInput", False),
            ("isOutput", False),
        ],
    ]
    assignments = [
        _node(
            "Keep_Failure_Message",
            "Keep the Failure Message",
            176,
            396,
            [("assignmentItems", [fe.assign(fe.FAULT_MESSAGE, fe.reference("$Flow.FaultMessage"))])],
            "The deal could not be saved (a gate it already fails); the contact role's save goes ahead and "
            "the score follows on the deal's next save.",
        ),
        _node(
            "Set_Deal_To_Rescore",
            "Set Deal to Rescore",
            176,
            180,
            [
                ("assignmentItems", [fe.assign(f"{RESCORE_TARGET}.Id", fe.reference(f"$Record.{DEAL_ID}"))]),
                ("connector", fe.connector("Rescore_Deal")),
            ],
        ),
    ]
    update = _node(
        "Rescore_Deal",
        "Rescore Deal",
        176,
        288,
        [("faultConnector", fe.connector("Keep_Failure_Message")), ("inputReference", RESCORE_TARGET)],
    )
    return [
        ("apiVersion", api_version),
        ("areMetricsLoggedToDataCloud", False),
        ("assignments", assignments),
        (
            "description",
            managed_description(
                model,
                "A contact role was added or changed: saves its deal again (no field changed) so the score "
                "flow counts the deal's contact roles afresh.",
            ),
        ),
        ("interviewLabel", f"{label} {{!$Flow.CurrentDateTime}}"),
        ("label", label),
        (
            "processMetadataValues",
            [
                [("name", "BuilderType"), ("value", fe.string("LightningFlowBuilder"))],
                [("name", "CanvasMode"), ("value", fe.string("FREE_FORM_CANVAS"))],
            ],
        ),
        ("processType", "AutoLaunchedFlow"),
        ("recordUpdates", [update]),
        (
            "start",
            [
                ("locationX", 50),
                ("locationY", 0),
                ("connector", fe.connector("Set_Deal_To_Rescore")),
                ("object", OBJECT),
                ("recordTriggerType", "CreateAndUpdate"),
                ("triggerType", "RecordAfterSave"),
            ],
        ),
        ("status", status),
        ("variables", variables),
    ]


def _node(name: str, label: str, x: int, y: int, body: Pairs, description: str | None = None) -> Pairs:
    return [
        ("description", description),
        ("name", name),
        ("label", label),
        ("locationX", x),
        ("locationY", y),
        *body,
    ]
