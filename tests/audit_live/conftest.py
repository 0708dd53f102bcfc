"""The fake org and portal, and specs whose `live` environment points at them."""

import pytest
from audit_live.seeding import HUBSPOT_ENV, SALESFORCE_ENV, live_spec
from fakes.fixtures import *  # noqa: F401,F403


@pytest.fixture
def org(fake_salesforce, monkeypatch):
    monkeypatch.setenv("TEST_SF_ACCESS_TOKEN", fake_salesforce.session_id)
    monkeypatch.setenv("TEST_SF_INSTANCE_URL", fake_salesforce.url)
    return fake_salesforce


@pytest.fixture
def portal(fake_hubspot, monkeypatch):
    monkeypatch.setenv("TEST_HUBSPOT_TOKEN", fake_hubspot.token)
    monkeypatch.setenv("HANDRAIL_HUBSPOT_API_URL", fake_hubspot.url)
    monkeypatch.setenv("HANDRAIL_HUBSPOT_SEARCH_RATE", "0")  # the fake has no search rate limit
    return fake_hubspot


@pytest.fixture
def salesforce_spec(tmp_path):
    return live_spec(tmp_path, SALESFORCE_ENV)


@pytest.fixture
def hubspot_spec(tmp_path):
    return live_spec(tmp_path, HUBSPOT_ENV)
