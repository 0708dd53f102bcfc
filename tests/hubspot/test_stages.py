"""The stage vocabulary mapped onto a HubSpot pipeline: ids the build needs, checked with spec locations."""

from __future__ import annotations

import json

import pytest
from helpers import EXAMPLE_SPEC, write_spec

from handrail.specs.diagnostics import InputError, SpecError
from handrail.specs.validate import load_spec
from handrail.targets.hubspot.render import check_spec, render

EXAMPLE = EXAMPLE_SPEC.read_text(encoding="utf-8")
COMMIT = "{key: commit, label: Commit, salesforce: Commit, hubspot: contractsent}"


def position(text: str, fragment: str) -> tuple[int, int]:
    """1-based line and column where `fragment` starts."""
    before = text[: text.index(fragment)]
    return before.count("\n") + 1, len(before) - before.rfind("\n")


def spec_with(tmp_path, old: str, new: str):
    text = EXAMPLE.replace(old, new)
    assert text != EXAMPLE
    path = write_spec(tmp_path, text)
    return path, text, load_spec(path).model


def test_a_gated_stage_without_a_hubspot_id_is_an_error_at_the_stage(tmp_path):
    path, text, model = spec_with(tmp_path, COMMIT, "{key: commit, label: Commit, salesforce: Commit}")
    with pytest.raises(SpecError) as exc:
        render(model, {})
    (diag,) = [d for d in exc.value.diagnostics if "commit" in d.message]
    assert (diag.span.line, diag.span.column) == position(text, "{key: commit,")
    assert diag.span.file == str(path)
    assert "gate 'mid_market_csm'" in diag.message and diag.hint == "add hubspot: <stage id>"
    assert any(d.is_error and d.span == diag.span for d in check_spec(model))


@pytest.mark.parametrize(
    "stage_id, words, at",
    [
        ("contract sent", "is not a HubSpot stage id", "{key: commit,"),
        ("closedwon", "share the HubSpot stage id", "{key: closed_won,"),  # reported at the second use
    ],
)
def test_malformed_and_duplicate_stage_ids(tmp_path, stage_id, words, at):
    path, text, model = spec_with(tmp_path, "hubspot: contractsent}", f"hubspot: '{stage_id}'}}")
    with pytest.raises(SpecError) as exc:
        render(model, {})
    assert any(words in d.message and d.span.line == position(text, at)[0] for d in exc.value.diagnostics), (
        exc.value.diagnostics
    )


def test_a_gate_on_the_first_mapped_stage_has_nowhere_to_send_deals_back(tmp_path):
    _, text, model = spec_with(
        tmp_path,
        "    stage: commit\n    segments: [mid_market]",
        "    stage: qualification\n    segments: [mid_market]",
    )
    with pytest.raises(SpecError) as exc:
        render(model, {})
    (diag,) = exc.value.diagnostics
    assert "no earlier stage" in diag.message and diag.span.line == position(text, "- key: mid_market_csm")[0]


def _pipelines(tmp_path, stages, closed_won_meta=None):
    data = {
        "results": [
            {
                "id": "default",
                "label": "Sales",
                "stages": [
                    {
                        "id": s,
                        "label": s,
                        "metadata": (
                            closed_won_meta
                            if s == "closedwon" and closed_won_meta
                            else {
                                "isClosed": str(s in ("closedwon", "closedlost")).lower(),
                                "probability": (
                                    "1.0" if s == "closedwon" else "0.0" if s == "closedlost" else "0.5"
                                ),
                            }
                        ),
                    }
                    for s in stages
                ],
            },
            {"id": "renewals", "label": "Renewals", "stages": [{"id": "r1", "label": "R1", "metadata": {}}]},
        ]
    }
    path = tmp_path / "pipelines.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


ALL_IDS = [
    "qualifiedtobuy",
    "appointmentscheduled",
    "presentationscheduled",
    "decisionmakerboughtin",
    "contractsent",
    "closedwon",
    "closedlost",
]


def test_stage_ids_are_checked_against_a_saved_pipeline_definition(tmp_path):
    model = load_spec(EXAMPLE_SPEC).model
    desired = render(model, {"pipeline_definition": _pipelines(tmp_path, ALL_IDS), "pipeline_rules": True})
    assert "pipeline-rules/default.json" in desired.files and not desired.warnings
    with pytest.raises(SpecError) as exc:
        render(
            model, {"pipeline_definition": _pipelines(tmp_path, [s for s in ALL_IDS if s != "contractsent"])}
        )
    (diag,) = exc.value.diagnostics
    assert "pipeline 'default' has no stage 'contractsent'" in diag.message
    assert diag.span.line == position(EXAMPLE, "{key: commit,")[0] and "known ids:" in diag.hint


def test_the_pipeline_is_chosen_by_id_or_by_its_stages(tmp_path):
    model = load_spec(EXAMPLE_SPEC).model
    path = _pipelines(tmp_path, ALL_IDS)
    manifest = json.loads(render(model, {"pipeline_definition": path}).files["requests.json"])
    assert manifest["pipeline"] == "default"
    with pytest.raises(SpecError):  # the renewals pipeline holds none of the spec's stage ids
        render(model, {"pipeline_definition": path, "pipeline_id": "renewals"})
    with pytest.raises(InputError, match="no pipeline 'nope'"):
        render(model, {"pipeline_definition": path, "pipeline_id": "nope"})


def test_a_closed_won_stage_that_hubspot_does_not_close_is_a_warning(tmp_path):
    model = load_spec(EXAMPLE_SPEC).model
    path = _pipelines(tmp_path, ALL_IDS, {"isClosed": "false", "probability": "0.9"})
    (warning,) = render(model, {"pipeline_definition": path}).warnings
    assert "isClosed=false probability=0.9" in warning.message and not warning.is_error


@pytest.mark.parametrize(
    "content, words", [("{", "invalid JSON"), ('{"results": [{"id": 1}]}', "expected the JSON")]
)
def test_an_unreadable_pipeline_definition_is_an_input_error(tmp_path, content, words):
    path = tmp_path / "p.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match=words):
        render(load_spec(EXAMPLE_SPEC).model, {"pipeline_definition": path})
