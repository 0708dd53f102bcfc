"""Audit throughput: deals scored per second from a CSV export and from the fake org and portal, \
and peak memory.

    python benchmarks/audit_throughput.py [--rows 1000000] [--keep DIR] [--runs 1] [--baseline REV] \
[--skip-python] [--org-deals 50000] [--part all|csv|org]

CSV part: generates a Salesforce-report-shaped CSV (handoff fields by API name, process timestamps, a
stored score) into a temporary folder, then measures, each in a fresh process:
  anchor  a hand-written DuckDB script (ANCHOR): the score alone, averaged per segment
  read    parsing the CSV into deals (the Python reader alone)
  audit   `handrail audit --from FILE --format json` end to end (read, score, gates, SLAs, report), on
          DuckDB (the default engine for a file)
  python  the same with --engine python (the reference engine)
  audit@REV  with --baseline REV: `audit` as the git revision REV has it, for before/after in one run
and prints rows/s, each as a ratio to the anchor's, and peak RSS. Peak RSS should not depend on --rows:
the Python engine streams, DuckDB spills to disk past its memory limit.

Org part: seeds --org-deals generated deals into the test suite's fake Salesforce org and fake HubSpot
portal (tests/fakes, on 127.0.0.1 over TLS) and measures `handrail audit --env live --format json` in a
fresh process against each:
  sf-rest   Salesforce REST query + queryMore (the Bulk API threshold raised past the row count)
  sf-bulk   Salesforce Bulk API 2.0 query job (the threshold at 0)
  hubspot   HubSpot CRM search, createdate windows past 10,000 results; search pacing off (the fake has
            no search rate limit; a real portal's, about 4 searches of 200 deals a second, caps it at ~800/s)
The fakes run in this process and share the machine's cores with the audit, so the figures are a floor
for what the client side can do, not a prediction of a real org's latency.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "specs" / "examples" / "handoff.yaml"
TEXT = {
    "business_goals": [
        "Cut month-end close from 10 to 4 days by Q3; replace three finance spreadsheets.",
        "Improve efficiency",
        "TBD",
    ],
    "stakeholder_map": [
        "Dana Ruiz (CFO, economic buyer); Lee Park (Controller, champion); Sam Okafor (IT)",
        "Bill (manager)",
    ],
    "success_criteria": ["95% of invoices auto-matched within 60 days of go-live.", "TBD"],
    "risk_flags": ["Security review pending with their CISO.", "n/a"],
    "products_scope": ["Enterprise tier, AP automation and Reconciliation modules.", "Starter tier"],
    "key_conversations": ["Agreed a 60-day pilot credit; promised SSO by kickoff.", "see notes"],
    "contract_terms": ["3 years, renews 2029-06-30, annual billing", "1 year"],
    "communication_prefs": ["Weekly call", "Email updates", "Other"],
}
STAGES = ["Closed Won"] * 8 + ["Negotiation/Review", "Commit", "Closed Lost", "Proposal/Price Quote"]


# What a data team would write by hand in DuckDB: read the CSV, weighted completion of the eight scored
# fields with the example spec's generic rules, average per segment (no located errors, no gates, no SLAs).
ANCHOR = r"""
import sys, duckdb
fillers = "('tbd', 'n/a', 'na', 'none', 'see notes', 'other', 'unknown', '-')"
def c(col, w):
    t = f"trim(coalesce({col}, ''), ' \t')"
    return (f"{w} * (case when length({t}) = 0 then 0 when lower({t}) in {fillers} or length({t}) < 20 "
            f"then 0.5 else 1 end)")
cols = [("Handoff_Business_Goals__c", 3), ("Handoff_Stakeholder_Map__c", 3),
        ("Handoff_Success_Criteria__c", 2), ("Handoff_Risk_Flags__c", 2), ("Handoff_Products_Scope__c", 2),
        ("Handoff_Key_Conversations__c", 2), ("Handoff_Contract_Terms__c", 2),
        ("Handoff_Communication_Prefs__c", 1)]
