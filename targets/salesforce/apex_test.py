"""The Apex test class that runs every handoff flow path, so production orgs can deploy the flows active.

Salesforce deploys flows as active to production only with "Deploy processes and flows as active"
switched on and Apex tests that run the flows. This class inserts and updates Opportunities and asserts
what the flows wrote, with the expected values computed by the scoring engine at build time:

    scores<Segment><Tier>       one deal per segment and reachable tier: segment, score, completeness,
                                tier and missing summary
    resolvesSegmentBoundaries   deals at and just below every ACV and sales-cycle bound, inserted together
    rescoresOnEverySave         a Blocked deal completed by an update becomes Ready
    countsTheSalesCycleFromCreation   the cycle is re-read from CreatedDate after insert
    closesWon<Segment>          Closed Won: CSM assignment rule, close timestamp, tasks with owners and due dates
    entersStage<Stage>          the on_stage_entry tasks

Notifications cannot be observed from Apex and scheduled paths (SLA escalations) cannot be run in a
test; those paths are built the same way as the ones asserted here.
"""
from __future__ import annotations

from decimal import Decimal

from handrail.specs.model import Model, Task
from handrail.targets.salesforce.apex_scenarios import (
    NOW, RUNNING_USER, TODAY, Attributes, all_fields_complete, expected, segment_attributes, tier_values,
)
from handrail.targets.salesforce.components import Component
from handrail.targets.salesforce.score_flow import closed_won_stage

CLASS_NAME_MAX = 40
INDENT = "    "


def apex_class_name(model: Model) -> str:
    prefix = (model.naming.salesforce_prefix or "Handoff")[:CLASS_NAME_MAX - len("_Flows_Test")].rstrip("_")
    return f"{prefix}_Flows_Test"


def apex_test_component(model: Model, api_version: str, flow_names: list[str]) -> Component:
    name = apex_class_name(model)
    source = ApexTestWriter(model, name, flow_names).source()
    return Component("ApexClass", name, (("apiVersion", api_version), ("status", "Active")),
                     content=source.encode("utf-8"))


def apex_string(text: str) -> str:
    escaped = (text.replace("\\", "\\\\").replace("'", "\\'").replace("\n", "\\n").replace("\r", "\\r")
               .replace("\t", "\\t"))
    return f"'{escaped}'"


def apex_decimal(value: float | None, places: int | None = None) -> str:
    if value is None:
        return "null"
    number = Decimal(repr(float(value)))
    if places is not None:
        number = number.quantize(Decimal(1).scaleb(-places))
    text = format(number, "f")
    return text


def method_name(*parts: str) -> str:
    words = "_".join(parts).replace("-", "_")
    stem = "".join(w[:1].upper() + w[1:] for w in words.split("_") if w)
    return stem[:1].lower() + stem[1:]


