"""FakeHubSpot driven by the real hubspot-api-client 12 (and raw requests for bodies the SDK would not
send): properties, groups, validations, pipelines, pipeline rules, flows, search, owners, tasks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import requests
from helpers import hubspot_example, shared_path
from hubspot import HubSpot
from hubspot.crm.deals import PublicObjectSearchRequest
from hubspot.crm.deals.exceptions import ApiException as DealsApiException
from hubspot.crm.pipelines import PipelineStagePatchInput
from hubspot.crm.properties import BatchReadInputPropertyName, PropertyName
from hubspot.crm.properties.exceptions import ApiException

from fakes.hubspot import FakeHubSpot
from fakes.openapi import OpenApiCatalog


@pytest.fixture
def client(fake_hubspot, test_authority):
    return HubSpot(
        access_token=fake_hubspot.token,
        host=fake_hubspot.url,
        base_url=fake_hubspot.url,
        ssl_ca_cert=test_authority.ca_file,
    )


example = hubspot_example


def old_example(name: str) -> dict:
    return json.loads(shared_path("reference", "hubspot", "examples", name).read_text())


def raw(fake, method: str, path: str, body=None, token: str | None = None) -> requests.Response:
    return requests.request(
        method,
        fake.url + path,
        json=body,
        timeout=5,
        headers={"Authorization": f"Bearer {token or fake.token}"},
    )


@pytest.fixture(autouse=True)
def _documents_present(fake_hubspot):
    if not fake_hubspot.validating:
        pytest.skip("HubSpot's OpenAPI documents are not beside this checkout")


def test_property_groups_and_batch_properties_persist(fake_hubspot, client):
    client.crm.properties.groups_api.create("deals", example("property-group-create.json"))
    created = client.crm.properties.batch_api.create("deals", example("properties-batch-create.json"))
    assert created.status == "COMPLETE"
    names = {p.name for p in client.crm.properties.core_api.get_all("deals", archived=False).results}
    assert {"cs_handoff_segment", "cs_handoff_success_criteria", "dealname"} <= names
    read = client.crm.properties.batch_api.read(
        "deals",
        BatchReadInputPropertyName(
            archived=False, inputs=[PropertyName(name="cs_handoff_segment"), PropertyName(name="nope")]
        ),
    )
    assert [p.name for p in read.results] == ["cs_handoff_segment"]  # 207: the missing one is an error
    assert fake_hubspot.portal.properties["deals"]["cs_handoff_segment"]["groupName"] == "cs_handoff"
    client.crm.properties.core_api.update(
        "deals", "cs_handoff_segment", example("property-patch-options.json")
    )
    client.crm.properties.batch_api.archive("deals", example("properties-batch-archive.json"))  # absent: 204
    client.crm.properties.batch_api.archive("deals", {"inputs": [{"name": "cs_handoff_seats"}]})
    archived = client.crm.properties.core_api.get_all("deals", archived=True).results
    assert [(p.name, p.archived) for p in archived] == [("cs_handoff_seats", True)]
    assert (
        client.crm.properties.core_api.get_by_name("deals", "cs_handoff_segment").options[-1].value
        == "strategic"
    )
    assert fake_hubspot.rejections == []


def test_property_rules_as_hubspot_enforces_them(fake_hubspot, client):
    client.crm.properties.groups_api.create("deals", example("property-group-create.json"))
    with pytest.raises(ApiException) as bad_name:
        client.crm.properties.core_api.create(
            "deals",
            {
                "name": "Bad Name",
                "label": "x",
                "type": "string",
                "fieldType": "text",
                "groupName": "cs_handoff",
            },
        )
    assert bad_name.value.status == 400 and "lowercase" in bad_name.value.body
    with pytest.raises(ApiException) as mismatch:
        client.crm.properties.core_api.create(
            "deals",
            {
                "name": "x1",
                "label": "x",
                "type": "number",
                "fieldType": "textarea",
                "groupName": "cs_handoff",
            },
        )
    assert mismatch.value.status == 400
    body = {
        "name": "cs_once",
        "label": "Once",
        "type": "string",
        "fieldType": "text",
        "groupName": "cs_handoff",
    }
    client.crm.properties.core_api.create("deals", body)
    with pytest.raises(ApiException) as duplicate:
        client.crm.properties.core_api.create("deals", body)
    assert duplicate.value.status == 409


def test_calculated_formulas_are_stored_rewritten(fake_hubspot, client):
    client.crm.properties.groups_api.create("deals", example("property-group-create.json"))
    submitted = example("property-create-calculated-status.json")
    submitted["calculationFormula"] = submitted["calculationFormula"].replace("'ready'", '"ready"') + " "
    stored = client.crm.properties.core_api.create("deals", submitted).calculation_formula
    assert stored != submitted["calculationFormula"]
    assert '"' not in stored and stored.endswith("\nelse 'ready'")
    created = client.crm.properties.core_api.create(
        "deals",
        {
            "name": "cs_flag",
            "label": "Flag",
            "type": "bool",
            "fieldType": "calculation_equation",
            "groupName": "cs_handoff",
            "calculationFormula": "(is_present(amount)) and string(dealstage) = 'closedwon'",
        },
    )
    assert created.calculation_formula == "is_present(amount) and string(dealstage) equals 'closedwon'"


def _hubspot_error(response: requests.Response) -> dict:
    """HubSpot's Error schema (status, category, message, correlationId)."""
    body = response.json()
    assert (
        response.status_code == 400 and body["status"] == "error" and body["category"] == "VALIDATION_ERROR"
    )
    assert len(body["correlationId"]) == 36
    return body


