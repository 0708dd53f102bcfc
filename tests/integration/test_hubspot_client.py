"""targets.hubspot.client against the fake portal: the real hubspot-api-client for wrapped endpoints,
the request helper for automation v4, retries, timeouts and errors."""

from __future__ import annotations

import json

import pytest
from helpers import hubspot_example
from hubspot.crm.deals import PublicObjectSearchRequest

from handrail.specs.model import Environment
from handrail.targets.errors import AuthError, TargetError
from handrail.targets.hubspot.client import connect
from handrail.targets.transport.retry import RetryPolicy

GROUP = {"name": "cs_handoff", "label": "CS handoff", "displayOrder": -1}


def environment(**settings) -> Environment:
    return Environment("hubspot", "hubspot", (("auth", "private_app"), *settings.items()))


class Sleeps:
    def __init__(self):
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def make_conn(fake, test_authority, sleeps=None, **kwargs):
    policy = RetryPolicy(attempts=4, base_delay=0.01, max_delay=0.05, sleep=sleeps or (lambda s: None))
    return connect(
        environment(token_env="PORTAL_TOKEN"),
        environ={"PORTAL_TOKEN": fake.token},
        host=fake.url,
        ca_file=test_authority.ca_file,
        retry_policy=policy,
        **kwargs,
    )


@pytest.fixture
def conn(fake_hubspot, test_authority):
    return make_conn(fake_hubspot, test_authority)


example = hubspot_example


def test_sdk_calls_through_the_connection(fake_hubspot, conn):
    properties = conn.client.crm.properties
    conn.call("groups.create", properties.groups_api.create, "deals", GROUP, idempotent=False)
    conn.call(
        "properties.batch_create",
        properties.batch_api.create,
        "deals",
        {
            "inputs": [
                {
                    "name": "cs_goals",
                    "label": "Goals",
                    "type": "string",
                    "fieldType": "textarea",
                    "groupName": "cs_handoff",
                }
            ]
        },
        idempotent=False,
    )
    names = [
        p.name
        for p in conn.call("properties.list", properties.core_api.get_all, "deals", idempotent=True).results
    ]
    assert "cs_goals" in names
    raw = conn.call(
        "properties.list", properties.core_api.get_all, "deals", _preload_content=False, idempotent=True
    )
    assert any(p["name"] == "cs_goals" for p in json.loads(raw.data)["results"])
    pipelines = conn.call(
        "pipelines.list", conn.client.crm.pipelines.pipelines_api.get_all, "deals", idempotent=True
    )
    assert pipelines.results[0].id == "default"
    assert fake_hubspot.rejections == []


def test_request_helper_for_automation_flows_with_revisions(fake_hubspot, conn):
    conn.call("groups.create", conn.client.crm.properties.groups_api.create, "deals", GROUP, idempotent=False)
    flow = conn.request("POST", "/automation/v4/flows", body=example("flow-create-closed-won-handoff.json"))
    current = conn.request("GET", f"/automation/v4/flows/{flow['id']}")
    update = {**example("flow-put-closed-won-handoff.json"), "revisionId": current["revisionId"]}
    assert conn.request("PUT", f"/automation/v4/flows/{flow['id']}", body=update)["revisionId"] == "2"
    with pytest.raises(TargetError) as stale:
        conn.request("PUT", f"/automation/v4/flows/{flow['id']}", body=update)
    assert stale.value.status == 409 and fake_hubspot.count("flows.replace") == 2  # a 409 is not retried
    assert conn.request("GET", "/automation/v4/flows", query={"limit": 10})["results"][0]["revisionId"] == "2"
    assert conn.request("DELETE", f"/automation/v4/flows/{flow['id']}") is None


def test_the_sdks_own_api_request_reaches_the_portal(fake_hubspot, conn):
    response = conn.client.api_request({"method": "GET", "path": "/automation/v4/flows"})
    assert response.status_code == 200 and response.json() == {"results": []}


def test_missing_token_variable_is_named():
    with pytest.raises(AuthError) as missing:
        connect(environment(), environ={})
    assert "HUBSPOT_TOKEN is not set" in str(missing.value) and "export HUBSPOT_TOKEN=pat-" in str(
        missing.value
    )
    with pytest.raises(AuthError, match="CI_HUBSPOT_TOKEN"):
        connect(environment(token_env="CI_HUBSPOT_TOKEN"), environ={})
    with pytest.raises(AuthError, match="not hubspot"):
        connect(Environment("sandbox", "salesforce", (("auth", "jwt"),)), environ={})


def test_a_refused_token_explains_itself(fake_hubspot, test_authority):
    conn = connect(
        environment(),
        environ={"HUBSPOT_TOKEN": "pat-na1-00000000-0000-0000-0000-000000000000"},
        host=fake_hubspot.url,
        ca_file=test_authority.ca_file,
    )
    with pytest.raises(TargetError) as refused:
        conn.call("properties.list", conn.client.crm.properties.core_api.get_all, "deals", idempotent=True)
    assert refused.value.status == 401 and "token was refused" in str(refused.value)


