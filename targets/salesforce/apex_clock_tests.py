"""The generated Apex test class, part five: the SLA clocks that stamp themselves (task_clock_flow.py),
mixed into ApexTestWriter. A won deal's generated stamping task is completed (any closed Task status the
org has): the Task flow, which production needs covered to deploy it active, stamps the deal's clock and
lists it in Clocks Stamped."""

from __future__ import annotations

from handrail.specs.clocks import CLOCKS, MARKER
from handrail.targets.salesforce.apex_source import apex_string
from handrail.targets.salesforce.score_flow import closed_won_stage
from handrail.targets.salesforce.task_clock_flow import stamping_tasks


class ClockTests:
    def _clock_test(self) -> None:
        stage = closed_won_stage(self.model)
        tasks = [t for t in stamping_tasks(self.model) if not t.tiers or "ready" in t.tiers]
        if stage is None or not tasks:
            return
        task = tasks[0]
        for segment in self.model.segments:
            deal = self._ready_deal(segment, stage.salesforce, True) if segment.key in task.segments else None
            if deal is not None:
                break
        else:
            return
        attrs, values = deal
        clock = self.model.computed_field(CLOCKS[task.stamps]).salesforce_name
        marker = self.model.computed_field(MARKER).salesforce_name
        lines = [
            *self._new_deal("deal", f"{segment.label}, its {task.key} task completed", attrs, values),
            *self._save("deal", "insert", timed=False),
            *self._save("deal", "update", stage.salesforce, timed=False),
            "Task task = [SELECT Id FROM Task WHERE WhatId = :deal.Id",
            f"    AND Subject = {apex_string(task.subject)} LIMIT 1];",
            "task.Status = [SELECT ApiName FROM TaskStatus WHERE IsClosed = true LIMIT 1].ApiName;",
            "Test.startTest();",
            "update task;",
            "Test.stopTest();",
            f"Opportunity saved = [SELECT {clock}, {marker} FROM Opportunity WHERE Id = :deal.Id];",
            f"System.assertNotEquals(null, saved.{clock}, 'clock stamped');",
            f"System.assertEquals({apex_string(task.stamps)}, saved.{marker}, 'clocks stamped');",
        ]
        self._method(
            "stampsTheClockOfACompletedTask",
            f"Completing the {task.key} task of a won {segment.label} deal stamps its {task.stamps} clock.",
            lines,
        )