def test_a_conditional_closed_with_both_else_and_endif_is_refused(fake_hubspot, client):
    """HubSpot's grammar: `if b then s [elseif b then s]* [else s | endif]` (properties API guide); a live
    portal answered `else s endif` with 400 "not a token" (reference README, Corrections)."""
    client.crm.properties.groups_api.create("deals", example("property-group-create.json"))
    body = {
        "name": "cs_sized",
        "label": "Sized",
        "type": "number",
        "fieldType": "calculation_equation",
        "groupName": "cs_handoff",
        "calculationFormula": "if is_present(amount) then 1 else 0 endif",
    }
    refused = _hubspot_error(raw(fake_hubspot, "POST", "/crm/v3/properties/deals", body))
    assert "'endif' is not a token" in refused["message"] and refused["context"] == {
        "propertyName": ["cs_sized"]
    }
    for formula in ("if is_present(amount) then 1 else 0", "if is_present(amount) then 1 endif"):
        created = raw(
            fake_hubspot, "POST", "/crm/v3/properties/deals", {**body, "calculationFormula": formula}
        )
        assert created.status_code == 201, created.text
        raw(fake_hubspot, "DELETE", "/crm/v3/properties/deals/cs_sized")
        fake_hubspot.portal.properties["deals"].pop("cs_sized")
    patched = raw(fake_hubspot, "POST", "/crm/v3/properties/deals", {**body, "calculationFormula": "amount"})
    assert patched.status_code == 201
    refused = _hubspot_error(
        raw(
            fake_hubspot,
            "PATCH",
            "/crm/v3/properties/deals/cs_sized",
            {"calculationFormula": "if true then 1 else 2 endif"},
        )
    )
    assert "endif" in refused["message"]


def test_re_enrollment_on_a_stage_change_needs_the_property_change_event_wrapper(fake_hubspot, client):
    """hs_name / hs_value are attributes of event 4-655002 (property value changed); the OpenAPI's
    PublicUnifiedEventsFilterBranch carries them. In a plain AND branch the portal refuses them."""
    client.crm.properties.groups_api.create("deals", example("property-group-create.json"))
    wrong = old_example("flow-create-closed-won-handoff.json")
    assert wrong["enrollmentCriteria"]["reEnrollmentTriggersFilterBranches"][0]["filterBranchType"] == "AND"
    refused = _hubspot_error(raw(fake_hubspot, "POST", "/automation/v4/flows", wrong))
    assert "UNIFIED_EVENTS" in refused["message"] and refused["context"]["propertyName"] == [
        "hs_name",
        "hs_value",
    ]
    assert fake_hubspot.portal.flows == {}
    created = raw(
        fake_hubspot, "POST", "/automation/v4/flows", example("flow-create-closed-won-handoff.json")
    )
    assert created.status_code == 201, created.text
    flow = created.json()
    put = {**old_example("flow-put-closed-won-handoff.json"), "revisionId": flow["revisionId"]}
    _hubspot_error(raw(fake_hubspot, "PUT", f"/automation/v4/flows/{flow['id']}", put))


def test_schema_invalid_requests_are_rejected(fake_hubspot, client):
    response = raw(fake_hubspot, "POST", "/crm/v3/properties/deals/groups", {"label": "no name"})
    assert response.status_code == 400 and response.json()["category"] == "VALIDATION_ERROR"
    response = raw(
        fake_hubspot,
        "POST",
        "/crm/v3/properties/deals",
        {"name": "x", "label": "x", "type": "string", "fieldType": "bogus", "groupName": "dealinformation"},
    )
    assert response.status_code == 400
    with pytest.raises(ApiException):
        client.crm.properties.core_api.get_all("deals", archived="maybe")
    assert len(fake_hubspot.rejections) == 3
    assert "'name' is a required property" in fake_hubspot.rejections[0]