def test_429_honours_retry_after_on_repeatable_calls(fake_hubspot, test_authority):
    sleeps = Sleeps()
    conn = make_conn(fake_hubspot, test_authority, sleeps)
    fake_hubspot.inject("properties.list", status=429, retry_after=1.5)
    conn.call("properties.list", conn.client.crm.properties.core_api.get_all, "deals", idempotent=True)
    fake_hubspot.inject("flows.list", status=429, retry_after=2)
    conn.request("GET", "/automation/v4/flows")
    assert sleeps.waits == [1.5, 2.0]


def test_a_daily_limit_429_is_not_retried(fake_hubspot, conn):
    fake_hubspot.inject(
        "properties.list",
        status=429,
        body={"status": "error", "errorType": "RATE_LIMIT", "policyName": "DAILY", "message": "daily limit"},
    )
    with pytest.raises(TargetError, match="daily API limit"):
        conn.call("properties.list", conn.client.crm.properties.core_api.get_all, "deals", idempotent=True)
    assert fake_hubspot.count("properties.list") == 1


def test_500s_and_dropped_connections_are_retried_when_repeatable(fake_hubspot, conn):
    fake_hubspot.inject("pipelines.list", status=500)
    fake_hubspot.inject("properties.list", drop_connection=True)
    fake_hubspot.inject("flows.list", drop_connection=True)
    conn.call("pipelines.list", conn.client.crm.pipelines.pipelines_api.get_all, "deals", idempotent=True)
    conn.call("properties.list", conn.client.crm.properties.core_api.get_all, "deals", idempotent=True)
    conn.request("GET", "/automation/v4/flows")
    assert [fake_hubspot.count(op) for op in ("pipelines.list", "properties.list", "flows.list")] == [2, 2, 2]


def test_creates_are_not_retried(fake_hubspot, conn):
    fake_hubspot.inject("groups.create", status=500, when="after")  # created, but the reply says 500
    with pytest.raises(TargetError, match="HTTP 500"):
        conn.call(
            "groups.create", conn.client.crm.properties.groups_api.create, "deals", GROUP, idempotent=False
        )
    fake_hubspot.inject("flows.create", drop_connection=True, when="after")
    with pytest.raises(TargetError):
        conn.request(
            "POST",
            "/automation/v4/flows",
            body={
                "type": "PLATFORM_FLOW",
                "objectTypeId": "0-3",
                "flowType": "WORKFLOW",
                "isEnabled": False,
                "actions": [],
            },
        )
    assert fake_hubspot.count("groups.create") == 1 and fake_hubspot.count("flows.create") == 1
    assert "cs_handoff" in fake_hubspot.portal.groups["deals"] and len(fake_hubspot.portal.flows) == 1


def test_calls_time_out(fake_hubspot, test_authority):
    conn = make_conn(fake_hubspot, test_authority, timeout=(2.0, 0.2))
    slow = fake_hubspot.inject("*", delay=0.5, times=None)
    with pytest.raises(TargetError) as sdk_timeout:
        conn.call("owners.list", conn.client.crm.owners.owners_api.get_page, idempotent=False)
    with pytest.raises(TargetError) as helper_timeout:
        conn.request("GET", "/automation/v4/flows", idempotent=False)
    assert sdk_timeout.value.status is None and helper_timeout.value.status is None
    assert slow.hits == 2


def test_searching_past_ten_thousand_results_fails_clearly(fake_hubspot, conn):
    fake_hubspot.portal.add_deals({"dealname": f"D{i}", "dealstage": "closedwon"} for i in range(10_001))
    search = conn.client.crm.deals.search_api.do_search
    request = PublicObjectSearchRequest(limit=200, properties=["dealname"], after="9800")
    page = conn.call("search", search, public_object_search_request=request, idempotent=True)
    assert page.paging.next.after == "10000"
    request.after = page.paging.next.after
    with pytest.raises(TargetError) as capped:
        conn.call("search", search, public_object_search_request=request, idempotent=True)
    assert capped.value.status == 400 and "10,000" in capped.value.body
    assert fake_hubspot.count("search") == 2


def test_the_api_address_and_ca_bundle_can_come_from_the_environment(fake_hubspot, test_authority):
    """How a CLI run (no code-level overrides) reaches a proxy, or this fake."""
    environ = {
        "HUBSPOT_TOKEN": fake_hubspot.token,
        "HANDRAIL_HUBSPOT_API_URL": fake_hubspot.url,
        "REQUESTS_CA_BUNDLE": test_authority.ca_file,
    }
    conn = connect(environment(), environ=environ)
    assert conn.base_url == fake_hubspot.url
    assert conn.call("owners.list", conn.client.crm.owners.owners_api.get_page, idempotent=True).results
    assert conn.request("GET", "/automation/v4/flows") == {"results": []}
