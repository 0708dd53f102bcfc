"""The inline SVG chart functions: well-formed, proportional, escaped, and silent about missing data."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from handrail.generators.audit.svg_charts import (
    column_chart,
    line_chart,
    paired_bars,
    percent_bars,
    stacked_bars,
)

NS = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # raises on malformed markup


def rect_widths(root: ET.Element, fill: str) -> list[float]:
    return [float(r.get("width")) for r in root.iter(f"{NS}rect") if r.get("fill") == fill]


def test_stacked_bars_split_in_proportion():
    root = parse(
        stacked_bars(
            "Tiers", [("All", [("Ready", 3, "#010101"), ("Gaps", 1, "#020202"), ("Blocked", 0, "#030303")])]
        )
    )
    ready, gaps = rect_widths(root, "#010101")[1], rect_widths(root, "#020202")[1]  # [0] is the legend swatch
    assert abs(ready / gaps - 3) < 0.01
    assert rect_widths(root, "#030303") == [10.0]  # only its legend swatch: a zero count draws no bar
    assert root.find(f"{NS}title").text == "Tiers"


def test_labels_are_escaped():
    svg = percent_bars("<b>", [("R&D <script>", 50.0, "#000000")])
    parse(svg)
    assert "<script>" not in svg and "R&amp;D &lt;script&gt;" in svg


def test_missing_values_draw_nothing():
    root = parse(
        paired_bars("Fields", [("A", 80.0, None)], (("Completed", "#111111"), ("Generic", "#222222")))
    )
    # swatches + bars
    assert len(rect_widths(root, "#111111")) == 2 and len(rect_widths(root, "#222222")) == 1
    assert [t.text for t in root.iter(f"{NS}text")][-2:] == ["80.0%", "-"]
    line = parse(
        line_chart(
            "Trend", ["2026-01", "2026-02", "2026-03"], [("Completion", [90.0, None, 70.0], "#333333")]
        )
    )
    assert len(list(line.iter(f"{NS}circle"))) == 2


def test_line_chart_places_values_and_floor():
    svg = line_chart(
        "Trend", ["2026-01", "2026-02"], [("Completion", [100.0, 50.0], "#333333")], floor=80, height=240
    )
    root = parse(svg)
    ys = [float(c.get("cy")) for c in root.iter(f"{NS}circle")]
    top, bottom = 26, 240 - 34
    assert ys == [top, top + (bottom - top) / 2]
    floor_y = top + (bottom - top) * 0.2
    assert any(
        line.get("stroke-dasharray") and float(line.get("y1")) == round(floor_y, 1)
        for line in root.iter(f"{NS}line")
    )
    assert "80% floor" in svg


def test_column_chart_heights():
    root = parse(column_chart("Ratings", [("1", 2), ("2", 0), ("3", 4)]))
    heights = [float(r.get("height")) for r in root.iter(f"{NS}rect")]
    assert heights[0] * 2 == heights[2] and heights[1] == 0
    assert re.findall(r">(\d)</text>", column_chart("R", [("1", 7)])) == ["7", "1"]
