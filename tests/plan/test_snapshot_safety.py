"""A snapshot environment stays inside the spec's folder, writes only its own files, and concurrent applies
never overwrite each other (#9)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from helpers import EXAMPLE_SPEC


def handrail(*args: str) -> subprocess.CompletedProcess:
    """The command in a process of its own, as two people (or two CI jobs) would run it."""
    return subprocess.run(
        [sys.executable, "-m", "handrail.cli", *args], capture_output=True, text=True, timeout=120
    )


def project(
    folder: Path, path: str = "org-snapshot", name: str = "handoff.yaml", edit: tuple[str, str] | None = None
) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    text = EXAMPLE_SPEC.read_text()
    text = text.replace("    path: org-snapshot\n", f"    path: '{path}'\n", 1)
    if edit:
        assert edit[0] in text
        text = text.replace(*edit, 1)
    spec = folder / name
    spec.write_text(text)
    return spec


def spec_line(spec: Path, needle: str) -> int:
    return next(n for n, line in enumerate(spec.read_text().splitlines(), 1) if needle in line)


@pytest.mark.parametrize(
    "path, says",
    [
        (".", "is the spec's own folder"),
        ("../../x", "climbs out of the spec's folder with '..'"),
        ("org/../../x", "climbs out of the spec's folder with '..'"),
        ("/tmp/handrail-elsewhere", "is absolute"),
    ],
)
def test_a_snapshot_path_outside_the_spec_folder_is_a_located_error(run_cli, tmp_path, path, says):
    spec = project(tmp_path / "crm", path)
    code, _, err = run_cli("validate", str(spec))
    assert code == 3, err
    assert f"{spec}:{spec_line(spec, '    target: snapshot')}:5: " in err
    assert "environments.snapshot.path:" in err and says in err
    # and apply refuses before writing anything: the spec and its folder are untouched
    (tmp_path / "crm" / "notes.txt").write_text("mine")
    code, _, err = run_cli("apply", "--spec", str(spec), "--env", "snapshot", "--yes")
    assert code == 3 and says in err
    assert sorted(p.name for p in (tmp_path / "crm").iterdir()) == ["handoff.yaml", "notes.txt"]
    assert not Path("/tmp/handrail-elsewhere").exists()


def test_a_snapshot_path_leaving_through_a_symlink_is_refused(run_cli, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep.txt").write_text("not Handrail's")
    spec = project(tmp_path / "crm", "org-snapshot")
    (tmp_path / "crm" / "org-snapshot").symlink_to(outside)
    code, _, err = run_cli("validate", str(spec))
    assert code == 3 and "leads outside the spec's folder" in err and "symbolic link" in err
    code, _, err = run_cli("apply", "--spec", str(spec), "--env", "snapshot", "--yes")
    assert code == 3 and "leads outside the spec's folder" in err
    assert [p.name for p in outside.iterdir()] == ["keep.txt"]


def test_apply_writes_only_its_own_files_in_the_snapshot(run_cli, tmp_path):
    spec = project(tmp_path / "crm", "org-snapshot")
    snapshot = tmp_path / "crm" / "org-snapshot"
    assert run_cli("apply", "--spec", str(spec), "--env", "snapshot", "--yes")[0] == 0
    # files that are not components Handrail wrote: a README, a non-JSON file in a kind folder, a dot folder
    (snapshot / "README.md").write_text("how we keep this snapshot")
    (snapshot / "CustomField" / "notes.txt").write_text("review these")
    (snapshot / ".git").mkdir()
    (snapshot / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    spec.write_text(spec.read_text().replace("label: Risk Flags", "label: Risks", 1))
    code, out, err = run_cli("apply", "--spec", str(spec), "--env", "snapshot", "--yes")
    assert code == 0, err
    assert (snapshot / "README.md").read_text() == "how we keep this snapshot"
    assert (snapshot / "CustomField" / "notes.txt").read_text() == "review these"
    assert (snapshot / ".git" / "HEAD").is_file()
    field = json.loads((snapshot / "CustomField" / "Opportunity.Handoff_Risk_Flags__c.json").read_text())
    assert field["label"] == "Risks"
    assert not [p for p in snapshot.rglob(".*.json*") if p.is_file()], "no temporary file left behind"


def test_apply_refuses_a_folder_that_is_not_a_snapshot(run_cli, tmp_path):
    spec = project(tmp_path / "crm", "docs")
    (tmp_path / "crm" / "docs").mkdir()
    (tmp_path / "crm" / "docs" / "guide.md").write_text("# guide")
    code, _, err = run_cli("apply", "--spec", str(spec), "--env", "snapshot", "--yes")
    assert code == 3 and "holds files but no snapshot.json" in err
    assert [p.name for p in (tmp_path / "crm" / "docs").iterdir()] == ["guide.md"]


def test_an_apply_planned_before_another_apply_wrote_is_refused(tmp_path):
    """Compare-and-swap, deterministically: two plans from the same state; the second to write refuses."""
    from handrail.generators.plan.saved import StalePlanError
    from handrail.specs.validate import load_spec
    from handrail.targets.pipeline import make_plan

    folder = tmp_path / "crm"
    base = project(folder)
    first = project(folder, name="a.yaml", edit=("label: Risk Flags", "label: Risks A"))
    second = project(folder, name="b.yaml", edit=("label: Stakeholder Map", "label: Stakeholders B"))
    baseline = make_plan(load_spec(base).model, "snapshot")
    baseline.org.apply(baseline.plan, baseline.desired)
    plan_a = make_plan(load_spec(first).model, "snapshot")
    plan_b = make_plan(load_spec(second).model, "snapshot")
    assert plan_a.org.apply(plan_a.plan, plan_a.desired).ok
    with pytest.raises(StalePlanError, match="changed after this apply planned"):
        plan_b.org.apply(plan_b.plan, plan_b.desired)
    field = json.loads(
        (folder / "org-snapshot" / "CustomField" / "Opportunity.Handoff_Risk_Flags__c.json").read_text()
    )
    assert field["label"] == "Risks A", "the first apply's change survives"


FIELD = {"a.yaml": "Opportunity.Handoff_Risk_Flags__c", "b.yaml": "Opportunity.Handoff_Stakeholder_Map__c"}
ROUNDS = int(os.environ.get("HANDRAIL_CONCURRENT_ROUNDS", "6"))


def test_concurrent_applies_with_different_specs_never_mix(tmp_path):
    """Two real `handrail apply` processes at once, many times: each either applies a plan made from the
    state it replaces, or refuses (exit 1, stale plan). The snapshot always ends equal to one spec that
    applied, never a mix of both (the old code exited 0 twice and left half of each)."""
    refused = 0
    for n in range(ROUNDS):
        folder = tmp_path / f"round{n}"
        base = project(folder)
        specs = [
            project(folder, name="a.yaml", edit=("label: Risk Flags", "label: Risks A")),
            project(folder, name="b.yaml", edit=("label: Stakeholder Map", "label: Stakeholders B")),
        ]
        assert handrail("apply", "--spec", str(base), "--env", "snapshot", "--yes").returncode == 0
        gate = threading.Barrier(2)
        results: dict[Path, subprocess.CompletedProcess] = {}

        def run(spec: Path) -> None:
            gate.wait()
            results[spec] = handrail("apply", "--spec", str(spec), "--env", "snapshot", "--yes")

        threads = [threading.Thread(target=run, args=(spec,)) for spec in specs]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        applied = [spec for spec in specs if results[spec].returncode == 0]
        for spec in specs:
            done = results[spec]
            assert done.returncode in (0, 1), done.stderr
            if done.returncode == 1:
                assert "changed after this apply planned" in done.stderr
                assert "run `handrail plan` again" in done.stderr
                refused += 1
        assert applied, [results[s].stderr for s in specs]
        matches = [
            spec
            for spec in applied
            if handrail("plan", "--spec", str(spec), "--env", "snapshot", "--exit-code").returncode == 0
        ]
        assert matches, f"round {n}: the snapshot matches no spec that applied (a mix of both): " + "\n".join(
            f"{s.name}: {results[s].returncode} {results[s].stdout} {results[s].stderr}" for s in specs
        )
        if len(applied) == 2:  # then the last writer must have planned from the first one's result
            (winner,) = [s for s in matches]
            loser_field = FIELD[specs[1 - specs.index(winner)].name]
            assert loser_field in results[winner].stdout, (
                f"round {n}: both applied, but {winner.name} planned without seeing {loser_field} change: "
                "the other apply's change was silently lost"
            )
        shutil.rmtree(folder)
    print(f"{ROUNDS} rounds, {refused} stale-plan refusals")
