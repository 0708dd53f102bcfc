"""The segment test a segment naming `pipelines:` adds: the deal is in one of those pipelines.

A deal's pipeline is its pipeline key (specs.pipelines.deal_pipeline: from the record type's
DeveloperName in Salesforce, the `pipeline` property in HubSpot, a pipeline column in a file); a deal
with none, or with one no pipeline names, is in the default pipeline.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class InPipeline:
    pipelines: tuple[Any, ...]  # specs.pipelines.Pipeline, in spec order
    default: str  # the default pipeline's key

    def value(self, d: Any) -> bool:
        return (getattr(d, "pipeline", None) or self.default) in {p.key for p in self.pipelines}


def in_pipeline(model: Any, keys: tuple[str, ...]) -> InPipeline:
    default = next((p.key for p in model.pipelines if p.default), "")
    return InPipeline(tuple(p for p in model.pipelines if p.key in keys), default)
