"""A deal's stage as an export or a live read names it: the stage's key, label, or CRM value."""

from __future__ import annotations

from handrail.generators.data import pipeline_column as pipes
from handrail.specs.model import Model


def stage_lookup(model: Model) -> dict[str, str]:
    """Stage key by each way an export may name the stage (key, label, CRM value), lower-cased."""
    out: dict[str, str] = {}
    for s in model.stages:
        for value in (s.key, s.label, s.salesforce, s.hubspot):
            if value:
                out.setdefault(value.lower(), s.key)
    return pipes.with_pipeline_values(model, out)
