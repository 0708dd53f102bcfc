"""The generated workflows, run on seeded deals at every stage: who enrols, and what each deal gets.

Gate semantics (README): a gate applies at its stage and every later one except Closed Lost, to the
deals of its segments; a blank score fails a score floor. Expectations here are computed from the
scoring engine, without the minimum-length rule HubSpot cannot score.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from deal_samples import samples, without_min_length
from helpers import EXAMPLE_SPEC
from hubspot_records import HubSpotDeal
from workflow_run import enrolls, reenrolled_by, run

from handrail.generators.rules.scoring import TIER_LABELS, is_populated, score_deal
from handrail.specs.validate import load_spec
from handrail.targets.hubspot.flows import flows

SPECS = {"example": EXAMPLE_SPEC, "every_type": Path(__file__).parent / "specs" / "every_type.yaml"}
COUNT = 250


@pytest.fixture(scope="module", params=sorted(SPECS))
def compiled(request):
    model = load_spec(SPECS[request.param]).model
    relaxed = without_min_length(model)
    deals = []
    for s in samples(model, COUNT, seed=11):
        deals.append((s, score_deal(relaxed, s.deal), HubSpotDeal(model, s.record)))
    return model, relaxed, {f.key: f.body for f in flows(model)}, deals


def failing_gates(model, deal, result, stage) -> set[str]:
    if stage.closed_lost:
        return set()
    out = set()
    for gate in model.gates:
        if (
            not gate.active
            or model.stage(gate.stage).order > stage.order
            or result.segment not in gate.segments
        ):
            continue
        req = gate.require

        def empty(key):
            return not is_populated(model.field(key), deal.values.get(key))

        failed = bool(req.csm_assigned and model.csm_field and empty(model.csm_field.key))
        failed |= any(empty(k) for k in req.fields)
        failed |= bool(req.segment_required_fields and result.missing_required)
        floor = req.effective_min_score(model.tiers)
        failed |= floor is not None and (result.score is None or result.score < floor)
        if failed:
            out.add(gate.key)
    return out


def test_each_workflow_enrols_exactly_the_deals_its_rule_names(compiled):
    model, relaxed, built, deals = compiled
    built = stage_workflows(built)
    enrolled = {key: 0 for key in built}
    for sample, result, hubspot in deals:
        for stage in model.stages:
            if not stage.hubspot:
                continue
            record = {**hubspot.record, "dealstage": stage.hubspot}
            failing = failing_gates(relaxed, sample.deal, result, stage)
            for gate in model.gates:
                assert enrolls(built[f"gate-{gate.key}"], record) == (gate.key in failing), (
                    gate.key,
                    stage.key,
                )
            passes = not failing
            expected = {"closed-won-handoff": stage.closed_won and passes}
            expected.update(
                {
                    f"stage-entry-{e.stage}": stage.key == e.stage and passes
                    for e in model.automation.on_stage_entry
                }
            )
            expected.update(
                {
                    f"escalation-{e.sla}": stage.closed_won and passes
                    for e in model.automation.on_closed_won.escalations
                }
            )
            for key, wanted in expected.items():
                assert enrolls(built[key], record) == wanted, (key, stage.key, failing)
            for key in built:
                enrolled[key] += enrolls(built[key], record)
    assert all(enrolled.values()), enrolled  # every workflow enrols some deal and refuses others


def test_a_gate_moves_the_deal_back_and_tells_the_owner_why(compiled):
    model, _, built, _ = compiled
    for gate in model.gates:
        flow = built[f"gate-{gate.key}"]
        earlier = [
            s
            for s in model.stages
            if s.order < model.stage(gate.stage).order and s.hubspot and not (s.closed_won or s.closed_lost)
        ]
        executed = run(flow, {"dealstage": model.stage(gate.stage).hubspot})
        assert [a for a, _ in executed] == ["0-5", "0-8"]
        assert executed[0][1] == {
            "property_name": "dealstage",
            "value": {"type": "STATIC_VALUE", "staticValue": earlier[-1].hubspot},
        }
        email = executed[1][1]
        assert email["owner_properties"] == ["hubspot_owner_id"]
        assert gate.message.replace("&", "&amp;") in email["body"]
        assert "enrolled_object." + model.computed_field("missing_summary").hubspot_name in email["body"]


def stage_workflows(built: dict) -> dict:
    """The workflows a deal's stage enrols it in: all but the intake ones (test_intake_workflows.py) and the
    clock ones, enrolled by a logged activity (tests/clocks)."""
    return {key: flow for key, flow in built.items() if not key.startswith(("intake-", "clock-"))}


def _stages_enrolled(branch: dict) -> set[str]:
    out = {v for f in branch["filters"] if f["property"] == "dealstage" for v in f["operation"]["values"]}
    return out.union(*(_stages_enrolled(b) for b in branch["filterBranches"]))


def test_re_entering_a_stage_re_checks_the_deal(compiled):
    """A deal that enters a gated stage again, or is won a second time, is enrolled again: the trigger is
    the property-change event 4-655002 in a UNIFIED_EVENTS branch (reference README, Corrections)."""
    model, _, built, _ = compiled
    gate_keys = {f"gate-{g.key}" for g in model.gates}
    assert gate_keys <= set(built) and "closed-won-handoff" in built
    for key, flow in stage_workflows(built).items():
        stages = _stages_enrolled(flow["enrollmentCriteria"]["listFilterBranch"])
        assert stages, key
        for stage in model.stages:
            if stage.hubspot:
                assert reenrolled_by(flow, "dealstage", stage.hubspot) == (stage.hubspot in stages), (
                    key,
                    stage.key,
                )
        assert not reenrolled_by(flow, "amount", next(iter(stages)))
    won = model.stages[[s.closed_won for s in model.stages].index(True)].hubspot
    assert reenrolled_by(built["closed-won-handoff"], "dealstage", won)


def _describe(model, executed):
    out = []
    for action, fields in executed:
        if action == "0-5":
            value = fields["value"]
            out.append(("set", fields["property_name"], value.get("staticValue", value["type"])))
        elif action == "0-3":
            out.append(("task", fields["subject"]))
        elif action == "0-8":
            out.append(("email", fields["subject"]))
        elif action == "0-1":
            out.append(("wait", int(fields["delta"])))
    return out


def _subject(text: str) -> str:
    return text.replace("{deal}", "{{ enrolled_object.dealname }}")


def _applies(model, item, segment: str, record: dict) -> bool:
    """A task or notification runs for the deal's segment and for its tier (as the workflow reads it)."""
    tier = record.get(model.computed_field("tier").hubspot_name)
    keys = [k for k, label in TIER_LABELS.items() if label == tier]
    return segment in item.segments and (not item.tiers or bool(set(keys) & set(item.tiers)))


