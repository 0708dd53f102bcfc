"""Every request body `handrail build --target hubspot` writes validates against the request schema of the
matching operation in HubSpot's OpenAPI documents (../shared/reference/hubspot; skipped when absent)."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from helpers import EXAMPLE_SPEC, shared_path
from openapi_requests import body_errors, operation

from handrail.specs.validate import load_spec
from handrail.targets.hubspot.render import render

SPECS = {"example": EXAMPLE_SPEC, "every_type": Path(__file__).parent / "specs" / "every_type.yaml"}


@pytest.fixture(scope="module", params=sorted(SPECS))
def built(request):
    desired = render(load_spec(SPECS[request.param]).model, {"pipeline_rules": True})
    return {path: json.loads(data) for path, data in desired.files.items() if path.endswith(".json")}


def test_every_request_body_matches_its_operation(built):
    requests = built["requests.json"]["requests"]
    kinds = {r["kind"] for r in requests}
    assert kinds == {"property_group", "property", "property_validation", "flow", "pipeline_rules"}
    for request in requests:
        assert body_errors(request["method"], request["path"], built[request["file"]]) == [], request["file"]
    listed = {r["file"] for r in requests}
    assert listed == set(built) - {"requests.json", "manual-steps.json"}


def test_properties_also_validate_as_one_batch_create(built):
    inputs = [body for path, body in sorted(built.items()) if path.startswith("properties/")]
    assert body_errors("POST", "/crm/v3/properties/deals/batch/create", {"inputs": inputs}) == []


def test_workflows_validate_as_updates_too(built):
    """Updates are full replacements with the current revisionId and without the create-only keys."""
    for path, body in built.items():
        if path.startswith("flows/"):
            update = {k: v for k, v in body.items() if k not in ("objectTypeId", "flowType", "dataSources")}
            update["revisionId"] = "7"
            assert body_errors("PUT", "/automation/v4/flows/1234", update) == [], path


@pytest.mark.parametrize(
    "mutate, expected",
    [
        (lambda b: b.update(fieldType="dropdown"), "fieldType"),
        (lambda b: b.pop("groupName"), "groupName"),
        (lambda b: b["options"][0].pop("hidden"), "hidden"),
    ],
)
def test_the_validator_rejects_broken_properties(built, mutate, expected):
    body = copy.deepcopy(
        built[
            "properties/"
            + next(
                p.split("/")[1]
                for p in built
                if p.startswith("properties/") and "options" in built[p] and built[p]["options"]
            )
        ]
    )
    mutate(body)
    errors = body_errors("POST", "/crm/v3/properties/deals", body)
    assert errors and any(expected in e for e in errors), errors


def test_the_validator_rejects_a_broken_workflow_and_an_unknown_rule_type(built):
    flow = copy.deepcopy(next(b for p, b in built.items() if p.startswith("flows/")))
    flow["actions"][0]["type"] = "SOMETHING_ELSE"
    del flow["objectTypeId"]
    assert body_errors("POST", "/automation/v4/flows", flow)
    assert body_errors(
        "PUT", "/crm/v3/property-validations/0-3/x/rule-type/MIN_CHARS", {"ruleArguments": ["5"]}
    )


def test_hubspots_own_reference_examples_pass_the_same_validator():
    examples = shared_path("reference", "hubspot", "examples")
    for name, method, path in (
        ("property-create-calculated-score.json", "POST", "/crm/v3/properties/deals"),
        ("flow-create-stage-gate-revert.json", "POST", "/automation/v4/flows"),
        ("pipeline-rules-put-2026-09-beta.json", "PUT", "/crm/pipelines-rules/2026-09-beta/0-3/default"),
    ):
        assert body_errors(method, path, json.loads((examples / name).read_text())) == [], name


def test_request_paths_are_real_operations(built):
    for request in built["requests.json"]["requests"]:
        document, template, _ = operation(request["method"], request["path"])
        assert document.endswith(".json") and template.startswith(("/crm/", "/automation/"))
