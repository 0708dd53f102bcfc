"""The loader keeps a location for every node and every key."""

from __future__ import annotations

import pytest

from handrail.specs.diagnostics import Span, SpecError
from handrail.specs.loader import load_bytes


def test_spans_for_values_and_keys():
    doc = load_bytes(b"version: 1\nfields:\n  - key: goals\n    weight: 3\n", "s.yaml")
    assert doc.data == {"version": 1, "fields": [{"key": "goals", "weight": 3}]}
    assert doc.span(("fields", 0, "weight")) == Span("s.yaml", 4, 13)
    assert doc.key_span(("fields", 0, "weight")) == Span("s.yaml", 4, 5)
    assert doc.span(("fields", 0)) == Span("s.yaml", 3, 5)


def test_span_of_unknown_path_falls_back_to_nearest_ancestor():
    doc = load_bytes(b"a:\n  b: 1\n", "s.yaml")
    assert doc.span(("a", "zzz", 3)) == doc.span(("a",))


def test_dates_stay_text():
    doc = load_bytes(b"d: 2026-01-31\n", "s.yaml")
    assert doc.data == {"d": "2026-01-31"}


def test_utf8_bom_is_accepted():
    doc = load_bytes("\ufeffversion: 1\nname: Zürich\n".encode("utf-8"), "s.yaml")
    assert doc.data["name"] == "Zürich"


def test_reasonable_aliases_are_allowed():
    doc = load_bytes(b"a: &x [1, 2]\nb: *x\n", "s.yaml")
    assert doc.data == {"a": [1, 2], "b": [1, 2]}


def test_every_duplicate_key_is_reported():
    with pytest.raises(SpecError) as exc:
        load_bytes(b"a: 1\na: 2\nb:\n  c: 1\n  c: 2\n", "s.yaml")
    assert [d.span.line for d in exc.value.diagnostics] == [2, 5]
