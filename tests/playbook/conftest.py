"""The fake org and portal for the playbook's plan / apply tests."""

from fakes.fixtures import *  # noqa: F401,F403
from fakes.fixtures import live_fixtures

org, portal = live_fixtures(HANDRAIL_HUBSPOT_TIMEOUT="30")  # a loaded machine is slow; no timeout tested here