def test_closed_won_runs_the_segments_assignment_tasks_and_notifications(compiled):
    model, _, built, deals = compiled
    auto = model.automation.on_closed_won
    won = next(s for s in model.stages if s.closed_won)
    csm = model.csm_field
    for sample, result, hubspot in deals:
        record = {**hubspot.record, "dealstage": won.hubspot}
        segment = result.segment
        expected = (
            [("set", model.computed_field("closed_won_at").hubspot_name, "TIMESTAMP")]
            if auto.stamp_close_time
            else []
        )
        expected.append(("set", model.computed_field("intake_status").hubspot_name, "Pending"))
        rule = next((a for a in auto.assign_csm if segment in a.segments), None)
        if rule and rule.assign and not (rule.keep_existing and record.get(csm.hubspot_name)):
            expected.append(("set", csm.hubspot_name, "${owner:" + rule.assign + "}"))
        expected += [("task", _subject(t.subject)) for t in auto.tasks if _applies(model, t, segment, record)]
        expected += [("email", _subject(n.title)) for n in auto.notify if _applies(model, n, segment, record)]
        assert _describe(model, run(built["closed-won-handoff"], record)) == expected, segment


def test_stage_entry_actions_follow_their_segments(compiled):
    model, _, built, deals = compiled
    for entry in model.automation.on_stage_entry:
        for _, result, hubspot in deals:
            record = {**hubspot.record, "dealstage": model.stage(entry.stage).hubspot}
            expected = [
                ("task", _subject(t.subject))
                for t in entry.tasks
                if _applies(model, t, result.segment, record)
            ]
            expected += [
                ("email", _subject(n.title))
                for n in entry.notify
                if _applies(model, n, result.segment, record)
            ]
            assert _describe(model, run(built[f"stage-entry-{entry.stage}"], record)) == expected


def test_escalations_wait_the_segments_sla_then_notify(compiled):
    model, _, built, deals = compiled
    for escalation in model.automation.on_closed_won.escalations:
        for _, result, hubspot in deals:
            sla = model.segment(result.segment).sla
            if escalation.sla == "kickoff":
                days = sla.kickoff_business_days
                minutes = (days + 2 * math.ceil(days / 5)) * 24 * 60
            else:
                minutes = getattr(sla, f"{escalation.sla}_hours") * 60
            executed = _describe(model, run(built[f"escalation-{escalation.sla}"], hubspot.record))
            assert executed[0] == ("wait", minutes) and executed[1][0] == "email" and len(executed) == 2
        flow = built[f"escalation-{escalation.sla}"]
        assert flow["enrollmentCriteria"]["unEnrollObjectsNotMeetingCriteria"] is True


def test_draft_specs_create_disabled_workflows(compiled):
    model, _, built, _ = compiled
    assert all(body["isEnabled"] == (model.automation.flow_status == "active") for body in built.values())
