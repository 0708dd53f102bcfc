"""What the monthly review's CRM reports filter on, read from the spec once for both CRMs.

gated_stages      the stages where deals meet the active gates: a gate's own stage when it is open,
                  and for a gate on a closed stage (Closed Won) the last open stage before it
first_touch_days  segments grouped by their first-touch SLA in whole days (hours rounded up), which
                  is the finest a report's relative date filter can express
"""

from __future__ import annotations

import math

from handrail.specs.model import Model, Stage


def gated_stages(model: Model) -> list[Stage]:
    ordered = sorted(model.stages, key=lambda s: s.order)
    open_stages = [s for s in ordered if not (s.closed_won or s.closed_lost)]
    keys = set()
    for gate in model.gates:
        if not gate.active:
            continue
        stage = model.stage(gate.stage)
        if stage in open_stages:
            keys.add(stage.key)
        elif before := [s for s in open_stages if s.order < stage.order]:
            keys.add(before[-1].key)
    return [s for s in open_stages if s.key in keys]


def first_touch_days(model: Model) -> dict[int, list[str]]:
    """{days: segment keys}, days ascending, segments in spec order."""
    days: dict[int, list[str]] = {}
    for s in model.segments:
        days.setdefault(max(1, math.ceil(s.sla.first_touch_hours / 24)), []).append(s.key)
    return dict(sorted(days.items()))
