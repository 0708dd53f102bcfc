"""The Apex test class that runs every handoff flow path, so production orgs can deploy the flows active.

Salesforce deploys flows as active to production only with "Deploy processes and flows as active"
switched on and Apex tests that run the flows. This class inserts and updates Opportunities and asserts
what the flows wrote, with the expected values computed by the scoring engine at build time:

    scores<Segment><Tier>       one deal per segment and reachable tier: segment, score, completeness,
                                tier and missing summary
    resolvesSegmentBoundaries   deals at and just below every ACV and sales-cycle bound, inserted together
    rescoresOnEverySave         a Blocked deal completed by an update becomes Ready
    countsTheSalesCycleFromCreation   the cycle is re-read from CreatedDate after insert
    closesWon<Segment>          Closed Won: CSM assignment rule, close timestamp, tasks with owners and
                                due dates
    csmJoinsTheOpportunityTeam  the CSM (a user the test creates) is on the deal's Opportunity Team, or
                                the account's Account Team, with Edit access to the opportunity
    entersStage<Stage>          the on_stage_entry tasks
    returnsAndResubmitsTheHandoff   CS returns a handoff with a rating: the decision stamp and the
                                tasks for Sales; the resubmit tick sets it back to Pending

Notifications cannot be observed from Apex and scheduled paths (SLA escalations) cannot be run in a
test; those paths are built the same way as the ones asserted here.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from handrail.specs.model import Model, Segment
from handrail.targets.salesforce.apex_automation_tests import AutomationTests
from handrail.targets.salesforce.apex_clock_tests import ClockTests
from handrail.targets.salesforce.apex_intake_tests import IntakeTests
from handrail.targets.salesforce.apex_recovery_tests import RecoveryTests
from handrail.targets.salesforce.apex_scenarios import (
    RUNNING_USER,
    Attributes,
    all_fields_complete,
    expected,
    needed_attributes,
    needs,
    passes,
    resolved,
    segment_attributes,
    tier_values,
    with_needs,
)
from handrail.targets.salesforce.apex_source import (
    INDENT,
    apex_decimal,
    apex_string,
    apex_value,
    comment_text,
    helper_methods,
    method_name,
)
from handrail.targets.salesforce.components import Component

CLASS_NAME_MAX = 40


@dataclass(frozen=True)
class Save:
    """One insert or update in the generated class: the deal as saved (its first save is the insert)."""

    method: str
    deal: str  # the Apex variable
    stage: str  # StageName
    attrs: Attributes
    values: dict  # field key -> value (placeholders allowed), the partner flag and the CSM included


def apex_class_name(model: Model) -> str:
    prefix = (model.naming.salesforce_prefix or "Handoff")[: CLASS_NAME_MAX - len("_Flows_Test")].rstrip("_")
    return f"{prefix}_Flows_Test"


def apex_test_component(model: Model, api_version: str, flow_names: list[str]) -> Component:
    name = apex_class_name(model)
    source = ApexTestWriter(model, name, flow_names).source()
    return Component(
        "ApexClass", name, (("apiVersion", api_version), ("status", "Active")), content=source.encode("utf-8")
    )


class ApexTestWriter(AutomationTests, IntakeTests, RecoveryTests, ClockTests):
    def __init__(self, model: Model, name: str, flow_names: list[str]):
        self.model, self.name, self.flow_names = model, name, flow_names
        self.c = {
            k: model.computed_field(k).salesforce_name
            for k in (
                "segment",
                "score",
                "completeness",
                "tier",
                "missing_summary",
                "closed_won_at",
                "intake_status",
                "intake_decided_at",
                "intake_resubmit",
            )
        }
        self.csm = model.csm_field.salesforce_name if model.csm_field else None
        self.open_stage = open_stage(model)
        self.complete = all_fields_complete(model)
        self.methods: list[list[str]] = []
        self.saves: list[Save] = []  # every DML of the class, in order, for checking against the gates
        self._pending: list[Save] = []  # saves of the method being written
        self._deals: dict[str, Save] = {}  # Apex variable -> the deal as it stands

    # Whole class ---------------------------------------------------------------------------------
    def source(self) -> str:
        self._scoring_tests()
        self._boundary_test()
        self._rescore_test()
        self._cycle_test()
        self._closed_won_tests()
        self._csm_team_test()
        self._stage_entry_tests()
        self._intake_test()
        self._recovery_test()
        self._clock_test()
        head = [
            "/*",
            f" * Managed by Handrail from '{comment_text(self.model.name)}'. Do not edit: change the spec "
            "and rebuild.",
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
        body = helper_methods(self.model, self.c, self.csm, self.complete)
        for method in self.methods:
            body += [""] + method
        return "\n".join(head + body + ["}", ""])

    # Building blocks -----------------------------------------------------------------------------
    def _method(self, name: str, comment: str, lines: list[str]) -> None:
        self.methods.append(
            [
                f"{INDENT}// {comment_text(comment)}",
                f"{INDENT}@isTest",
                f"{INDENT}static void {name}() {{",
                *[INDENT * 2 + line if line else "" for line in lines],
                f"{INDENT}}}",
            ]
        )
        self.saves += [dataclasses.replace(save, method=name) for save in self._pending]
        self._pending = []

    def _new_deal(self, var: str, title: str, attrs: Attributes, values: dict | None) -> list[str]:
        """A deal with `values` (None: no handoff fields at all), from newDeal or completeDeal, whichever
        needs fewer changes."""
        listed = {
            "expansion": self.model.deal.expansion_values_salesforce,
            "renewal": self.model.deal.renewal_values_salesforce,
        }.get(attrs.deal_type)
        deal_type = apex_string(listed[0]) if listed else "null"
        values = dict(values or {})
        from_complete = self._changes(var, self.complete, values)
        from_empty = self._changes(var, {}, values)
        creator, changes = (
            ("newDeal", from_empty)
            if len(from_empty) <= len(from_complete)
            else ("completeDeal", from_complete)
        )
        lines = [
            f"Opportunity {var} = {creator}({apex_string(title)}, {apex_decimal(attrs.acv, 2)}, "
            f"{deal_type}, {attrs.cycle_days});"
        ]
        if self.model.partner_field:
            lines.append(
                f"{var}.{self.model.partner_field.salesforce_name} = {'true' if attrs.partner else 'false'};"
            )
            values[self.model.partner_field.key] = attrs.partner
        self._deals[var] = Save("", var, self.open_stage, attrs, values)
        return lines + changes

    def _changes(self, var: str, before: dict, after: dict) -> list[str]:
        """Assignments that turn a deal holding `before` into one holding `after`."""
        lines = []
        for f in self.model.fields:
            if f is self.model.partner_field or before.get(f.key) == after.get(f.key):
                continue
            value = after.get(f.key)
            blank = "false" if f.type == "checkbox" else "null"
            if value is None and f.type == "checkbox" and before.get(f.key) in (None, False):
                continue
            lines.append(f"{var}.{f.salesforce_name} = {blank if value is None else apex_value(value)};")
        return lines

    def _update(self, var: str, after: dict) -> list[str]:
        """Change a deal's handoff fields (not yet saved)."""
        deal = self._deals[var]
        partner = {
            k: v
            for k, v in deal.values.items()
            if self.model.partner_field and k == self.model.partner_field.key
        }
        self._deals[var] = dataclasses.replace(deal, values={**after, **partner})
        return self._changes(var, deal.values, after)

    def _save(self, var: str, operation: str, stage: str | None = None, timed: bool = True) -> list[str]:
        """The DML that fires the flows, between Test.startTest() and Test.stopTest() when it is the save
        under test: stopTest() runs what the flows queued before the assertions read the results."""
        lines = []
        if stage is not None:
            self._deals[var] = dataclasses.replace(self._deals[var], stage=stage)
            lines.append(f"{var}.StageName = {apex_string(stage)};")
        self._pending.append(self._deals[var])
        dml = f"{operation} {var};"
        return lines + (["Test.startTest();", dml, "Test.stopTest();"] if timed else [dml])

    def _assert_expected(self, var: str, attrs: Attributes, values: dict | None) -> str:
        e = expected(self.model, attrs, values or {})
        return (
            f"assertHandoff({var}.Id, {apex_string(e.segment) if e.segment else 'null'}, "
            f"{apex_decimal(e.score, 1)}, {apex_decimal(e.completeness, 1)}, "
            f"{apex_string(e.tier) if e.tier else 'null'}, "
            f"{apex_string(e.summary) if e.summary else 'null'});"
        )

    def _tiers(self, s: Segment) -> tuple[Attributes | None, dict[str, dict]]:
        """Attributes and values per tier for deals inserted at OPEN_STAGE, each passing its gates."""
        need = needs(self.model, s.key, [self.open_stage])
        attrs = needed_attributes(self.model, s, need)
        if attrs is None:
            return None, {}
        tiers = tier_values(
            self.model, s, attrs, with_needs(self.model, self.complete, need), keep=need.fields
        )
        return attrs, {t: v for t, v in tiers.items() if passes(self.model, attrs, v, need)}

    def _bare(self, attrs: Attributes) -> dict | None:
        """The fewest handoff values a deal with these attributes needs to be inserted at OPEN_STAGE
        (None: none at all); {} when it cannot be."""
        segment = resolved(self.model, attrs)
        need = needs(self.model, segment, [self.open_stage]) if segment else None
        if need is None or need.nothing:
            return None
        for base in ({}, self.complete):
            values = with_needs(self.model, base, need)
            if passes(self.model, attrs, values, need):
                return values
        return {}

    # Scoring ------------------------------------------------------------------------------------
    def _scoring_tests(self) -> None:
        for s in self.model.segments:
            attrs, tiers = self._tiers(s)
            for tier, values in tiers.items():
                title = f"{s.label}, {tier}"
                self._method(
                    method_name("scores", s.key, tier),
                    f"A deal in segment {s.label} scored {tier}.",
                    [
                        *self._new_deal("deal", title, attrs, values),
                        *self._save("deal", "insert"),
                        self._assert_expected("deal", attrs, values),
                    ],
                )

    def _boundary_test(self) -> None:
        deals: list[tuple[Attributes, str, dict | None]] = []
        for s in self.model.segments:
            base = segment_attributes(self.model, s)
            if base is None:
                continue
            for r, dimension in ((s.match.acv, "acv"), (s.match.sales_cycle_days, "cycle")):
                for bound in r.bounds() if r else ():
                    for nudge in (0, -0.01 if dimension == "acv" else -1):
                        if dimension == "acv":
                            attrs = Attributes(
                                round(bound + nudge, 2), base.deal_type, base.partner, base.cycle_days
                            )
                        else:
                            attrs = Attributes(base.acv, base.deal_type, base.partner, int(bound + nudge))
                        values = self._bare(attrs)
                        if (
                            attrs.acv >= 0
                            and attrs.cycle_days >= 0
                            and values != {}
                            and attrs not in [d for d, _, _ in deals]
                        ):
                            deals.append((attrs, f"{dimension} {bound + nudge:g}", values))
        if not deals:
            return
        lines = ["List<Opportunity> deals = new List<Opportunity>();"]
        for i, (attrs, what, values) in enumerate(deals):
            lines += [*self._new_deal(f"deal{i}", f"Boundary {what}", attrs, values), f"deals.add(deal{i});"]
            self._pending.append(self._deals[f"deal{i}"])
        lines += ["Test.startTest();", "insert deals;", "Test.stopTest();"]
        for i, (attrs, _, _) in enumerate(deals):
            e = expected(self.model, attrs, {})
            lines.append(
                f"System.assertEquals({apex_string(e.segment) if e.segment else 'null'}, "
                f"reload(deals[{i}].Id).{self.c['segment']}, 'segment of deal {i}');"
            )
        self._method(
            "resolvesSegmentBoundaries",
            "Deals at and just below every ACV and sales-cycle bound, inserted in one batch.",
            lines,
        )

    def _rescore_test(self) -> None:
        for s in self.model.segments:
            attrs, tiers = self._tiers(s)
            low = tiers.get("Blocked") or tiers.get("Gaps")
            if "Ready" not in tiers or low is None:
                continue
            ready = tiers["Ready"]
            lines = [
                *self._new_deal("deal", f"{s.label}, completed later", attrs, low),
                *self._save("deal", "insert", timed=False),
                self._assert_expected("deal", attrs, low),
                *self._update("deal", ready),
                *self._save("deal", "update"),
                self._assert_expected("deal", attrs, ready),
            ]
            self._method(
                "rescoresOnEverySave", "The score follows every save, not only the first one.", lines
            )
            return

    def _cycle_test(self) -> None:
        if not any(s.match.sales_cycle_days for s in self.model.segments):
            return
        s = next(s for s in self.model.segments if s.match.sales_cycle_days)
        attrs = segment_attributes(self.model, s)
        values = self._bare(attrs) if attrs else {}
        if attrs is None or values == {}:
            return
        later = Attributes(attrs.acv, attrs.deal_type, attrs.partner, attrs.cycle_days + 60)
        e = expected(self.model, later, values or {})
        lines = [
            *self._new_deal("deal", "Sales cycle from CreatedDate", attrs, values),
            *self._save("deal", "insert", timed=False),
            self._assert_expected("deal", attrs, values),
            "Test.setCreatedDate(deal.Id, DateTime.newInstanceGmt(Date.today().addDays(-60), "
            "Time.newInstance(12, 0, 0, 0)));",
            *self._save("deal", "update"),
            f"System.assertEquals({apex_string(e.segment) if e.segment else 'null'}, "
            f"reload(deal.Id).{self.c['segment']}, 'segment after 60 more days of sales cycle');",
        ]
        self._method(
            "countsTheSalesCycleFromCreation",
            "While inserting, the cycle counts from today; afterwards from CreatedDate.",
            lines,
        )

    # Automation ---------------------------------------------------------------------------------
    def _ready_deal(self, s: Segment, stage: str, csm: bool) -> tuple[Attributes, dict] | None:
        """A Ready deal that passes every gate on its way from OPEN_STAGE into `stage`; with a CSM named
        when `csm` or when a gate asks for one."""
        need = needs(self.model, s.key, [self.open_stage, stage])
        attrs = needed_attributes(self.model, s, need)
        if attrs is None:
            return None
        values = with_needs(self.model, self.complete, need)
        if csm and self.model.csm_field:
            values[self.model.csm_field.key] = RUNNING_USER
        if not passes(self.model, attrs, values, need) or expected(self.model, attrs, values).tier != "Ready":
            return None
        return attrs, values


def open_stage(model: Model) -> str:
    """Where test deals start: the first open stage no gate or stage-entry automation applies to."""
    entered = {e.stage for e in model.automation.on_stage_entry}
    candidates = [
        s
        for s in sorted(model.stages, key=lambda s: s.order)
        if s.salesforce and not s.closed_won and not s.closed_lost
    ]
    for s in candidates:
        gated = any(g.active and model.stage(g.stage).order <= s.order for g in model.gates)
        if s.key not in entered and not gated:
            return s.salesforce
    return candidates[0].salesforce if candidates else "Prospecting"
