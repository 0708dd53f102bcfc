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
TYPES = ["short_text", "long_text", "picklist", "multi_select", "number", "currency", "percent", "date", "datetime",
         "checkbox", "user"]
SEGMENTS = ["smb", "mid_market", "enterprise"]


def spec_text(count: int) -> str:
    lines = ["version: 1", "name: Benchmark handoff", "deal: {csm: {field: f0010}}", "fields:"]
    for n in range(count):
        kind = TYPES[n % len(TYPES)]
        extra = ""
        if kind in ("picklist", "multi_select"):
            extra += ", options: [Alpha, Beta, Gamma, {value: Other, generic: true}]"
        if kind == "long_text":
            extra += ", length: 2000"
        if n < 60 and kind in ("short_text", "long_text", "picklist"):
            extra += f", weight: {1 + n % 3}"
        if n % 50 == 0 and kind not in ("checkbox", "user"):
            extra += f", required_in: [{SEGMENTS[n // 50 % 3]}]"
        lines.append(f"  - {{key: f{n:04d}, label: Field {n}, type: {kind}, help: Benchmark field {n}.{extra}}}")
    lines += [
        "segments:",
        "  - {key: smb, label: SMB, match: {acv: {lt: 25000}}, motion: automated}",
        "  - {key: mid_market, label: Mid-Market, match: {acv: {gte: 25000, lt: 100000}}, motion: structured,"
        " csm_required_by: commit}",
        "  - {key: enterprise, label: Enterprise, match: {acv: {gte: 100000}}, motion: white_glove}",
        "stages:",
        "  - {key: proposal, label: Proposal, salesforce: Proposal/Price Quote}",
        "  - {key: commit, label: Commit, salesforce: Commit}",
        "  - {key: won, label: Won, salesforce: Closed Won, closed_won: true}",
        "  - {key: lost, label: Lost, salesforce: Closed Lost, closed_lost: true}",
        "gates:",
        "  - {key: won_ready, stage: won, require: {min_tier: gaps, segment_required_fields: true},"
        " message: The handoff is not ready.}",
        "  - {key: enterprise_csm, stage: proposal, segments: [enterprise], require: {csm_assigned: true},"
        " message: Enterprise deals need a CSM.}",
    ]
    return "\n".join(lines) + "\n"


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
    from handrail.targets.salesforce.render import render
    from handrail.targets.salesforce.schema import metadata_schema
    from handrail.targets.salesforce.render import verify

    with tempfile.TemporaryDirectory() as tmp:
        spec = Path(tmp) / "handoff.yaml"
        spec.write_text(spec_text(args.fields), encoding="utf-8")
        load, model = median_time(lambda: load_spec(spec).model, args.runs)
        options = {"edition": "unlimited"}  # 500 spec fields + the computed ones exceed Enterprise's 500
        rows = [(f"load + validate spec ({len(model.fields)} fields)", load)]
        for fmt in ("source", "mdapi"):
            seconds, desired = median_time(lambda: render(model, {**options, "format": fmt}), args.runs)
            rows.append((f"render {fmt} ({len(desired.files)} files, {len(desired.resources)} resources)", seconds))
        start = time.perf_counter()
        metadata_schema()
        rows.append(("compile the Metadata API schema (once per process)", time.perf_counter() - start))
        desired = render(model, {**options, "format": "source"})
        seconds, problems = median_time(lambda: verify(desired), args.runs)
        assert problems == [], problems[:3]
        rows.append((f"verify source ({len(desired.files)} files, schema compiled)", seconds))
        argv = [str(BIN / "handrail"), "build", "--spec", str(spec), "--target", "salesforce", "--out",
                str(Path(tmp) / "out"), "--edition", "unlimited", "--check"]
        subprocess.run(argv, check=True, capture_output=True)  # warm the file cache
        seconds, _ = median_time(lambda: subprocess.run(argv, check=True, capture_output=True), args.runs)
        rows.append(("handrail build --check, end to end (CLI process)", seconds))

    print(f"Salesforce build benchmark, {args.fields}-field spec, median of {args.runs} runs")
    for name, seconds in rows:
        print(f"  {name:<62} {seconds * 1000:>8.1f} ms")


if __name__ == "__main__":
    main()
