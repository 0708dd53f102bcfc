"""The fake org and portal, and specs whose `live` environment points at them."""

import pytest
from audit_live.seeding import HUBSPOT_ENV, SALESFORCE_ENV, live_spec
from fakes.fixtures import *  # noqa: F401,F403
from fakes.fixtures import live_fixtures

org, portal = live_fixtures(HANDRAIL_HUBSPOT_SEARCH_RATE="0")  # the fake has no search rate limit


@pytest.fixture
def salesforce_spec(tmp_path):
    return live_spec(tmp_path, SALESFORCE_ENV)


@pytest.fixture
def hubspot_spec(tmp_path):
    return live_spec(tmp_path, HUBSPOT_ENV)
