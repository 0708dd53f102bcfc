"""The spec's business calendar as flow formulas: the calendar's local date and time, and task due dates
counted in its working days, holidays and (with `hour_slas: business`) working hours.

Flow formulas cannot call the BusinessHours Apex methods, and TODAY() is the running user's date, so the
calendar is compiled in:
  local time   NOW() (a UTC moment) plus the zone's UTC offset, which changes at each daylight-saving
               change of the horizon (the years the holidays are listed for); DATEVALUE of that is the
               local date (DATEVALUE of a date/time gives its date in GMT).
  N business   today + 7 * FLOOR((N + M - 1) / k) + (days to the ((N + M - 1) mod k + 1)th working day
  days         after today's weekday), k working days a week, M the holidays the count passes: a
               working-day holiday h is passed from the start dates [a_h, h) whose business days before
               h are fewer than N. The M holidays are then the first ones after today, so the due date
               is the (N + M)th working day.
  N hours      the local date of now + N hours; working hours: today when today's remaining working hours
               cover N, else the 1st business day after today that the rest needs (ceil(rest / hours a day)).
Beyond the horizon holidays and daylight-saving changes are unknown to the flow: rebuild for each new year.
"""

from __future__ import annotations

import math
from datetime import date, timedelta

from handrail.specs.calendar import BusinessCalendar
from handrail.specs.diagnostics import SpecError, error
from handrail.targets.calendar_spans import offset_changes
from handrail.targets.salesforce import flow_elements as fe
from handrail.targets.salesforce.flow_elements import FlowBuilder
from handrail.targets.salesforce.limits import FORMULA_MAX

NOW, TODAY = "Calendar_Now", "Calendar_Today"
_SUNDAY_FIRST = (6, 0, 1, 2, 3, 4, 5)  # WEEKDAY(): 1 = Sunday ... 7 = Saturday; date.weekday(): Monday = 0


def _number(value: float) -> str:
    return str(int(value)) if value == int(value) else str(value)


def _date(day: date) -> str:
    return f"DATE({day.year},{day.month},{day.day})"


def offset_hours(calendar: BusinessCalendar, moment: str) -> str:
    """The zone's UTC offset in hours at `moment` (a date/time expression), as far as the horizon goes."""
    first, changes = offset_changes(calendar)
    terms, current = [_number(first)], first
    for at, offset in changes:
        stamp = at.strftime("%Y-%m-%d %H:%M:%S")
        terms.append(f'IF({moment} >= DATETIMEVALUE("{stamp}"), {_number(offset - current)}, 0)')
        current = offset
    return terms[0] if len(terms) == 1 else f"({' + '.join(terms)})"


def _local(calendar: BusinessCalendar, moment: str) -> str:
    return f"{moment} + {offset_hours(calendar, moment)} / 24"


