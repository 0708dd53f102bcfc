"""Checks that need the resolved model: segment coverage, gates that can never pass, generated names."""

from __future__ import annotations

import itertools
from pathlib import Path

from handrail.specs import environment_ids, people
from handrail.specs.diagnostics import Diagnostic, error, warning
from handrail.specs.model import Match, Model, Segment
from handrail.specs.naming import (
    SALESFORCE_RULE_NAME_MAX,
    camel,
    hubspot_name_problem,
    prefixed,
    salesforce_name_problem,
)
from handrail.specs.snapshot_path import SnapshotPathError, confined_snapshot_folder


def check_model(model: Model) -> list[Diagnostic]:
    return [*check_segments(model), *check_gates(model), *check_names(model), *check_environments(model)]


def sample_deals(segments: tuple[Segment, ...]) -> list[dict]:
    """One deal per cell of the partition every segment rule draws: enough to decide coverage exactly."""

    def points(dim: str) -> list[float]:
        bounds = sorted(
            {b for s in segments if getattr(s.match, dim) for b in getattr(s.match, dim).bounds()} | {0.0}
        )
        mids = [(a + b) / 2 for a, b in zip(bounds, bounds[1:])]
        return sorted(set(bounds) | set(mids) | {bounds[-1] + 1})

    return [
        dict(acv=a, deal_type=t, partner_sourced=p, sales_cycle_days=d)
        for a, t, p, d in itertools.product(
            points("acv"), ("new_business", "expansion", "renewal"), (False, True), points("sales_cycle_days")
        )
    ]


def matches(match: Match, deal: dict) -> bool:
    return match.holds(deal["acv"], deal["deal_type"], deal["partner_sourced"], deal["sales_cycle_days"])


def _holds(segment: Segment, deal: dict) -> bool:
    """The segment's rule and, when it names pipelines, the deal's pipeline."""
    in_pipeline = not segment.pipelines or deal.get("pipeline") in segment.pipelines
    return in_pipeline and matches(segment.match, deal)


def _with_pipelines(deals: list[dict], model: Model) -> list[dict]:
    if not model.pipelines:
        return deals
    return [dict(d, pipeline=p.key) for p in model.pipelines for d in deals]


def _describe(deal: dict) -> str:
    return (
        (f"in pipeline '{deal['pipeline']}', " if "pipeline" in deal else "")
        + f"a {deal['deal_type'].replace('_', ' ')} deal, ACV {deal['acv']:g}, "
        f"{'partner-sourced' if deal['partner_sourced'] else 'direct'}, "
        f"sales cycle {deal['sales_cycle_days']:g} days"
    )


def check_segments(model: Model) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    segments = model.segments
    deals = _with_pipelines(sample_deals(segments), model)
    winners: dict[str, int] = {s.key: 0 for s in segments}
    unmatched = []
    for deal in deals:
        first = next((s for s in segments if _holds(s, deal)), None)
        if first is None:
            unmatched.append(deal)
        else:
            winners[first.key] += 1
    if unmatched:
        out.append(
            error(
                "segment-gap",
                f"no segment matches {_describe(unmatched[0])}"
                + (f" (and {len(unmatched) - 1} more kinds of deal)" if len(unmatched) > 1 else ""),
                path="segments",
                span=segments[-1].span,
                hint="add a last segment with match: {} to catch the rest, or widen a range",
            )
        )
    for seg in segments:
        if winners[seg.key] == 0:
            earlier = [
                s.key
                for s in segments[: segments.index(seg)]
                if any(_holds(s, d) and _holds(seg, d) for d in deals)
            ]
            out.append(
                error(
                    "segment-shadowed",
                    f"segment '{seg.key}' can never match: every deal it covers is taken by "
                    + (", ".join(f"'{k}'" for k in earlier) or "no one (its rule is empty)"),
                    path="segments",
                    span=seg.span,
                    hint="segments match in order; move it up or narrow the earlier ones",
                )
            )
    for a, b in itertools.combinations(segments, 2):
        if (
            a.match.dimensions == b.match.dimensions
            and a.match.dimensions
            and a.pipelines == b.pipelines
            and any(_holds(a, d) and _holds(b, d) for d in deals)
        ):
            out.append(
                warning(
                    "segment-overlap",
                    f"segments '{a.key}' and '{b.key}' overlap ({a.match.describe()} / "
                    f"{b.match.describe()}); '{a.key}' wins where both match",
                    path="segments",
                    span=b.span,
                    hint="make the ranges meet without overlapping, e.g. lt: 25000 and gte: 25000",
                )
            )
    return out


def max_score(model: Model, segment: Segment) -> float | None:
    fields = [model.field(k) for k in segment.scored_fields]
    total = sum(f.weight for f in fields)
    if not total:
        return None
    return sum(f.weight * f.max_completion for f in fields) / total * 100


def check_gates(model: Model) -> list[Diagnostic]:
    out = []
    for gate in model.gates:
        floor = gate.require.effective_min_score(model.tiers)
        if floor is None:
            continue
        for key in gate.segments:
            segment = model.segment(key)
            best = max_score(model, segment)
            if best is None:
                out.append(
                    error(
                        "gate-unpassable",
                        f"gate '{gate.key}' needs a score of {floor:g}, but segment '{key}' "
                        "scores no weighted field",
                        path="gates",
                        span=gate.span,
                        hint="give the segment scored_fields, or drop it from the gate",
                    )
                )
            elif best + 1e-9 < floor:
                out.append(
                    error(
                        "gate-unpassable",
                        f"gate '{gate.key}' needs a score of {floor:g}, but segment '{key}' "
                        f"can reach at most {best:.1f}",
                        path="gates",
                        span=gate.span,
                        hint="lower the threshold, or let some options earn full credit",
                    )
                )
    return out


