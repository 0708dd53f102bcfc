"""A saved plan holds what apply sends: `apply PLAN` carries it out as saved, rendering nothing again."""

from __future__ import annotations

import io
import json
import shutil
import zipfile
from importlib import import_module

import pytest
from helpers import EXAMPLE_SPEC
from plan.live import HUBSPOT_ENV, SALESFORCE_ENV, add_people, args, live_spec

from handrail.generators.plan import saved as plan_file
from handrail.generators.plan.resources import Origin
from handrail.specs.validate import load_spec
from handrail.targets import load_target
from handrail.targets.pipeline import make_plan
from handrail.targets.salesforce.components import as_payload, from_payload
from handrail.targets.salesforce.package import layout
from handrail.targets.salesforce.render import components, normalize_options


@pytest.fixture
def salesforce(org):
    return org


@pytest.fixture
def hubspot(portal):
    add_people(portal)
    return portal


def forbid_rendering(monkeypatch, platform: str) -> None:
    """Any render of the spec during the apply fails the test."""

    def boom(*_args, **_kwargs):
        raise AssertionError("apply PLAN rendered the spec again")

    monkeypatch.setattr(load_target(platform), "render", boom)
    module = import_module(f"handrail.targets.{platform}.render")
    monkeypatch.setattr(module, "render", boom)
    if platform == "salesforce":
        monkeypatch.setattr(module, "components", boom)


def changes(out: str) -> list:
    return json.loads(out)["changes"]


def deployed(fake) -> dict[str, bytes]:
    (job,) = fake.metadata.deploys.values()
    with zipfile.ZipFile(io.BytesIO(job.zip_bytes)) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def test_salesforce_saved_plan_deploys_what_a_direct_apply_deploys(
    salesforce, tmp_path, run_cli, monkeypatch
):
    spec = live_spec(tmp_path, SALESFORCE_ENV)
    plan = tmp_path / "plan.json"
    assert run_cli(*args(spec, "plan", "--out", str(plan)))[0] == 0
    with monkeypatch.context() as patched:
        forbid_rendering(patched, "salesforce")
        code, from_plan, err = run_cli(*args(spec, "apply", "--json", str(plan)))
    assert code == 0, err
    sent = deployed(salesforce)
    salesforce.reset()
    code, direct, err = run_cli(*args(spec, "apply", "--json"))
    assert code == 0, err
    assert deployed(salesforce) == sent
    assert changes(from_plan) == changes(direct)  # origins, sources and wording as a fresh plan shows


def test_hubspot_saved_plan_sends_the_saved_bodies(hubspot, tmp_path, run_cli, monkeypatch):
    spec = live_spec(
        tmp_path,
        HUBSPOT_ENV
        + "    csm_manager_email: cs-lead@example.com\n    owner_manager_email: sales-lead@example.com\n",
    )
    plan = tmp_path / "plan.json"
    assert run_cli(*args(spec, "plan", "--out", str(plan)))[0] == 0
    code, direct, _ = run_cli(*args(spec, "plan", "--json"))
    with monkeypatch.context() as patched:
        forbid_rendering(patched, "hubspot")
        code, from_plan, err = run_cli(*args(spec, "apply", "--json", str(plan)))
    assert code == 0, err
    assert changes(from_plan) == changes(direct)
    assert run_cli(*args(spec, "plan", "--exit-code"))[0] == 0  # the portal now matches the spec


def test_a_component_payload_lays_out_byte_for_byte(tmp_path):
    model = load_spec(live_spec(tmp_path, SALESFORCE_ENV)).model
    options = normalize_options({"format": "mdapi"})
    parts = components(model, options)
    again = [from_payload(json.loads(json.dumps(as_payload(c))), c.source) for c in parts]
    for fmt in ("mdapi", "source"):
        assert layout(again, fmt, "63.0") == layout(parts, fmt, "63.0")


def test_the_plan_file_round_trips_origins_facts_and_keys(tmp_path):
    spec = tmp_path / "handoff.yaml"
    shutil.copy(EXAMPLE_SPEC, spec)
    planned = make_plan(load_spec(spec).model, "snapshot")
    path = tmp_path / "plan.json"
    plan_file.save(planned.plan, path, "digest")
    loaded, digest = plan_file.load(path)
    assert digest == "digest" and loaded.changes == planned.plan.changes
    assert loaded.fingerprints == planned.plan.fingerprints
    assert all(isinstance(k, tuple) for k in loaded.fingerprints)
    assert loaded.desired.resources == planned.desired.resources
    rule = next(r for r in loaded.desired.resources if r.key == "Opportunity.Handoff_Gate_Enterprise_Ready")
    assert rule.origin == Origin("gate", "enterprise_ready") and rule.facts == {"min_score": 85.0}
    assert rule.origin.span == next(r for r in planned.desired.resources if r.key == rule.key).origin.span