class ApexTestWriter:
    def __init__(self, model: Model, name: str, flow_names: list[str]):
        self.model, self.name, self.flow_names = model, name, flow_names
        self.c = {k: model.computed_field(k).salesforce_name
                  for k in ("segment", "score", "completeness", "tier", "missing_summary", "closed_won_at")}
        self.csm = model.csm_field.salesforce_name if model.csm_field else None
        self.open_stage = open_stage(model)
        self.complete = all_fields_complete(model)
        self.methods: list[list[str]] = []

    # Whole class ---------------------------------------------------------------------------------
    def source(self) -> str:
        self._scoring_tests()
        self._boundary_test()
        self._rescore_test()
        self._cycle_test()
        self._closed_won_tests()
        self._stage_entry_tests()
        head = [
            "/*",
            f" * Managed by Handrail from '{_comment(self.model.name)}'. Do not edit: change the spec and rebuild.",
            " *",
            f" * Runs the handoff flows ({', '.join(self.flow_names)}):",
            " * the score in every segment and reachable tier, segment boundaries, re-scoring on update, the",
            " * Closed Won automation (CSM assignment, close timestamp, tasks) and the stage-entry tasks.",
            " * Expected scores were computed by Handrail's scoring engine for the same field values.",
            " * Notifications are not observable from Apex, and scheduled paths (SLA escalations) do not run",
            " * in tests.",
            " */",
            "@isTest",
            f"private class {self.name} {{",
            f"{INDENT}private static final String OPEN_STAGE = {apex_string(self.open_stage)};",
            "",
        ]
        body = self._helpers()
        for method in self.methods:
            body += [""] + method
        return "\n".join(head + body + ["}", ""])

    def _helpers(self) -> list[str]:
        fields = ["Id", "OwnerId", "StageName", *self.c.values(), *([self.csm] if self.csm else [])]
        lines = [
            "private static Opportunity newDeal(String name, Decimal amount, String dealType, Integer cycleDays) {",
            f"{INDENT}return new Opportunity(Name = name, StageName = OPEN_STAGE, Amount = amount, Type = dealType,",
            f"{INDENT}{INDENT}CloseDate = Date.today().addDays(cycleDays));",
            "}",
            "",
            "// A deal with every handoff field specific; tests then blank or weaken the fields they need.",
            "private static Opportunity completeDeal(String name, Decimal amount, String dealType, Integer cycleDays) {",
            f"{INDENT}Opportunity deal = newDeal(name, amount, dealType, cycleDays);",
            *[f"{INDENT}deal.{f.salesforce_name} = {_apex_value(self.complete[f.key])};"
              for f in self.model.fields if f.key in self.complete],
            f"{INDENT}return deal;",
            "}",
            "",
            "private static Opportunity reload(Id dealId) {",
            f"{INDENT}return [SELECT {', '.join(dict.fromkeys(fields))} FROM Opportunity WHERE Id = :dealId];",
            "}",
            "",
            "private static Decimal oneDecimal(Decimal value) {",
            f"{INDENT}return value == null ? null : value.setScale(1);",
            "}",
            "",
            "private static void assertHandoff(Id dealId, String segment, Decimal score, Decimal completeness,",
            f"{INDENT}{INDENT}String tier, String summary) {{",
            f"{INDENT}Opportunity saved = reload(dealId);",
            f"{INDENT}System.assertEquals(segment, saved.{self.c['segment']}, 'segment');",
            f"{INDENT}System.assertEquals(score, oneDecimal(saved.{self.c['score']}), 'score');",
            f"{INDENT}System.assertEquals(completeness, oneDecimal(saved.{self.c['completeness']}), 'completeness');",
            f"{INDENT}System.assertEquals(tier, saved.{self.c['tier']}, 'tier');",
            f"{INDENT}System.assertEquals(summary, saved.{self.c['missing_summary']}, 'missing summary');",
            "}",
            "",
            "// The due date the flows give a task: business days skip Saturdays and Sundays.",
            "private static Date dueIn(String unit, Integer amount) {",
            f"{INDENT}Date day = Date.today();",
            f"{INDENT}if (amount == 0) {{",
            f"{INDENT}{INDENT}return day;",
            f"{INDENT}}}",
            f"{INDENT}if (unit == 'hours') {{",
            f"{INDENT}{INDENT}return day.addDays(Math.ceil(amount / 24.0).intValue());",
            f"{INDENT}}}",
            f"{INDENT}if (unit == 'days') {{",
            f"{INDENT}{INDENT}return day.addDays(amount);",
            f"{INDENT}}}",
            f"{INDENT}Integer weekday = Math.mod(Date.newInstance(1900, 1, 7).daysBetween(day), 7); // 0 = Sunday",
            f"{INDENT}Integer left = amount;",
            f"{INDENT}while (left > 0) {{",
            f"{INDENT}{INDENT}day = day.addDays(1);",
            f"{INDENT}{INDENT}weekday = Math.mod(weekday + 1, 7);",
            f"{INDENT}{INDENT}if (weekday != 0 && weekday != 6) {{",
            f"{INDENT}{INDENT}{INDENT}left--;",
            f"{INDENT}{INDENT}}}",
            f"{INDENT}}}",
            f"{INDENT}return day;",
            "}",
            "",
            "private static Id activeUser(String username) {",
            f"{INDENT}List<User> users = [SELECT Id FROM User WHERE Username = :username AND IsActive = true LIMIT 1];",
            f"{INDENT}return users.isEmpty() ? null : users[0].Id;",
            "}",
            "",
            "private static Id managerOf(Id userId) {",
            f"{INDENT}return userId == null ? null : [SELECT ManagerId FROM User WHERE Id = :userId].ManagerId;",
            "}",
            "",
            "// Who a task is assigned to: the recipient, or the deal owner when the recipient is blank.",
            "private static Id taskOwner(Id recipient, Opportunity deal) {",
            f"{INDENT}return recipient == null ? deal.OwnerId : recipient;",
            "}",
            "",
            "private static void assertTask(List<Task> tasks, String subject, Id ownerId, Date due) {",
            f"{INDENT}for (Task t : tasks) {{",
            f"{INDENT}{INDENT}if (t.Subject == subject) {{",
            f"{INDENT}{INDENT}{INDENT}System.assertEquals(ownerId, t.OwnerId, subject + ': owner');",
            f"{INDENT}{INDENT}{INDENT}System.assertEquals(due, t.ActivityDate, subject + ': due date');",
            f"{INDENT}{INDENT}{INDENT}return;",
            f"{INDENT}{INDENT}}}",
            f"{INDENT}}}",
            f"{INDENT}System.assert(false, 'no task ' + subject);",
            "}",
        ]
        return [INDENT + line if line else "" for line in lines]

    # Building blocks -----------------------------------------------------------------------------
    def _method(self, name: str, comment: str, lines: list[str]) -> None:
        self.methods.append([f"{INDENT}// {_comment(comment)}", f"{INDENT}@isTest", f"{INDENT}static void {name}() {{",
                             *[INDENT * 2 + line if line else "" for line in lines], f"{INDENT}}}"])

    def _new_deal(self, var: str, title: str, attrs: Attributes, values: dict | None) -> list[str]:
        """A deal with `values` (None: no handoff fields at all), built from completeDeal when it has any."""
        expansion = self.model.deal.expansion_values_salesforce
        deal_type = apex_string(expansion[0]) if attrs.deal_type == "expansion" and expansion else "null"
        creator = "newDeal" if values is None else "completeDeal"
        lines = [f"Opportunity {var} = {creator}({apex_string(title)}, {apex_decimal(attrs.acv, 2)}, {deal_type}, "
                 f"{attrs.cycle_days});"]
        if self.model.partner_field:
            lines.append(f"{var}.{self.model.partner_field.salesforce_name} = {'true' if attrs.partner else 'false'};")
        if values is not None:
            lines += self._changes(var, self.complete, values)
        return lines

    def _changes(self, var: str, before: dict, after: dict) -> list[str]:
        """Assignments that turn a deal holding `before` into one holding `after`."""
        lines = []
        for f in self.model.fields:
            if f is self.model.partner_field or before.get(f.key) == after.get(f.key):
                continue
            value = after.get(f.key)
            blank = "false" if f.type == "checkbox" else "null"
            lines.append(f"{var}.{f.salesforce_name} = {blank if value is None else _apex_value(value)};")
        return lines

    def _assert_expected(self, var: str, attrs: Attributes, values: dict | None) -> str:
        e = expected(self.model, attrs, values or {})
        return (f"assertHandoff({var}.Id, {apex_string(e.segment) if e.segment else 'null'}, "
                f"{apex_decimal(e.score, 1)}, {apex_decimal(e.completeness, 1)}, "
                f"{apex_string(e.tier) if e.tier else 'null'}, {apex_string(e.summary) if e.summary else 'null'});")

    # Scoring ------------------------------------------------------------------------------------
    def _scoring_tests(self) -> None:
        for s in self.model.segments:
            attrs = segment_attributes(self.model, s)
            if attrs is None:
                continue
            for tier, values in tier_values(self.model, s, attrs, self.complete).items():
                title = f"{s.label}, {tier}"
                self._method(method_name("scores", s.key, tier), f"A deal in segment {s.label} scored {tier}.",
                             [*self._new_deal("deal", title, attrs, values), "insert deal;",
                              self._assert_expected("deal", attrs, values)])

    def _boundary_test(self) -> None:
        deals: list[tuple[Attributes, str]] = []
        for s in self.model.segments:
            base = segment_attributes(self.model, s)
            if base is None:
                continue
            for r, dimension in ((s.match.acv, "acv"), (s.match.sales_cycle_days, "cycle")):
                for bound in (r.bounds() if r else ()):
                    for nudge in (0, -0.01 if dimension == "acv" else -1):
                        if dimension == "acv":
                            attrs = Attributes(round(bound + nudge, 2), base.deal_type, base.partner, base.cycle_days)
                        else:
                            attrs = Attributes(base.acv, base.deal_type, base.partner, int(bound + nudge))
                        if attrs.acv >= 0 and attrs.cycle_days >= 0 and attrs not in [d for d, _ in deals]:
                            deals.append((attrs, f"{dimension} {bound + nudge:g}"))
        if not deals:
            return
        lines = ["List<Opportunity> deals = new List<Opportunity>();"]
        for i, (attrs, what) in enumerate(deals):
            lines += [*self._new_deal(f"deal{i}", f"Boundary {what}", attrs, None), f"deals.add(deal{i});"]
        lines.append("insert deals;")
        for i, (attrs, _) in enumerate(deals):
            e = expected(self.model, attrs, {})
            lines.append(f"System.assertEquals({apex_string(e.segment) if e.segment else 'null'}, "
                         f"reload(deals[{i}].Id).{self.c['segment']}, 'segment of deal {i}');")
        self._method("resolvesSegmentBoundaries",
                     "Deals at and just below every ACV and sales-cycle bound, inserted in one batch.", lines)

    def _rescore_test(self) -> None:
        for s in self.model.segments:
            attrs = segment_attributes(self.model, s)
            tiers = tier_values(self.model, s, attrs, self.complete) if attrs else {}
            low = tiers.get("Blocked") or tiers.get("Gaps")
            if "Ready" not in tiers or low is None:
                continue
            ready = tiers["Ready"]
            lines = [*self._new_deal("deal", f"{s.label}, completed later", attrs, low), "insert deal;",
                     self._assert_expected("deal", attrs, low), *self._changes("deal", low, ready), "update deal;",
                     self._assert_expected("deal", attrs, ready)]
            self._method("rescoresOnEverySave", "The score follows every save, not only the first one.", lines)
            return

    def _cycle_test(self) -> None:
        if not any(s.match.sales_cycle_days for s in self.model.segments):
            return
        s = next(s for s in self.model.segments if s.match.sales_cycle_days)
        attrs = segment_attributes(self.model, s)
        if attrs is None:
            return
        later = Attributes(attrs.acv, attrs.deal_type, attrs.partner, attrs.cycle_days + 60)
        e = expected(self.model, later, {})
        lines = [*self._new_deal("deal", "Sales cycle from CreatedDate", attrs, None), "insert deal;",
                 self._assert_expected("deal", attrs, None),
                 "Test.setCreatedDate(deal.Id, DateTime.newInstanceGmt(Date.today().addDays(-60), Time.newInstance("
                 "12, 0, 0, 0)));",
                 "update deal;",
                 f"System.assertEquals({apex_string(e.segment) if e.segment else 'null'}, "
                 f"reload(deal.Id).{self.c['segment']}, 'segment after 60 more days of sales cycle');"]
        self._method("countsTheSalesCycleFromCreation",
                     "While inserting, the cycle counts from today; afterwards from CreatedDate.", lines)

    # Automation ---------------------------------------------------------------------------------
    def _closed_won_tests(self) -> None:
        stage = closed_won_stage(self.model)
        if stage is None:
            return
        won = self.model.automation.on_closed_won
        values = self.complete
        for s in self.model.segments:
            attrs = segment_attributes(self.model, s)
            if attrs is None or expected(self.model, attrs, values).tier != "Ready":
                continue
            rule = next((r for r in won.assign_csm if s.key in r.segments), None) if self.csm else None
            preset = self._requires_csm(s.key, stage.order) or bool(rule and rule.keep_existing and not rule.assign)
            lines = [*self._new_deal("deal", f"{s.label}, Closed Won", attrs, values)]
            if self.csm and preset:
                lines.append(f"deal.{self.csm} = UserInfo.getUserId();")
            lines += ["insert deal;", f"deal.StageName = {apex_string(stage.salesforce)};", "update deal;",
                      "Opportunity saved = reload(deal.Id);"]
            if self.csm:
                lines.append(f"Id csm = {'UserInfo.getUserId()' if preset else 'null'};")
                if rule and rule.assign:
                    keep = " && csm == null" if rule.keep_existing else ""
                    lines += [f"if (activeUser({apex_string(rule.assign)}) != null{keep}) {{",
                              f"{INDENT}csm = activeUser({apex_string(rule.assign)});", "}"]
                lines.append(f"System.assertEquals(csm, saved.{self.csm}, 'CSM');")
            if won.stamp_close_time:
                lines.append(f"System.assertNotEquals(null, saved.{self.c['closed_won_at']}, 'closed won at');")
            tasks = [t for t in won.tasks if s.key in t.segments]
            tasks += [t for e in self.model.automation.on_stage_entry if e.stage == stage.key
                      for t in e.tasks if s.key in t.segments]
            lines += self._task_assertions(tasks)
            self._method(method_name("closesWon", s.key), f"A deal in segment {s.label} reaches {stage.label}.",
                         lines)

    def _stage_entry_tests(self) -> None:
        won = closed_won_stage(self.model)
        values = self.complete
        for entry_stage in self.model.stages:
            entries = [e for e in self.model.automation.on_stage_entry if e.stage == entry_stage.key]
            if not entries or not entry_stage.salesforce or (won and entry_stage.key == won.key) \
                    or entry_stage.salesforce == self.open_stage:
                continue
            for s in self.model.segments:
                attrs = segment_attributes(self.model, s)
                if attrs is None or expected(self.model, attrs, values).tier != "Ready":
                    continue
                lines = [*self._new_deal("deal", f"{s.label}, enters {entry_stage.label}", attrs, values)]
                if self.csm:
                    lines.append(f"deal.{self.csm} = UserInfo.getUserId();")
                lines += ["insert deal;", f"deal.StageName = {apex_string(entry_stage.salesforce)};", "update deal;",
                          "Opportunity saved = reload(deal.Id);"]
                if self.csm:
                    lines.append(f"Id csm = saved.{self.csm};")
                lines += self._task_assertions([t for e in entries for t in e.tasks if s.key in t.segments])
                self._method(method_name("entersStage", entry_stage.key),
                             f"A deal in segment {s.label} enters {entry_stage.label}.", lines)
                break

    def _requires_csm(self, segment: str, up_to_order: int) -> bool:
        return any(g.active and g.require.csm_assigned and segment in g.segments
                   and self.model.stage(g.stage).order <= up_to_order for g in self.model.gates)

    def _task_assertions(self, tasks: list[Task]) -> list[str]:
        lines = ["List<Task> tasks = [SELECT Subject, OwnerId, ActivityDate FROM Task WHERE WhatId = :deal.Id];",
                 f"System.assertEquals({len(tasks)}, tasks.size(), 'tasks created');"]
        for t in tasks:
            lines.append(f"assertTask(tasks, {apex_string(t.subject)}, taskOwner({self._recipient(t.owner)}, saved), "
                         f"dueIn({apex_string(t.due.unit)}, {t.due.amount}));")
        return lines

    def _recipient(self, who: str) -> str:
        if who == "owner":
            return "saved.OwnerId"
        if who == "owner_manager":
            return "managerOf(saved.OwnerId)"
        if who == "csm":
            return "csm"
        if who == "csm_manager":
            return "managerOf(csm)"
        return f"activeUser({apex_string(who)})"


def open_stage(model: Model) -> str:
    """Where test deals start: the first open stage no gate or stage-entry automation applies to."""
    entered = {e.stage for e in model.automation.on_stage_entry}
    candidates = [s for s in sorted(model.stages, key=lambda s: s.order)
                  if s.salesforce and not s.closed_won and not s.closed_lost]
    for s in candidates:
        gated = any(g.active and model.stage(g.stage).order <= s.order for g in model.gates)
        if s.key not in entered and not gated:
            return s.salesforce
    return candidates[0].salesforce if candidates else "Prospecting"


def _apex_value(value) -> str:
    if value is True or value is False:
        return "true" if value else "false"
    if value == TODAY:
        return "Date.today()"
    if value == NOW:
        return "DateTime.now()"
    if value == RUNNING_USER:
        return "UserInfo.getUserId()"
    if isinstance(value, (int, float)):
        return apex_decimal(value)
    return apex_string(str(value))


def _comment(text: str) -> str:
    return text.replace("*/", "* /").replace("\n", " ")
