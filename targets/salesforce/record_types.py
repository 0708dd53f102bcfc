"""The record types a spec's pipelines name must exist on the org's Opportunity before plan goes on.

Handrail does not create record types or sales processes (they carry the org's own stage lists and page
layout assignments); it refers to them. A pipeline naming a record type the org lacks is a located
error at plan time, with the closest DeveloperName the org has.
"""

from __future__ import annotations

from handrail.specs.diagnostics import SpecError, error
from handrail.specs.model import Model
from handrail.specs.schema_check import listing, suggest


def check_record_types(conn, model: Model) -> None:
    wanted = [p for p in model.pipelines if p.record_type]
    if not wanted:
        return
    have = [
        name.split(".", 1)[1]
        for item in conn.list_metadata("RecordType")
        if (name := item.get("fullName") or "").startswith("Opportunity.")
    ]
    problems = [
        error(
            "salesforce-record-type",
            f"pipeline '{p.key}': the org has no Opportunity record type '{p.record_type}'",
            path=f"pipelines.{p.key}.salesforce.record_type",
            span=p.span,
            hint=suggest(p.record_type, have)
            or (f"the org has {listing(have)}" if have else "the org has no Opportunity record types")
            + "; create it with its sales process in Setup, or name one the org has",
        )
        for p in wanted
        if p.record_type not in have
    ]
    if problems:
        raise SpecError(problems)
