"""The GitHub Actions example, run step by step as a runner would, against snapshot orgs.

Each `run:` step goes through the shell the workflow declares. GitHub documents `shell: bash` as
`bash --noprofile --norc -eo pipefail {0}` and an unset shell as `bash -e {0}` (no pipefail)
(docs.github.com, "Workflow syntax for GitHub Actions", jobs.<job_id>.steps[*].shell). `uses:` steps are
played by small stand-ins: checkout and setup-python do nothing (the project's own `handrail` is on PATH),
the artifact actions copy a folder, and the PR-comment script runs in Node.js against a stateful stand-in
of the GitHub REST client. `pip install` is a recorder: the test checks it is given a pinned source.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from helpers import ROOT

WORKFLOW = ROOT / "examples" / "ci" / "handrail.yml"
EXAMPLE = ROOT / "specs" / "examples" / "handoff.yaml"
SHELLS = {"bash": ["bash", "--noprofile", "--norc", "-eo", "pipefail"], None: ["bash", "-e"]}
EXPRESSION = re.compile(r"\$\{\{\s*([^}]*?)\s*\}\}")
SOURCE = "git+https://example.invalid/handrail@v0.1.0"


def workflow() -> dict:
    return yaml.safe_load(WORKFLOW.read_text())


class Runner:
    """Plays the workflow's jobs in one working copy, keeping artifacts and the step summary."""

    def __init__(self, tmp: Path):
        self.repo, self.temp, self.artifacts = tmp / "repo", tmp / "runner-temp", tmp / "artifacts"
        for folder in (self.repo, self.temp, self.artifacts):
            folder.mkdir()
        self.summary = tmp / "summary.md"
        self.pip_log = tmp / "pip.log"
        shims = tmp / "bin"
        shims.mkdir()
        (shims / "pip").write_text(f'#!/bin/sh\necho "$@" >> {self.pip_log}\n')
        (shims / "pip").chmod(0o755)
        self.path = os.pathsep.join([str(shims), str(Path(sys.executable).parent), os.environ["PATH"]])
        self.comments: list[dict] = []
        self.spec = self.repo / "handoff.yaml"
        spec = yaml.safe_load(EXAMPLE.read_text())
        spec["environments"] = {
            "sandbox": {"target": "snapshot", "platform": "salesforce", "path": "orgs/sandbox"},
            "production": {
                "target": "snapshot",
                "platform": "salesforce",
                "path": "orgs/production",
                "production": True,
            },
        }
        self.spec.write_text(yaml.safe_dump(spec, sort_keys=False))

    def _value(self, expression: str) -> str:
        scope, _, name = expression.partition(".")
        if scope == "secrets":
            return f"test-{name.lower()}"
        if scope == "vars":
            return {"HANDRAIL_SOURCE": SOURCE}[name]
        raise AssertionError(f"the test does not know ${{{{ {expression} }}}}")

    def _env(self, *layers: dict | None) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("HANDRAIL_", "SF_", "HUBSPOT_"))}
        env.update(PATH=self.path, RUNNER_TEMP=str(self.temp), GITHUB_STEP_SUMMARY=str(self.summary))
        for layer in layers:
            for key, value in (layer or {}).items():
                env[key] = EXPRESSION.sub(lambda m: self._value(m.group(1)), str(value))
        return env

    def run_job(self, name: str) -> dict[str, int]:
        """Exit code of each step that ran, by step name; steps after a failure are skipped unless
        always()."""
        flow = workflow()
        job = flow["jobs"][name]
        shell = SHELLS[(flow.get("defaults") or {}).get("run", {}).get("shell")]
        codes: dict[str, int] = {}
        failed = False
        for number, step in enumerate(job["steps"]):
            if failed and step.get("if") != "always()":
                continue
            label = step.get("name") or step.get("uses") or f"step {number}"
            env = self._env(flow.get("env"), job.get("env"), step.get("env"))
            if "uses" in step:
                code = self._uses(step, env)
            else:
                code = subprocess.run(
                    [*shell, "-c", step["run"]],
                    cwd=self.repo,
                    env=env,
                    capture_output=True,
                    text=True,
                    timeout=120,
                ).returncode
            codes[label] = code
            failed = failed or code != 0
        return codes

    def _uses(self, step: dict, env: dict) -> int:
        action = step["uses"].split("@")[0]
        settings = step.get("with") or {}
        if action in ("actions/checkout", "actions/setup-python"):
            return 0
        if action == "actions/upload-artifact":
            shutil.copy(self.repo / settings["path"], self.artifacts / settings["path"])
            return 0
        if action == "actions/download-artifact":
            for item in self.artifacts.iterdir():
                shutil.copy(item, self.repo / item.name)
            return 0
        if action == "actions/github-script":
            return self._github_script(settings["script"])
        raise AssertionError(f"no stand-in for {action}")

    def _github_script(self, script: str) -> int:
        node = shutil.which("node")
        if node is None:
            pytest.skip("Node.js is not installed: the PR-comment script cannot run")
        harness = (
            """
const fs = require('fs');
const state = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
let next = 100 + state.comments.length;
const rest = { issues: {
  listComments: async () => ({ data: state.comments }),
  createComment: async ({ body }) => { state.comments.push({ id: next++, body }); },
  updateComment: async ({ comment_id, body }) => {
    state.comments.find(c => c.id === comment_id).body = body;
  },
} };
const github = { rest, paginate: async (method, args) => (await method(args)).data };
const context = { repo: { owner: 'o', repo: 'r' }, issue: { number: 7 } };
(async () => { %s })().then(() => fs.writeFileSync(process.argv[2], JSON.stringify(state)),
  e => { console.error(e); process.exit(1); });
"""
            % script
        )
        state = self.temp / "github-state.json"
        state.write_text(json.dumps({"comments": self.comments}))
        (self.temp / "script.js").write_text(harness)
        result = subprocess.run(
            [node, str(self.temp / "script.js"), str(state)],
            cwd=self.repo,
            capture_output=True,
            text=True,
            timeout=60,
        )
        self.comments = json.loads(state.read_text())["comments"]
        return result.returncode


