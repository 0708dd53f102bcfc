"""Helpers for plan / apply / diff tests against the fakes through the real CLI."""

from __future__ import annotations

import shutil
from pathlib import Path

from helpers import EXAMPLE_SPEC

SALESFORCE_ENV = """
  live:
    target: salesforce
    auth: access_token
    access_token_env: TEST_SF_ACCESS_TOKEN
    instance_url_env: TEST_SF_INSTANCE_URL
"""
HUBSPOT_ENV = """
  live:
    target: hubspot
    auth: private_app
    token_env: TEST_HUBSPOT_TOKEN
"""


def live_spec(tmp_path: Path, environment: str) -> Path:
    spec = tmp_path / "handoff.yaml"
    shutil.copy(EXAMPLE_SPEC, spec)
    spec.write_text(spec.read_text().replace("environments:\n", "environments:" + environment, 1))
    return spec


def edit(spec: Path, old: str, new: str) -> None:
    text = spec.read_text()
    assert old in text, old
    spec.write_text(text.replace(old, new, 1))


def args(spec: Path, *command: str) -> list[str]:
    return [*command, "--spec", str(spec), "--env", "live"]


def applied(run_cli, spec: Path) -> None:
    """plan finds changes, apply makes them, and plan then finds none."""
    code, out, err = run_cli(*args(spec, "plan", "--exit-code"))
    assert code == 4, out + err
    code, out, err = run_cli(*args(spec, "apply"))
    assert code == 0, out + err
    code, out, err = run_cli(*args(spec, "plan", "--exit-code"))
    assert code == 0 and "no changes" in out, out + err


# The portal's people for specs whose environments bind the managers' e-mail addresses (MANAGERS).
PEOPLE = {
    "cs-pool@example.com": ("Casey", "Pool"),
    "cs-manager@example.com": ("Morgan", "Manager"),
    "cs-lead@example.com": ("Lee", "Lead"),
    "sales-lead@example.com": ("Sam", "Sales"),
}
MANAGERS = "    csm_manager_email: cs-lead@example.com\n    owner_manager_email: sales-lead@example.com\n"


def add_people(portal, people: dict[str, tuple[str, str]] = PEOPLE) -> None:
    """Adds `people` (e-mail: first and last name) to the fake portal as owners, in that order."""
    for email, (first, last) in people.items():
        portal.portal.add_owner(email, first, last)
