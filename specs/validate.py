"""load -> schema -> references -> resolve -> model checks: the one way a spec becomes a Model."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from handrail.specs.coverage import check_model
from handrail.specs.diagnostics import Diagnostic, SpecError
from handrail.specs.loader import Document, load_bytes, load_file
from handrail.specs.model import Model
from handrail.specs.references import check_references
from handrail.specs.resolve import resolve
from handrail.specs.schema_check import check_schema


@dataclass(frozen=True)
class Validated:
    model: Model
    warnings: tuple[Diagnostic, ...]


def validate_document(doc: Document) -> Validated:
    """Every error at once, as a SpecError; warnings ride along with the model."""
    problems = check_schema(doc)
    if not isinstance(doc.data, dict):
        raise SpecError(problems)
    problems += check_references(doc)
    if any(d.is_error for d in problems):
        raise SpecError(problems)
    model = resolve(doc)
    problems += check_model(model)
    errors = [d for d in problems if d.is_error]
    if errors:
        raise SpecError(problems)
    return Validated(model, tuple(d for d in problems if not d.is_error))


def load_spec(path: str | Path) -> Validated:
    return validate_document(load_file(path))


def load_spec_text(text: str, name: str = "spec.yaml") -> Validated:
    return validate_document(load_bytes(text.encode("utf-8"), name))
