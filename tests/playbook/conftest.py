"""The fake org and portal for the playbook's plan / apply tests (as tests/plan/conftest.py gives them)."""

import sys
from pathlib import Path

import pytest
from fakes.fixtures import *  # noqa: F401,F403

HUBSPOT_HELPERS = str(
    Path(__file__).resolve().parent.parent / "hubspot"
)  # workflow_run, as tests/hubspot has it
if HUBSPOT_HELPERS not in sys.path:
    sys.path.insert(0, HUBSPOT_HELPERS)


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
    monkeypatch.setenv("HANDRAIL_HUBSPOT_TIMEOUT", "30")  # a loaded machine is slow; no timeout tested here
    return fake_hubspot
