"""A deal's pipeline in a file or a live read, when the spec has `pipelines:`.

The column goes by pipeline (HubSpot's `pipeline` property and export column, the pipeline id or
label) or record type (Salesforce's RecordType.DeveloperName, read as the column RecordType, or the
record type's name in a report export). Its value names a pipeline by key, record type, HubSpot id or
label, ignoring case; a blank or unknown value is the default pipeline. The deal's stage is then read
through that pipeline's stage values first.
"""

from __future__ import annotations

from typing import Any, Iterable

from handrail.generators.data.columns import normalise
from handrail.specs.model import Model
from handrail.specs.pipelines import Pipeline

NAMES = (
    "pipeline",
    "deal_pipeline",
    "pipeline_id",
    "recordtype",
    "record_type",
    "recordtype.developername",
    "record_type_name",
    "opportunity_record_type",
)


def pipeline_column(model: Model, header: Iterable[str]) -> str | None:
    if not model.pipelines:
        return None
    by_name = {normalise(h): h for h in header if h is not None}
    return next((by_name[n] for n in NAMES if n in by_name), None)


def read_pipeline(model: Model, raw: Any) -> Pipeline:
    text = str(raw or "").strip().lower()
    for p in model.pipelines:
        if text and text in {v.lower() for v in (p.key, p.label, p.record_type, p.hubspot_id) if v}:
            return p
    return next(p for p in model.pipelines if p.default)


def pipeline_stage(pipeline: Pipeline, raw_stage: Any) -> str | None:
    """The spec stage key whose value in this pipeline (Salesforce or HubSpot) is `raw_stage`."""
    text = str(raw_stage).strip().lower()
    return next(
        (s.stage for s in pipeline.stages if text in {v.lower() for v in (s.salesforce, s.hubspot) if v}),
        None,
    )


def deal_stage(lookup: dict[str, str], pipeline: Pipeline | None, raw_stage: Any) -> str | None:
    """The stage key of a deal: through its pipeline's values, else any way the spec names a stage."""
    if raw_stage in (None, ""):
        return None
    return (pipeline and pipeline_stage(pipeline, raw_stage)) or lookup.get(str(raw_stage).strip().lower())


def with_pipeline_values(model: Model, lookup: dict[str, str]) -> dict[str, str]:
    """`lookup` (stage key by lower-cased name) with every pipeline's stage values added."""
    for ps in (ps for p in model.pipelines for ps in p.stages):
        for value in (ps.salesforce, ps.hubspot):
            if value:
                lookup.setdefault(value.lower(), ps.stage)
    return lookup
