"""Pytest fixtures for the fakes. Import them into a conftest.py:

    from fakes.fixtures import *  # noqa: F401,F403

test_authority: the session's CA (ca_file for clients). fake_salesforce / fake_hubspot: a server
started once per session, reset before each test, with REQUESTS_CA_BUNDLE pointing at the CA for
the test; a test fails if the fake hit one of its own bugs. login_routes: requests adapters that
send login.salesforce.com / test.salesforce.com to the Salesforce fake (for connect(mounts=...)).
live_fixtures(...): the `org` and `portal` fixtures a conftest declares for specs whose environments
reach the fakes.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from requests.adapters import HTTPAdapter

from fakes.hubspot import FakeHubSpot
from fakes.salesforce import FakeSalesforce
from fakes.tls import TestAuthority

__all__ = [
    "test_authority",
    "salesforce_server",
    "hubspot_server",
    "fake_salesforce",
    "fake_hubspot",
    "login_routes",
    "LoginHostAdapter",
    "live_fixtures",
]


@pytest.fixture(scope="session")
def test_authority():
    with TestAuthority() as authority:
        yield authority


@pytest.fixture(scope="session")
def salesforce_server(test_authority):
    fake = FakeSalesforce().start(test_authority)
    yield fake
    fake.stop()


@pytest.fixture(scope="session")
def hubspot_server(test_authority):
    fake = FakeHubSpot().start(test_authority)
    yield fake
    fake.stop()


@pytest.fixture
def fake_salesforce(salesforce_server, test_authority, monkeypatch):
    salesforce_server.reset(sandbox=True)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", test_authority.ca_file)
    yield salesforce_server
    assert not salesforce_server.internal_errors, salesforce_server.internal_errors


@pytest.fixture
def fake_hubspot(hubspot_server, test_authority, monkeypatch):
    hubspot_server.reset()
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", test_authority.ca_file)
    yield hubspot_server
    assert not hubspot_server.internal_errors, hubspot_server.internal_errors


class LoginHostAdapter(HTTPAdapter):
    """Sends requests meant for a Salesforce login host to the fake; remembers the hosts asked for."""

    def __init__(self, fake_url: str):
        super().__init__()
        self.fake_url = fake_url
        self.hosts: list[str] = []

    def send(self, request, **kwargs):
        parts = urlsplit(request.url)
        self.hosts.append(parts.netloc)
        request.url = self.fake_url + parts.path + (f"?{parts.query}" if parts.query else "")
        return super().send(request, **kwargs)


@pytest.fixture
def login_routes(fake_salesforce):
    adapter = LoginHostAdapter(fake_salesforce.url)
    return adapter, {"https://login.salesforce.com": adapter, "https://test.salesforce.com": adapter}


def live_fixtures(**portal_env: str):
    """`org, portal = live_fixtures(NAME=value, ...)` in a conftest: the fakes, reached through the
    variables the test specs' environments name (TEST_SF_ACCESS_TOKEN and TEST_SF_INSTANCE_URL,
    TEST_HUBSPOT_TOKEN and HANDRAIL_HUBSPOT_API_URL); deploys finish at once; `portal_env` sets more
    variables for the portal's client (a read timeout, the search pacing)."""

    @pytest.fixture
    def org(fake_salesforce, monkeypatch):
        fake_salesforce.deploy_polls = 0
        monkeypatch.setenv("TEST_SF_ACCESS_TOKEN", fake_salesforce.session_id)
        monkeypatch.setenv("TEST_SF_INSTANCE_URL", fake_salesforce.url)
        return fake_salesforce

    @pytest.fixture
    def portal(fake_hubspot, monkeypatch):
        monkeypatch.setenv("TEST_HUBSPOT_TOKEN", fake_hubspot.token)
        monkeypatch.setenv("HANDRAIL_HUBSPOT_API_URL", fake_hubspot.url)
        for name, value in portal_env.items():
            monkeypatch.setenv(name, value)
        return fake_hubspot

    return org, portal
