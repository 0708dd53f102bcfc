"""The monthly review pack laid out in headless Chromium at 1280 px: measured in the browser (the boxes of
the KPI cards, headings, tables, charts and every chart label), no two labels overlap, no label crosses a
chart line or leaves its chart, no KPI card sits alone on a row, the trend and rating charts carry axis
titles, and the page names fields, segments, stages and gates by the spec's labels, never by their keys.

Layout regressions are caught against a stored reference (tests/audit/reference/): the measured boxes must
be the same, in the same places within a tolerance, and in a 1280 x 2000 screenshot of the top of the page
each chart and card must look as it did in the reference screenshot, compared cell by cell where each was
(a generous threshold: fonts differ a little between machines; a redrawn or blank chart does not).
Regenerate the reference with `pytest tests/audit/test_html_layout.py --update-golden`.
"""

from __future__ import annotations

import html
import json
import re
import shutil
from functools import lru_cache
from itertools import combinations
from pathlib import Path

import pytest
from audit.chromium import chromium_or_skip, read_png, run_chromium
from audit.dealgen import hand_made, random_deals, utc
from helpers import EXAMPLE_SPEC

from handrail.generators.audit.engine import AuditOptions, run_audit
from handrail.generators.audit.html import write_html
from handrail.generators.audit.sla import clocks_for
from handrail.specs.validate import load_spec

NOW = utc(2026, 4, 30, 23, 59)
WIDTH = 1280
SHOT = (WIDTH, 2000)
REFERENCE = Path(__file__).parent / "reference"
LAYOUT_JS = (Path(__file__).parent / "layout.js").read_text(encoding="utf-8")
BOX_TOLERANCE = 24  # px: a line of text more or less in a table, not a moved section
CELL_DIFF, CELLS_ALLOWED = 40, 0.10  # cells of a chart or card whose mean grey differs by 40+: under 10%


@pytest.fixture(scope="module")
def browser():
    return chromium_or_skip()


def write_page(path: Path, report: dict, extra_css: str = "") -> Path:
    with path.open("w", encoding="utf-8") as handle:
        write_html(report, handle)
    if extra_css:
        page = path.read_text(encoding="utf-8").replace("</head>", f"<style>{extra_css}</style></head>")
        path.write_text(page, encoding="utf-8")
    return path


def measure(browser: str, page: Path, tmp: Path) -> dict:
    """The page's layout as the browser measures it at 1280 px (tests/audit/layout.js)."""
    probe = tmp / f"measured-{page.name}"
    probe.write_text(
        page.read_text(encoding="utf-8").replace("</body>", f"<script>{LAYOUT_JS}</script></body>"),
        encoding="utf-8",
    )
    dom = run_chromium(
        browser,
        tmp,
        f"--window-size={WIDTH},1600",
        "--virtual-time-budget=2000",
        "--dump-dom",
        probe.resolve().as_uri(),
    )
    found = re.search(r'<pre id="layout">(.*?)</pre>', dom, re.S)
    assert found, "the layout script did not run"
    return json.loads(html.unescape(found.group(1)))


def overlap(a: list[float], b: list[float], inset: float = 1.0) -> bool:
    """Whether two [x, y, width, height] boxes overlap by more than `inset` px on both axes."""
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    return min(ax + aw, bx + bw) - max(ax, bx) > inset and min(ay + ah, by + bh) - max(ay, by) > inset


def inside(point: list[float], b: list[float], inset: float = 1.0) -> bool:
    x, y = point
    return b[0] + inset < x < b[0] + b[2] - inset and b[1] + inset < y < b[1] + b[3] - inset


def layout_problems(layout: dict) -> list[str]:
    """Everything at a glance that is wrong with a measured page."""
    problems = []
    rows: dict[float, list[str]] = {}
    for card in layout["cards"]:
        rows.setdefault(round(card["box"][1]), []).append(card["metric"])
    problems += [f"KPI card {row[0]} alone on its row" for row in rows.values() if len(row) == 1]
    for chart in layout["charts"]:
        texts = [t for t in chart["texts"] if t["text"].strip()]
        for a, b in combinations(texts, 2):
            if overlap(a["box"], b["box"]):
                problems.append(f"{chart['title']}: '{a['text']}' overlaps '{b['text']}'")
        for t in texts:
            if not all(inside(corner, chart["box"], -1.0) for corner in corners(t["box"])):
                problems.append(f"{chart['title']}: '{t['text']}' runs out of the chart")
            for line in chart["lines"]:
                if any(inside(p, t["box"]) for p in line["points"]):
                    problems.append(f"{chart['title']}: '{t['text']}' collides with a {line['kind']}")
                    break
    return problems


def corners(b: list[float]) -> list[list[float]]:
    x, y, w, h = b
    return [[x, y], [x + w, y], [x, y + h], [x + w, y + h]]


