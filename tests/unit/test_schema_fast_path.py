"""The fast schema check gives jsonschema's answer: a spec it accepts has no schema error to report.

`check_schema` runs jsonschema (the reference, and the source of every message) only when the fast check
rejects a spec, so the two must agree on every input: the bad-spec corpus, the spec files in the
repository, thousands of mutants of the example spec, and random values put inside its items.
"""

from __future__ import annotations

import importlib.util
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from helpers import EXAMPLE_SPEC, ROOT, json_like
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from handrail.specs import schema_check
from handrail.specs.diagnostics import SpecError
from handrail.specs.loader import load_bytes
from handrail.specs.schema_check import check_schema, is_valid, schema

UNIT = Path(__file__).resolve().parent
MUTANTS = int(os.environ.get("HANDRAIL_FAST_PATH_MUTANTS", "500"))  # raise it for a longer hunt
REFERENCE = Draft202012Validator(schema())


def _module(name: str):
    spec = importlib.util.spec_from_file_location(f"_fast_path_{name}", UNIT / f"{name}.py")
    module = sys.modules[spec.name] = importlib.util.module_from_spec(spec)  # dataclasses look it up
    spec.loader.exec_module(module)
    return module


def _data(raw: bytes):
    try:
        return load_bytes(raw, "spec.yaml").data
    except SpecError:  # the loader refused it: the schema never sees it
        return None


def _agree(data) -> bool:
    fast, reference = is_valid(data), REFERENCE.is_valid(data)
    assert fast == reference, f"fast check says {fast}, jsonschema {reference}, for {str(data)[:2000]}"
    return fast


def test_every_spec_file_in_the_repository():
    files = sorted(ROOT.glob("specs/examples/*.yaml")) + sorted((ROOT / "tests" / "specs").glob("*.yaml"))
    verdicts = [_agree(data) for path in files if (data := _data(path.read_bytes())) is not None]
    assert len(verdicts) >= 5 and any(verdicts)


def test_the_bad_spec_corpus():
    cases = _module("test_bad_specs").CASES
    loaded = [
        data
        for case in cases
        if (data := _data(case.text if isinstance(case.text, bytes) else case.text.encode("utf-8")))
        is not None
    ]
    verdicts = [_agree(data) for data in loaded]
    assert len(verdicts) >= 15 and not all(verdicts)


def test_mutants_of_the_example_spec():
    mutants = _module("test_spec_mutants")
    base = yaml.safe_load(EXAMPLE_SPEC.read_text(encoding="utf-8"))
    rng = random.Random(20261202)
    seen = {True: 0, False: 0}
    for _ in range(MUTANTS):
        tree, _what = mutants._mutate(base, rng)
        try:
            raw = yaml.dump(tree, Dumper=mutants.DUMPER, sort_keys=False).encode()
        except (MemoryError, RecursionError, yaml.YAMLError):
            continue
        data = _data(raw)
        if data is not None:
            seen[_agree(data)] += 1
    assert seen[True] >= MUTANTS // 10 and seen[False] >= MUTANTS // 10, seen


def test_uniqueness_follows_jsonschema_in_its_corner_cases():
    for items in (
        [1, True],
        [0, False],
        [1, 1.0],
        [[1], [True], [1]],
        [{"a": 1}, {"a": True}],
        ["a", "a"],
        [float("nan"), float("nan")],
        [None, None],
        [[], {}],
        ["a", 1, "a"],
    ):
        assert schema_check._unique(items) == REFERENCE.evolve(schema={"uniqueItems": True}).is_valid(items)


WORDS = [
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
    "options",
    "min_score",
    "segments",
    "fields",
    "quality",
    "min_length",
    "csm",
    "hours",
    "due",
    "tasks",
    "picklist",
]
values = json_like(WORDS, text=12, items=4, keys=4, leaves=20)


@settings(
    max_examples=int(os.environ.get("HANDRAIL_FUZZ_EXAMPLES", "300")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    st.sampled_from(["fields", "segments", "stages", "gates", "automation", "environments"]),
    st.integers(0, 5),
    st.dictionaries(st.sampled_from(WORDS), values, max_size=3),
)
def test_random_values_inside_the_example_spec(section, index, patch):
    spec = yaml.safe_load(EXAMPLE_SPEC.read_text(encoding="utf-8"))
    part = spec.get(section)
    if isinstance(part, list) and part and isinstance(part[index % len(part)], dict):
        part[index % len(part)].update(patch)
    elif isinstance(part, dict):
        part.update(patch)
    _agree(spec)


def test_a_keyword_the_fast_check_does_not_know_is_refused():
    with pytest.raises(ValueError, match="multipleOf"):
        schema_check._Compiler({}).compile({"multipleOf": 2})


def test_a_valid_spec_is_checked_without_importing_jsonschema():
    code = (
        "import sys\n"
        "from handrail.specs.loader import load_file\n"
        "from handrail.specs.schema_check import check_schema\n"
        f"assert check_schema(load_file({str(EXAMPLE_SPEC)!r})) == []\n"
        "assert 'jsonschema' not in sys.modules, 'imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_an_invalid_spec_still_gets_jsonschemas_located_messages():
    text = EXAMPLE_SPEC.read_text(encoding="utf-8").replace("version: 1", "version: 2", 1)
    problems = check_schema(load_bytes(text.encode("utf-8"), "spec.yaml"))
    assert [d.message for d in problems] == ["must be 1, not 2"]
