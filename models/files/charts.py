"""Charts for the monthly records as SVG text: a score trend and a grade distribution.

Plain functions that return a complete, standalone SVG document (valid XML, ``viewBox`` so it
scales to the phone or the desktop page, ``role="img"`` and an ``aria-label`` for screen
readers). No plotting library: the same input always gives the same bytes, so the output can be
cached and compared in tests. Labels are XML-escaped; text uses the Chinese fonts the pages have.
"""

import math
import re
import unicodedata
from collections.abc import Callable
from html import escape

from models.rules.scoring import DEFAULT_BANDS

FONT_FAMILY = "Noto Sans SC, PingFang SC, Microsoft YaHei, sans-serif"
GRADES = ("A", "B", "C", "D", "E")
# Green for A to red for E; readable on white and distinct for the common colour deficiencies
# in lightness as well as hue.
GRADE_COLOURS = {
    "A": "#2e7d32",
    "B": "#7cb342",
    "C": "#f9a825",
    "D": "#ef6c00",
    "E": "#c62828",
}
GRADE_LABELS = {band.code: f"{band.code} {band.name}" for band in DEFAULT_BANDS}

_LINE = "#1565c0"
_GRID = "#e0e0e0"
_AXIS = "#9e9e9e"
_TEXT = "#424242"
_PASS = "#c62828"
# Characters XML 1.0 does not allow at all (a label must never make the document invalid).
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _text(value) -> str:
    """A label as XML text or attribute value."""
    return escape(_XML_ILLEGAL.sub("", str(value)), quote=True)


def _n(x: float) -> str:
    """A coordinate with one decimal, the same text on every run and platform."""
    text = f"{x:.1f}"
    return "0" if text == "-0.0" else text.removesuffix(".0")


def _label_px(label, font_size: float = 11) -> float:
    """About how wide a label is drawn: CJK characters a full em, others a little over half."""
    return sum(
        font_size if unicodedata.east_asian_width(ch) in "WF" else font_size * 0.56
        for ch in str(label)
    )


# A phone shows a chart about 330 px wide whatever its viewBox: the labels' font size grows with
# the chart's width so that they are drawn at least 12 px there (PHONE_COLUMN_PX).
PHONE_COLUMN_PX = 330
MIN_LABEL_PX = 12


def label_size(width: int) -> float:
    """The axis labels' font size in the chart's own units (12 px at 330 px wide, or more)."""
    return max(12.0, math.ceil(width * MIN_LABEL_PX / PHONE_COLUMN_PX))


def _open(width: int, height: int, title: str) -> list[str]:
    if width <= 0 or height <= 0:
        raise ValueError("width and height must be positive")
    label = _text(title)
    size = label_size(width)
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{label}" '
        f'font-family="{FONT_FAMILY}" font-size="{_n(size)}" fill="{_TEXT}">',
        f"<title>{label}</title>",
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
        f'<text x="{_n(width / 2)}" y="{_n(size * 1.5)}" text-anchor="middle" '
        f'font-size="{_n(size * 1.2)}" font-weight="bold">{label}</text>',
    ]


def _margins(width: int) -> tuple[int, int, int, int]:
    """(left, right, top, bottom) around the plot, room for labels of label_size(width)."""
    size = label_size(width)
    return round(size * 3.2), round(size), round(size * 3.6), round(size * 3.4)


def _trend_lines(
    points: list[tuple[str, float | None]],
    x_of: Callable[[int], float],
    y_of: Callable[[float], float],
) -> list[str]:
    """The score line and its dots: one path per run of consecutive months with a score (a
    missing month breaks the line, it never drops to 0), then a dot with a tooltip per score."""
    parts: list[str] = []
    # One path per run of consecutive months with a score: a missing month breaks the line.
    runs: list[list[str]] = []
    previous_missing = True
    for index, (_, score) in enumerate(points):
        if score is None:
            previous_missing = True
            continue
        if previous_missing:
            runs.append([])
        runs[-1].append(f"{_n(x_of(index))} {_n(y_of(score))}")
        previous_missing = False
    for run in runs:
        if len(run) > 1:
            parts.append(
                f'<path class="trend" d="M {" L ".join(run)}" fill="none" stroke="{_LINE}" '
                f'stroke-width="2" stroke-linejoin="round" stroke-linecap="round"/>'
            )
    for index, (label, score) in enumerate(points):
        if score is not None:
            parts.append(
                f'<circle cx="{_n(x_of(index))}" cy="{_n(y_of(score))}" r="3.5" fill="#ffffff" '
                f'stroke="{_LINE}" stroke-width="2"><title>{_text(label)}: {score:.1f}</title>'
                "</circle>"
            )
    return parts


