"""Fixtures for the client tests against the fakes."""

from fakes.fixtures import *  # noqa: F401,F403
