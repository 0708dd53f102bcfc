"""`automation.on_intake_return`: what CS returning a handoff sets off, its default, and located errors."""

from __future__ import annotations

from helpers import EXAMPLE_SPEC, write_spec

from handrail.specs.validate import load_spec, load_spec_text
from handrail.targets.hubspot.intake import intake_flows
from handrail.targets.salesforce.intake_flow import intake_flow

TEXT = EXAMPLE_SPEC.read_text()
BLOCK = TEXT[TEXT.index("  on_intake_return:") : TEXT.index("\nenvironments:")]


def test_the_default_tells_the_owner_and_the_manager_with_tasks_due_in_24_hours():
    model = load_spec_text(TEXT.replace(BLOCK, ""), "handoff.yaml").model
    returned = model.automation.on_intake_return
    assert [(t.owner, t.due.amount, t.due.unit) for t in returned.tasks] == [
        ("owner", 24, "hours"),
        ("owner_manager", 24, "hours"),
    ]
    assert [n.to for n in returned.notify] == [("owner", "owner_manager")]
    assert returned.span is None  # not written in the spec
    written = load_spec(EXAMPLE_SPEC).model.automation.on_intake_return
    assert [t.subject for t in written.tasks] == [t.subject for t in returned.tasks]
    block_line = TEXT[: TEXT.index("  on_intake_return:")].count("\n") + 1
    assert written.span is not None and written.span.line == block_line + 1  # a mapping's span: its first key


def test_an_empty_block_turns_the_return_automation_off():
    model = load_spec_text(
        TEXT.replace(BLOCK, "  on_intake_return: {tasks: [], notify: []}\n"), "h.yaml"
    ).model
    assert model.automation.on_intake_return.tasks == () and not model.automation.on_intake_return.notify
    assert intake_flow(model, "Active", "63.0", "Handoff_Alert") is None
    decision = next(f for f in intake_flows(model) if f.key == "intake-decision")
    assert [a["actionTypeId"] for a in decision.body["actions"]] == ["0-5"]  # only the decision stamp


def test_a_spec_without_close_automation_gets_no_return_automation():
    start = TEXT.index("automation:\n")
    model = load_spec_text(TEXT[:start] + TEXT[TEXT.index("\nenvironments:") + 1 :], "h.yaml").model
    assert model.automation.on_intake_return.tasks == ()


def test_an_unknown_segment_in_a_return_task_is_located(tmp_path, run_cli):
    text = TEXT.replace(
        "        owner: owner_manager\n        due: {hours: 24}",
        "        owner: owner_manager\n        due: {hours: 24}\n        segments: [smbb]",
    )
    path = write_spec(tmp_path, text)
    code, _, err = run_cli("validate", str(path))
    line = text[: text.index("[smbb]")].count("\n") + 1
    assert code == 3 and "unknown segment 'smbb'" in err
    assert f"{path}:{line}:" in err


def test_an_unknown_key_in_the_block_is_a_schema_error(tmp_path, run_cli):
    text = TEXT.replace("  on_intake_return:  #", "  on_intake_return:\n    escalate: true  #", 1)
    code, _, err = run_cli("validate", str(write_spec(tmp_path, text)))
    assert code == 3 and "escalate" in err
