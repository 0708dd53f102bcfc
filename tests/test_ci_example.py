"""The GitHub Actions example only uses commands and options the CLI really has."""
from __future__ import annotations

import shlex

import click
import yaml

from handrail.cli import cli
from helpers import ROOT

WORKFLOW = ROOT / "examples" / "ci" / "handrail.yml"


def handrail_lines() -> list[str]:
    workflow = yaml.safe_load(WORKFLOW.read_text())
    lines = []
    for job in workflow["jobs"].values():
        for step in job["steps"]:
            for line in step.get("run", "").splitlines():
                if line.strip().startswith("handrail "):
                    lines.append(line.strip().split("|")[0].split(">")[0].strip())
    return lines


def test_every_handrail_invocation_parses():
    lines = handrail_lines()
    assert len(lines) >= 6
    for line in lines:
        argv = shlex.split(line.replace('"$HANDRAIL_SPEC"', "handoff.yaml"))[1:]
        command = cli.get_command(click.Context(cli), argv[0])
        assert command is not None, line
        command.make_context(argv[0], argv[1:])  # raises on an unknown option or a missing argument


def test_every_org_job_is_serialised_per_org():
    workflow = yaml.safe_load(WORKFLOW.read_text())
    for name, job in workflow["jobs"].items():
        assert job["concurrency"]["group"].startswith("handrail-"), name
        assert job["concurrency"]["cancel-in-progress"] is False, name