def check_names(model: Model) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    sf_seen: dict[str, str] = {}
    hs_seen: dict[str, str] = {}
    for f in model.fields + model.computed:
        problem = salesforce_name_problem(f.salesforce_name)
        if problem:
            out.append(
                error(
                    "salesforce-name",
                    f"field '{f.key}': Salesforce API name {problem}",
                    span=f.span,
                    hint="shorten the key or naming.salesforce_prefix, or set salesforce: {api_name: ...}",
                )
            )
        elif f.salesforce_name.lower() in sf_seen:
            out.append(
                error(
                    "name-collision",
                    f"field '{f.key}' and '{sf_seen[f.salesforce_name.lower()]}' share the "
                    f"Salesforce API name {f.salesforce_name}",
                    span=f.span,
                )
            )
        sf_seen.setdefault(f.salesforce_name.lower(), f.key)
        problem = hubspot_name_problem(f.hubspot_name)
        if problem:
            out.append(
                error(
                    "hubspot-name",
                    f"field '{f.key}': HubSpot internal name {problem}",
                    span=f.span,
                    hint="set hubspot: {name: ...} or change naming.hubspot_prefix",
                )
            )
        elif f.hubspot_name in hs_seen:
            out.append(
                error(
                    "name-collision",
                    f"field '{f.key}' and '{hs_seen[f.hubspot_name]}' share the HubSpot name "
                    f"{f.hubspot_name}",
                    span=f.span,
                )
            )
        hs_seen.setdefault(f.hubspot_name, f.key)
    for gate in model.gates:
        rule = gate_rule_name(model, gate.key)
        problem = salesforce_name_problem(rule, max_length=SALESFORCE_RULE_NAME_MAX, custom=False)
        if problem:
            out.append(
                error(
                    "salesforce-name",
                    f"gate '{gate.key}': validation rule name {problem}",
                    span=gate.span,
                    hint="use a shorter gate key",
                )
            )
    return out


def gate_rule_name(model: Model, gate_key: str) -> str:
    """The Salesforce validation rule that enforces a gate."""
    return prefixed(model.naming.salesforce_prefix, "Gate", camel(gate_key))


_AUTH = {
    "salesforce": {
        "jwt": ("username_env", "consumer_key_env", "private_key_file_env"),
        "password": ("username_env", "password_env"),
        "access_token": ("access_token_env", "instance_url_env"),
        "sf_cli": ("sf_alias",),
    },
    "hubspot": {"private_app": ("token_env",)},
}


def check_environments(model: Model) -> list[Diagnostic]:
    out = people.check_environments(model) + environment_ids.check(model)  # per-environment values
    for env in model.environments:
        where = f"environments.{env.name}"
        if env.permission_sets and env.target != "salesforce":
            span = env.permission_sets[0][1][0].span if env.permission_sets[0][1] else env.span
            out.append(
                error(
                    "salesforce-only",
                    f"permission_sets assigns Salesforce permission sets; '{env.name}' is a {env.target} "
                    "environment",
                    path=f"{where}.permission_sets",
                    span=span,
                    hint="remove it: HubSpot edit rights are set by hand (see manual-steps.json)",
                )
            )
        bypass = dict(env.permission_sets).get("bypass")
        if bypass and model.gate_bypass is None:
            out.append(
                error(
                    "missing-key",
                    "permission_sets.bypass names holders of the gate bypass, but the spec has no "
                    "gate_bypass",
                    path=f"{where}.permission_sets.bypass",
                    span=bypass[0].span,
                    hint="add gate_bypass: {} (the permission is <prefix>_Gate_Bypass), or remove the list",
                )
            )
        if env.target == "snapshot":
            for key, what in (("path", "path: <folder>"), ("platform", "platform: salesforce or hubspot")):
                if not env.get(key):
                    out.append(
                        error(
                            "missing-key", f"a snapshot environment needs {what}", path=where, span=env.span
                        )
                    )
            if env.get("path"):
                try:
                    confined_snapshot_folder(Path(model.source).resolve().parent, env.get("path"))
                except SnapshotPathError as exc:
                    out.append(
                        error(
                            "snapshot-path",
                            str(exc),
                            path=f"{where}.path",
                            span=env.span,
                            hint="keep org state in a subfolder next to the spec, e.g. org-snapshot",
                        )
                    )
            continue
        methods = _AUTH[env.target]
        auth = env.get("auth")
        if auth is None:
            out.append(
                error(
                    "missing-key", f"missing auth (one of: {', '.join(methods)})", path=where, span=env.span
                )
            )
            continue
        if auth not in methods:
            out.append(
                error(
                    "auth",
                    f"auth '{auth}' does not work with {env.target}; use one of: {', '.join(methods)}",
                    path=where,
                    span=env.span,
                )
            )
            continue
        for key in methods[auth]:
            if not env.get(key):
                out.append(error("missing-key", f"auth '{auth}' needs {key}", path=where, span=env.span))
    return out
