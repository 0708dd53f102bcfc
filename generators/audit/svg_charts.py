"""Small inline SVG charts for self-contained reports: pure functions from numbers to markup.

Every chart scales to its container (viewBox, width 100%), carries a <title> for screen readers,
and escapes every label. Percentages run 0-100; None means "no data" and draws nothing.
"""

from __future__ import annotations

from html import escape
from typing import Sequence

READY, GAPS, BLOCKED, GREY = "#2e7d4f", "#e0a526", "#c2412d", "#9aa3ad"
BLUE, PURPLE, INK, GRID = "#2f6db5", "#7b4fb0", "#1f2933", "#d8dee4"
FONT = 'font-family="system-ui, sans-serif"'


def _svg(width: int, height: int, title: str, body: list[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-label="{escape(title)}" {FONT} font-size="12"><title>{escape(title)}</title>'
        + "".join(body)
        + "</svg>"
    )


def _text(
    x: float,
    y: float,
    text: str,
    anchor: str = "start",
    size: int = 12,
    fill: str = INK,
    weight: str = "normal",
) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" fill="{fill}" '
        f'font-weight="{weight}">{escape(text)}</text>'
    )


def _fit(text: str, width: float, size: int = 12) -> str:
    """The text cut with an ellipsis to about `width` pixels (0.55 em a character: wide for sans-serif), so a
    long label never runs out of its chart or into its neighbour; the full text stays in the tooltip."""
    most = max(int(width / (size * 0.55)), 4)
    return text if len(text) <= most else text[: most - 1].rstrip() + "\u2026"


def _axis_title(x: float, y: float, text: str, vertical: bool = False) -> str:
    turn = f' transform="rotate(-90 {x:.1f} {y:.1f})"' if vertical else ""
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="middle" font-size="11" fill="#52606d"{turn} '
        f'class="axis-title">{escape(text)}</text>'
    )


def _rect(x: float, y: float, w: float, h: float, fill: str, label: str = "") -> str:
    tip = f"<title>{escape(label)}</title>" if label else ""
    return (
        f'<rect x="{x:.1f}" y="{y:.1f}" width="{max(w, 0):.1f}" height="{h:.1f}" fill="{fill}">{tip}</rect>'
    )


def legend(items: Sequence[tuple[str, str]], x: float, y: float) -> list[str]:
    out = []
    for label, color in items:
        out += [_rect(x, y - 9, 10, 10, color), _text(x + 14, y, label)]
        x += 24 + 7 * len(label)
    return out


def stacked_bars(
    title: str, rows: Sequence[tuple[str, Sequence[tuple[str, int, str]]]], width: int = 640
) -> str:
    """One 100% bar per row; each part is (name, count, colour), labelled with its share when wide enough."""
    longest = max((len(label) for label, _ in rows), default=0)
    label_w = int(min(max(150, 12 + 6.6 * longest), 260))  # room for the longest label, up to 260
    bar_w, row_h = width - label_w - 60, 28
    names = [(name, color) for name, _, color in rows[0][1]] if rows else []
    body = legend(names, label_w, 14)
    for i, (label, parts) in enumerate(rows):
        y = 28 + i * row_h
        total = sum(n for _, n, _ in parts)
        body.append(_text(label_w - 8, y + 15, _fit(label, label_w - 12), "end"))
        body.append(_text(width - 4, y + 15, f"{total:,}", "end", fill="#52606d"))
        x = float(label_w)
        for name, n, color in parts:
            if not total or not n:
                continue
            w = bar_w * n / total
            share = n / total * 100
            body.append(_rect(x, y, w, 20, color, f"{label}: {name} {n:,} ({share:.1f}%)"))
            if w > 34:
                body.append(_text(x + w / 2, y + 14, f"{share:.0f}%", "middle", 11, "#ffffff", "bold"))
            x += w
    return _svg(width, 36 + len(rows) * row_h, title, body)


