"""The generated Apex test class, part two: the Closed Won and stage-entry automation tests (the tasks,
field updates and notifications each save should create), mixed into ApexTestWriter."""

from __future__ import annotations

from handrail.specs.model import Assignment, Task
from handrail.targets.salesforce.apex_source import INDENT, apex_string, method_name
from handrail.targets.salesforce.score_flow import closed_won_stage
from handrail.targets.salesforce.team_access import ROLE, TEAM_NAMES, team_object

# The CSM of the team test: a user of its own, since the running user owns the deal. User is a setup
# object, so it is inserted in a runAs block (a DML context of its own) before the deal.
_NEW_CSM_USER = [
    "User csmUser = new User(Alias = 'hrcsm', Email = 'handrail.csm@example.com', LastName = 'Handrail CSM',",
    f"{INDENT * 2}EmailEncodingKey = 'UTF-8', LanguageLocaleKey = 'en_US', LocaleSidKey = 'en_US',",
    f"{INDENT * 2}TimeZoneSidKey = 'GMT', ProfileId = UserInfo.getProfileId(),",
    f"{INDENT * 2}Username = 'handrail.csm.' + UserInfo.getOrganizationId() + '.' + DateTime.now().getTime()",
    f"{INDENT * 3}+ '@example.com');",
    "System.runAs(new User(Id = UserInfo.getUserId())) {",
    f"{INDENT}insert csmUser;",
    "}",
]


class AutomationTests:
    def _closed_won_tests(self) -> None:
        stage = closed_won_stage(self.model)
        if stage is None:
            return
        won = self.model.automation.on_closed_won
        intake = self.model.computed_field("intake_status").salesforce_name
        for s in self.model.segments:
            rule = next((r for r in won.assign_csm if s.key in r.segments), None) if self.csm else None
            deal = self._ready_deal(
                s, stage.salesforce, bool(rule and rule.keep_existing and not rule.assign)
            )
            if deal is None:
                continue
            attrs, values = deal
            preset = bool(self.model.csm_field and values.get(self.model.csm_field.key))
            lines = [
                *self._new_deal("deal", f"{s.label}, Closed Won", attrs, values),
                *self._save("deal", "insert", timed=False),
                *self._save("deal", "update", stage.salesforce),
                "Opportunity saved = reload(deal.Id);",
                f"System.assertEquals('Pending', saved.{intake}, 'intake status');",
            ]
            if self.csm and not _exact(won.assign_csm, s.key):
                lines += _possible_csms(won.assign_csm, s.key, preset, self.csm)
            elif self.csm:
                lines.append(f"Id csm = {'UserInfo.getUserId()' if preset else 'null'};")
                if rule and rule.assign:
                    keep = " && csm == null" if rule.keep_existing else ""
                    lines += [
                        f"if (activeUser({apex_string(rule.assign)}) != null{keep}) {{",
                        f"{INDENT}csm = activeUser({apex_string(rule.assign)});",
                        "}",
                    ]
                lines.append(f"System.assertEquals(csm, saved.{self.csm}, 'CSM');")
            if won.stamp_close_time:
                lines.append(
                    f"System.assertNotEquals(null, saved.{self.c['closed_won_at']}, 'closed won at');"
                )
            tasks = [t for t in won.tasks if _for_ready(t, s.key)]
            tasks += [
                t
                for e in self.model.automation.on_stage_entry
                if e.stage == stage.key
                for t in e.tasks
                if _for_ready(t, s.key)
            ]
            lines += self._task_assertions(tasks)
            self._method(
                method_name("closesWon", s.key), f"A deal in segment {s.label} reaches {stage.label}.", lines
            )

    def _csm_team_test(self) -> None:
        """The CSM, a user of its own (the running user owns the deal, and the flow never adds the owner),
        ends up on the deal's team with Edit access on the opportunity."""
        sobject = team_object(self.model)
        if sobject is None:
            return
        stage = closed_won_stage(self.model)
        rules = {
            s.key: next(
                (r for r in self.model.automation.on_closed_won.assign_csm if s.key in r.segments), None
            )
            for s in self.model.segments
        }
        # Deals whose CSM no rule replaces first: there the CSM is exactly the one the test names.
        order = sorted(
            self.model.segments,
            key=lambda s: bool(rules[s.key] and rules[s.key].people and not rules[s.key].keep_existing),
        )
        deal = next(((s, d) for s in order if (d := self._ready_deal(s, stage.salesforce, True))), None)
        if deal is None:
            return
        s, (attrs, values) = deal
        account = sobject == "AccountTeamMember"
        lines = [
            *_NEW_CSM_USER,
            *(
                ["Account account = new Account(Name = 'Handrail CSM access');", "insert account;"]
                if account
                else []
            ),
            *_named(self._new_deal("deal", f"{s.label}, CSM joins the team", attrs, values), self.csm),
            *(["deal.AccountId = account.Id;"] if account else []),
            *self._save("deal", "insert", timed=False),
            *self._save("deal", "update", stage.salesforce),
            "Opportunity saved = reload(deal.Id);",
            "Id csm = csmUser.Id;",
        ]
        rule = rules[s.key]
        if not _exact(self.model.automation.on_closed_won.assign_csm, s.key):
            lines.append(f"csm = saved.{self.csm};  // whoever the rules assigned")
        elif rule and rule.assign and not rule.keep_existing:
            lines += [
                f"if (activeUser({apex_string(rule.assign)}) != null) {{",
                f"{INDENT}csm = activeUser({apex_string(rule.assign)});",
                "}",
            ]
        parent = "AccountId = :account.Id" if account else "OpportunityId = :deal.Id"
        extra = ", AccountAccessLevel" if account else ""
        lines += [
            f"System.assertEquals(csm, saved.{self.csm}, 'CSM');",
            f"List<{sobject}> team = [SELECT TeamMemberRole, OpportunityAccessLevel{extra} FROM {sobject}",
            f"{INDENT}{INDENT}WHERE {parent} AND UserId = :csm];",
            f"System.assertEquals(1, team.size(), 'the CSM on the {TEAM_NAMES[sobject][:-1]}');",
            f"System.assertEquals({apex_string(ROLE)}, team[0].TeamMemberRole, 'team role');",
            "System.assertEquals('Edit', team[0].OpportunityAccessLevel, 'opportunity access');",
            *(
                ["System.assertEquals('Read', team[0].AccountAccessLevel, 'account access');"]
                if account
                else []
            ),
        ]
        name = "csmJoinsTheAccountTeam" if account else "csmJoinsTheOpportunityTeam"
        what = "Account Team of the deal's account" if account else "deal's Opportunity Team"
        self._method(
            name, f"The CSM of a deal that reaches {stage.label} joins the {what}, with Edit access.", lines
        )

    def _stage_entry_tests(self) -> None:
        won = closed_won_stage(self.model)
        for entry_stage in self.model.stages:
            entries = [e for e in self.model.automation.on_stage_entry if e.stage == entry_stage.key]
            if (
                not entries
                or not entry_stage.salesforce
                or (won and entry_stage.key == won.key)
                or entry_stage.salesforce == self.open_stage
            ):
                continue
            for s in self.model.segments:
                deal = self._ready_deal(s, entry_stage.salesforce, True)
                if deal is None:
                    continue
                attrs, values = deal
                lines = [
                    *self._new_deal("deal", f"{s.label}, enters {entry_stage.label}", attrs, values),
                    *self._save("deal", "insert", timed=False),
                    *self._save("deal", "update", entry_stage.salesforce),
                    "Opportunity saved = reload(deal.Id);",
                ]
                if self.csm:
                    lines.append(f"Id csm = saved.{self.csm};")
                lines += self._task_assertions([t for e in entries for t in e.tasks if _for_ready(t, s.key)])
                self._method(
                    method_name("entersStage", entry_stage.key),
                    f"A deal in segment {s.label} enters {entry_stage.label}.",
                    lines,
                )
                break

    def _task_assertions(self, tasks: list[Task]) -> list[str]:
        lines = [
            "List<Task> tasks = [SELECT Subject, OwnerId, ActivityDate FROM Task WHERE WhatId = :deal.Id];",
            f"System.assertEquals({len(tasks)}, tasks.size(), 'tasks created');",
        ]
        for t in tasks:
            lines.append(
                f"assertTask(tasks, {apex_string(t.subject)}, taskOwner({self._recipient(t.owner)}, "
                f"saved), dueIn({apex_string(t.due.unit)}, {t.due.amount}));"
            )
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


