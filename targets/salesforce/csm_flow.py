"""The CSM assignment steps of the before-save flow, on the save that reaches Closed Won.

    Which CSM rule?           the first assign_csm rule naming the deal's segment whose `when:` fields match
                              (a field of the deal, or $Record.Account.<Field>)
      -> CSM already named?   keep_existing: a named CSM stays
      -> assign               look the username up (an active user) and assign it
      -> account_csm          the account's CSM (deal.csm.account_field); blank: the next rule
      -> pool                 round-robin: look the members up (active users only), find the last deal won
                              by one of them (Get Records sorted by Closed Won At, this deal excluded) and
                              try the members after that one in turn; a member who is inactive or (max_open)
                              holds that many open onboardings (won, Kickoff At blank) is skipped. Nobody
                              left: the next rule.

A rule that can pass a deal on goes to a second decision, "Which CSM rule after rule n?", over the rules after
it, so a spec without such rules compiles to the single decision it always had. No counter is stored: the
rotation reads the org's own deals, so deleting a deal or closing deals in one bulk save (they all see the
same last deal) can repeat a member, never skip one for good.
"""

from __future__ import annotations

from handrail.specs.csm_rules import when_field
from handrail.specs.diagnostics import SpecError, error
from handrail.specs.model import Assignment, Model
from handrail.targets.salesforce import flow_elements as fe
from handrail.targets.salesforce.flow_elements import FlowBuilder


def csm_rules(model: Model, flow: FlowBuilder, rules: tuple[Assignment, ...]) -> str:
    """The rule decision and every rule's steps; returns the decision's name."""
    entries: dict[int, str | None] = {}
    for n in range(len(rules), 0, -1):  # later rules first: a rule that passes on needs their decision
        rule = rules[n - 1]
        rest = _decision(model, flow, rules, n + 1, entries, f"Which_Csm_Rule_After_{n}")
        entries[n] = _rule_steps(model, flow, rule, n, rest)
    return _decision(model, flow, rules, 1, entries, "Which_Csm_Rule")


def passes_on(rule: Assignment) -> bool:
    """Whether a deal the rule applies to can go on to the next rule (no CSM found)."""
    return bool(rule.pool or rule.account_csm)


def _decision(model, flow, rules, first: int, entries, name: str) -> str | None:
    if first > len(rules) or (first > 1 and not passes_on(rules[first - 2])):
        return None
    after = "" if first == 1 else f"_After_{first - 1}"
    outcomes = []
    for n in range(first, len(rules) + 1):
        rule = rules[n - 1]
        conditions, logic = _conditions(model, rule)
        label = "Rule " + str(n) + ": " + ", ".join(model.segment(k).label for k in rule.segments)
        outcomes.append(fe.rule(f"Csm_Rule_{n}{after}", label[:255], conditions, entries[n], logic=logic))
    label = "Which CSM rule?" if first == 1 else f"Which CSM rule after rule {first - 1}?"
    return flow.decision(name, label, outcomes, default_label="No rule")


def _conditions(model: Model, rule: Assignment) -> tuple[list, str]:
    """The segment is one of the rule's, and each `when` field has one of its values."""
    segment = f"$Record.{model.computed_field('segment').salesforce_name}"
    groups = [[fe.equals(segment, k) for k in rule.segments]]
    for ref, values in rule.when:
        groups.append([fe.equals(_when_reference(model, ref), v) for v in values])
    conditions = [c for g in groups for c in g]
    if len(groups) == 1:
        return conditions, fe.any_of_logic(len(conditions))
    parts, i = [], 1
    for g in groups:
        numbers = [str(i + j) for j in range(len(g))]
        parts.append(numbers[0] if len(numbers) == 1 else "(" + " OR ".join(numbers) + ")")
        i += len(g)
    return conditions, " AND ".join(parts)


def _when_reference(model: Model, ref: str) -> str:
    found = when_field(model, ref)
    if found.kind == "account":
        return f"$Record.Account.{found.name}"
    if found.kind == "deal_type":
        return f"$Record.{model.deal.deal_type_salesforce}"
    return f"$Record.{found.field.salesforce_name}"