def test_a_bearer_token_is_required(fake_hubspot):
    response = raw(fake_hubspot, "GET", "/crm/v3/properties/deals", token="pat-na1-wrong")
    assert response.status_code == 401 and response.json()["category"] == "INVALID_AUTHENTICATION"


def test_property_validations(fake_hubspot, client):
    client.crm.properties.groups_api.create("deals", example("property-group-create.json"))
    client.crm.properties.batch_api.create("deals", example("properties-batch-create.json"))
    path = "/crm/v3/property-validations/0-3/cs_handoff_success_criteria"
    assert (
        raw(
            fake_hubspot,
            "PUT",
            path + "/rule-type/MIN_LENGTH",
            example("property-validation-min-length.json"),
        ).status_code
        == 204
    )
    rules = raw(fake_hubspot, "GET", "/crm/v3/property-validations/0-3").json()["results"]
    assert rules[0]["propertyName"] == "cs_handoff_success_criteria"
    assert rules[0]["propertyValidationRules"][0]["ruleType"] == "MIN_LENGTH"


def test_pipelines_and_stage_patches(fake_hubspot, client):
    [pipeline] = client.crm.pipelines.pipelines_api.get_all("deals").results
    assert pipeline.id == "default" and pipeline.stages[-2].id == "closedwon"
    client.crm.pipelines.pipeline_stages_api.update(
        "deals",
        "default",
        "closedwon",
        PipelineStagePatchInput(label="Closed won (handoff)", metadata={"probability": "1.0"}),
    )
    stage = client.crm.pipelines.pipeline_stages_api.get_by_id("deals", "default", "closedwon")
    assert (stage.label, stage.metadata) == (
        "Closed won (handoff)",
        {"probability": "1.0", "isClosed": "true"},
    )
    created = client.crm.pipelines.pipelines_api.create("deals", example("pipeline-create-deals.json"))
    assert len(client.crm.pipelines.pipelines_api.get_all("deals").results) == 2 and len(created.stages) == 5


def test_pipeline_rules_beta(fake_hubspot):
    path = "/crm/pipelines-rules/2026-09-beta/0-3/default"
    put = raw(fake_hubspot, "PUT", path, example("pipeline-rules-put-2026-09-beta.json"))
    assert put.status_code == 200
    rules = raw(fake_hubspot, "GET", path).json()["governanceValidationRules"]
    assert rules["noBackwardsMovementRule"]["pipelineStageIds"] == ["closedwon"]
    assert raw(fake_hubspot, "PUT", path, {"governanceValidationRules": {}}).status_code == 400


def test_flows_create_read_list_replace_with_revision_and_delete(fake_hubspot, client):
    client.crm.properties.groups_api.create("deals", example("property-group-create.json"))
    created = client.api_request(
        {
            "method": "POST",
            "path": "/automation/v4/flows",
            "body": example("flow-create-closed-won-handoff.json"),
        }
    )
    assert created.status_code == 201
    flow = created.json()
    assert (flow["revisionId"], flow["crmObjectCreationStatus"], flow["dataSources"]) == ("1", "COMPLETE", [])
    update = example("flow-put-closed-won-handoff.json")
    update["revisionId"] = flow["revisionId"]
    replaced = raw(fake_hubspot, "PUT", f"/automation/v4/flows/{flow['id']}", update)
    assert replaced.status_code == 200 and replaced.json()["revisionId"] == "2"
    stale = raw(fake_hubspot, "PUT", f"/automation/v4/flows/{flow['id']}", update)  # revision 1 again
    assert stale.status_code == 409 and "stale" in stale.json()["message"]
    listing = raw(fake_hubspot, "GET", "/automation/v4/flows").json()["results"]
    assert [(f["id"], f["revisionId"]) for f in listing] == [(flow["id"], "2")]
    assert raw(fake_hubspot, "DELETE", f"/automation/v4/flows/{flow['id']}").status_code == 204
    assert raw(fake_hubspot, "GET", f"/automation/v4/flows/{flow['id']}").status_code == 404


def test_a_property_used_by_a_flow_cannot_be_archived(fake_hubspot, client):
    client.crm.properties.groups_api.create("deals", example("property-group-create.json"))
    client.crm.properties.batch_api.create("deals", example("properties-batch-create.json"))
    raw(fake_hubspot, "POST", "/automation/v4/flows", example("flow-create-closed-won-handoff.json"))
    with pytest.raises(ApiException) as in_use:
        client.crm.properties.core_api.archive("deals", "cs_handoff_requested_at")
    assert "CANNOT_DELETE_PROPERTY_IN_USE" in in_use.value.body


