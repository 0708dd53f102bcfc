"""The generated Apex test class, part two: the Closed Won and stage-entry automation tests (the tasks,
field updates and notifications each save should create), mixed into ApexTestWriter."""

from __future__ import annotations

from handrail.specs.model import Task
from handrail.targets.salesforce.apex_source import INDENT, apex_string, method_name
from handrail.targets.salesforce.score_flow import closed_won_stage


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
            if self.csm:
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


def _for_ready(task: Task, segment: str) -> bool:
    """Whether a Ready deal in `segment` gets the task: the test deals are all Ready (_ready_deal)."""
    return segment in task.segments and (not task.tiers or "ready" in task.tiers)