def _rule_steps(model: Model, flow: FlowBuilder, rule: Assignment, n: int, rest: str | None) -> str | None:
    csm = f"$Record.{model.csm_field.salesforce_name}"
    if rule.assign:
        target = _assign_user(flow, rule.assign, csm, n)
    elif rule.account_csm:
        if not model.deal.account_csm_salesforce:
            message = "account_csm: true, but deal.csm.account_field names no Salesforce Account field"
            hint = "add salesforce: <the Account user field holding its CSM> to deal.csm.account_field"
            raise SpecError([error("salesforce-missing", message, span=rule.span, hint=hint)])
        account = f"$Record.Account.{model.deal.account_csm_salesforce}"
        found = flow.assignment(
            f"Assign_Account_Csm_{n}",
            "Assign the account's CSM",
            [fe.assign(csm, fe.reference(account))],
            None,
        )
        target = flow.decision(
            f"Account_Csm_Named_{n}",
            "Account CSM named?",
            [fe.rule(f"Account_Has_Csm_{n}", "Named", [fe.is_null(account, False)], found)],
            default=rest,
            default_label="Blank: next rule",
        )
    elif rule.pool:
        target = _pool(model, flow, rule, n, csm, rest)
    else:
        target = None
    if rule.keep_existing and target:
        target = flow.decision(
            f"Keep_Existing_Csm_{n}",
            "CSM already named?",
            [fe.rule(f"Has_Csm_{n}", "Keep", [fe.is_null(csm, False)], None)],
            default=target,
            default_label="Assign",
        )
    return target


def _assign_user(flow: FlowBuilder, username: str, csm: str, n: int) -> str:
    found = flow.assignment(
        f"Assign_Csm_{n}", f"Assign {username}", [fe.assign(csm, fe.reference(f"Get_Csm_User_{n}.Id"))], None
    )
    check = flow.decision(
        f"Csm_User_Found_{n}",
        f"{username} found?",
        [fe.rule(f"User_Found_{n}", "Found", [fe.is_null(f"Get_Csm_User_{n}.Id", False)], found)],
        default_label="Not found",
    )
    return flow.lookup(f"Get_Csm_User_{n}", f"Get {username}", "User", _active(username), check)


def _active(username: str) -> list:
    return [
        fe.record_filter("Username", "EqualTo", fe.string(username)),
        fe.record_filter("IsActive", "EqualTo", fe.boolean(True)),
    ]


def _number(flow: FlowBuilder, name: str, description: str) -> str:
    return flow.variable(
        [
            ("description", description),
            ("name", name),
            ("dataType", "Number"),
            ("isCollection", False),
            ("isInput", False),
            ("isOutput", False),
            ("scale", 0),
        ]
    )


def _formula(flow: FlowBuilder, name: str, data_type: str, expression: str, description: str) -> str:
    scale = 0 if data_type == "Number" else None
    return flow.formula(fe.formula(name, data_type, expression, description[:255], scale))


