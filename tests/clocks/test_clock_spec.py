"""`stamps:` on a Closed Won task: which SLA clock its completion stamps, the defaults by key, and located
errors (one task per clock; Closed Won tasks only)."""

from __future__ import annotations

from helpers import EXAMPLE_SPEC, write_spec

from handrail.specs.validate import load_spec, load_spec_text

TEXT = EXAMPLE_SPEC.read_text()


def _stamps(model) -> dict[str, str | None]:
    return {t.key: t.stamps for t in model.automation.on_closed_won.tasks}


def test_the_example_stamps_by_key_and_its_gaps_task_stamps_nothing():
    model = load_spec(EXAMPLE_SPEC).model
    assert _stamps(model) == {
        "internal_handoff": "internal_handoff",
        "welcome": "first_touch",
        "kickoff": "kickoff",
        "gaps_follow_up": None,
    }
    assert all(t.stamps is None for t in model.automation.on_intake_return.tasks)
    assert model.computed_field("clocks_stamped").type == "short_text"


def test_a_task_names_its_clock_and_none_turns_the_default_off():
    text = TEXT.replace(
        "        subject: Send a personalised welcome\n",
        "        subject: Send a personalised welcome\n        stamps: none\n",
    ).replace(
        "        subject: Follow up on handoff gaps\n",
        "        subject: Follow up on handoff gaps\n        stamps: first_touch\n",
    )
    model = load_spec_text(text, "h.yaml").model
    assert _stamps(model)["welcome"] is None
    assert _stamps(model)["gaps_follow_up"] == "first_touch"


def test_two_tasks_for_one_clock_is_a_located_error(tmp_path, run_cli):
    text = TEXT.replace(
        "        subject: Follow up on handoff gaps\n",
        "        subject: Follow up on handoff gaps\n        stamps: kickoff\n",
    )
    path = write_spec(tmp_path, text)
    code, _, err = run_cli("validate", str(path))
    line = text[: text.index("stamps: kickoff")].count("\n") + 1
    assert code == 3
    assert "task 'gaps_follow_up' stamps kickoff, which task 'kickoff' already stamps" in err
    assert f"{path}:{line}:" in err and "stamps: none" in err


def test_a_clock_on_a_task_outside_closed_won_is_a_located_error(tmp_path, run_cli):
    text = TEXT.replace(
        "        subject: Review the handoff CS returned\n",
        "        subject: Review the handoff CS returned\n        stamps: first_touch\n",
    )
    path = write_spec(tmp_path, text)
    code, _, err = run_cli("validate", str(path))
    line = text[: text.index("stamps: first_touch")].count("\n") + 1
    assert code == 3 and "only a Closed Won task can stamp an SLA clock" in err
    assert f"{path}:{line}:" in err


def test_an_unknown_clock_is_a_schema_error(tmp_path, run_cli):
    text = TEXT.replace(
        "        subject: Hold the kickoff call\n",
        "        subject: Hold the kickoff call\n        stamps: go_live\n",
    )
    code, _, err = run_cli("validate", str(write_spec(tmp_path, text)))
    assert code == 3 and "go_live" in err