def score_trend_svg(
    points: list[tuple[str, float | None]],
    *,
    title: str,
    pass_mark: float,
    width: int = 480,
    height: int = 300,
) -> str:
    """A line chart of a score (0–100) per month: ``points`` are (label, score or None), oldest
    first, e.g. [("2026-01", 86.5), ("2026-02", None), ...].

    The y axis runs 0–100 with gridlines every 20; the pass mark is a dashed line labelled 达标线.
    A month without a score leaves a gap in the line (never a drop to 0); each month with a score
    has a dot whose tooltip (<title>) gives the month and the value.
    """
    left, right, top, bottom = _margins(width)
    size = label_size(width)
    plot_w, plot_h = width - left - right, height - top - bottom
    if plot_w <= 0 or plot_h <= 0:
        raise ValueError("the chart is too small")

    def y_of(score: float) -> float:
        return top + plot_h * (1 - min(max(score, 0), 100) / 100)

    count = len(points)
    step = plot_w / count if count else plot_w

    def x_of(index: int) -> float:
        return left + step * (index + 0.5)

    parts = _open(width, height, title)
    for tick in range(0, 101, 20):
        y = _n(y_of(tick))
        parts.append(
            f'<line x1="{_n(left)}" y1="{y}" x2="{_n(width - right)}" y2="{y}" '
            f'stroke="{_AXIS if tick == 0 else _GRID}" stroke-width="1"/>'
        )
        parts.append(
            f'<text x="{_n(left - 6)}" y="{y}" dy="0.35em" text-anchor="end">{tick}</text>'
        )

    # Month labels: every one, or every second, third... when they would overlap.
    label_width = max((_label_px(label, size) for label, _ in points), default=0) + 4
    every = max(1, math.ceil(label_width / step))
    for index, (label, _) in enumerate(points):
        if index % every == 0:
            parts.append(
                f'<text x="{_n(x_of(index))}" y="{_n(height - bottom + size * 1.5)}" '
                f'text-anchor="middle">{_text(label)}</text>'
            )

    pass_y = _n(y_of(pass_mark))
    parts.append(
        f'<line class="pass-mark" x1="{_n(left)}" y1="{pass_y}" x2="{_n(width - right)}" '
        f'y2="{pass_y}" '
        f'stroke="{_PASS}" stroke-width="1.5" stroke-dasharray="6 4"/>'
    )
    parts.append(
        f'<text x="{_n(width - right - 4)}" y="{pass_y}" dy="-4" text-anchor="end" '
        f'fill="{_PASS}">{_text(f"达标线 {pass_mark:g}")}</text>'
    )

    parts.extend(_trend_lines(points, x_of, y_of))
    if not any(score is not None for _, score in points):
        parts.append(
            f'<text x="{_n(left + plot_w / 2)}" y="{_n(top + plot_h / 2)}" text-anchor="middle" '
            f'fill="{_AXIS}">暂无数据</text>'
        )
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def _nice_step(maximum: int) -> int:
    """An integer gridline step (1, 2, 5, 10, 20, 50...) giving at most 5 steps up to maximum."""
    magnitude = 1
    while True:
        for factor in (1, 2, 5):
            if maximum <= 5 * factor * magnitude:
                return factor * magnitude
        magnitude *= 10


def grade_distribution_svg(
    counts: dict[str, int], *, title: str, width: int = 480, height: int = 300
) -> str:
    """A bar chart of how many people got each grade: always the five bars A 优秀 … E 不合格 in
    that order (a grade nobody got is a bar of 0), coloured from green to red, with the count on
    top of each bar and the share in its tooltip. Keys other than A–E are ignored.
    """
    left, right, top, bottom = _margins(width)
    size = label_size(width)
    plot_w, plot_h = width - left - right, height - top - bottom
    if plot_w <= 0 or plot_h <= 0:
        raise ValueError("the chart is too small")
    values = {grade: max(int(counts.get(grade) or 0), 0) for grade in GRADES}
    total = sum(values.values())
    step = _nice_step(max(max(values.values()), 1))
    scale_max = step * math.ceil(max(max(values.values()), 1) / step)

    def y_of(value: float) -> float:
        return top + plot_h * (1 - value / scale_max)

    parts = _open(width, height, title)
    for tick in range(0, scale_max + 1, step):
        y = _n(y_of(tick))
        parts.append(
            f'<line x1="{_n(left)}" y1="{y}" x2="{_n(width - right)}" y2="{y}" '
            f'stroke="{_AXIS if tick == 0 else _GRID}" stroke-width="1"/>'
        )
        parts.append(
            f'<text x="{_n(left - 6)}" y="{y}" dy="0.35em" text-anchor="end">{tick}</text>'
        )
    slot = plot_w / len(GRADES)
    bar_w = slot * 0.6
    for index, grade in enumerate(GRADES):
        value = values[grade]
        x = left + slot * index + (slot - bar_w) / 2
        y = y_of(value)
        share = f" ({100 * value / total:.1f}%)" if total else ""
        parts.append(
            f'<rect class="bar" data-grade="{grade}" x="{_n(x)}" y="{_n(y)}" width="{_n(bar_w)}" '
            f'height="{_n(top + plot_h - y)}" fill="{GRADE_COLOURS[grade]}">'
            f"<title>{_text(GRADE_LABELS[grade])}: {value}{share}</title></rect>"
        )
        parts.append(
            f'<text class="count" x="{_n(x + bar_w / 2)}" y="{_n(y - 6)}" text-anchor="middle" '
            f'font-weight="bold">{value}</text>'
        )
        parts.append(
            # The letter over the name: five labels side by side fit a phone that way.
            f'<text x="{_n(x + bar_w / 2)}" y="{_n(height - bottom + size * 1.4)}" '
            f'text-anchor="middle"><tspan font-weight="bold">{grade}</tspan>'
            f'<tspan x="{_n(x + bar_w / 2)}" dy="1.2em"> '
            f"{_text(GRADE_LABELS[grade].split(' ', 1)[1])}</tspan></text>"
        )
    parts.append("</svg>")
    return "\n".join(parts) + "\n"
