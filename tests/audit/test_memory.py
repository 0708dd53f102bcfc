"""Streaming: auditing ten times as many deals must not need ten times the memory.

Deals come from a generator (no file); each is a new object, so an audit that kept them, or anything
per deal, would grow with the count. tracemalloc slows Python down several times, so this is the
slowest audit test (about half a minute).
"""

from __future__ import annotations

import tracemalloc
from datetime import datetime, timezone

from audit.dealgen import random_deals

from handrail.generators.audit.engine import AuditOptions, run_audit
from handrail.generators.rules.scoring import Deal

NOW = datetime(2026, 5, 15, 12, tzinfo=timezone.utc)


def stream(pool: list[Deal], n: int):
    """n distinct deals cycling through the pool's field values, owners, stages and close dates."""
    for i in range(n):
        d = pool[i % len(pool)]
        yield Deal(
            id=f"S{i:07d}",
            values=d.values,
            name=d.name,
            owner=d.owner,
            stage=d.stage,
            acv=d.acv,
            deal_type=d.deal_type,
            sales_cycle_days=d.sales_cycle_days,
            extra=d.extra,
        )


def peak_growth(model, pool, n: int) -> tuple[int, dict]:
    tracemalloc.start()
    try:
        baseline, _ = tracemalloc.get_traced_memory()
        report = run_audit(model, stream(pool, n), AuditOptions(now=NOW))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak - baseline, report


def test_memory_stays_flat_from_20_000_to_200_000_deals(example_model):
    pool = list(random_deals(example_model, 997, seed=9))
    run_audit(example_model, stream(pool, 2000), AuditOptions(now=NOW))  # warm caches outside the measurement
    small, small_report = peak_growth(example_model, pool, 20_000)
    large, large_report = peak_growth(example_model, pool, 200_000)
    assert large_report["deals_read"] == 200_000
    assert large_report["closed_won"]["deals"] > 100_000
    # examples stay capped all the same
    assert large_report["closed_won"]["gate_violations"]["deals"] > 10_000
    assert len(large_report["closed_won"]["gate_violations"]["examples"]) == 25
    # a kept reference per deal would cost at least 200,000 x 8 bytes more; allow noise well below that
    assert large < small * 1.5 + 512 * 1024, f"peak grew from {small:,} to {large:,} bytes"
    assert large < 4 * 1024 * 1024, f"peak {large:,} bytes for 200,000 deals"
