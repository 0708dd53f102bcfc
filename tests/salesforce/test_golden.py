"""The example spec's complete Salesforce output, byte for byte (`pytest --update-golden` regenerates it)."""

from __future__ import annotations

import pytest

from handrail.targets.salesforce.render import render


@pytest.mark.parametrize("fmt", ["source", "mdapi"])
def test_example_spec_output(golden, example_model, fmt):
    golden(f"salesforce-{fmt}", dict(render(example_model, {"format": fmt}).files))
