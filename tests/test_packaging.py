"""The repository root is the import package `handrail`: guard the mapping and what the wheel ships."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
import zipfile

import pytest
from helpers import ROOT

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
BARE_IMPORT = re.compile(r"^(from|import)\s+((specs|generators|targets|cli)\b|\.)")
DECLARED = set(PYPROJECT["tool"]["setuptools"]["packages"])


def test_every_python_folder_is_declared():
    found = {"handrail"}
    for top in ("specs", "generators", "targets"):
        for init in (ROOT / top).rglob("__init__.py"):
            rel = init.parent.relative_to(ROOT)
            found.add(".".join(("handrail", *rel.parts)))
    assert found <= DECLARED, f"undeclared packages (add them to pyproject.toml): {sorted(found - DECLARED)}"


def test_declared_packages_exist():
    for name in DECLARED - {"handrail"}:
        folder = ROOT.joinpath(*name.split(".")[1:])
        assert folder.is_dir(), f"{name} is declared but {folder} does not exist"


def test_cli_is_the_only_root_module():
    # every *.py at the root is shipped inside the package, so nothing else may live there
    assert sorted(p.name for p in ROOT.glob("*.py")) == ["cli.py"]


def test_console_script_points_at_the_cli():
    assert PYPROJECT["project"]["scripts"] == {"handrail": "handrail.cli:console"}


def test_imports_go_through_the_package():
    offenders = []
    for path in ROOT.rglob("*.py"):
        if ".venv" in path.parts or "node_modules" in path.parts:
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            stripped = line.strip()
            if BARE_IMPORT.match(stripped):
                offenders.append(f"{path.relative_to(ROOT)}:{n}: {stripped}")
    assert not offenders, "import through handrail.*:\n" + "\n".join(offenders)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    out = tmp_path_factory.mktemp("wheel")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(out),
            str(ROOT),
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    (path,) = out.glob("handrail-*.whl")
    with zipfile.ZipFile(path) as zf:
        return zf.namelist()


def test_wheel_holds_only_the_handrail_package(wheel):
    tops = {name.split("/")[0] for name in wheel}
    assert {t for t in tops if not t.endswith(".dist-info")} == {"handrail"}
    assert not any(name.startswith("handrail/tests/") or "/benchmarks/" in name for name in wheel)


def test_wheel_ships_data_files(wheel):
    for needed in (
        "handrail/cli.py",
        "handrail/specs/spec.schema.json",
        "handrail/specs/examples/handoff.yaml",
        "handrail/specs/examples/deals.csv",
        "handrail/py.typed",
    ):
        assert needed in wheel, needed
