"""Shared test fixtures: spec factories, the in-process CLI runner, golden-file comparison."""

from __future__ import annotations

import difflib
import os
import shutil
from pathlib import Path

import pytest
from helpers import EXAMPLE_SPEC, GOLDEN


@pytest.fixture(autouse=True, scope="session")
def _schema_cache_in_a_temporary_folder(tmp_path_factory):
    """build --check caches compiled Metadata API schemas; every test, and every process a test starts,
    keeps them in a temporary folder, never in the real home."""
    before = os.environ.get("HANDRAIL_CACHE_DIR")
    os.environ["HANDRAIL_CACHE_DIR"] = str(tmp_path_factory.mktemp("handrail-cache"))
    yield
    if before is None:
        os.environ.pop("HANDRAIL_CACHE_DIR", None)
    else:
        os.environ["HANDRAIL_CACHE_DIR"] = before


def pytest_addoption(parser):
    parser.addoption("--update-golden", action="store_true", help="Rewrite golden files from current output.")


@pytest.fixture
def example_spec() -> Path:
    return EXAMPLE_SPEC


@pytest.fixture
def example_model():
    from handrail.specs.validate import load_spec

    return load_spec(EXAMPLE_SPEC).model


@pytest.fixture
def run_cli(capfd):
    """Run `handrail ARGS` in-process through the real entry point; returns (exit code, stdout, stderr)."""
    from handrail.cli import main

    def run(*args: str):
        capfd.readouterr()
        try:
            main(list(args))
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        out, err = capfd.readouterr()
        return code, out, err

    return run


@pytest.fixture
def golden(request):
    """golden(case, files): compare {relative path: bytes} with tests/golden/<case>/; --update-golden
    rewrites."""
    update = request.config.getoption("--update-golden")

    def check(case: str, files: dict[str, bytes]) -> None:
        folder = GOLDEN / case
        if update:
            shutil.rmtree(folder, ignore_errors=True)
            for rel, data in files.items():
                (folder / rel).parent.mkdir(parents=True, exist_ok=True)
                (folder / rel).write_bytes(data)
            return
        assert folder.is_dir(), f"no golden files for {case}; run: pytest --update-golden"
        expected = {
            str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
        }
        missing, extra = sorted(set(expected) - set(files)), sorted(set(files) - set(expected))
        assert not missing and not extra, (
            f"{case}: files differ: missing {missing}, unexpected {extra}. "
            "If the change is intended, run: pytest --update-golden"
        )
        for rel in sorted(files):
            if files[rel] != expected[rel]:
                diff = "".join(
                    difflib.unified_diff(
                        expected[rel].decode(errors="replace").splitlines(True),
                        files[rel].decode(errors="replace").splitlines(True),
                        f"golden/{case}/{rel}",
                        "generated",
                        n=2,
                    )
                )
                pytest.fail(
                    f"{case}/{rel} differs from its golden file. If intended, run: pytest "
                    "--update-golden\n" + diff[:6000]
                )

    return check
