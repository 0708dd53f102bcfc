"""Structural fuzzing of the example spec: 2,000+ mutants, no internal error and no hang.

Each mutant changes the parsed example at a random place: a value of another type, a deleted key or item,
unicode and control characters, deep nesting, a renamed or duplicated entry, shared nodes that YAML writes as
anchors and aliases (up to alias bombs). Every mutant goes through what `handrail validate` runs; one that
validates is also compiled for both CRMs. The only acceptable failures are Handrail's own errors (located
diagnostics, exit 2/3); anything else, or a mutant taking longer than HANG_SECONDS, fails the test with the
mutant's YAML written out for replay.
"""

from __future__ import annotations

import copy
import os
import random
import signal
import time
from concurrent.futures import ProcessPoolExecutor

import pytest
import yaml
from helpers import EXAMPLE_SPEC

from handrail.specs.diagnostics import HandrailError, SpecError
from handrail.specs.loader import load_bytes
from handrail.specs.validate import validate_document
from handrail.targets import load_target

MUTANTS = int(os.environ.get("HANDRAIL_MUTANTS", "2000"))
SEED = int(os.environ.get("HANDRAIL_MUTANT_SEED", "20261202"))
HANG_SECONDS = 5
DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # libyaml's writer: ten times faster
RENDERED_AT_MOST = 25  # valid mutants a chunk compiles for both CRMs (compiling costs ~10x validating)

ODD_VALUES = [
    0,
    1,
    -1,
    1.5,
    -0.0,
    10**30,
    float("inf"),
    float("nan"),
    True,
    False,
    None,
    "",
    " ",
    "x",
    "1",
    "true",
    "null",
    "2026-13-45",
    "~",
    [],
    {},
    [1],
    [None],
    {"a": 1},
    {"key": None},
    [[[]]],
    '=HYPERLINK("http://x")',
    "<img src=x onerror=alert(1)>",
    "a" * 5000,
]
UNICODE = [
    "é",
    "Zoë Müller",
    "\u202egnp.exe",
    "😀" * 40,
    "\u200b",
    "１２",
    "ｆｉｅｌｄ",
    "İ",
    "ß",
    "\u0301",
    "line\nbreak",
    "tab\there",
    "nul\x00",
    "bell\x07",
    "\x1b[31mred",
    "\ufeffbom",
    "\u2028sep",
    "日本語のラベル",
    "a\u0000b",
]


def _paths(node, prefix=(), seen=None):
    """Every path in the tree, the root excluded; a shared node (an alias) is walked once."""
    seen = set() if seen is None else seen
    if id(node) in seen:
        return
    seen.add(id(node))
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, child in list(items):
        yield prefix + (key,)
        yield from _paths(child, prefix + (key,), seen)


def _parent(tree, path):
    for part in path[:-1]:
        tree = tree[part]
    return tree


def _bomb(depth: int, width: int):
    node = ["lol"] * width
    for _ in range(depth):
        node = [node] * width  # shared lists: YAML writes them once, as an anchor, then as aliases
    return node


KINDS = ["type", "type", "delete", "unicode", "nest", "rename", "duplicate", "alias", "bomb", "several"]
LIGHT = ["type", "delete", "unicode", "rename", "duplicate", "alias"]  # combined by "several"


def _mutate(tree, rng: random.Random, kinds=KINDS) -> tuple[object, str]:
    tree = copy.deepcopy(tree)
    paths = list(_paths(tree))
    path = rng.choice(paths)
    parent, last = _parent(tree, path), path[-1]
    kind = rng.choice(kinds)
    if kind == "type":
        parent[last] = copy.deepcopy(rng.choice(ODD_VALUES))
    elif kind == "delete":
        del parent[last]
    elif kind == "unicode":
        value = rng.choice(UNICODE)
        parent[last] = value if rng.random() < 0.7 else f"{parent[last]}{value}"
    elif kind == "nest":
        node = parent[last]
        for _ in range(rng.choice([2, 10, 63, 70, 200])):
            node = [node] if rng.random() < 0.5 else {"k": node}
        parent[last] = node
    elif kind == "rename" and isinstance(parent, dict):
        value = parent.pop(last)
        parent[rng.choice([str(last).upper(), f"{last}_", f"{last} ", rng.choice(UNICODE), "true", "1"])] = (
            value
        )
    elif kind == "duplicate" and isinstance(parent, list):
        parent.insert(last, copy.deepcopy(parent[last]))
    elif kind == "alias":
        other = rng.choice(paths)
        try:
            parent[last] = _parent(tree, other)[other[-1]]  # the same object twice: an anchor and an alias
        except (KeyError, IndexError, TypeError):
            parent[last] = parent[last]
    elif kind == "bomb":
        parent[last] = _bomb(rng.choice([3, 6, 9]), rng.choice([5, 9]))
    else:
        for _ in range(rng.randint(2, 6)):
            tree, _ = _mutate(tree, rng, LIGHT)
        return tree, "several"
    return tree, f"{kind} at {'.'.join(map(str, path))}"


