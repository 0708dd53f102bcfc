"""The example spec's HubSpot build, byte for byte (pytest --update-golden rewrites it)."""

from __future__ import annotations

from helpers import EXAMPLE_SPEC

from handrail.specs.validate import load_spec
from handrail.targets.hubspot.render import render


def test_example_spec_build_matches_the_golden_files(golden):
    golden("hubspot-example", dict(render(load_spec(EXAMPLE_SPEC).model, {}).files))
