"""Build time of the Salesforce target for a 500-field spec.

    python benchmarks/build_salesforce.py [--fields 500] [--runs 7]

Generates a spec with FIELDS handoff fields of every type (plus the fields Handrail computes), then
reports the median of RUNS timings of render (both formats), verify (schema check of every file;
the first, cold call compiles the schema) and the whole CLI, `handrail build --check`, end to end.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from plan.generated_spec import spec_text  # noqa: E402  (one spec generator for tests and benchmarks)


def median_time(fn, runs: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--fields", type=int, default=500)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()

    from handrail.specs.validate import load_spec
    from handrail.targets.salesforce.render import render, verify
    from handrail.targets.salesforce.schema import metadata_schema

    with tempfile.TemporaryDirectory() as tmp:
        spec = Path(tmp) / "handoff.yaml"
        spec.write_text(spec_text(args.fields, csm=True), encoding="utf-8")
        load, model = median_time(lambda: load_spec(spec).model, args.runs)
        options = {"edition": "unlimited"}  # 500 spec fields + the computed ones exceed Enterprise's 500
        rows = [(f"load + validate spec ({len(model.fields)} fields)", load)]
        for fmt in ("source", "mdapi"):
            seconds, desired = median_time(lambda: render(model, {**options, "format": fmt}), args.runs)
            label = f"render {fmt} ({len(desired.files)} files, {len(desired.resources)} resources)"
            rows.append((label, seconds))
        start = time.perf_counter()
        metadata_schema()
        rows.append(("compile the Metadata API schema (once per process)", time.perf_counter() - start))
        desired = render(model, {**options, "format": "source"})
        seconds, problems = median_time(lambda: verify(desired), args.runs)
        assert problems == [], problems[:3]
        rows.append((f"verify source ({len(desired.files)} files, schema compiled)", seconds))
        argv = [
            str(BIN / "handrail"),
            "build",
            "--spec",
            str(spec),
            "--target",
            "salesforce",
            "--out",
            str(Path(tmp) / "out"),
            "--edition",
            "unlimited",
            "--check",
        ]
        subprocess.run(argv, check=True, capture_output=True)  # warm the file cache
        seconds, _ = median_time(lambda: subprocess.run(argv, check=True, capture_output=True), args.runs)
        rows.append(("handrail build --check, end to end (CLI process)", seconds))

    print(f"Salesforce build benchmark, {args.fields}-field spec, median of {args.runs} runs")
    for name, seconds in rows:
        print(f"  {name:<62} {seconds * 1000:>8.1f} ms")


if __name__ == "__main__":
    main()