def _exact(rules: tuple[Assignment, ...], segment: str) -> bool:
    """Whether the test can name the CSM a deal of `segment` gets: its first rule applies whatever the deal's
    territory and keeps, or assigns one username. A test deal has no account and the org's earlier deals
    decide a pool's turn, so otherwise the test checks the CSM is one the rules can assign."""
    rule = next((r for r in rules if segment in r.segments), None)
    return rule is None or not (rule.when or rule.pool or rule.account_csm)


def _possible_csms(rules: tuple[Assignment, ...], segment: str, preset: bool, field: str) -> list[str]:
    mine = [r for r in rules if segment in r.segments]
    people = ", ".join(apex_string(p) for p in dict.fromkeys(p for r in mine for p in r.people))
    kept = ", UserInfo.getUserId()" if preset and any(r.keep_existing for r in mine) else ""
    return [
        f"Set<Id> possible = new Set<Id>{{null{kept}}};",
        f"for (String username : new List<String>{{{people}}}) {{",
        f"{INDENT}possible.add(activeUser(username));",
        "}",
        f"System.assert(possible.contains(saved.{field}), 'unexpected CSM ' + saved.{field});",
        f"Id csm = saved.{field};",
    ]


def _named(lines: list[str], csm: str) -> list[str]:
    """A new deal's lines with csmUser as its CSM in place of the running user."""
    running, named = f"deal.{csm} = UserInfo.getUserId();", f"deal.{csm} = csmUser.Id;"
    return [named if line == running else line for line in lines] + ([named] if running not in lines else [])


def _for_ready(task: Task, segment: str) -> bool:
    """Whether a Ready deal in `segment` gets the task: the test deals are all Ready (_ready_deal)."""
    return segment in task.segments and (not task.tiers or "ready" in task.tiers)
