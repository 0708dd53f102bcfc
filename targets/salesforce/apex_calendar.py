"""The Apex test's expected task due dates when the spec has a business calendar: the same count the flows
compile (calendar_formulas.py), written out in Apex so an org's test run checks the flows against it."""

from __future__ import annotations

from handrail.specs.calendar import BusinessCalendar

INDENT = "    "  # apex_source.py's, which includes these lines
I2, I3 = INDENT * 2, INDENT * 3


def _hours(moment) -> str:
    return f"{moment.hour + moment.minute / 60:g}"


def due_in_method(calendar: BusinessCalendar) -> list[str]:
    """`dueIn(unit, amount)` and its helpers, for a calendar of the spec's own."""
    zone = f"'{calendar.time_zone}'"  # an IANA name: letters, digits, / _ + -
    weekdays = ", ".join(str((d + 1) % 7) for d in calendar.working_days)  # Apex below: 0 = Sunday
    holidays = ", ".join(f"Date.newInstance({h.year}, {h.month}, {h.day})" for h in sorted(calendar.holidays))
    opens, closes = _hours(calendar.start), _hours(calendar.end)
    hours = [
        f"{INDENT}Decimal clock = Decimal.valueOf(now.format('H', {zone})) + "
        f"Decimal.valueOf(now.format('m', {zone})) / 60;",
        f"{INDENT}Decimal left = isBusinessDay(today) ? Math.max(0, {closes} - Math.max({opens}, clock))"
        " : 0;",
        f"{INDENT}if (amount <= left) {{",
        f"{I2}return today;",
        f"{INDENT}}}",
        f"{INDENT}Decimal perDay = {closes} - {opens};",
        f"{INDENT}return businessDaysAfter(today, Math.ceil((amount - left) / perDay).intValue());",
    ]
    elapsed = [f"{INDENT}return Date.valueOf(now.addMinutes(amount * 60).format('yyyy-MM-dd', {zone}));"]
    return [
        f"// The due date the flows give a task, in the spec's calendar ({calendar.time_zone}).",
        f"private static final Set<Integer> WORKING_DAYS = new Set<Integer>{{{weekdays}}}; // 0 = Sunday",
        f"private static final Set<Date> HOLIDAYS = new Set<Date>{{{holidays}}};",
        "",
        "private static Boolean isBusinessDay(Date day) {",
        f"{INDENT}Integer weekday = Math.mod(Date.newInstance(1900, 1, 7).daysBetween(day), 7);",
        f"{INDENT}return WORKING_DAYS.contains(weekday) && !HOLIDAYS.contains(day);",
        "}",
        "",
        "private static Date businessDaysAfter(Date day, Integer amount) {",
        f"{INDENT}Integer left = amount;",
        f"{INDENT}while (left > 0) {{",
        f"{I2}day = day.addDays(1);",
        f"{I2}if (isBusinessDay(day)) {{",
        f"{I3}left--;",
        f"{I2}}}",
        f"{INDENT}}}",
        f"{INDENT}return day;",
        "}",
        "",
        "private static Date dueIn(String unit, Integer amount) {",
        f"{INDENT}Datetime now = Datetime.now();",
        f"{INDENT}Date today = Date.valueOf(now.format('yyyy-MM-dd', {zone}));",
        f"{INDENT}if (amount == 0) {{",
        f"{I2}return today;",
        f"{INDENT}}}",
        f"{INDENT}if (unit == 'days') {{",
        f"{I2}return today.addDays(amount);",
        f"{INDENT}}}",
        f"{INDENT}if (unit == 'business_days') {{",
        f"{I2}return businessDaysAfter(today, amount);",
        f"{INDENT}}}",
        *(hours if calendar.business_hours else elapsed),
        "}",
    ]
