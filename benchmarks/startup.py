"""Start-up cost of offline commands, as a ratio to a bare interpreter start.

    python benchmarks/startup.py [--runs 30]

Runs each command RUNS times (after one warm-up) and reports median and minimum wall time, and each median as
a ratio to the median of `python -c pass` from the same run, and how many times faster than `sf --version`
it is when the Salesforce CLI is installed (on PATH, or at $SF_CLI). `build --check` runs with a cache
folder of its own (HANDRAIL_CACHE_DIR), which the warm-up run fills: the timed runs are the cached second
and later runs.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SPEC = ROOT / "specs" / "examples" / "handoff.yaml"
DEALS = ROOT / "specs" / "examples" / "deals.csv"


# As installed for users: compiled bytecode is cached, so drop a setting that would forbid the cache.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def timed(argv: list[str], runs: int, env: dict[str, str]) -> list[float]:
    subprocess.run(argv, capture_output=True, check=True, env=env)  # warm the file and bytecode caches
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, capture_output=True, check=True, env=env)
        out.append(time.perf_counter() - start)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    runs = parser.parse_args().runs
    handrail = str(BIN / "handrail")
    with tempfile.TemporaryDirectory(prefix="handrail-startup-") as tmp:
        env = {**ENV, "HANDRAIL_CACHE_DIR": str(Path(tmp) / "cache")}
        build = [handrail, "build", "--spec", str(SPEC), "--target", "salesforce", "--out"]
        cases = {
            "python -c pass": [sys.executable, "-c", "pass"],
            "handrail --help": [handrail, "--help"],
            "handrail validate (example spec)": [handrail, "validate", str(SPEC)],
            "handrail build (salesforce)": build + [str(Path(tmp) / "build")],
            "handrail build --check (cached)": build + [str(Path(tmp) / "checked"), "--check"],
            "handrail score (10 sample deals)": [handrail, "score", str(DEALS), "--spec", str(SPEC)],
        }
        sf = os.environ.get("SF_CLI") or shutil.which("sf")
        if sf:  # the Salesforce CLI, where installed: the tool admins compare start-up with
            cases["sf --version"] = [sf, "--version"]
        results = {name: timed(argv, runs, env) for name, argv in cases.items()}
    base = statistics.median(results["python -c pass"])
    anchor = statistics.median(results["sf --version"]) if sf else None
    print(f"{'command':<36} {'median ms':>10} {'min ms':>8} {'x python':>9} {'sf / this':>10}")
    for name, times in results.items():
        median = statistics.median(times)
        versus = f"{anchor / median:>10.1f}" if anchor else f"{'-':>10}"
        print(f"{name:<36} {median * 1000:>10.1f} {min(times) * 1000:>8.1f} {median / base:>9.1f} {versus}")
    if not sf:
        print("sf --version: the Salesforce CLI is not installed (set SF_CLI to its path to compare)")


if __name__ == "__main__":
    main()
