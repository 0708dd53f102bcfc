"""The README's tour, run as a newcomer would: line by line in a fresh folder, each line must succeed."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from helpers import ROOT


def tour_lines() -> list[str]:
    readme = (ROOT / "README.md").read_text()
    block = re.search(r"## A tour\s+```bash\n(.*?)```", readme, re.S).group(1)
    return [line for line in block.splitlines() if line.strip() and not line.startswith(". .venv/")]


def test_the_tour_runs_line_by_line_in_a_fresh_folder(tmp_path):
    lines = tour_lines()
    assert len(lines) >= 10
    script = "set -e\n" + "".join(f"{line}\necho '@@ line {n} ok'\n" for n, line in enumerate(lines))
    env = {k: v for k, v in os.environ.items() if not k.startswith("HANDRAIL_")}
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env["PATH"]])
    result = subprocess.run(
        ["bash", "-c", script],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=300,
    )
    done = re.findall(r"@@ line (\d+) ok", result.stdout)
    failed_at = lines[len(done)] if len(done) < len(lines) else None
    assert failed_at is None, f"{failed_at!r} failed (exit {result.returncode}):\n{result.stderr[-2000:]}"
    assert "internal error" not in result.stderr
    assert (tmp_path / "audit.html").is_file() and (tmp_path / "build" / "salesforce").is_dir()
    assert "no drift" in result.stdout
