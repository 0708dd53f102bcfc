"""CSM access to the deal: the CSM the Closed Won flow assigns or keeps joins a team with edit access.

    salesforce: {csm_access: opportunity_team}   (the default) an OpportunityTeamMember on the deal,
                                                 role "Customer Success Manager", Opportunity access Edit
    salesforce: {csm_access: account_team}       an AccountTeamMember on the deal's account: Account
                                                 access Read, Opportunity access Edit
    salesforce: {csm_access: none}               nothing: the org's sharing model decides

The steps sit at the head of the Closed Won after-save flow (the before-save flow has just assigned
or kept the CSM on the same save), only when the spec has CSM assignment rules:

    CSM to add?          a CSM is named and is not the deal owner (the owner has full access already);
                         for the account team, the deal also has an account
    Get team member      the CSM's existing member record on the deal (or the account)
    Already a member?    yes: nothing to add (an access level an admin set by hand is left alone)
    Add CSM to team      Create Records; a failure is routed on like the flow's other DML, so it never
                         rolls back the rep's save

TeamMemberRole is an unrestricted picklist, so "Customer Success Manager" is accepted without being
one of the org's Team Roles values (add it there to let people pick it by hand). The account team
member's Case and Contact access are left out: the API defaults them, and the docs require each to be
at least the org-wide default, which a fixed value such as None would break in a public-read org.

Both team objects exist only in orgs with the feature on (Setup > Opportunity Team Settings > Enable
Team Selling; Setup > Account Teams > Enable Account Teams), and a flow or Apex class that names a
missing object does not deploy. `check_teams_enabled` runs where `plan`, `apply` and `diff` connect to
a live org and stops with a located error before anything is compared.
"""

from __future__ import annotations

from handrail.specs.diagnostics import SpecError, error
from handrail.specs.model import Model
from handrail.targets.salesforce import flow_elements as fe
from handrail.targets.salesforce.flow_elements import FlowBuilder
from handrail.targets.salesforce.score_flow import closed_won_stage

ROLE = "Customer Success Manager"
TEAM_OBJECTS = {"opportunity_team": "OpportunityTeamMember", "account_team": "AccountTeamMember"}
SETUP_STEPS = {
    "OpportunityTeamMember": "Setup > Opportunity Team Settings > Enable Team Selling",
    "AccountTeamMember": "Setup > Account Teams > Enable Account Teams",
}
TEAM_NAMES = {"OpportunityTeamMember": "Opportunity Teams", "AccountTeamMember": "Account Teams"}


def team_object(model: Model) -> str | None:
    """The team member object the Closed Won flow adds the CSM to, or None (no CSM field, no closed-won
    stage, no assignment rule, or csm_access: none)."""
    won = model.automation.on_closed_won
    if not (model.csm_field and won.assign_csm and closed_won_stage(model)):
        return None
    return TEAM_OBJECTS.get(model.salesforce.csm_access)


def team_member_values(model: Model, sobject: str) -> list:
    """The Create Records input assignments, in field-name order."""
    csm = fe.reference(f"$Record.{model.csm_field.salesforce_name}")
    if sobject == "AccountTeamMember":
        return [
            fe.field_value("AccountAccessLevel", fe.string("Read")),
            fe.field_value("AccountId", fe.reference("$Record.AccountId")),
            fe.field_value("OpportunityAccessLevel", fe.string("Edit")),
            fe.field_value("TeamMemberRole", fe.string(ROLE)),
            fe.field_value("UserId", csm),
        ]
    return [
        fe.field_value("OpportunityAccessLevel", fe.string("Edit")),
        fe.field_value("OpportunityId", fe.reference("$Record.Id")),
        fe.field_value("TeamMemberRole", fe.string(ROLE)),
        fe.field_value("UserId", csm),
    ]


def csm_team_steps(model: Model, flow: FlowBuilder, then: str | None) -> str | None:
    """The team steps before `then`; just `then` when the spec gives the CSM no team access."""
    sobject = team_object(model)
    if sobject is None:
        return then
    csm = f"$Record.{model.csm_field.salesforce_name}"
    account = sobject == "AccountTeamMember"
    parent, parent_ref = ("AccountId", "$Record.AccountId") if account else ("OpportunityId", "$Record.Id")
    team = TEAM_NAMES[sobject]
    create = flow.create(
        "Add_Csm_To_Team",
        f"Add CSM to {team}",
        sobject,
        team_member_values(model, sobject),
        then,
        description=f"Role {ROLE}, Opportunity access Edit.",
    )
    member = flow.decision(
        "Csm_On_Team",
        "CSM already on the team?",
        [fe.rule("Csm_Not_On_Team", "Not yet", [fe.is_null("Get_Csm_Team_Member.Id")], create)],
        default=then,
        default_label="Already a member",
    )
    lookup = flow.lookup(
        "Get_Csm_Team_Member",
        f"Get CSM in {team}",
        sobject,
        [
            fe.record_filter(parent, "EqualTo", fe.reference(parent_ref)),
            fe.record_filter("UserId", "EqualTo", fe.reference(csm)),
        ],
        member,
    )
    conditions = [
        fe.is_null(csm, False),
        fe.condition(csm, "NotEqualTo", fe.reference("$Record.OwnerId")),
        *([fe.is_null("$Record.AccountId", False)] if account else []),
    ]
    return flow.decision(
        "Csm_Team_Access",
        "CSM to add to the team?",
        [fe.rule("Csm_To_Add", "CSM named, not the owner", conditions, lookup)],
        default=then,
        default_label="No one to add",
    )


def check_teams_enabled(conn, model: Model) -> None:
    """Stop with a located error when the org lacks the team object the flow creates members of.

    `conn` is a client.SalesforceConnection; the object's REST describe answers 404 when the feature is
    off. Saved org folders (snapshot environments) have no describe, so they are never checked."""
    from handrail.targets.errors import TargetError  # here: building a flow never loads the redaction

    sobject = team_object(model)
    if sobject is None:
        return
    try:
        conn.describe(sobject)
    except TargetError as exc:
        if exc.status != 404:
            raise
        raise SpecError([teams_disabled(model, sobject)]) from None


def teams_disabled(model: Model, sobject: str):
    settings = model.salesforce
    span = settings.csm_access_span or (model.csm_field.span if model.csm_field else None)
    return error(
        "salesforce.csm_access.teams_disabled",
        f"csm_access is {settings.csm_access}, but the org has {TEAM_NAMES[sobject]} turned off "
        f"(no {sobject} object), so the Closed Won flow cannot give the CSM edit access to the deal",
        path="salesforce.csm_access",
        span=span,
        hint=f"turn them on in {SETUP_STEPS[sobject]}, or set `csm_access: none` under `salesforce:` "
        "to leave the CSM's access to the org's sharing model",
    )
