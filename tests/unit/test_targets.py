"""The target registry: every target satisfies the one written interface, and a gap is named at once."""
from __future__ import annotations

import sys
import types

import pytest

from handrail import targets
from handrail.targets import TARGETS, Target, load_target


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_every_registered_target_satisfies_the_protocol(name):
    target = load_target(name)
    assert isinstance(target, Target) and target.name == name
    assert all(callable(hook) for hook in target.change_validators)


def test_a_target_missing_a_hook_is_refused_by_name(monkeypatch):
    class Partial:
        name = "partial"
        verify_scope = "nothing"
        unverifiable_kinds = frozenset()
        change_validators = ()

        def render(self, model, options): ...
        def check_spec(self, model): ...
        def verify(self, desired, options): ...
        def retired_keys(self, model): ...
        def descibe(self, change): ...  # misspelt: the protocol names `describe`
        def open_org(self, env, model): ...
        def deal_source(self, env, model): ...

    module = types.ModuleType("partial_target")
    module.TARGET = Partial()
    monkeypatch.setitem(sys.modules, "partial_target", module)
    monkeypatch.setitem(targets.TARGETS, "partial", "partial_target")
    with pytest.raises(TypeError, match="target 'partial' lacks describe"):
        load_target("partial")


def test_offline_commands_do_not_import_api_clients():
    import subprocess

    code = ("import sys; from handrail.targets import load_target; "
            "[load_target(n) for n in ('salesforce', 'hubspot')]; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('simple_salesforce', 'hubspot', 'requests')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