@pytest.fixture
def runner(tmp_path):
    return Runner(tmp_path)


def test_steps_run_with_pipefail():
    assert workflow()["defaults"]["run"]["shell"] == "bash"
    assert SHELLS["bash"][-2:] == ["-eo", "pipefail"]


def test_the_whole_cycle_runs_and_drift_fails_the_nightly_job(runner):
    plan_pr = runner.run_job("plan-sandbox")
    assert set(plan_pr.values()) == {0}, plan_pr
    assert runner.pip_log.read_text().split() == ["install", SOURCE]
    plan_md = (runner.repo / "plan.md").read_text()
    assert plan_md.startswith("<!-- handrail-plan -->") and "Handrail plan" in plan_md

    # a second push to the same pull request updates the one comment instead of adding another
    assert set(runner.run_job("plan-sandbox").values()) == {0}
    assert len(runner.comments) == 1 and "Handrail plan" in runner.comments[0]["body"]

    assert set(runner.run_job("apply-sandbox").values()) == {0}
    assert any((runner.repo / "orgs" / "sandbox").rglob("*.json"))

    release = runner.run_job("plan-production")
    assert set(release.values()) == {0}, release
    assert (runner.artifacts / "plan.json").is_file() and "Handrail plan" in runner.summary.read_text()
    (runner.repo / "plan.json").unlink()  # the approval job starts from the artifact, not the working copy
    assert set(runner.run_job("apply-production").values()) == {0}
    assert any((runner.repo / "orgs" / "production").rglob("*.json"))

    nightly = runner.run_job("drift")
    assert set(nightly.values()) == {0}, nightly
    assert "No drift" in (runner.repo / "drift.md").read_text()

    # someone edits a validation rule in production by hand: the drift step fails, the report still lands
    rule = next((runner.repo / "orgs" / "production").glob("ValidationRule/*.json"))
    body = json.loads(rule.read_text())
    body["active"] = not body.get("active", True)
    rule.write_text(json.dumps(body))
    nightly = runner.run_job("drift")
    drift_step = next(name for name in nightly if name.startswith("Drift check"))
    assert nightly[drift_step] == 4
    assert nightly["Drift report in the job summary"] == 0
    assert "Handrail drift" in runner.summary.read_text().split("Handrail plan")[-1]


def test_production_changes_only_after_approval_of_a_saved_plan():
    jobs = workflow()["jobs"]
    for name, job in jobs.items():
        runs = "\n".join(step.get("run", "") for step in job["steps"])
        if "--env production" in runs and "handrail apply" in runs:
            assert job["environment"] == "production", name
            assert "plan.json" in runs and "--yes" not in runs, name
        elif job.get("environment") == "production":
            raise AssertionError(f"{name} waits for production approval without changing production")
    assert jobs["apply-production"]["needs"] == "plan-production"


def test_every_org_writing_job_is_serialised_per_org():
    for name, job in workflow()["jobs"].items():
        if any("handrail apply" in step.get("run", "") for step in job["steps"]):
            assert job["concurrency"]["group"].startswith("handrail-"), name
            assert job["concurrency"]["cancel-in-progress"] is False, name


def test_the_spec_init_writes_authenticates_as_the_workflow_does():
    """Every Salesforce environment of the scaffolded spec uses JWT with the variables the workflow sets."""
    exported = set(re.findall(r"\b(SF_[A-Z_]+)\b", WORKFLOW.read_text()))
    spec = yaml.safe_load(EXAMPLE.read_text())
    salesforce = {n: e for n, e in spec["environments"].items() if e["target"] == "salesforce"}
    assert {"sandbox", "production"} <= set(salesforce)
    for name, env in salesforce.items():
        assert env["auth"] == "jwt", name
        assert {env["username_env"], env["consumer_key_env"], env["private_key_file_env"]} <= exported, name


def test_briefs_of_new_wins_are_delivered_hourly_with_overlapping_windows():
    """The briefs job runs on its own schedule; its window is longer than the interval between runs, so
    a late or failed run loses no deal (delivery is idempotent: tests/audit_live/test_brief_delivery.py)."""
    data = workflow()
    crons = data[True]["schedule"] if True in data else data["on"]["schedule"]  # YAML 1.1 reads `on` as True
    assert {c["cron"] for c in crons} == {"17 5 * * *", "7 * * * *"}
    job = data["jobs"]["briefs"]
    assert "'7 * * * *'" in job["if"] and "'17 5 * * *'" in data["jobs"]["drift"]["if"]
    run = next(step["run"] for step in job["steps"] if "handrail brief" in step.get("run", ""))
    window = re.search(r"--closed-since (\d+)h", run)
    assert window and int(window.group(1)) > 1 and "--deliver" in run and "--env production" in run
    assert job["environment"] == "production-briefs"  # neither the approval environment nor read-only
    assert job["concurrency"]["cancel-in-progress"] is False