class CalendarFormulas:
    """Adds the calendar's formulas to one flow, each once."""

    def __init__(self, flow: FlowBuilder, calendar: BusinessCalendar):
        self.flow, self.calendar = flow, calendar

    def _add(self, name: str, data_type: str, expression: str, description: str) -> str:
        if len(expression) > FORMULA_MAX:
            message = (
                f"the flow formula {name} is {len(expression)} characters; Salesforce allows {FORMULA_MAX}"
            )
            hint = "list fewer holidays (the next two years fit), and rebuild when a new year's are added"
            raise SpecError(
                [error("salesforce-limit", message, path="calendar", span=self.calendar.span, hint=hint)]
            )
        if not self.flow.has(name):
            self.flow.formula(fe.formula(name, data_type, expression, description))
        return name

    def now(self) -> str:
        c = self.calendar
        return self._add(
            NOW, "DateTime", _local(c, "NOW()"), f"Now on the clock of {c.time_zone}, written as GMT."
        )

    def today(self) -> str:
        return self._add(
            TODAY, "Date", f"DATEVALUE({{!{self.now()}}})", f"Today in {self.calendar.time_zone}."
        )

    # -- due dates ------------------------------------------------------------------------------------
    def due(self, amount: int, unit: str) -> str:
        """A Date expression: the due date `amount` `unit` from now, as the calendar counts."""
        if amount == 0:
            return f"{{!{self.today()}}}"
        if unit == "days":
            return f"{{!{self.today()}}} + {amount}"
        if unit == "business_days":
            return f"{{!{self.business_days(amount)}}}"
        if not self.calendar.business_hours:
            later = f"NOW() + {amount} / 24"
            return f"DATEVALUE({_local(self.calendar, later)})"
        return self._working_hours(amount)

    def business_days(self, n: int) -> str:
        """The formula (a Date) for the Nth business day after today; today itself for 0."""
        if n == 0:
            return self.today()
        c, today = self.calendar, f"{{!{self.today()}}}"
        k = len(c.working_days)
        passed = self._holidays_passed(n)
        if passed is None:  # whole weeks, then the remaining working days after today's weekday
            weeks, rest = divmod(n - 1, k)
            days = [7 * weeks + _to_working_day(c, weekday, rest + 1) for weekday in _SUNDAY_FIRST]
            table = ", ".join(f"{i}, {d}" for i, d in enumerate(days, 1))
            expression = f"{today} + CASE(WEEKDAY({today}), {table}, 0)"
        else:
            count = f"({n} + {{!{passed}}} - 1)"
            table = ", ".join(
                f"{i * 10 + j}, {_to_working_day(c, weekday, j + 1)}"
                for i, weekday in enumerate(_SUNDAY_FIRST, 1)
                for j in range(k)
            )
            expression = (
                f"{today} + 7 * FLOOR({count} / {k}) + CASE(WEEKDAY({today}) * 10 + MOD({count}, {k}), "
                f"{table}, 0)"
            )
        return self._add(
            f"Business_Day_{n}", "Date", expression, f"The {n}th business day after today (the calendar's)."
        )

    def _holidays_passed(self, n: int) -> str | None:
        """A Number formula: the working-day holidays that counting n business days from today passes."""
        c, today = self.calendar, f"{{!{self.today()}}}"
        terms = []
        for h in sorted(d for d in c.holidays if d.weekday() in c.working_days):
            first, left = h, n  # back from h until n business days lie strictly between start and h
            while left > 0:
                first -= timedelta(days=1)
                if c.is_business_day(first):
                    left -= 1
            terms.append(f"IF(AND({today} >= {_date(first)}, {today} < {_date(h)}), 1, 0)")
        if not terms:
            return None
        return self._add(
            f"Holidays_Within_{n}",
            "Number",
            " + ".join(terms),
            f"Holidays among the next {n} business days (the calendar's, through its horizon).",
        )

    def _working_hours(self, hours: int) -> str:
        c, now, today = self.calendar, f"{{!{self.now()}}}", f"{{!{self.today()}}}"
        opens, closes = _hour(c.start), _hour(c.end)
        per_day = closes - opens
        working = ", ".join(f"{i}, {int(wd in c.working_days)}" for i, wd in enumerate(_SUNDAY_FIRST, 1))
        holidays = " ".join(sorted(d.isoformat() for d in c.holidays))
        clock = f"({now} - DATETIMEVALUE({today})) * 24"
        is_open = f"CASE(WEEKDAY({today}), {working}, 0) = 1"
        if holidays:
            is_open = f'AND({is_open}, NOT(CONTAINS("{holidays}", TEXT({today}))))'
        left_today = self._add(
            "Working_Hours_Left_Today",
            "Number",
            f"IF({is_open}, MAX(0, {_number(closes)} - MAX({_number(opens)}, {clock})), 0)",
            "Working hours left today (the calendar's), 0 on a day off.",
        )
        most = math.ceil(hours / per_day)  # business days after today the rest needs: most or one fewer
        sooner, later = self.business_days(most - 1), self.business_days(most)
        rest = f"CEILING(({hours} - {{!{left_today}}}) / {_number(per_day)})"
        return f"IF({rest} < {most}, {{!{sooner}}}, {{!{later}}})"


def _hour(moment) -> float:
    return moment.hour + moment.minute / 60


def _to_working_day(calendar: BusinessCalendar, weekday: int, nth: int) -> int:
    """Days from a day of `weekday` (Monday = 0) to the nth working day after it, holidays aside."""
    days = 0
    while nth:
        days += 1
        if (weekday + days) % 7 in calendar.working_days:
            nth -= 1
    return days