def line_chart(
    title: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None], str]],
    floor: float | None = None,
    width: int = 640,
    height: int = 240,
    x_title: str = "",
    y_title: str = "",
) -> str:
    """Percent lines over labelled points (months), with an optional dashed floor such as 80%, labelled in
    the right margin where no line runs, and optional axis titles."""
    left, right = 40 + (16 if y_title else 0), 28 + (46 if floor is not None else 0)
    top, bottom = 26, 34 + (16 if x_title else 0)
    plot_w, plot_h = width - left - right, height - top - bottom
    step = plot_w / max(len(labels) - 1, 1)

    def px(i: int) -> float:
        return left + (i * step if len(labels) > 1 else plot_w / 2)

    def py(v: float) -> float:
        return top + plot_h * (1 - max(0.0, min(v, 100.0)) / 100)

    body = legend([(name, color) for name, _, color in series], left, 14)
    for tick in (0, 25, 50, 75, 100):
        body.append(
            f'<line x1="{left}" x2="{width - right}" y1="{py(tick):.1f}" y2="{py(tick):.1f}" '
            f'stroke="{GRID}" stroke-width="1"/>'
        )
        body.append(_text(left - 6, py(tick) + 4, f"{tick}", "end", 10, "#52606d"))
    if floor is not None:
        body.append(
            f'<line x1="{left}" x2="{width - right}" y1="{py(floor):.1f}" y2="{py(floor):.1f}" '
            f'stroke="{BLOCKED}" stroke-width="1.5" stroke-dasharray="6 4"/>'
        )
        body.append(_text(width - right + 6, py(floor) + 4, f"{floor:g}% floor", "start", 10, BLOCKED))
    if y_title:
        body.append(_axis_title(12, top + plot_h / 2, y_title, vertical=True))
    if x_title:
        body.append(_axis_title(left + plot_w / 2, height - 6, x_title))
    every = max(1, -(-56 // max(int(step), 1))) if len(labels) > 1 else 1  # labels 56 px apart at least
    last = len(labels) - 1
    for i, label in enumerate(labels):
        if (i % every == 0 and last - i >= every) or i == last:  # centred: the margins hold half a label
            body.append(_text(px(i), height - bottom + 16, label, "middle", 10, "#52606d"))
    for name, values, color in series:
        points = [(px(i), py(v), v) for i, v in enumerate(values) if v is not None]
        if len(points) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _ in points)
            body.append(f'<polyline points="{path}" fill="none" stroke="{color}" stroke-width="2"/>')
        for (x, y, v), label in zip(points, [lb for lb, v in zip(labels, values) if v is not None]):
            body.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{color}">'
                f"<title>{escape(f'{label}: {name} {v:.1f}')}</title></circle>"
            )
    return _svg(width, height, title, body)


def paired_bars(
    title: str,
    rows: Sequence[tuple[str, float | None, float | None]],
    names: tuple[tuple[str, str], tuple[str, str]],
    width: int = 640,
) -> str:
    """Two horizontal percent bars per row (e.g. completion and generic rate), with their values."""
    label_w, row_h = 210, 34
    bar_w = width - label_w - 60
    body = legend(names, label_w, 14)
    for i, (label, first, second) in enumerate(rows):
        y = 26 + i * row_h
        body.append(_text(label_w - 8, y + 17, _fit(label, label_w - 12), "end"))
        for j, (value, (name, color)) in enumerate(zip((first, second), names)):
            by = y + j * 13
            body.append(_rect(label_w, by, bar_w, 11, "#eef1f4"))
            if value is not None:
                body.append(
                    _rect(label_w, by, bar_w * value / 100, 11, color, f"{label}: {name} {value:.1f}%")
                )
            body.append(
                _text(label_w + bar_w + 6, by + 10, "-" if value is None else f"{value:.1f}%", size=10)
            )
    return _svg(width, 32 + len(rows) * row_h, title, body)


def percent_bars(title: str, rows: Sequence[tuple[str, float | None, str]], width: int = 640) -> str:
    """One horizontal percent bar per row, in the row's colour."""
    label_w, row_h = 210, 26
    bar_w = width - label_w - 60
    body = []
    for i, (label, value, color) in enumerate(rows):
        y = 8 + i * row_h
        body.append(_text(label_w - 8, y + 13, _fit(label, label_w - 12), "end"))
        body.append(_rect(label_w, y, bar_w, 16, "#eef1f4"))
        if value is not None:
            body.append(_rect(label_w, y, bar_w * value / 100, 16, color, f"{label}: {value:.1f}%"))
        body.append(_text(label_w + bar_w + 6, y + 13, "-" if value is None else f"{value:.1f}%"))
    return _svg(width, 12 + len(rows) * row_h, title, body)


def column_chart(
    title: str,
    columns: Sequence[tuple[str, int]],
    color: str = BLUE,
    width: int = 320,
    height: int = 160,
    x_title: str = "",
    y_title: str = "",
) -> str:
    """Vertical count columns (e.g. ratings 1-5), each labelled with its count, with optional axis titles."""
    bottom, top, left = 22 + (16 if x_title else 0), 18, 20 if y_title else 0
    plot_h = height - bottom - top
    slot = (width - left) / max(len(columns), 1)
    peak = max((n for _, n in columns), default=0) or 1
    body = []
    for i, (label, n) in enumerate(columns):
        h = plot_h * n / peak
        x = left + i * slot + slot * 0.2
        body.append(_rect(x, top + plot_h - h, slot * 0.6, h, color, f"{label}: {n:,}"))
        body.append(_text(x + slot * 0.3, top + plot_h - h - 4, f"{n:,}", "middle", 11))
        body.append(_text(x + slot * 0.3, top + plot_h + 16, label, "middle", 11, "#52606d"))
    if y_title:
        body.append(_axis_title(12, top + plot_h / 2, y_title, vertical=True))
    if x_title:
        body.append(_axis_title(left + (width - left) / 2, height - 6, x_title))
    return _svg(width, height, title, body)


def compliance_color(rate: float | None) -> str:
    if rate is None:
        return GREY
    return READY if rate >= 90 else GAPS if rate >= 75 else BLOCKED