def _pool(model: Model, flow: FlowBuilder, rule: Assignment, n: int, csm: str, rest: str | None) -> str:
    """Round-robin over the pool: a loop over the members from the one after the last deal's CSM."""
    size, field = len(rule.pool), model.csm_field.salesforce_name
    won_at = model.computed_field("closed_won_at").salesforce_name
    members = [f"Get_Pool_{n}_{k}" for k in range(1, size + 1)]
    index = _number(flow, f"Pool_Index_{n}", "The pool member tried now (1 is the first).")
    tries = _number(flow, f"Pool_Tries_{n}", "How many pool members were tried.")
    last = f"Get_Last_Pool_Deal_{n}.{field}"
    after_last = "".join(f"IF({{!{last}}} = {{!{m}.Id}}, {k % size + 1}, " for k, m in enumerate(members, 1))
    start = _formula(
        flow,
        f"Pool_Start_{n}",
        "Number",
        f"IF(ISBLANK({{!{last}}}), 1, {after_last}1{')' * size})",
        "The member after the CSM of the last deal the pool won; the first when there is none.",
    )
    cases = ", ".join(f"{k}, {{!{m}.Id}}" for k, m in enumerate(members, 1))
    candidate = _formula(
        flow, f"Pool_Candidate_{n}", "String", f'CASE({{!{index}}}, {cases}, "")', "The member's user Id."
    )
    following = _formula(
        flow,
        f"Pool_Following_{n}",
        "Number",
        f"IF({{!{index}}} >= {size}, 1, {{!{index}}} + 1)",
        "Next member.",
    )
    tried = _formula(flow, f"Pool_Tried_{n}", "Number", f"{{!{tries}}} + 1", "One more member tried.")
    done = _formula(
        flow, f"Pool_Done_{n}", "Boolean", f"{{!{tries}}} >= {size}", "Every member was tried and skipped."
    )
    assign = flow.assignment(
        f"Assign_Pool_Member_{n}", "Assign the pool member", [fe.assign(csm, fe.reference(candidate))], None
    )
    check = f"Pool_Member_Left_{n}"
    skip = flow.assignment(
        f"Next_Pool_Member_{n}",
        "Next pool member",
        [fe.assign(index, fe.reference(following)), fe.assign(tries, fe.reference(tried))],
        check,
    )
    take = _capacity(model, flow, rule, n, candidate, assign, skip) if rule.max_open else assign
    active = flow.decision(
        f"Pool_Member_Active_{n}",
        "Member active?",
        [fe.rule(f"Pool_Member_Is_Active_{n}", "Active", [fe.is_null(candidate, False)], take)],
        default=skip,
        default_label="Inactive: skip",
    )
    flow.decision(
        check,
        "A member left to try?",
        [fe.rule(f"Pool_Exhausted_{n}", "None left", [fe.is_true(done)], rest)],
        default=active,
        default_label="Try the member",
    )
    begin = flow.assignment(
        f"Start_Pool_{n}",
        "Start after the last member",
        [fe.assign(index, fe.reference(start)), fe.assign(tries, [("numberValue", "0")])],
        check,
    )
    filters = [
        fe.record_filter(won_at, "IsNull", fe.boolean(False)),
        fe.record_filter(field, "IsNull", fe.boolean(False)),
        fe.record_filter("Id", "NotEqualTo", fe.reference("$Record.Id")),
        *[fe.record_filter(field, "EqualTo", fe.reference(f"{m}.Id")) for m in members],
    ]
    logic = "1 AND 2 AND 3 AND (" + " OR ".join(str(4 + i) for i in range(size)) + ")"
    target = flow.lookup(
        f"Get_Last_Pool_Deal_{n}",
        "Get the last deal the pool won",
        model.naming.salesforce_object,
        filters,
        begin,
        logic=logic,
        sort=(won_at, "Desc"),
    )
    for k in range(size, 0, -1):
        target = flow.lookup(
            members[k - 1], f"Get {rule.pool[k - 1]}", "User", _active(rule.pool[k - 1]), target
        )
    return target


def _capacity(model, flow, rule, n: int, candidate: str, assign: str, skip: str) -> str:
    """Count the member's open onboardings (won, Kickoff At blank, this deal excluded) against max_open."""
    field = model.csm_field.salesforce_name
    count = _number(flow, f"Open_Onboardings_{n}", "The pool member's open onboardings.")
    room = _formula(
        flow,
        f"Pool_Has_Room_{n}",
        "Boolean",
        f"{{!{count}}} < {rule.max_open}",
        f"Fewer than {rule.max_open}.",
    )
    under = flow.decision(
        f"Under_Capacity_{n}",
        f"Under {rule.max_open} open?",
        [fe.rule(f"Pool_Member_Has_Room_{n}", "Has room", [fe.is_true(room)], assign)],
        default=skip,
        default_label="Full: skip",
    )
    counted = flow.assignment(
        f"Count_Open_Onboardings_{n}",
        "Count open onboardings",
        [fe.assign(count, fe.reference(f"Get_Open_Onboardings_{n}"), operator="AssignCount")],
        under,
    )
    filters = [
        fe.record_filter(field, "EqualTo", fe.reference(candidate)),
        fe.record_filter(model.computed_field("closed_won_at").salesforce_name, "IsNull", fe.boolean(False)),
        fe.record_filter(model.computed_field("kickoff_at").salesforce_name, "IsNull", fe.boolean(True)),
        fe.record_filter("Id", "NotEqualTo", fe.reference("$Record.Id")),
    ]
    return flow.lookup(
        f"Get_Open_Onboardings_{n}",
        "Get the member's open onboardings",
        model.naming.salesforce_object,
        filters,
        counted,
        first_only=False,
    )
