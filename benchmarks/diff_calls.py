"""API calls and wall time of `handrail diff` against the fake Salesforce org and HubSpot portal.

    python benchmarks/diff_calls.py [--fields 10 100 500] [--latency 0.1] [--in-process]

For each size, generates a spec with that many handoff fields (tests/plan/generated_spec.py), applies
it to a fresh fake org / portal, then times one drift check with LATENCY seconds added to every
request and counts the requests the fake saw. The number of calls must not grow with the number of
fields.

The fakes run in a child process, listening on 127.0.0.1, so that the time is the tool's own (its
CPU plus the waits for the replies), as a user would see it against a real org or portal, and the
fakes' CPU runs on another core instead of competing with the tool for this process's GIL. The fake
portal checks each HubSpot reply against HubSpot's OpenAPI documents aside (FakeHubSpot
check_replies_aside), so the client does not wait for that check either (for a 500-field spec it
took about 0.3 s of the fake's CPU per drift check, most of it the workflows' batch read); every
reply is still checked and the benchmark fails on any mismatch. Requests are still checked before
they are answered, and the fake Salesforce org does its own work inline, so both stay in the time.
With --in-process the fakes run in threads of this process and check replies inline, as before:
all of the fakes' CPU is counted.

`seconds` is the drift check's wall time; `cpu` is this process's CPU time over it (with the fakes in
the child process, the tool's own CPU alone), which varies less than wall time on a busy machine.

The drift check is what `handrail diff` runs (load the spec, make the plan through the real clients,
print the report), called in-process through targets.pipeline so it can pass the Salesforce
edition: 500 fields plus the 11 Handrail computes exceed Enterprise Edition's 500 custom fields, so
the benchmark plans for Unlimited Edition (800).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

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


# -- the fakes ----------------------------------------------------------------------------------------
def _start_fakes(authority, *, check_replies_aside: bool = False) -> dict[str, Any]:
    from fakes.hubspot import FakeHubSpot
    from fakes.salesforce import FakeSalesforce

    return {
        "salesforce": FakeSalesforce().start(authority),
        "hubspot": FakeHubSpot(check_replies_aside=check_replies_aside).start(authority),
    }


def _environment(ca_file: str, fakes: dict[str, Any]) -> dict[str, str]:
    hubspot, salesforce = fakes["hubspot"], fakes["salesforce"]
    return {
        "REQUESTS_CA_BUNDLE": ca_file,
        "HANDRAIL_HUBSPOT_API_URL": hubspot.url,
        "TEST_HUBSPOT_TOKEN": hubspot.token,
        "TEST_SF_ACCESS_TOKEN": salesforce.session_id,
        "TEST_SF_INSTANCE_URL": salesforce.url,
    }


def _serve(channel) -> None:
    """The child process: run both fakes and answer the parent's messages ("call", fake, method, args,
    kwargs), ("set", fake, attribute, value) and ("get", fake, attribute) until it sends None."""
    from fakes.tls import TestAuthority

    with TestAuthority() as authority:
        fakes = _start_fakes(authority, check_replies_aside=True)
        try:
            channel.send(_environment(authority.ca_file, fakes))
            while (message := channel.recv()) is not None:
                try:
                    if message[0] == "set":
                        _, name, attribute, value = message
                        setattr(fakes[name], attribute, value)
                        result = None
                    elif message[0] == "get":
                        _, name, attribute = message
                        getattr(fakes[name], "settle", lambda: None)()  # checks still running aside
                        result = getattr(fakes[name], attribute)
                    else:
                        _, name, method, args, kwargs = message
                        result = getattr(fakes[name], method)(*args, **kwargs)
                    channel.send(("ok", result))
                except Exception as exc:  # noqa: BLE001 - reported to the parent, which raises it
                    channel.send(("error", repr(exc)))
        finally:
            for fake in fakes.values():
                fake.stop()


class RemoteFake:
    """A fake in the child process: the few methods and settings the benchmark uses."""

    def __init__(self, channel, name: str):
        self._channel, self.name = channel, name

    def _ask(self, message: tuple) -> Any:
        self._channel.send(message)
        status, result = self._channel.recv()
        if status != "ok":
            raise RuntimeError(f"the fake {self.name} failed: {result}")
        return result

    def __setattr__(self, attribute: str, value: Any) -> None:
        if attribute in ("latency", "deploy_polls"):
            self._ask(("set", self.name, attribute, value))
        else:
            super().__setattr__(attribute, value)

    def reset(self, **kwargs) -> None:
        self._ask(("call", self.name, "reset", (), kwargs))

    def clear_log(self) -> None:
        self._ask(("call", self.name, "clear_log", (), {}))

    def count(self) -> int:
        return self._ask(("call", self.name, "count", (), {}))

    @property
    def internal_errors(self) -> list[str]:
        return self._ask(("get", self.name, "internal_errors"))


@contextmanager
def fakes_in_child() -> Iterator[dict[str, Any]]:
    context = multiprocessing.get_context("spawn")
    channel, child_end = context.Pipe()
    child = context.Process(target=_serve, args=(child_end,), name="handrail-fakes", daemon=True)
    child.start()
    try:
        os.environ.update(channel.recv())
        yield {name: RemoteFake(channel, name) for name in ("salesforce", "hubspot")}
    finally:
        channel.send(None)
        child.join(timeout=10)
        if child.is_alive():
            child.terminate()


@contextmanager
def fakes_in_process() -> Iterator[dict[str, Any]]:
    from fakes.tls import TestAuthority

    with TestAuthority() as authority:
        fakes = _start_fakes(authority)
        try:
            os.environ.update(_environment(authority.ca_file, fakes))
            yield fakes
        finally:
            for fake in fakes.values():
                fake.stop()


# -- the measurement ------------------------------------------------------------------------------------
def measure(fake, environment: str, fields: int, folder: Path, latency: float) -> tuple[int, float, float]:
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
    started, cpu = time.perf_counter(), time.process_time()
    plan = drift_check(spec)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    fake.latency = 0.0
    if plan.pending:
        raise SystemExit(
            f"{fields} fields: the fake {fake.name} drifted right after apply: "
            f"{[c.ident for c in plan.pending][:5]}"
        )
    return fake.count(), elapsed, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fields", type=int, nargs="+", default=[10, 100, 500])
    parser.add_argument("--latency", type=float, default=0.1, help="seconds added to every request")
    parser.add_argument(
        "--in-process", action="store_true", help="run the fakes in this process (their CPU is counted)"
    )
    options = parser.parse_args()
    rows = []
    serving = fakes_in_process if options.in_process else fakes_in_child
    with serving() as fakes, tempfile.TemporaryDirectory(prefix="handrail-diff-") as tmp:
        for fields in options.fields:
            for name, environment in (("salesforce", SALESFORCE_ENV), ("hubspot", HUBSPOT_ENV)):
                fake = fakes[name]
                if name == "salesforce":
                    fake.reset(sandbox=True)
                    fake.deploy_polls = 0
                else:
                    fake.reset()
                calls, seconds, cpu = measure(fake, environment, fields, Path(tmp), options.latency)
                rows.append((fields, name, calls, seconds, cpu))
                assert not fake.internal_errors, fake.internal_errors
    where = "in this process" if options.in_process else "in a child process"
    print(f"handrail diff, {options.latency * 1000:.0f} ms added per request, fakes {where}")
    print(f"{'fields':>6}  {'target':<10}  {'calls':>5}  {'seconds':>7}  {'cpu':>5}")
    for fields, target, calls, seconds, cpu in rows:
        print(f"{fields:>6}  {target:<10}  {calls:>5}  {seconds:>7.2f}  {cpu:>5.2f}")


if __name__ == "__main__":
    main()
