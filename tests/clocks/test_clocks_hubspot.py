"""HubSpot's share of the self-stamping clocks, offline: the workflow only where first_touch is asked for,
the build's CAPABILITIES.md stating the approximation, and validate --target hubspot warning per task."""

from __future__ import annotations

from helpers import EXAMPLE_SPEC

from handrail.specs.validate import load_spec, load_spec_text
from handrail.targets.hubspot.flows import flows
from handrail.targets.hubspot.render import render
from handrail.targets.hubspot.task_clocks import KEY, check

TEXT = EXAMPLE_SPEC.read_text()


def _capabilities(model) -> str:
    files = render(model).files
    return next(v for k, v in files.items() if k.endswith("CAPABILITIES.md")).decode()


def test_capabilities_state_what_is_stamped_and_what_is_typed():
    model = load_spec(EXAMPLE_SPEC).model
    text = _capabilities(model)
    assert "| SLA clocks: first CS touch | Workflow `clock-first-touch` stamps it" in text
    assert "approximate: the first logged contact activity after close" in text
    assert "CS types `handoff_internal_handoff_at`, `handoff_kickoff_at`" in text


def test_validate_warns_at_each_stamping_task(run_cli, tmp_path):
    model = load_spec(EXAMPLE_SPEC).model
    warned = check(model)
    assert [d.path for d in warned] == [f"automation.on_closed_won.tasks[{i}]" for i in range(3)]
    line = TEXT[: TEXT.index("      - key: welcome")].count("\n") + 1
    assert warned[1].span.line == line  # at the task
    code, _, err = run_cli("validate", str(EXAMPLE_SPEC), "--target", "hubspot")
    assert code == 0 and "cannot stamp kickoff_at when task 'kickoff' is completed" in err


def test_no_first_touch_task_no_workflow_and_no_warning():
    text = TEXT.replace("      - key: welcome\n", "      - key: welcome\n        stamps: none\n")
    model = load_spec_text(text, "handoff.yaml").model
    assert KEY not in {f.key for f in flows(model)}
    assert [d.path for d in check(model)] == [
        "automation.on_closed_won.tasks[0]",
        "automation.on_closed_won.tasks[2]",
    ]
    assert "SLA clocks: first CS touch" not in _capabilities(model)
