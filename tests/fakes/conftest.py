"""Fixtures for the fakes' own tests."""

from fakes.fixtures import *  # noqa: F401,F403
