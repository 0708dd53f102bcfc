"""Tasks and notifications that name `pipelines:` run only for deals of those pipelines, in both targets
(tests/specs/pipelines.yaml: new business, the default, on record type New_Business / HubSpot pipeline
"default"; renewals on record type Renewal / pipeline "renewals"). Salesforce: the Closed Won flow run by
the flow interpreter; HubSpot: the Closed Won workflow run by the workflow runner."""

from __future__ import annotations

import dataclasses

import pytest
from helpers import ROOT
from test_tier_automation import NOW, close_in_salesforce, hubspot_record, salesforce_record
from workflow_run import run as run_workflow

from handrail.specs.diagnostics import SpecError
from handrail.specs.validate import load_spec, load_spec_text
from handrail.targets.hubspot.flows import closed_won_flow

SPEC = ROOT / "tests" / "specs" / "pipelines.yaml"
RENEWAL_CALL = "Renewal review call"


@pytest.fixture(scope="module")
def model():
    base = load_spec(SPEC).model
    won = base.automation.on_closed_won
    task = dataclasses.replace(
        won.tasks[0], key="renewal_call", subject=RENEWAL_CALL, pipelines=("renewals",)
    )
    automation = dataclasses.replace(base.automation, on_closed_won=dataclasses.replace(won, tasks=(task,)))
    return dataclasses.replace(base, automation=automation)


@pytest.mark.parametrize("record_type, created", [("Renewal", True), ("New_Business", False), (None, False)])
def test_salesforce_creates_the_task_only_for_the_pipelines_record_types(model, record_type, created):
    record = salesforce_record(model, "Ready", model.segments[0].key)
    record["RecordType"] = {"DeveloperName": record_type} if record_type else None
    run = close_in_salesforce(model, record)
    subjects = [v["Subject"] for sobject, v in run.created if sobject == "Task"]
    assert (RENEWAL_CALL in subjects) == created
    assert run.today == NOW.date()


@pytest.mark.parametrize("pipeline, created", [("renewals", True), ("default", False), (None, False)])
def test_hubspot_creates_the_task_only_for_the_pipelines_id(model, pipeline, created):
    body = closed_won_flow(model).body
    record = dict(hubspot_record(model, "Ready", model.segments[0].key), pipeline=pipeline)
    subjects = [fields.get("subject") for kind, fields in run_workflow(body, record) if kind == "0-3"]
    assert (RENEWAL_CALL in subjects) == created
    branch = next(
        a
        for a in body["actions"]
        if a["type"] == "STATIC_BRANCH" and a["inputValue"].get("propertyName") == "pipeline"
    )
    assert [b["branchValue"] for b in branch["staticBranches"]] == ["renewals"]


def test_the_default_pipeline_is_every_record_but_the_other_pipelines(model):
    won = model.automation.on_closed_won
    task = dataclasses.replace(won.tasks[0], pipelines=("new_business",))
    default = dataclasses.replace(
        model,
        automation=dataclasses.replace(
            model.automation, on_closed_won=dataclasses.replace(won, tasks=(task,))
        ),
    )
    for record_type, created in (("Renewal", False), ("New_Business", True), (None, True)):
        record = salesforce_record(default, "Ready", default.segments[0].key)
        record["RecordType"] = {"DeveloperName": record_type} if record_type else None
        subjects = [v["Subject"] for s, v in close_in_salesforce(default, record).created if s == "Task"]
        assert (RENEWAL_CALL in subjects) == created, record_type


def test_an_unknown_pipeline_on_a_task_is_a_located_error():
    text = SPEC.read_text()
    marker = "    tasks:\n    - key: "
    assert marker in text
    text = text.replace(marker, "    tasks:\n    - pipelines: [renewal]\n      key: ", 1)
    with pytest.raises(SpecError) as caught:
        load_spec_text(text, "pipelines.yaml")
    found = [d for d in caught.value.diagnostics if "unknown pipeline" in d.message]
    assert found and found[0].span is not None and "renewals" in (found[0].hint or "")


def test_the_workflow_with_a_pipeline_branch_matches_the_openapi(model):
    import json

    from openapi_requests import body_errors

    from handrail.targets.hubspot.render import render

    files = render(model, {}).files
    built = {path: json.loads(data) for path, data in files.items() if path.endswith(".json")}
    for request in built["requests.json"]["requests"]:
        assert body_errors(request["method"], request["path"], built[request["file"]]) == [], request["file"]
