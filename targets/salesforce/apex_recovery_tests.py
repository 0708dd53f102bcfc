"""The generated Apex test class, part four: an AE who leaves mid-handoff (playbook.ae_departure), mixed
into ApexTestWriter. The owner of a won deal changes before CS accepts the handoff: the recovery before-save
and after-save flows, which production needs covered to deploy them active, set the recovery owner and
create their task. The daily inactive-owner flow is schedule-triggered: no Apex test can start it."""

from __future__ import annotations

from handrail.targets.salesforce.apex_source import INDENT, apex_string
from handrail.targets.salesforce.score_flow import closed_won_stage

# The new owner: a user of its own, inserted in a runAs block (User is a setup object) before the change.
_NEW_OWNER = [
    "User peer = new User(Alias = 'hrpeer', Email = 'handrail.peer@example.com', LastName = 'Handrail Peer',",
    f"{INDENT * 2}EmailEncodingKey = 'UTF-8', LanguageLocaleKey = 'en_US', LocaleSidKey = 'en_US',",
    f"{INDENT * 2}TimeZoneSidKey = 'GMT', ProfileId = UserInfo.getProfileId(),",
    f"{INDENT * 2}Username = 'handrail.peer.' + UserInfo.getOrganizationId() + '.'",
    f"{INDENT * 3}+ DateTime.now().getTime() + '@example.com');",
    "System.runAs(new User(Id = UserInfo.getUserId())) {",
    f"{INDENT}insert peer;",
    "}",
]


class RecoveryTests:
    def _recovery_test(self) -> None:
        departure, stage = self.model.playbook.ae_departure, closed_won_stage(self.model)
        if departure is None or stage is None:
            return
        for segment in self.model.segments:
            deal = self._ready_deal(segment, stage.salesforce, True)
            if deal is not None:
                break
        else:
            return
        attrs, values = deal
        recovery = self.model.computed_field("recovery_owner").salesforce_name
        task = departure.task(())
        selected = ["Name", recovery, *([self.csm] if self.csm else [])]
        lines = [
            *self._new_deal("deal", f"{segment.label}, its owner changes mid-handoff", attrs, values),
            *self._save("deal", "insert", timed=False),
            *self._save("deal", "update", stage.salesforce, timed=False),
            *_NEW_OWNER,
            "deal.OwnerId = peer.Id;",
            *self._save("deal", "update"),
            f"Opportunity saved = [SELECT {', '.join(selected)} FROM Opportunity WHERE Id = :deal.Id];",
            *_expected(departure.recovery_owner, self.csm),
            f"System.assertEquals(expected, saved.{recovery}, 'recovery owner');",
            "List<Task> tasks = [SELECT Subject, OwnerId, ActivityDate FROM Task",
            "    WHERE WhatId = :deal.Id AND Subject = :('Recover the handoff: ' + saved.Name)];",
            "System.assertEquals(1, tasks.size(), 'recovery task');",
            f"assertTask(tasks, 'Recover the handoff: ' + saved.Name, expected, "
            f"dueIn({apex_string(task.due.unit)}, {task.due.amount}));",
        ]
        self._method(
            "recoversAHandoffWhoseOwnerChanges",
            f"The owner of a won {segment.label} deal changes before CS accepts it: recovery owner and task.",
            lines,
        )


def _expected(who: str, csm: str | None) -> list[str]:
    """`expected`: the recovery owner the before-save flow sets, with its fallback (the new owner's
    manager, else the new owner: here the new owner, created without a manager)."""
    first = {
        "owner_manager": "managerOf(UserInfo.getUserId())",  # the former owner is the running user
        "owner": "peer.Id",
        "csm": f"saved.{csm}",
        "csm_manager": f"managerOf(saved.{csm})",
    }.get(who, f"activeUser({apex_string(who)})")
    return [f"Id expected = {first};", "if (expected == null) {", f"{INDENT}expected = peer.Id;", "}"]