def test_search_filters_sorts_and_pages(fake_hubspot, client):
    fake_hubspot.portal.add_deals(
        {
            "dealname": f"Deal {i}",
            "dealstage": "closedwon" if i % 2 else "contractsent",
            "amount": str(i * 100),
            "closedate": f"2026-0{1 + i % 3}-15",
        }
        for i in range(500)
    )
    request = PublicObjectSearchRequest(
        filter_groups=[
            {
                "filters": [
                    {"propertyName": "dealstage", "operator": "EQ", "value": "closedwon"},
                    {"propertyName": "closedate", "operator": "GTE", "value": "2026-02-01"},
                ]
            }
        ],
        sorts=["-amount"],
        properties=["dealname", "amount"],
        limit=100,
    )
    seen, after = [], None
    while True:
        request.after = after
        page = client.crm.deals.search_api.do_search(public_object_search_request=request)
        seen += [r.properties["amount"] for r in page.results]
        if not page.paging:
            break
        after = page.paging.next.after
    assert len(seen) == page.total == len(set(seen))
    assert [float(a) for a in seen] == sorted((float(a) for a in seen), reverse=True)
    assert fake_hubspot.count("search") == 2


def test_search_stops_at_ten_thousand_results(fake_hubspot, client):
    fake_hubspot.portal.add_deals({"dealname": f"D{i}", "dealstage": "closedwon"} for i in range(10_050))
    request = PublicObjectSearchRequest(limit=200, after="9800", properties=["dealname"])
    page = client.crm.deals.search_api.do_search(public_object_search_request=request)
    assert page.total == 10_050 and len(page.results) == 200 and page.paging.next.after == "10000"
    request.after = "10000"
    with pytest.raises(DealsApiException) as capped:
        client.crm.deals.search_api.do_search(public_object_search_request=request)
    assert capped.value.status == 400 and "10,000" in capped.value.body
    request.after, request.limit = None, 201
    with pytest.raises(DealsApiException):
        client.crm.deals.search_api.do_search(public_object_search_request=request)


def test_owners_deals_and_tasks(fake_hubspot, client):
    for i in range(3):
        fake_hubspot.portal.add_owner(f"csm{i}@example.com", "C", f"SM{i}")
    page = client.crm.owners.owners_api.get_page(limit=2)
    assert len(page.results) == 2 and page.paging.next.after == "2"
    deal = client.crm.deals.basic_api.create({"properties": {"dealname": "Acme", "dealstage": "closedwon"}})
    assert (
        client.crm.deals.basic_api.get_by_id(deal.id, properties=["dealname"]).properties["dealname"]
        == "Acme"
    )
    with pytest.raises(Exception):
        client.crm.objects.tasks.basic_api.create({"properties": {"hs_task_subject": "no timestamp"}})
    task = client.crm.objects.tasks.basic_api.create(
        {"properties": {"hs_task_subject": "Kickoff", "hs_timestamp": "2026-03-01T09:00:00Z"}}
    )
    assert fake_hubspot.portal.records["tasks"][task.id]["properties"]["hs_task_subject"] == "Kickoff"


def test_limits_tracking_counts_custom_and_calculated_properties(fake_hubspot, client):
    client.crm.properties.groups_api.create("deals", example("property-group-create.json"))
    client.crm.properties.core_api.create("deals", example("property-create-calculated-score.json"))
    calculated = raw(fake_hubspot, "GET", "/crm/v3/limits/calculated-properties").json()
    custom = raw(fake_hubspot, "GET", "/crm/v3/limits/custom-properties").json()
    assert (calculated["overallUsage"], calculated["overallLimit"]) == (1, 40)
    assert next(o for o in custom["byObjectType"] if o["objectTypeId"] == "0-3")["usage"] == 1


def test_manual_edits_are_visible(fake_hubspot, client):
    fake_hubspot.portal.properties["deals"]["dealname"]["label"] = "Opportunity name"
    assert client.crm.properties.core_api.get_by_name("deals", "dealname").label == "Opportunity name"


def test_validation_is_skipped_cleanly_without_the_documents(tmp_path: Path, test_authority):
    assert OpenApiCatalog.load(tmp_path) is None
    fake = FakeHubSpot(validate=False).start(test_authority)
    try:
        response = requests.post(
            fake.url + "/crm/v3/properties/deals/groups",
            json={"name": "g", "label": "G"},
            headers={"Authorization": f"Bearer {fake.token}"},
            verify=test_authority.ca_file,
            timeout=5,
        )
        assert response.status_code == 201 and not fake.validating
    finally:
        fake.stop()
