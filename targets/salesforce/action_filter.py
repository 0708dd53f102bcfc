"""Which deals a task or notification is for: one flow decision on segment, tier and pipeline.

A task or notification limited by `segments:`, `tiers:` or `pipelines:` sits behind one decision; other
deals go straight on. Segment and tier are the computed fields as the before-save flow set them on this
save; the pipeline is the record type (RecordType.DeveloperName), a record of no record type, or of one no
pipeline names, being in the default pipeline, as the gates' validation rules read it.
"""

from __future__ import annotations

from handrail.generators.rules.scoring import TIER_LABELS
from handrail.specs.model import Model
from handrail.specs.pipelines import pipelines_of
from handrail.targets.salesforce import flow_elements as fe
from handrail.targets.salesforce.flow_elements import FlowBuilder

RECORD_TYPE = "$Record.RecordType.DeveloperName"


def _pipeline_group(model: Model, keys: tuple[str, ...]) -> tuple[str, list, str, str] | None:
    """(word, conditions, how they combine, description) for deals of the pipelines `keys`."""
    every = pipelines_of(model)
    chosen = [p for p in every if p.key in keys]
    if not keys or len(chosen) == len(every):
        return None
    labels = ", ".join(p.label for p in chosen)
    if any(p.default for p in chosen):
        others = [p.record_type for p in every if p not in chosen and p.record_type]
        if not others:
            return None
        return (
            "pipeline",
            [fe.condition(RECORD_TYPE, "NotEqualTo", fe.string(r)) for r in others],
            "AND",
            labels,
        )
    names = [p.record_type for p in chosen if p.record_type]
    return "pipeline", [fe.equals(RECORD_TYPE, r) for r in names], "OR", labels


def only_for(
    flow: FlowBuilder,
    model: Model,
    tag: str,
    first: str,
    then: str | None,
    segments: tuple[str, ...],
    tiers: tuple[str, ...] = (),
    pipelines: tuple[str, ...] = (),
) -> str:
    """`first` for deals in `segments` whose tier is one of `tiers` (none: any tier) and whose pipeline is
    one of `pipelines` (none: any), straight on to `then` for the others (a deal without a tier included,
    when `tiers` limit it)."""
    groups = []  # (word, conditions, how they combine, what the reader sees)
    if not set(segments) >= {s.key for s in model.segments}:
        field = f"$Record.{model.computed_field('segment').salesforce_name}"
        labels = ", ".join(model.segment(k).label for k in segments)
        groups.append(("segment", [fe.equals(field, k) for k in segments], "OR", labels))
    if tiers and not set(tiers) >= set(TIER_LABELS):
        field = f"$Record.{model.computed_field('tier').salesforce_name}"
        values = [v for k, v in TIER_LABELS.items() if k in tiers]
        groups.append(("tier", [fe.equals(field, v) for v in values], "OR", ", ".join(values)))
    pipeline = _pipeline_group(model, pipelines)
    groups += [pipeline] if pipeline else []
    if not groups:
        return first
    conditions, terms = [], []
    for _, parts, joiner, _ in groups:
        numbers = [str(len(conditions) + i) for i in range(1, len(parts) + 1)]
        conditions += parts
        terms.append(numbers[0] if len(numbers) == 1 else f"({f' {joiner} '.join(numbers)})")
    if len(groups) == 1:
        logic = "and" if groups[0][2] == "AND" or len(conditions) == 1 else "or"
    else:
        logic = " AND ".join(terms)
    words = " and ".join(f"{word.capitalize()} is {labels}" for word, _, _, labels in groups)
    return flow.decision(
        f"Applies_{tag}",
        f"{words}?"[:255],
        [fe.rule(f"Applies_To_{tag}", "Applies", conditions, first, logic=logic)],
        default=then,
        default_label=f"Other {' or '.join(word for word, *_ in groups)}",
    )
