"""The target registry: every target satisfies the one written interface, and a gap is named at once."""

from __future__ import annotations

import dataclasses
import sys

import pytest

from handrail.targets import TARGETS, Target, load_target


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_every_registered_target_provides_every_hook(name):
    target = load_target(name)
    assert isinstance(target, Target) and target.name == name
    hooks = [f.name for f in dataclasses.fields(Target) if f.name not in ("name", "verify_scope")]
    assert all(getattr(target, hook) is not None for hook in hooks)
    assert all(callable(hook) for hook in target.change_validators)


def test_a_misspelt_or_missing_hook_fails_where_the_target_is_defined():
    hooks = {f.name: (lambda *args: None) for f in dataclasses.fields(Target)}
    hooks.update(name="partial", verify_scope="nothing", change_validators=(), unverifiable_kinds=frozenset())
    assert Target(**hooks).name == "partial"
    misspelt = {("descibe" if key == "describe" else key): value for key, value in hooks.items()}
    with pytest.raises(TypeError, match="descibe"):
        Target(**misspelt)
    with pytest.raises(TypeError, match="describe"):
        Target(**{key: value for key, value in hooks.items() if key != "describe"})


def test_offline_commands_do_not_import_api_clients():
    import subprocess

    code = (
        "import sys; from handrail.targets import load_target; "
        "[load_target(n) for n in ('salesforce', 'hubspot')]; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('simple_salesforce', 'hubspot', "
        "'requests')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
