"""The generated Apex test class, part three: the CS intake (Return with a rating, the tasks for Sales,
resubmission back to Pending), mixed into ApexTestWriter. It runs the intake after-save flow, which
production needs covered to deploy it active."""

from __future__ import annotations

from handrail.targets.salesforce.apex_source import apex_string
from handrail.targets.salesforce.score_flow import closed_won_stage


class IntakeTests:
    def _intake_test(self) -> None:
        stage = closed_won_stage(self.model)
        returned = self.model.automation.on_intake_return
        if stage is None or not (returned.tasks or returned.notify):
            return
        for segment in self.model.segments:
            deal = self._ready_deal(segment, stage.salesforce, True)
            if deal is not None:
                break
        else:
            return
        attrs, values = deal
        name = {
            k: self.model.computed_field(k).salesforce_name
            for k in ("intake_status", "csm_rating", "intake_decided_at", "intake_resubmit")
        }
        tasks = [
            t for t in returned.tasks if segment.key in t.segments and (not t.tiers or "ready" in t.tiers)
        ]
        subjects = ", ".join(apex_string(t.subject) for t in tasks) or "''"
        lines = [
            *self._new_deal("deal", f"{segment.label}, returned by CS", attrs, values),
            *self._save("deal", "insert", timed=False),
            *self._save("deal", "update", stage.salesforce, timed=False),
            f"deal.{name['intake_status']} = 'Returned';",
            f"deal.{name['csm_rating']} = '2';",
            *self._save("deal", "update"),
            "Opportunity saved = reload(deal.Id);",
            f"System.assertEquals('Returned', saved.{name['intake_status']}, 'intake status');",
            f"System.assertNotEquals(null, saved.{name['intake_decided_at']}, 'intake decided at');",
            f"Set<String> subjects = new Set<String>{{{subjects}}};",
            "List<Task> tasks = [SELECT Subject, OwnerId, ActivityDate FROM Task",
            "    WHERE WhatId = :deal.Id AND Subject IN :subjects];",
            f"System.assertEquals({len(tasks)}, tasks.size(), 'tasks for Sales');",
            *[
                f"assertTask(tasks, {apex_string(t.subject)}, taskOwner({self._recipient(t.owner)}, "
                f"saved), dueIn({apex_string(t.due.unit)}, {t.due.amount}));"
                for t in tasks
            ],
            f"deal.{name['intake_resubmit']} = true;",
            "update deal;",
            "saved = reload(deal.Id);",
            f"System.assertEquals('Pending', saved.{name['intake_status']}, 'resubmitted');",
            f"System.assertEquals(false, saved.{name['intake_resubmit']}, 'resubmit tick cleared');",
        ]
        if self.csm:
            lines.insert(
                lines.index("Opportunity saved = reload(deal.Id);") + 1, f"Id csm = saved.{self.csm};"
            )
        self._method(
            "returnsAndResubmitsTheHandoff",
            f"CS returns a {segment.label} handoff with a rating; Sales gets its tasks and resubmits it.",
            lines,
        )
