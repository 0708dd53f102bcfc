"""Diagnostics: every problem Handrail reports about its input, with where it is and what to do."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from handrail.specs.record import record


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Span:
    """A position in a source file; line and column count from 1."""

    file: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


@record
class Diagnostic:
    """One problem found in the spec or an input file: severity, stable code, message and location."""

    severity: Severity
    code: str  # stable identifier, e.g. "schema", "unknown-reference"
    message: str
    path: str = ""  # spec path such as "fields[2].weight"
    span: Span | None = None
    hint: str = ""

    def render(self) -> str:
        where = f"{self.span}: " if self.span else ""
        path = f"{self.path}: " if self.path else ""
        label = "" if self.severity is Severity.ERROR else "warning: "
        hint = f" ({self.hint})" if self.hint else ""
        return f"{where}{label}{path}{self.message}{hint}"

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR


def error(code: str, message: str, *, path: str = "", span: Span | None = None, hint: str = "") -> Diagnostic:
    return Diagnostic(Severity.ERROR, code, message, path, span, hint)


def warning(
    code: str, message: str, *, path: str = "", span: Span | None = None, hint: str = ""
) -> Diagnostic:
    return Diagnostic(Severity.WARNING, code, message, path, span, hint)


class HandrailError(Exception):
    """Base of every error the CLI turns into an exit code instead of a traceback."""

    exit_code = 1


class SpecError(HandrailError):
    """The spec (or another input file) is invalid; carries every diagnostic found."""

    exit_code = 3

    def __init__(self, diagnostics: list[Diagnostic]):
        self.diagnostics = sorted(diagnostics, key=_order)
        super().__init__("\n".join(d.render() for d in self.diagnostics))


class UsageProblem(HandrailError):
    """A command was given something it cannot use (an unknown environment, say): exit 2, like a bad
    option."""

    exit_code = 2


class InputError(HandrailError):
    """A data file given to a command (deals, plans) cannot be read."""

    exit_code = 3


def _order(d: Diagnostic) -> tuple:
    span = d.span or Span("", 0, 0)
    return (span.file, span.line, span.column, d.path, d.message)


def format_path(parts: tuple) -> str:
    """('fields', 2, 'weight') -> 'fields[2].weight'."""
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out
