"""`handrail score` throughput on DuckDB and on the Python engine, against a hand-written DuckDB anchor.

    python benchmarks/score_throughput.py [--rows 1000000] [--runs 3] [--keep DIR] [--baseline REV]

Generates a Salesforce-report-shaped CSV (benchmarks/audit_throughput.py's generator), then runs, each
in a fresh process and timed end to end, best of --runs:
  anchor     a hand-written DuckDB script: read the CSV, weighted completion of the eight scored fields
             with the generic rules of the example spec, average per segment (what a data team would
             write by hand; no located errors, no per-deal output)
  duckdb     handrail score FILE --summary                 (the rule tree printed as SQL, on DuckDB)
  duckdb-csv handrail score FILE --format csv --out F      (one output row per deal)
  python     handrail score FILE --summary --engine python (the reference engine)
  duckdb@REV, duckdb-csv@REV   with --baseline REV: the same as git revision REV has them (before/after
             in one run)
and prints deals/s, each figure as a ratio to the anchor from the same run, and each process's peak RSS.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from audit_throughput import ANCHOR, SPEC, baseline_tree, generate, with_path  # noqa: E402

HANDRAIL = [sys.executable, "-m", "handrail.cli"]


def timed(argv: list[str], runs: int, env: dict | None = None) -> tuple[float, float]:
    """Best wall time of `runs` and the largest peak RSS (MB) of the process."""
    best, peak = float("inf"), 0.0
    for _ in range(runs):
        start = time.perf_counter()
        proc = subprocess.Popen(
            argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env={**os.environ, **(env or {})}
        )
        _, status, usage = os.wait4(proc.pid, 0)
        best = min(best, time.perf_counter() - start)
        peak = max(peak, usage.ru_maxrss / 1024)
        if os.waitstatus_to_exitcode(status):
            raise SystemExit(f"{argv[2:4]} failed: {proc.stderr.read().decode()[-2000:]}")
    return best, peak


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="Write the CSV into this folder and keep it.")
    parser.add_argument("--skip-python", action="store_true", help="Leave out the (slow) Python engine run.")
    parser.add_argument(
        "--baseline", metavar="REV", help="Also time the DuckDB runs as git revision REV has them."
    )
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="handrail-score-"))
    folder.mkdir(parents=True, exist_ok=True)
    deals = folder / f"deals-{args.rows}.csv"
    if not deals.exists():
        generate(deals, args.rows)
    spec = ["--spec", str(SPEC)]
    runs = {
        "anchor": [sys.executable, "-c", ANCHOR, str(deals)],
        "duckdb": HANDRAIL + ["score", str(deals), *spec, "--summary"],
        "duckdb-csv": HANDRAIL
        + ["score", str(deals), *spec, "--format", "csv", "--out", str(folder / "out.csv")],
        "python": HANDRAIL + ["score", str(deals), *spec, "--summary", "--engine", "python"],
    }
    envs = {}
    if args.baseline:
        tree = with_path(baseline_tree(args.baseline))
        for name in ("duckdb", "duckdb-csv"):
            runs[f"{name}@{args.baseline}"], envs[f"{name}@{args.baseline}"] = runs[name], tree
    if args.skip_python:
        del runs["python"]
    measured = {}
    for _ in range(args.runs):  # rounds of every command in turn, so a busy spell hits all of them alike
        for name, argv in runs.items():
            if name == "python" and name in measured:
                continue
            seconds, peak = timed(argv, 1, envs.get(name))
            was = measured.get(name, (float("inf"), 0.0))
            measured[name] = (min(seconds, was[0]), max(peak, was[1]))
    print(f"{args.rows} deals, best of {args.runs} (python: 1 run)")
    anchor = measured["anchor"][0]
    for name, (seconds, peak) in measured.items():
        print(
            f"  {name:<20} {seconds:7.2f} s  {args.rows / seconds:>10,.0f} deals/s  "
            f"{anchor / seconds:5.2f}x the anchor's speed  peak RSS {peak:6.0f} MB"
        )


if __name__ == "__main__":
    main()
