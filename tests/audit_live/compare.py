"""Running an audit live and from an export of the same deals, and comparing the two reports."""

from __future__ import annotations

import json
from pathlib import Path

from audit.dealgen import write_csv

AS_OF = "2026-04-30"


def audit_json(run_cli, spec: Path, *source: str, since: str | None = "6m") -> dict:
    args = ["audit", *source, "--spec", str(spec), "--as-of", AS_OF, "--format", "json"]
    code, out, err = run_cli(*args, *(["--since", since] if since else []))
    assert code == 0, err
    return json.loads(out)


def offline_audit(run_cli, tmp_path: Path, model, spec: Path, deals, since: str | None = "6m") -> dict:
    export = tmp_path / "export.csv"
    write_csv(export, model, deals)
    return audit_json(run_cli, spec, "--from", str(export), since=since)


def assert_same_figures(live: dict, offline: dict) -> None:
    """Every figure equal; the live fetch reads only the deals an audit looks at, so it skips none."""
    assert live["skipped"] == {reason: 0 for reason in offline["skipped"]}
    assert live["deals_read"] == live["closed_won"]["deals"] + live["open_in_gated_stages"]["deals"]
    assert offline["deals_read"] > live["deals_read"]  # the export also holds deals the audit skips
    for key in set(live) | set(offline):
        if key not in ("skipped", "deals_read"):
            assert live[key] == offline[key], key
