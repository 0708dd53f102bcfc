"""The layering docs/ARCHITECTURE.md describes, kept by checks: who may import whom, and how big a
module may grow."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from helpers import ROOT

LAYERS = ("specs", "generators", "targets")
MAX_LINES = 400


def _modules() -> list[Path]:
    found = [ROOT / "cli.py"]
    for layer in LAYERS:
        found += sorted((ROOT / layer).rglob("*.py"))
    return found


def _imports(path: Path) -> list[tuple[int, str]]:
    """(line, module) for every `import handrail...` and `from handrail... import`, lazy ones included."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.append((node.lineno, node.module))
        elif isinstance(node, ast.Import):
            out += [(node.lineno, alias.name) for alias in node.names]
    return [(line, name) for line, name in out if name == "handrail" or name.startswith("handrail.")]


def _rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


RULES = [
    # (modules the rule covers, imports they may not make, why)
    ("specs/", ("handrail.generators", "handrail.targets", "handrail.cli"), "specs import only specs"),
    ("generators/", ("handrail.targets", "handrail.cli"), "generators never import upward"),
    (
        "targets/",
        ("handrail.generators.audit", "handrail.generators.brief", "handrail.cli"),
        "targets never import the audit or the brief",
    ),
]


@pytest.mark.parametrize("prefix, forbidden, why", RULES, ids=[rule[2] for rule in RULES])
def test_import_rules(prefix, forbidden, why):
    broken = [
        f"{_rel(path)}:{line}: imports {name}"
        for path in _modules()
        if _rel(path).startswith(prefix)
        for line, name in _imports(path)
        if any(name == f or name.startswith(f + ".") for f in forbidden)
    ]
    assert not broken, f"{why}:\n" + "\n".join(broken)


def test_no_module_is_over_the_size_limit():
    sizes = {_rel(path): len(path.read_text(encoding="utf-8").splitlines()) for path in _modules()}
    over = {name: lines for name, lines in sizes.items() if lines > MAX_LINES}
    assert not over, f"modules over {MAX_LINES} lines: {over}"


def test_the_rules_see_every_layer():
    """A rule that matches no module would pass without checking anything."""
    covered = {_rel(path).split("/")[0] for path in _modules()}
    assert covered == {"cli.py", *LAYERS}
    assert sum(1 for path in _modules() for _ in _imports(path)) > 200
