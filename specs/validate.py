"""load -> schema -> references -> resolve -> model checks: the one way a spec becomes a Model."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from handrail.specs.calendar import calendar_problems
from handrail.specs.coverage import check_model
from handrail.specs.diagnostics import Diagnostic, SpecError, error
from handrail.specs.dimensions import expand
from handrail.specs.loader import Document, load_bytes, load_file
from handrail.specs.model import Model
from handrail.specs.pipelines import check_pipelines
from handrail.specs.record import record
from handrail.specs.references import check_references
from handrail.specs.resolve import resolve
from handrail.specs.schema_check import check_schema


@record
class Validated:
    """A spec that passed validation, and its warnings."""

    model: Model
    warnings: tuple[Diagnostic, ...]


def validate_document(doc: Document) -> Validated:
    """Every error at once, as a SpecError; warnings ride along with the model."""
    misshapen: set[tuple] = set()
    problems = check_schema(doc, misshapen)
    if not isinstance(doc.data, dict) or () in misshapen:
        raise SpecError(problems)
    doc, dimension_problems = expand(replace(doc, data=without(doc.data, misshapen)))
    problems += dimension_problems
    if any(d.is_error for d in problems) and "segments" not in doc.data:
        raise SpecError(problems)
    # The reference checks see the spec without the values the schema found misshapen, so they report
    # on everything else in the same pass without tripping over a number where a list belongs.
    checked = replace(doc, data=without(doc.data, misshapen))
    try:
        problems += check_references(checked)
        problems += check_pipelines(checked)
    except Exception:  # noqa: BLE001 - a value the schema already rejected; its diagnostics say what to fix
        if not any(d.is_error for d in problems):
            raise
    for problem in calendar_problems((checked.data or {}).get("calendar")):
        problems.append(error("calendar", problem, path="calendar", span=checked.span(("calendar",))))
    if any(d.is_error for d in problems):
        raise SpecError(problems)
    model = resolve(doc)
    problems += check_model(model)
    errors = [d for d in problems if d.is_error]
    if errors:
        raise SpecError(problems)
    return Validated(model, tuple(d for d in problems if not d.is_error))


def without(data, paths: set[tuple]):
    """A copy of ``data`` with the values at ``paths`` removed (list items become None, keeping indexes);
    only the containers on those paths are copied."""
    if not paths:
        return data
    root = _copy(data)
    copies = {id(root)}
    for path in sorted(paths, key=len):
        node = root
        try:
            for step in path[:-1]:
                child = node[step]
                if id(child) not in copies:
                    child = node[step] = _copy(child)
                    copies.add(id(child))
                node = child
            if isinstance(node, dict):
                node.pop(path[-1], None)
            elif isinstance(node, list):
                node[path[-1]] = None
        except (KeyError, IndexError, TypeError):  # an ancestor was removed already
            continue
    return root


def _copy(value):
    return dict(value) if isinstance(value, dict) else list(value) if isinstance(value, list) else value


def load_spec(path: str | Path) -> Validated:
    return validate_document(load_file(path))


def load_spec_text(text: str, name: str = "spec.yaml") -> Validated:
    return validate_document(load_bytes(text.encode("utf-8"), name))
