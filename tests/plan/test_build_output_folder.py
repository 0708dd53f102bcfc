"""`build --out` replaces only folders Handrail wrote: never the user's files, the spec's folder or a
parent."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from handrail.generators.output.folder import MARKER
from tests.helpers import EXAMPLE_SPEC


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A repository-like folder holding the spec and a .git, run from inside it."""
    shutil.copy(EXAMPLE_SPEC, tmp_path / "handoff.yaml")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


@pytest.mark.parametrize("target", ["salesforce", "hubspot"])
def test_build_marks_its_folder_and_replaces_it_on_the_next_build(project, run_cli, target):
    code, out, _ = run_cli("build", "--target", target, "--out", "out")
    assert code == 0, out
    marker = json.loads((project / "out" / MARKER).read_text())
    assert marker["written_by"] == "handrail" and marker["target"] == target
    assert set(marker["files"]) == set(_tree(project / "out")) - {MARKER}
    assert run_cli("build", "--target", target, "--out", "out")[0] == 0


def test_a_folder_of_user_files_is_refused_and_left_as_it_was(project, run_cli):
    (project / "docs" / "userdata").mkdir(parents=True)
    (project / "docs" / "userdata" / "notes.txt").write_text("mine")
    before = _tree(project)
    code, _, err = run_cli("build", "--target", "hubspot", "--out", "docs/userdata")
    assert code == 2
    assert "docs/userdata holds 1 file(s) Handrail did not write" in err and "notes.txt" in err
    assert "--force" in err
    assert _tree(project) == before


def test_a_file_added_to_a_built_folder_is_never_deleted_silently(project, run_cli):
    assert run_cli("build", "--target", "salesforce", "--out", "out")[0] == 0
    (project / "out" / "README.local").write_text("keep me")
    code, _, err = run_cli("build", "--target", "salesforce", "--out", "out")
    assert code == 2 and "README.local" in err
    assert (project / "out" / "README.local").read_text() == "keep me"


def test_force_lists_what_goes_then_replaces(project, run_cli):
    (project / "other").mkdir()
    (project / "other" / "old.txt").write_text("x")
    code, out, err = run_cli("build", "--target", "hubspot", "--out", "other", "--force")
    assert code == 0, err
    assert "--force: deleting other/old.txt" in err
    assert not (project / "other" / "old.txt").exists() and (project / "other" / MARKER).exists()


@pytest.mark.parametrize(
    "out, force, reason",
    [
        (".", True, "is the working directory"),
        ("~", True, "is the home folder"),
        ("..", False, "is a parent of"),
        ("/", False, "is the root folder"),
    ],
)
def test_protected_folders_are_refused_even_with_force(project, run_cli, monkeypatch, out, force, reason):
    # a stand-in home: a broken guard must not cost a real one
    monkeypatch.setenv("HOME", str(project / "home"))
    (project / "home").mkdir()
    out = os.path.expanduser(out)
    before = _tree(project)
    code, _, err = run_cli("build", "--target", "hubspot", "--out", out, *(["--force"] if force else []))
    assert code == 2 and reason in err and "internal error" not in err
    assert _tree(project) == before


def test_the_spec_folder_is_refused_from_anywhere(tmp_path, project, run_cli, monkeypatch):
    elsewhere = tmp_path.parent / f"{tmp_path.name}-cwd"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    code, _, err = run_cli(
        "build",
        "--spec",
        str(project / "handoff.yaml"),
        "--target",
        "hubspot",
        "--out",
        str(project),
        "--force",
    )
    assert code == 2 and "is the folder of handoff.yaml" in err
    assert (project / ".git" / "HEAD").exists()


def test_symlinks_are_refused_and_nothing_is_left_behind(project, run_cli):
    assert run_cli("build", "--target", "salesforce", "--out", "real")[0] == 0
    os.symlink("real", project / "link")
    os.symlink("nowhere", project / "broken")
    before = sorted(os.listdir(project))
    code, _, err = run_cli("build", "--target", "salesforce", "--out", "link")
    assert code == 2 and "symbolic link to real" in err
    code, _, err = run_cli("build", "--target", "salesforce", "--out", "broken")
    assert code == 2 and "which does not exist" in err
    assert sorted(os.listdir(project)) == before  # no .link.old.PID, no staging folder


def test_a_file_as_out_is_a_usage_error(project, run_cli):
    code, _, err = run_cli("build", "--target", "hubspot", "--out", "handoff.yaml")
    assert code == 2 and "is a file, not a folder" in err
    assert (project / "handoff.yaml").read_bytes() == EXAMPLE_SPEC.read_bytes()


def test_an_unwritable_place_is_an_error_that_names_it(project, run_cli):
    code, _, err = run_cli("build", "--target", "hubspot", "--out", "/proc/handrail-out")
    assert code == 1 and "internal error" not in err and "/proc" in err
