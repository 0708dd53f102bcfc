"""API calls and wall time of `handrail diff` against the fake Salesforce org and HubSpot portal.

    python benchmarks/diff_calls.py [--fields 10 100 500] [--latency 0.1]

For each size, generates a spec with that many handoff fields (tests/plan/generated_spec.py), applies
it to a fresh fake org / portal, then times one drift check with LATENCY seconds added to every
request and counts the requests the fake saw. The number of calls must not grow with the number of
fields.

The drift check is what `handrail diff` runs (load the spec, make the plan through the real clients,
print the report), called in-process through targets.pipeline so it can pass the Salesforce
edition: 500 fields plus the 11 Handrail computes exceed Enterprise Edition's 500 custom fields, so
the benchmark plans for Unlimited Edition (800).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from fakes.hubspot import FakeHubSpot  # noqa: E402
from fakes.salesforce import FakeSalesforce  # noqa: E402
from fakes.tls import TestAuthority  # noqa: E402
from plan.generated_spec import spec_text  # noqa: E402
from plan.live import HUBSPOT_ENV, SALESFORCE_ENV  # noqa: E402

OPTIONS = {"edition": "unlimited"}


def drift_check(spec: Path):
    """What `handrail diff --env live` does."""
    from handrail.generators.plan import report as plan_report
    from handrail.specs.validate import load_spec
    from handrail.targets import load_target
    from handrail.targets.pipeline import make_plan

    plan = make_plan(load_spec(spec).model, "live", OPTIONS).plan
    plan_report.text(plan, load_target(plan.target).describe, drift=True)
    return plan


def measure(fake, environment: str, fields: int, folder: Path, latency: float) -> tuple[int, float]:
    from handrail.specs.validate import load_spec
    from handrail.targets.pipeline import apply

    spec = folder / f"{fake.name}-{fields}" / "handoff.yaml"
    spec.parent.mkdir(parents=True)
    spec.write_text(spec_text(fields, environment))
    _, result = apply(
        load_spec(spec).model, "live", saved=None, spec_path=spec, allow_destructive=False, options=OPTIONS
    )
    if not result.ok:
        raise SystemExit(f"apply of {fields} fields to the fake {fake.name} failed: {result.failed[:3]}")
    fake.clear_log()
    fake.latency = latency
    started = time.perf_counter()
    plan = drift_check(spec)
    elapsed = time.perf_counter() - started
    fake.latency = 0.0
    if plan.pending:
        raise SystemExit(
            f"{fields} fields: the fake {fake.name} drifted right after apply: "
            f"{[c.ident for c in plan.pending][:5]}"
        )
    return fake.count(), elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fields", type=int, nargs="+", default=[10, 100, 500])
    parser.add_argument("--latency", type=float, default=0.1, help="seconds added to every request")
    options = parser.parse_args()
    rows = []
    with TestAuthority() as authority, tempfile.TemporaryDirectory(prefix="handrail-diff-") as tmp:
        salesforce, hubspot = FakeSalesforce().start(authority), FakeHubSpot().start(authority)
        os.environ.update(
            {
                "REQUESTS_CA_BUNDLE": authority.ca_file,
                "HANDRAIL_HUBSPOT_API_URL": hubspot.url,
                "TEST_HUBSPOT_TOKEN": hubspot.token,
                "TEST_SF_ACCESS_TOKEN": salesforce.session_id,
                "TEST_SF_INSTANCE_URL": salesforce.url,
            }
        )
        try:
            for fields in options.fields:
                for fake, environment in ((salesforce, SALESFORCE_ENV), (hubspot, HUBSPOT_ENV)):
                    if fake is salesforce:
                        fake.reset(sandbox=True)
                        fake.deploy_polls = 0
                    else:
                        fake.reset()
                    calls, seconds = measure(fake, environment, fields, Path(tmp), options.latency)
                    rows.append((fields, fake.name, calls, seconds))
                    assert not fake.internal_errors, fake.internal_errors
        finally:
            salesforce.stop()
            hubspot.stop()
    print(f"handrail diff, {options.latency * 1000:.0f} ms added per request")
    print(f"{'fields':>6}  {'target':<10}  {'calls':>5}  {'seconds':>7}")
    for fields, target, calls, seconds in rows:
        print(f"{fields:>6}  {target:<10}  {calls:>5}  {seconds:>7.2f}")


if __name__ == "__main__":
    main()
