"""Apex source text for the generated test class: literals and the class's fixed helper methods."""

from __future__ import annotations

from decimal import Decimal

from handrail.specs.model import Model
from handrail.targets.salesforce.apex_calendar import due_in_method
from handrail.targets.salesforce.apex_scenarios import NOW, RUNNING_USER, TODAY

INDENT = "    "


def apex_string(text: str) -> str:
    escaped = (
        text.replace("\\", "\\\\")
        .replace("'", "\\'")
        .replace("\n", "\\n")
        .replace("\r", "\\r")
        .replace("\t", "\\t")
    )
    return f"'{escaped}'"


def apex_decimal(value: float | None, places: int | None = None) -> str:
    if value is None:
        return "null"
    number = Decimal(repr(float(value)))
    if places is not None:
        number = number.quantize(Decimal(1).scaleb(-places))
    text = format(number, "f")
    return text


def apex_value(value) -> str:
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


_DUE_IN_WEEKDAYS = [  # without a calendar in the spec
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
]


def helper_methods(model: Model, c: dict[str, str], csm: str | None, complete: dict) -> list[str]:
    """The class's private helpers: deal builders, reload, the handoff and task assertions, due dates."""
    fields = ["Id", "OwnerId", "StageName", *c.values(), *([csm] if csm else [])]
    lines = [
        "private static Opportunity newDeal(String name, Decimal amount, String dealType, Integer cycleDays) "
        "{",
        f"{INDENT}return new Opportunity(Name = name, StageName = OPEN_STAGE, Amount = amount, Type = "
        "dealType,",
        f"{INDENT}{INDENT}CloseDate = Date.today().addDays(cycleDays));",
        "}",
        "",
        "// A deal with every handoff field specific; tests then blank or weaken the fields they need.",
        "private static Opportunity completeDeal(String name, Decimal amount, String dealType, Integer "
        "cycleDays) {",
        f"{INDENT}Opportunity deal = newDeal(name, amount, dealType, cycleDays);",
        *[
            f"{INDENT}deal.{f.salesforce_name} = {apex_value(complete[f.key])};"
            for f in model.fields
            if f.key in complete
        ],
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
        f"{INDENT}System.assertEquals(segment, saved.{c['segment']}, 'segment');",
        f"{INDENT}System.assertEquals(score, oneDecimal(saved.{c['score']}), 'score');",
        f"{INDENT}System.assertEquals(completeness, oneDecimal(saved.{c['completeness']}), 'completeness');",
        f"{INDENT}System.assertEquals(tier, saved.{c['tier']}, 'tier');",
        f"{INDENT}System.assertEquals(summary, saved.{c['missing_summary']}, 'missing summary');",
        "}",
        "",
        *(due_in_method(model.calendar) if not model.calendar.is_default else _DUE_IN_WEEKDAYS),
        "",
        "private static Id activeUser(String username) {",
        f"{INDENT}List<User> users = [SELECT Id FROM User WHERE Username = :username AND IsActive = true "
        "LIMIT 1];",
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


def method_name(*parts: str) -> str:
    words = "_".join(parts).replace("-", "_")
    stem = "".join(w[:1].upper() + w[1:] for w in words.split("_") if w)
    return stem[:1].lower() + stem[1:]


def comment_text(text: str) -> str:
    return text.replace("*/", "* /").replace("\n", " ")
