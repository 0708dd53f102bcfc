"""Property-based: no input, however broken, produces anything but a valid model or a SpecError."""

from __future__ import annotations

import os

import yaml
from helpers import EXAMPLE_SPEC, MINIMAL_SPEC, json_like
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from handrail.specs.diagnostics import SpecError
from handrail.specs.loader import load_bytes
from handrail.specs.validate import validate_document

WORDS = [
    "version",
    "fields",
    "segments",
    "stages",
    "gates",
    "key",
    "label",
    "type",
    "weight",
    "match",
    "acv",
    "lt",
    "gte",
    "motion",
    "stage",
    "require",
    "min_score",
    "min_tier",
    "segments",
    "options",
    "quality",
    "min_length",
    "deal",
    "csm",
    "field",
    "tiers",
    "ready",
    "gaps",
    "automation",
    "on_closed_won",
    "tasks",
    "due",
    "hours",
    "environments",
    "target",
    "auth",
    "long_text",
    "picklist",
    "all",
    "smb",
    "commit",
    "won",
    "closed_won",
]
data = json_like(WORDS, text=20, items=5, keys=6, leaves=40)

EXAMPLES = int(os.environ.get("HANDRAIL_FUZZ_EXAMPLES", "300"))  # raise it for a longer hunt
EXAMPLE = EXAMPLE_SPEC.read_text()
MINIMAL = MINIMAL_SPEC.read_text()


def check(raw: bytes) -> None:
    try:
        validate_document(load_bytes(raw, "fuzz.yaml"))
    except SpecError as exc:
        assert exc.diagnostics, "a SpecError must carry at least one diagnostic"
        for d in exc.diagnostics:
            assert d.render()


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data)
def test_random_structures(value):
    check(yaml.safe_dump({"version": 1, "x": value} if not isinstance(value, dict) else value).encode())


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=300))
def test_random_bytes(raw):
    check(raw)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from([EXAMPLE, MINIMAL]),
    st.integers(0, 10_000),
    st.integers(0, 40),
    st.text(alphabet="{}[]:-&*!|>'\"#%@` \n\tabc019_", max_size=12),
)
def test_mutated_specs(base, position, cut, insert):
    position %= len(base)
    check((base[:position] + insert + base[position + cut :]).encode("utf-8"))


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(WORDS), data, max_size=8))
def test_random_top_level_keys_on_minimal(extra):
    spec = yaml.safe_load(MINIMAL)
    spec.update(extra)
    check(yaml.safe_dump(spec).encode())


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(["fields", "sizes", "motions", "stages", "gates"]),
    st.integers(0, 5),
    st.dictionaries(st.sampled_from(WORDS), data, max_size=4),
)
def test_random_values_inside_list_items(section, index, patch):
    """Wrong shapes deep inside otherwise valid items: the checks after the schema must cope."""
    spec = yaml.safe_load(EXAMPLE)
    items = spec[section]
    items[index % len(items)].update(patch)
    check(yaml.safe_dump(spec).encode())


def test_regression_list_where_a_key_belongs():
    check(yaml.safe_dump({**yaml.safe_load(MINIMAL), "fields": [{"key": []}]}).encode())
    check(yaml.safe_dump({**yaml.safe_load(MINIMAL), "retired": {"fields": [[1]]}}).encode())
