"""The fake org and portal, for plan / apply / diff against live-protocol servers."""

from fakes.fixtures import *  # noqa: F401,F403
