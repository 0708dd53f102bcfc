"""Markdown briefs carry deal data as text: no HTML, no links or images, whatever the export holds.

A backslash before `<` is an escape in CommonMark but not in every renderer (Python-Markdown's escapable
characters leave out `<`: https://python-markdown.github.io/#differences), so HTML must go out as entities.
"""

from __future__ import annotations

import csv
import re

import pytest

from handrail.generators.report_templates import markdown_text

PAYLOADS = [
    '<img src=x onerror="alert(1)">',
    "<svg onload=alert(1)>",
    "<script>alert(document.cookie)</script>",
    "[click me](javascript:alert(1))",
    "![pixel](https://evil.example/t.gif)",
    "<https://evil.example>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "\\<img src=x onerror=alert(1)>",
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_markdown_text_leaves_no_markup(payload):
    text = markdown_text(payload)
    assert "<" not in text and ">" not in text
    assert not re.search(r"(?<!\\)\[", text)  # every [ escaped: no link, no image


def test_entities_in_data_show_as_typed():
    assert markdown_text("&lt;b&gt; &#60;") == "&amp;lt;b&amp;gt; &amp;#60;"


def test_plain_text_stays_readable():
    assert markdown_text("R&D team, 3 > 2 seats") == "R&D team, 3 &gt; 2 seats"


@pytest.fixture
def hostile_export(tmp_path):
    path = tmp_path / "deals.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
                "id",
                "name",
                "owner",
                "stage",
                "close_date",
                "business_goals",
                "success_criteria",
                "risk_flags",
                "stakeholder_map",
            ]
        )
        writer.writerow(
            [
                "006H",
                PAYLOADS[0],
                PAYLOADS[1],
                "Closed Won",
                "2026-01-05",
                PAYLOADS[2],
                PAYLOADS[3],
                PAYLOADS[4],
                "Dana (CFO)\n<svg onload=alert(2)>\n[x]: javascript:alert(3)",
            ]
        )
    return path


def test_markdown_brief_escapes_deal_data(run_cli, hostile_export, example_spec):
    code, md, err = run_cli("brief", "006H", "--from", str(hostile_export), "--spec", str(example_spec))
    assert code == 0, err
    assert "<" not in md and ">" not in md  # the packaged template writes no HTML of its own
    assert "](javascript:" not in md.replace("\\](javascript:", "")
    assert '&lt;img src=x onerror="alert(1)"&gt;' in md  # the data is still there, as text
    assert "\\[x\\]: javascript:alert(3)" in md


def test_html_brief_stays_autoescaped(run_cli, hostile_export, example_spec):
    code, html, err = run_cli(
        "brief", "006H", "--from", str(hostile_export), "--spec", str(example_spec), "--format", "html"
    )
    assert code == 0, err
    for tag in ("<img", "<svg", "<script"):
        assert tag not in html
    assert "&lt;svg onload=alert(1)&gt;" in html