def keys_shown(layout: dict, model) -> list[str]:
    """Spec keys (those with an underscore: never words) the page shows where a label belongs."""
    keys = {f.key for f in model.fields} | {s.key for s in model.segments} | {s.key for s in model.stages}
    keys |= {g.key for g in model.gates} | {c.key for c in clocks_for(model)}
    shown = layout["text"] + "\n" + "\n".join(t["text"] for c in layout["charts"] for t in c["texts"])
    return sorted(k for k in keys if "_" in k and re.search(rf"\b{re.escape(k)}\b", shown))


@pytest.fixture(scope="module")
def model():
    return load_spec(EXAMPLE_SPEC).model


@pytest.fixture(scope="module")
def reports(model):
    return {
        "hand_made": run_audit(model, hand_made(), AuditOptions(now=NOW)),
        "busy": run_audit(model, random_deals(model, 3000, seed=5), AuditOptions(now=NOW)),
    }


@pytest.mark.parametrize("case", ["hand_made", "busy"])
def test_labels_never_collide_and_cards_fill_their_rows(case, browser, reports, model, tmp_path):
    report = reports[case]
    layout = measure(browser, write_page(tmp_path / f"{case}.html", report), tmp_path)
    assert layout["width"] == WIDTH
    assert layout_problems(layout) == []
    assert len(layout["cards"]) == 8 and len({round(c["box"][1]) for c in layout["cards"]}) == 2
    charts = {c["title"]: c for c in layout["charts"]}
    for title in (
        "Completion, average score and specific answers by close month",
        "CSM handoff ratings, 1 (poor) to 5 (excellent)",
    ):
        axes = [t for t in charts[title]["texts"] if "axis-title" in t["cls"]]
        assert len(axes) == 2, f"{title}: axes without titles"
        vertical = [t for t in axes if t["box"][3] > t["box"][2]]
        assert len(vertical) == 1, f"{title}: no vertical axis title"
    trend = charts["Completion, average score and specific answers by close month"]
    months = [t["text"] for t in trend["texts"] if re.fullmatch(r"\d{4}-\d\d", t["text"])]
    assert months[0] == report["closed_won"]["trend"][0]["month"]
    assert months[-1] == report["closed_won"]["trend"][-1]["month"]
    assert any(t["text"] == "80% floor" for t in trend["texts"])
    assert keys_shown(layout, model) == []
    labels = {t["text"] for c in layout["charts"] for t in c["texts"]}
    assert {"Close to first CS touch", "Mid-Market"} <= labels
    junk = report["closed_won"]["junk_fields"]
    assert junk and all(j["label"] in layout["text"] and j["redesign"] in layout["text"] for j in junk)


def test_the_old_card_grid_leaves_a_card_alone_and_the_check_sees_it(browser, reports, tmp_path):
    """The page as it was: seven cards in as many 140 px columns as fit, six to the first row."""
    old = (
        ".cards { grid-template-columns: repeat(auto-fit, minmax(140px, 1fr)); } "
        ".card:has([data-metric=junk_fields]) { display: none; }"
    )
    layout = measure(browser, write_page(tmp_path / "old.html", reports["hand_made"], old), tmp_path)
    assert [p for p in layout_problems(layout) if "KPI card" in p] == [
        "KPI card score_disagreements alone on its row"
    ]


def test_the_checks_see_overlapping_labels_and_a_label_on_a_line():
    chart = {
        "title": "T",
        "box": [0, 0, 640, 240],
        "texts": [
            {"text": "80% floor", "cls": "", "box": [44, 60, 50, 12]},
            {"text": "75", "cls": "", "box": [80, 62, 12, 12]},
        ],
        "lines": [{"kind": "polyline", "points": [[60, 66], [62, 66]]}],
    }
    problems = layout_problems({"cards": [], "charts": [chart]})
    assert "T: '80% floor' overlaps '75'" in problems
    assert "T: '80% floor' collides with a polyline" in problems


def box_changes(reference: dict, layout: dict) -> list[str]:
    """What moved: a box gone or new, out of order top to bottom, or moved beyond the tolerance (across
    24 px; down the page 24 px plus 3% of the distance, since wrapped text above it may differ a little
    in another machine's fonts; a missing chart or section moves everything below it much more)."""
    boxes = {**layout["boxes"], **{f"card:{c['metric']}": c["box"] for c in layout["cards"]}}
    changes = [f"{name} is gone" for name in reference if name not in boxes]
    changes += [f"{name} is new" for name in boxes if name not in reference]
    for name, old in reference.items():
        new = boxes.get(name)
        if not new:
            continue
        slack = [BOX_TOLERANCE, BOX_TOLERANCE + 0.03 * old[1], BOX_TOLERANCE, BOX_TOLERANCE + 0.03 * old[3]]
        if any(abs(a - b) > most for a, b, most in zip(old, new, slack)):
            changes.append(f"{name} moved or resized: {old} -> {new}")
    return changes


