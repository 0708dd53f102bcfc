"""The fake org and portal, for plan / apply / diff against live-protocol servers."""

from fakes.fixtures import *  # noqa: F401,F403
from fakes.fixtures import live_fixtures

org, portal = live_fixtures(HANDRAIL_HUBSPOT_TIMEOUT="5")  # a short read timeout: some tests delay replies
