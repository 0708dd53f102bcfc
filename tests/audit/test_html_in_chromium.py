"""The HTML audit report opened in headless Chromium: it renders, shows the expected figures, and is not
blank."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from audit.chromium import chromium_or_skip, dump_dom, read_png, screenshot
from audit.dealgen import hand_made, random_deals, utc

from handrail.generators.audit.engine import AuditOptions, run_audit
from handrail.generators.audit.html import write_html
from handrail.generators.audit.svg_charts import BLOCKED, BLUE, READY

NOW = utc(2026, 4, 30, 23, 59)


def hex_rgb(color: str) -> tuple[int, int, int]:
    return tuple(int(color[i : i + 2], 16) for i in (1, 3, 5))


@pytest.fixture(scope="module")
def browser():
    return chromium_or_skip()


@pytest.fixture
def page(tmp_path, example_model):
    report = run_audit(example_model, hand_made(), AuditOptions(now=NOW))
    path = tmp_path / "audit.html"
    with path.open("w", encoding="utf-8") as handle:
        write_html(report, handle)
    return path, report


def metric(dom: str, name: str) -> str:
    match = re.search(rf'data-metric="{name}"[^>]*>([^<]*)<', dom)
    assert match, f"{name} not in the rendered page"
    return match.group(1)


def test_renders_the_expected_figures(browser, page, tmp_path):
    path, report = page
    dom = dump_dom(browser, path, tmp_path)
    cw = report["closed_won"]
    assert "<title>Handoff audit: Sales to CS handoff, 2026-04-30</title>" in dom
    assert metric(dom, "deals") == "6" == str(cw["deals"])
    assert metric(dom, "average_score") == "68.6"
    assert metric(dom, "completion") == "79.2%"
    assert metric(dom, "ready") == "3"
    assert metric(dom, "first_touch_compliance") == "75.0%"
    assert metric(dom, "gate_violations") == "2"
    assert metric(dom, "score_disagreements") == "1"
    assert metric(dom, "rating_average") == "3.25"
    assert dom.count("<svg") == 5 and dom.count("<polyline") == 3  # completion, score, specific answers
    assert "Completion was under 80% for 2 months running" in dom
    assert re.search(r'<tr data-gate="closed_won_not_blocked">.*?<td class="n">2</td>', dom, re.S)
    assert re.search(r'<tr data-field="communication_prefs">.*?usually junk', dom, re.S)


def test_screenshot_is_not_blank(browser, page, tmp_path):
    path, _ = page
    width, height, pixels = read_png(screenshot(browser, path, tmp_path))
    assert (width, height) == (1200, 1800)
    colours = Counter(pixels)
    assert len(colours) > 50, f"only {len(colours)} colours: the page looks blank"
    background, share = colours.most_common(1)[0]
    assert share < 0.9 * len(pixels)
    for name, colour in (("Ready", READY), ("Blocked", BLOCKED), ("completion", BLUE)):
        target = hex_rgb(colour)
        painted = sum(n for c, n in colours.items() if max(abs(a - b) for a, b in zip(c, target)) <= 3)
        assert painted > 200, f"the {name} colour {colour} is not on screen: the charts did not render"


def test_large_report_renders(browser, tmp_path, example_model):
    report = run_audit(example_model, random_deals(example_model, 3000, seed=5), AuditOptions(now=NOW))
    path = tmp_path / "big.html"
    with path.open("w", encoding="utf-8") as handle:
        write_html(report, handle)
    dom = dump_dom(browser, path, tmp_path)
    assert metric(dom, "deals") == f"{report['closed_won']['deals']:,}"
    assert dom.count('<tr data-month="') == len(report["closed_won"]["trend"]) >= 9