score = " + ".join(c(k, w) for k, w in cols)
print(duckdb.sql(f"select case when Amount >= 100000 then 'enterprise' else 'other' end, "
                 f"round(avg(({score}) * 100 / 17), 1), count(*) "
                 f"from read_csv('{sys.argv[1]}', all_varchar=false) group by 1").fetchall())
"""


def generate(path: Path, rows: int, seed: int = 1) -> None:
    from handrail.specs.validate import load_spec

    model = load_spec(SPEC).model
    name = {f.key: f.salesforce_name for f in (*model.fields, *model.computed)}
    process = [
        "closed_won_at",
        "internal_handoff_at",
        "first_touch_at",
        "kickoff_at",
        "csm_rating",
        "intake_status",
        "score",
    ]
    rng = random.Random(seed)
    start = datetime(2025, 1, 1, tzinfo=timezone.utc)
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(
            [
                "Id",
                "Name",
                "Owner",
                "Amount",
                "Type",
                "StageName",
                "sales_cycle_days",
                "CloseDate",
                *(name[k] for k in process),
                *(name[k] for k in TEXT),
                name["csm"],
                name["partner_sourced"],
            ]
        )
        for i in range(rows):
            won = start + timedelta(minutes=rng.randrange(500 * 24 * 60))
            stamp = rng.random() < 0.85

            def later(hours: float) -> str:
                return (
                    (won + timedelta(hours=rng.uniform(0, hours))).strftime("%Y-%m-%dT%H:%M:%SZ")
                    if stamp and rng.random() < 0.8
                    else ""
                )

            texts = [rng.choice(options) if rng.random() < 0.8 else "" for options in TEXT.values()]
            out.writerow(
                [
                    f"006{i:012d}",
                    f"Customer {i}",
                    f"ae{rng.randrange(40)}@example.com",
                    rng.choice([8000, 20000, 45000, 90000, 150000, 600000]),
                    "Existing Customer - Upgrade" if rng.random() < 0.1 else "New Customer",
                    rng.choice(STAGES),
                    rng.choice([9, 30, 60, 120]),
                    won.date().isoformat(),
                    won.strftime("%Y-%m-%dT%H:%M:%SZ") if stamp else "",
                    later(60),
                    later(110),
                    later(200),
                    rng.choice(["", "1", "2", "3", "4", "5"]),
                    rng.choice(["", "Accepted", "Returned", "Pending"]),
                    rng.choice(["", "73.5", "100", "41.2"]),
                    *texts,
                    f"csm{rng.randrange(9)}@example.com" if rng.random() < 0.7 else "",
                    "true" if rng.random() < 0.08 else "",
                ]
            )


def worker(mode: str, path: Path) -> None:
    """Runs in its own process so its peak RSS is its own. `path`: the CSV, or for "live" the spec."""
    start = time.perf_counter()
    if mode == "live":
        from handrail.cli import main

        out = path.with_name("audit.json")
        try:
            main(["audit", "--env", "live", "--spec", str(path), "--format", "json", "--out", str(out)])
        except SystemExit as exc:
            if exc.code:
                raise
        report = json.loads(out.read_text())
        rows = report["deals_read"]
        scored = report["closed_won"]["deals"] + report["open_in_gated_stages"]["deals"]
    elif mode == "anchor":
        sys.argv = ["anchor", str(path)]
        exec(ANCHOR, {})
        rows = scored = sum(1 for _ in path.open()) - 1
    elif mode == "read":
        from handrail.generators.data.reader import read_deals
        from handrail.specs.validate import load_spec

        rows = sum(1 for _ in read_deals(path, load_spec(SPEC).model, process_fields=True))
        scored = 0
    else:
        from handrail.cli import main

        engine = ["--engine", "python"] if mode == "python" else []
        out = str(path.with_suffix(".audit.json"))
        try:
            main(
                ["audit", "--from", str(path), "--spec", str(SPEC), "--format", "json", "--out", out, *engine]
            )
        except SystemExit as exc:
            if exc.code:
                raise
        report = json.loads(path.with_suffix(".audit.json").read_text())
        rows = report["deals_read"]
        scored = report["closed_won"]["deals"] + report["open_in_gated_stages"]["deals"]
    seconds = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu = usage.ru_utime + usage.ru_stime  # all threads: on a shared machine, steadier than wall time
    print(
        json.dumps(
            {"rows": rows, "scored": scored, "seconds": seconds, "cpu": cpu, "peak_rss_mb": peak_rss_mb()}
        )
    )


def baseline_tree(rev: str) -> Path:
    """The package as git revision `rev` has it, in a temporary folder to put first on PYTHONPATH (the
    working tree's modules fill in only what that revision did not have)."""
    folder = Path(tempfile.mkdtemp(prefix="handrail-baseline-"))
    (folder / "handrail").mkdir()
    archive = subprocess.Popen(["git", "-C", str(ROOT), "archive", rev], stdout=subprocess.PIPE)
    subprocess.run(["tar", "-x", "-C", str(folder / "handrail")], stdin=archive.stdout, check=True)
    if archive.wait():
        raise SystemExit(f"git archive {rev} failed")
    return folder


def with_path(folder: Path) -> dict:
    return {"PYTHONPATH": os.pathsep.join(filter(None, [str(folder), os.environ.get("PYTHONPATH")]))}


def peak_rss_mb() -> float:
    """This process's peak resident memory. Linux's ru_maxrss survives exec, so a worker started from a
    parent holding the seeded fakes would report the parent's peak; VmHWM belongs to this process alone."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(mode: str, path: Path, env: dict | None = None) -> dict:
    result = subprocess.run(
        [sys.executable, __file__, "--worker", mode, str(path)],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
    )
    if result.returncode:
        raise SystemExit(f"{mode} worker failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


HEADER = (
    f"{'step':<16} {'rows':>11} {'scored':>11} {'seconds':>8} {'rows/s':>9} {'scored/s':>9} "
    f"{'cpu s':>6} {'peak RSS MB':>12}"
)


def row(step: str, r: dict, note: str = "") -> str:
    return (
        f"{step:<16} {r['rows']:>11,} {r['scored']:>11,} {r['seconds']:>8.2f} "
        f"{r['rows'] / r['seconds']:>9,.0f} "
        f"{r['scored'] / r['seconds']:>9,.0f} {r['cpu']:>6.2f} {r['peak_rss_mb']:>12.1f}  {note}"
    ).rstrip()


def csv_part(
    rows: int, keep: Path | None, skip_python: bool = False, baseline: str | None = None, runs: int = 1
) -> None:
    with tempfile.TemporaryDirectory(prefix="handrail-bench-") as tmp:
        folder = keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"deals-{rows}.csv"
        if not path.exists():
            started = time.perf_counter()
            generate(path, rows)
            print(f"generated {rows:,} rows in {time.perf_counter() - started:.1f} s")
        print(f"{path.stat().st_size / 1e6:,.0f} MB CSV; best of {runs} (read, python: 1 run)")
        steps = [
            (mode, mode, None) for mode in ("anchor", "audit") + (() if skip_python else ("read", "python"))
        ]
        if baseline:
            steps.insert(2, ("audit@" + baseline, "audit", with_path(baseline_tree(baseline))))
        best: dict[str, dict] = {}
        for n in range(runs):  # rounds of every step in turn, so a busy spell hits all of them alike
            for step, mode, env in steps:
                if n and mode in ("read", "python"):
                    continue
                r = measure(mode, path, env)
                if step not in best or r["seconds"] < best[step]["seconds"]:
                    best[step] = r
        print(HEADER)
        anchor = best["anchor"]
        for step, r in best.items():
            note = "" if step == "anchor" else f"{anchor['seconds'] / r['seconds']:.2f}x the anchor's speed"
            print(row(step, r, note))


def org_part(count: int) -> None:
    """Audits of the deals read live from the fake Salesforce org and the fake HubSpot portal, `count` seeded
    in each (rows: the deals fetched, the closed-won and gated-stage ones)."""
    sys.path.insert(0, str(ROOT / "tests"))
    from audit_live.seeding import (
        HUBSPOT_ENV,
        SALESFORCE_ENV,
        generated,
        live_spec,
        seed_hubspot,
        seed_salesforce,
    )
    from fakes.hubspot import FakeHubSpot
    from fakes.salesforce import FakeSalesforce
    from fakes.tls import TestAuthority

    from handrail.specs.validate import load_spec

    model = load_spec(SPEC).model
    started = time.perf_counter()
    deals = generated(model, count, seed=1)
    with TestAuthority() as authority, tempfile.TemporaryDirectory(prefix="handrail-bench-") as tmp:
        salesforce, hubspot = FakeSalesforce().start(authority), FakeHubSpot(validate=False).start(authority)
        try:
            seed_salesforce(salesforce.org, model, deals)
            seed_hubspot(hubspot.portal, model, deals)
            print(
                f"seeded {count:,} deals into the fake org and portal "
                f"in {time.perf_counter() - started:.1f} s"
            )
            trust = {"REQUESTS_CA_BUNDLE": authority.ca_file}
            sf_env = {
                **trust,
                "TEST_SF_ACCESS_TOKEN": salesforce.session_id,
                "TEST_SF_INSTANCE_URL": salesforce.url,
            }
            hs_env = {
                **trust,
                "TEST_HUBSPOT_TOKEN": hubspot.token,
                "HANDRAIL_HUBSPOT_API_URL": hubspot.url,
                "HANDRAIL_HUBSPOT_SEARCH_RATE": "0",
            }
            threshold = "HANDRAIL_SALESFORCE_BULK_THRESHOLD"
            runs = [
                ("sf-rest", salesforce, SALESFORCE_ENV, {**sf_env, threshold: str(count)}),
                ("sf-bulk", salesforce, SALESFORCE_ENV, {**sf_env, threshold: "0"}),
                ("hubspot", hubspot, HUBSPOT_ENV, hs_env),
            ]
            print(HEADER)
            for step, fake, environment, env in runs:
                folder = Path(tmp) / step
                folder.mkdir()
                fake.clear_log()
                result = measure("live", live_spec(folder, environment), env)
                calls = Counter(c.operation for c in fake.calls())
                print(row(step, result, ", ".join(f"{n} {op}" for op, n in sorted(calls.items()))))
        finally:
            salesforce.stop()
            hubspot.stop()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=1_000_000, help="CSV rows (CSV part)")
    parser.add_argument("--keep", type=Path, help="Write the CSV into this folder and keep it.")
    parser.add_argument(
        "--org-deals", type=int, default=50_000, help="deals seeded into the fakes (org part)"
    )
    parser.add_argument(
        "--runs", type=int, default=1, help="CSV part: best of this many anchor and audit runs"
    )
    parser.add_argument("--part", choices=("all", "csv", "org"), default="all")
    parser.add_argument(
        "--skip-python",
        action="store_true",
        help="CSV part: only the anchor and the DuckDB audit (large --rows)",
    )
    parser.add_argument(
        "--baseline", metavar="REV", help="CSV part: also time `audit` as git revision REV has it"
    )
    parser.add_argument("--worker", nargs=2, metavar=("MODE", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker[0], Path(args.worker[1]))
        return
    if args.part in ("all", "csv"):
        csv_part(args.rows, args.keep, args.skip_python, args.baseline, args.runs)
    if args.part in ("all", "org"):
        org_part(args.org_deals)


if __name__ == "__main__":
    main()