def grey_cells(width: int, pixels: list, box: list[float], columns: int = 48, rows: int = 12) -> list[float]:
    """The mean grey of each cell of a columns x rows grid laid over `box` (page pixels)."""
    x0, y0, w, h = box
    cells = []
    for row in range(rows):
        for column in range(columns):
            left, top = int(x0 + w * column / columns), int(y0 + h * row / rows)
            right, bottom = int(x0 + w * (column + 1) / columns), int(y0 + h * (row + 1) / rows)
            area = [
                pixels[y * width + x]
                for y in range(top, max(bottom, top + 1))
                for x in range(left, max(right, left + 1))
            ]
            cells.append(sum(r * 0.299 + g * 0.587 + b * 0.114 for r, g, b in area) / len(area))
    return cells


@lru_cache(maxsize=4)
def screenshot_pixels(path: Path) -> tuple[int, int, list]:
    return read_png(path)


def picture_changes(shot: Path, boxes: dict, reference_shot: Path, reference: dict) -> list[str]:
    """Each chart and card on screen compared with where it was in the reference screenshot, cell by cell
    (so a section that moved a few pixels compares with itself): under 10% of the cells may differ in
    grey by 40 or more (text antialiasing and fonts), a redrawn or blank chart differs in far more."""
    width, height, pixels = screenshot_pixels(shot)
    ref_width, ref_height, ref_pixels = screenshot_pixels(reference_shot)
    assert (width, height) == (ref_width, ref_height) == SHOT
    changes = []
    for name, box in boxes.items():
        old = reference.get(name)
        if (
            not name.startswith(("svg:", "card:"))
            or not old
            or max(box[1] + box[3], old[1] + old[3]) > height
        ):
            continue
        now, then = grey_cells(width, pixels, box), grey_cells(width, ref_pixels, old)
        differing = sum(abs(a - b) >= CELL_DIFF for a, b in zip(now, then))
        if differing > CELLS_ALLOWED * len(now):
            changes.append(f"{name} looks different: {differing} of {len(now)} cells")
    return changes


def test_layout_matches_the_reference(browser, reports, tmp_path, request):
    page = write_page(tmp_path / "audit.html", reports["hand_made"])
    layout = measure(browser, page, tmp_path)
    shot = tmp_path / "shot.png"
    size = f"--window-size={SHOT[0]},{SHOT[1]}"
    run_chromium(browser, tmp_path, f"--screenshot={shot}", size, page.as_uri())
    boxes = {**layout["boxes"], **{f"card:{c['metric']}": c["box"] for c in layout["cards"]}}
    if request.config.getoption("--update-golden"):
        REFERENCE.mkdir(exist_ok=True)
        (REFERENCE / "audit_1280_boxes.json").write_text(json.dumps(boxes, indent=1, sort_keys=True) + "\n")
        shutil.copyfile(shot, REFERENCE / "audit_1280.png")
    reference_file = REFERENCE / "audit_1280_boxes.json"
    assert reference_file.is_file(), f"no reference layout; run: pytest {__file__} --update-golden"
    reference = json.loads(reference_file.read_text())
    changes = box_changes(reference, layout)
    changes += picture_changes(shot, boxes, REFERENCE / "audit_1280.png", reference)
    assert changes == [], "the layout changed; if intended, run with --update-golden:\n" + "\n".join(changes)


def test_a_redrawn_chart_is_a_picture_change(tmp_path):
    """The reference screenshot against itself is unchanged; with the tier chart's box pointed at the
    trend chart instead, the comparison sees it."""
    reference = json.loads((REFERENCE / "audit_1280_boxes.json").read_text())
    shot = REFERENCE / "audit_1280.png"
    charts = [n for n in reference if n.startswith("svg:") and reference[n][1] + reference[n][3] <= SHOT[1]]
    assert len(charts) >= 2
    assert picture_changes(shot, reference, shot, reference) == []
    swapped = {**reference, charts[0]: reference[charts[1]]}
    (change,) = picture_changes(shot, swapped, shot, reference)
    assert change.startswith(f"{charts[0]} looks different: ")


def test_a_moved_chart_is_a_layout_change():
    reference = {"svg:Tier mix": [24.0, 400.0, 932.0, 180.0], "card:deals": [150.0, 80.0, 220.0, 90.0]}
    layout = {"boxes": {"svg:Tier mix": [24.0, 460.0, 932.0, 180.0]}, "cards": []}
    assert box_changes(reference, layout) == [
        "card:deals is gone",
        "svg:Tier mix moved or resized: [24.0, 400.0, 932.0, 180.0] -> [24.0, 460.0, 932.0, 180.0]",
    ]
