"""A stage as flow conditions: its StageName value in every pipeline (one value without pipelines).

With `pipelines:`, a stage may have another StageName value in another record type's sales process, so
"the deal entered Closed Won" is any of those values: decision outcomes and start filters then join
them with OR. A spec without pipelines gets the one condition, joined with AND, as before.
"""

from __future__ import annotations

from handrail.specs.model import Model, Stage
from handrail.specs.pipelines import stage_values
from handrail.targets.salesforce import flow_elements as fe


def stage_entered(model: Model, stage: Stage) -> dict:
    """conditions and conditionLogic for a decision outcome: the record's StageName is the stage."""
    values = stage_values(model, [stage.key], "salesforce") or [stage.salesforce]
    return {
        "conditions": [fe.equals("$Record.StageName", v) for v in values],
        "logic": "or" if len(values) > 1 else "and",
    }


def start_filters(model: Model, stage: Stage) -> list:
    """filterLogic and filters of a record-triggered start on the stage."""
    values = stage_values(model, [stage.key], "salesforce") or [stage.salesforce]
    return [
        ("filterLogic", "or" if len(values) > 1 else "and"),
        ("filters", [fe.record_filter("StageName", "EqualTo", fe.string(v)) for v in values]),
    ]
