"""`handrail audit` end to end on an export: every format, --out, --since, errors, offline imports,
progress."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys

import pytest
from audit.dealgen import hand_made, write_csv
from helpers import ROOT

from handrail.generators.audit.source import with_progress

AS_OF = "2026-04-30"


@pytest.fixture
def export(tmp_path, example_model):
    path = tmp_path / "deals.csv"
    write_csv(path, example_model, hand_made())
    return path


@pytest.fixture
def audit(run_cli, export, example_spec):
    def run(*args):
        return run_cli("audit", "--from", str(export), "--spec", str(example_spec), "--as-of", AS_OF, *args)

    return run


def test_table(audit):
    code, out, err = audit()
    assert code == 0, err
    assert (
        "Read 9 deals: 6 closed won, 1 open in gated stages; "
        "skipped 1 closed lost, 1 open before any gated stage"
    ) in out
    assert "Closed won: 6 deals, average score 68.6, completion 79.2%" in out
    assert "Tiers: Ready 3 (50.0%), Gaps 1 (16.7%), Blocked 2 (33.3%)" in out
    assert "! Completion under 80% for 2 months running (2026-02 to 2026-03): investigate" in out
    assert "! generic 33.3% of the time (>= 30%): redesign it" in out
    first_touch = next(line for line in out.splitlines() if line.startswith("Close to first CS touch"))
    assert first_touch.split() == [
        "Close",
        "to",
        "first",
        "CS",
        "touch",
        "4",
        "3",
        "1",
        "1",
        "1",
        "75.0%",
        "24.7h",
    ]  # (30 + 48 - 4) / 3
    assert "Score disagreements: 1 of 4 stored scores differ from Handrail's by more than 0.05" in out
    assert "B Deal B: stored 80.0, Handrail 73.5, difference +6.5" in out
    assert "CSM handoff ratings: 4 rated, average 3.25" in out


def test_json_is_stable_and_sorted(audit):
    code, out, _ = audit("--format", "json")
    assert code == 0
    data = json.loads(out)
    assert out == json.dumps(data, indent=2, sort_keys=True) + "\n"
    assert audit("--format", "json")[1] == out
    assert data["closed_won"]["average_score"] == 68.6 and data["as_of"].startswith(AS_OF)


def test_csv_one_row_per_metric(audit):
    code, out, _ = audit("--format", "csv")
    assert code == 0
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == ["section", "group", "metric", "value"] and all(len(r) == 4 for r in rows)
    values = {(s, g, m): v for s, g, m, v in rows[1:]}
    assert len(values) == len(rows) - 1  # each metric once
    assert values["summary", "", "closed_won_deals"] == "6"
    assert values["summary", "", "completion_alert"] == "1"
    assert values["tiers", "", "blocked"] == "2"
    assert values["segment", "mid_market", "average_score"] == "68.6"
    assert values["owner", "ae2", "average_score"] == "60.3"
    assert values["field", "communication_prefs", "flagged"] == "1"
    assert values["field", "success_criteria", "generic_rate"] == "25.0"
    assert values["month", "2026-02", "under_floor"] == "1"
    assert values["sla", "first_touch", "compliance_rate"] == "75.0"
    assert values["sla_segment", "first_touch/mid_market", "target"] == "48"
    assert values["csm_rating", "5", "deals"] == "1"
    assert values["intake", "", "returned"] == "2"
    assert values["gate", "closed_won_not_blocked", "deals"] == "2"
    assert values["open_gate", "mid_market_csm", "deals"] == "1"
    assert values["disagreement", "B", "difference"] == "6.5"
    assert values["summary", "", "since"] == ""


def test_html_is_self_contained(audit, tmp_path):
    out_file = tmp_path / "report" / "audit.html"
    code, out, err = audit("--format", "html", "--out", str(out_file))
    assert code == 0 and out == ""
    assert f"wrote the audit of 9 deals to {out_file}" in err
    html = out_file.read_text()
    for forbidden in ("<script", "src=", "href=", "<link", "<img", "<iframe", "@import", "url("):
        assert forbidden not in html, forbidden
    # only the SVG namespace
    assert set(re.findall(r"https?://[^\s\"']*", html)) == {"http://www.w3.org/2000/svg"}
    assert html.count("<svg") == 5  # tiers, trend, fields, SLA, ratings
    assert 'data-metric="average_score">68.6<' in html
    assert 'data-metric="first_touch_compliance">75.0%<' in html
    assert "for 2 months running\n  (2026-02 to 2026-03)" in html


def test_since(audit):
    code, out, _ = audit("--since", "2026-02-03", "--format", "json")
    data = json.loads(out)
    assert code == 0 and data["since"] == "2026-02-03" and data["closed_won"]["deals"] == 4
    code, out, _ = audit("--since", "12w", "--format", "json")  # 30 April - 84 days = 5 February
    assert json.loads(out)["since"] == "2026-02-05"


def test_labels_are_escaped_in_html(run_cli, tmp_path, example_model, example_spec):
    from audit.dealgen import deal, utc

    path = tmp_path / "x.csv"
    write_csv(
        path,
        example_model,
        [deal("<b>1</b>", owner="<script>alert(1)</script>", close=utc(2026, 1, 5).date(), csm=None)],
    )
    code, out, _ = run_cli("audit", "--from", str(path), "--spec", str(example_spec), "--format", "html")
    assert code == 0
    assert "<script>alert" not in out and "&lt;script&gt;alert(1)&lt;/script&gt;" in out


@pytest.mark.parametrize(
    "args,code,message",
    [
        (
            ["--env", "snapshot"],
            1,
            "environment 'snapshot' is a snapshot of the CRM's configuration and holds no deals",
        ),
        ([], 2, "say where the deals come from: `handrail audit --from deals.csv`"),
        (["--from", "missing.csv"], 3, "missing.csv: no such file"),
        (["--from", "{export}", "--since", "soon"], 2, "'soon' is not a period"),
        (["--from", "{export}", "--format", "pdf"], 2, "'pdf' is not one of"),
        (
            ["--from", "{export}", "--env", "sandbox"],
            2,
            "use either --from or --env with `handrail audit`, not both",
        ),
    ],
)
def test_errors(run_cli, export, example_spec, tmp_path, args, code, message):
    out_file = tmp_path / "out.json"
    args = [a.replace("{export}", str(export)) for a in args]
    got, out, err = run_cli("audit", "--spec", str(example_spec), *args, "--out", str(out_file))
    assert got == code, err
    assert message in err and "Traceback" not in err
    assert not out_file.exists()


def test_env_error_says_what_to_use_instead(run_cli, example_spec):
    code, _, err = run_cli("audit", "--env", "snapshot", "--spec", str(example_spec))
    assert code == 1
    assert "name a salesforce or hubspot environment, or use --from FILE" in err


def test_bad_row_leaves_an_existing_report_untouched(run_cli, tmp_path, example_spec):
    bad = tmp_path / "bad.csv"
    bad.write_text("id,name,stage,close_date,Closed Won At\n1,A,Closed Won,2026-01-01,yesterday\n")
    out_file = tmp_path / "audit.html"
    out_file.write_text("last month's report")
    code, _, err = run_cli(
        "audit", "--from", str(bad), "--spec", str(example_spec), "--format", "html", "--out", str(out_file)
    )
    assert code == 3
    assert f"{bad}:2: column 'Closed Won At': 'yesterday' is not a date" in err
    assert out_file.read_text() == "last month's report"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".audit")] == []


def test_invalid_spec_exits_3(run_cli, export, tmp_path):
    spec = tmp_path / "broken.yaml"
    spec.write_text("version: 1\nfields: 3\n")
    code, _, err = run_cli("audit", "--from", str(export), "--spec", str(spec))
    assert code == 3 and "broken.yaml" in err


@pytest.mark.parametrize("command", [["audit", "--format", "html"], ["brief", "C", "--format", "html"]])
def test_offline_commands_do_not_import_crm_clients(export, example_spec, command):
    argv = [*command, "--from", str(export), "--spec", str(example_spec)]
    script = (
        "import sys\nfrom handrail.cli import main\n"
        f"try:\n    main({argv!r})\n"
        "except SystemExit as exc:\n    assert exc.code == 0, exc.code\n"
        "loaded = [m for m in ('simple_salesforce', 'hubspot', 'requests') if m in sys.modules]\n"
        "print('LOADED', loaded, file=sys.stderr)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert "LOADED []" in result.stderr, result.stderr[-2000:]


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_progress_only_on_a_terminal():
    tty, pipe = Terminal(), io.StringIO()
    assert list(with_progress(range(25), tty, every=10)) == list(range(25))
    assert tty.getvalue() == "\rread 10 deals\rread 20 deals\rread 25 deals, done\n"
    assert list(with_progress(range(25), pipe, every=10)) == list(range(25))
    assert pipe.getvalue() == ""
    quiet = Terminal()
    list(with_progress(range(5), quiet, every=10))
    assert quiet.getvalue() == ""  # small inputs finish before the first update