def _check(raw: bytes, rendered: list[int]) -> None:
    try:
        validated = validate_document(load_bytes(raw, "mutant.yaml"))
    except SpecError as exc:
        assert exc.diagnostics and all(d.render() for d in exc.diagnostics)
        return
    except HandrailError:
        return
    if rendered[0] < RENDERED_AT_MOST:
        rendered[0] += 1
        for target in ("salesforce", "hubspot"):
            try:
                load_target(target).render(validated.model, {})
            except HandrailError:
                pass


def _alarm(signum, frame):
    raise TimeoutError(f"a mutant took over {HANG_SECONDS} s")


def _run_chunk(chunk: int, count: int, replay_dir: str) -> dict:
    """Mutants numbered from a seed of their own, so each chunk replays the same in any process."""
    base = yaml.safe_load(EXAMPLE_SPEC.read_text(encoding="utf-8"))
    rng = random.Random(SEED * 1000 + chunk)
    rendered, slowest, kinds = [0], (0.0, ""), {}
    signal.signal(signal.SIGALRM, _alarm)
    for number in range(count):
        mutant, what = _mutate(base, rng)
        kinds[what.split(" ")[0]] = kinds.get(what.split(" ")[0], 0) + 1
        try:
            raw = yaml.dump(mutant, Dumper=DUMPER, sort_keys=False, allow_unicode=rng.random() < 0.5).encode()
        except (MemoryError, RecursionError, yaml.YAMLError):
            continue  # a mutant YAML itself cannot write is no input a user could give
        began = time.perf_counter()
        signal.setitimer(signal.ITIMER_REAL, HANG_SECONDS)
        try:
            _check(raw, rendered)
        except BaseException as exc:  # noqa: BLE001 - anything but Handrail's own errors is the finding
            replay = os.path.join(replay_dir, f"mutant-{chunk}-{number}.yaml")
            with open(replay, "wb") as handle:
                handle.write(raw)
            return {
                "failure": f"mutant {chunk}-{number} ({what}; seed {SEED}) raised {type(exc).__name__}: "
                f"{exc}\nreplay: {replay}"
            }
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        slowest = max(slowest, (time.perf_counter() - began, what))
    return {"failure": None, "slowest": slowest, "kinds": kinds, "rendered": rendered[0]}


@pytest.mark.skipif(not hasattr(signal, "setitimer"), reason="the hang guard needs POSIX interval timers")
def test_mutants_of_the_example_spec_give_located_errors_or_build(tmp_path):
    chunks = 4
    started = time.perf_counter()
    with ProcessPoolExecutor(max_workers=min(chunks, os.cpu_count() or 1)) as pool:
        results = list(
            pool.map(_run_chunk, range(chunks), [MUTANTS // chunks] * chunks, [str(tmp_path)] * chunks)
        )
    for result in results:
        assert result["failure"] is None, result["failure"]
    kinds = {kind: sum(r["kinds"].get(kind, 0) for r in results) for kind in KINDS}
    slowest = max(r["slowest"] for r in results)
    print(
        f"\n{MUTANTS} mutants in {time.perf_counter() - started:.1f} s; slowest {slowest[0]:.2f} s "
        f"({slowest[1]}); {sum(r['rendered'] for r in results)} valid ones compiled; kinds {kinds}"
    )
    assert all(kinds[kind] for kind in KINDS)
