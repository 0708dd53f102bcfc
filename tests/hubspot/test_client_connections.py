"""targets.hubspot.client: the SDK's API objects and `request` share one urllib3 pool, so calls reuse a
kept-alive connection (the SDK alone opens a new pool, so a new TCP and TLS connection, for every API
object)."""

from __future__ import annotations

import json

import pytest
from fakes.hubspot import FakeHubSpot
from fakes.tls import TestAuthority

from handrail.specs.model import Environment
from handrail.targets.hubspot.client import connect


@pytest.fixture
def portal():
    with TestAuthority() as authority:
        fake = FakeHubSpot().start(authority)
        try:
            yield authority, fake
        finally:
            fake.stop()


def test_sdk_calls_share_one_kept_alive_connection(portal):
    authority, fake = portal
    conn = connect(
        Environment("hubspot", "hubspot", (("auth", "private_app"), ("token_env", "PORTAL_TOKEN"))),
        environ={"PORTAL_TOKEN": fake.token},
        host=fake.url,
        ca_file=authority.ca_file,
    )
    properties = conn.client.crm.properties
    for _ in range(2):  # a new API object each time, as Handrail's reads and writes make them
        raw = conn.call(
            "properties.list", properties.core_api.get_all, "deals", _preload_content=False, idempotent=True
        )
        assert "results" in json.loads(raw.data)
        groups = conn.call("groups.list", properties.groups_api.get_all, "deals", idempotent=True)
        assert groups.results is not None
        flows = conn.request("GET", "/automation/v4/flows", query={"limit": 100, "after": None})
        assert flows == {"results": []}
    pool = properties.batch_api.api_client.rest_client.pool_manager
    assert pool is properties.core_api.api_client.rest_client.pool_manager
    assert pool.connection_from_url(fake.url).num_connections == 1
    assert [c.query for c in fake.calls("flows.list")] == ["limit=100"] * 2
    assert fake.count() == 6 and not fake.internal_errors
