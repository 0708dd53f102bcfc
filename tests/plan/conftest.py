"""The fake org and portal, for plan / apply / diff against live-protocol servers."""

import pytest
from fakes.fixtures import *  # noqa: F401,F403


@pytest.fixture
def org(fake_salesforce, monkeypatch):
    """The fake org, reached through plan.live.SALESFORCE_ENV's variables; deploys finish at once."""
    fake_salesforce.deploy_polls = 0
    monkeypatch.setenv("TEST_SF_ACCESS_TOKEN", fake_salesforce.session_id)
    monkeypatch.setenv("TEST_SF_INSTANCE_URL", fake_salesforce.url)
    return fake_salesforce


@pytest.fixture
def portal(fake_hubspot, monkeypatch):
    """The fake portal, reached through plan.live.HUBSPOT_ENV's variables, with a short read timeout."""
    monkeypatch.setenv("TEST_HUBSPOT_TOKEN", fake_hubspot.token)
    monkeypatch.setenv("HANDRAIL_HUBSPOT_API_URL", fake_hubspot.url)
    monkeypatch.setenv("HANDRAIL_HUBSPOT_TIMEOUT", "5")
    return fake_hubspot
