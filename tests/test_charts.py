"""SVG charts for the monthly records: valid XML, accessible, gaps for missing months, five bars."""

import xml.etree.ElementTree as ET

import pytest

from models.files.charts import GRADE_COLOURS, grade_distribution_svg, score_trend_svg

SVG = "{http://www.w3.org/2000/svg}"
FONT = "Noto Sans SC, PingFang SC, Microsoft YaHei, sans-serif"
MONTHS = [f"2025-{m:02d}" for m in range(2, 13)] + ["2026-01"]


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    return root


def texts(root: ET.Element) -> list[str]:
    return ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]


def trend(scores, **kwargs) -> ET.Element:
    options = {"title": "王建国 综合得分", "pass_mark": 80} | kwargs
    return parse(score_trend_svg(list(zip(MONTHS, scores, strict=True)), **options))


def gridline_y(root: ET.Element) -> dict[str, float]:
    """The y of each labelled horizontal gridline (label text -> y)."""
    return {
        "".join(t.itertext()): float(t.get("y"))
        for t in root.iter(f"{SVG}text")
        if t.get("text-anchor") == "end" and t.get("dy") == "0.35em"
    }


def path_points(path: ET.Element) -> list[tuple[float, float]]:
    numbers = path.get("d").replace("M", "").replace("L", "").split()
    return [(float(x), float(y)) for x, y in zip(numbers[::2], numbers[1::2], strict=True)]


# --- score trend -------------------------------------------------------------------------------


def test_trend_is_an_accessible_scalable_svg():
    root = trend([80 + i for i in range(12)])
    assert root.get("viewBox") == "0 0 480 300"
    assert root.get("role") == "img"
    assert root.get("aria-label") == "王建国 综合得分"
    assert root.get("font-family") == FONT
    assert root.find(f"{SVG}title").text == "王建国 综合得分"
    assert "王建国 综合得分" in texts(root)


def test_trend_y_axis_runs_0_to_100_with_gridlines_at_20s():
    root = trend([None] * 11 + [85.0])
    grid = gridline_y(root)
    assert list(grid) == ["0", "20", "40", "60", "80", "100"]
    ys = list(grid.values())
    assert ys == sorted(ys, reverse=True)  # 0 at the bottom, 100 at the top
    steps = {round(a - b, 1) for a, b in zip(ys, ys[1:], strict=False)}
    assert len(steps) == 1  # evenly spaced
    # Labels readable on a phone: every third month of twelve, from the first.
    assert [label for label in MONTHS if label in texts(root)] == MONTHS[::3]


def test_trend_pass_mark_is_a_labelled_dashed_line():
    root = trend([70.0] * 12, pass_mark=80)
    lines = [line for line in root.iter(f"{SVG}line") if line.get("class") == "pass-mark"]
    assert len(lines) == 1
    assert lines[0].get("stroke-dasharray")
    assert float(lines[0].get("y1")) == float(lines[0].get("y2")) == gridline_y(root)["80"]
    assert "达标线 80" in texts(root)

    other = trend([70.0] * 12, pass_mark=75.5)
    assert "达标线 75.5" in texts(other)


def test_missing_months_leave_a_gap_not_a_drop_to_zero():
    scores = [90.0, 91.5, None, None, 85.0, 86.0, 87.0, None, 88.0, None, 92.0, 93.0]
    root = trend(scores)
    zero_y = gridline_y(root)["0"]
    paths = [p for p in root.iter(f"{SVG}path") if p.get("class") == "trend"]
    # Runs with two or more months are lines; 88.0 stands alone as a dot.
    assert [len(path_points(p)) for p in paths] == [2, 3, 2]
    assert all(y < zero_y for p in paths for _, y in path_points(p))
    circles = list(root.iter(f"{SVG}circle"))
    assert len(circles) == sum(s is not None for s in scores)  # one per month with a score
    assert all(float(c.get("cy")) < zero_y for c in circles)
    # The gap is a real gap: the second run starts at the fifth month, after the first ends.
    first, second = path_points(paths[0]), path_points(paths[1])
    assert second[0][0] - first[-1][0] == pytest.approx(3 * (first[1][0] - first[0][0]), abs=0.2)


def test_points_show_their_value_on_hover():
    scores = [None] * 11 + [86.5]
    root = trend(scores)
    (circle,) = root.iter(f"{SVG}circle")
    assert circle.find(f"{SVG}title").text == "2026-01: 86.5"
    assert circle.get("r")


def test_scores_outside_0_100_stay_inside_the_plot():
    root = trend([120.0, -5.0] + [None] * 10)
    grid = gridline_y(root)
    ys = [float(c.get("cy")) for c in root.iter(f"{SVG}circle")]
    assert ys == [grid["100"], grid["0"]]
    titles = [c.find(f"{SVG}title").text for c in root.iter(f"{SVG}circle")]
    assert titles == ["2025-02: 120.0", "2025-03: -5.0"]  # the tooltip tells the truth


def test_no_data_at_all_says_so():
    root = trend([None] * 12)
    assert list(root.iter(f"{SVG}circle")) == []
    assert [p for p in root.iter(f"{SVG}path") if p.get("class") == "trend"] == []
    assert "暂无数据" in texts(root)


def test_trend_labels_are_escaped():
    title = '护卫<一>班 & "夜班"\x01'
    svg = score_trend_svg([("<2026-01>", 85.0), ("a&b", 86.0)], title=title, pass_mark=80)
    assert "<一>" not in svg and "&b" not in svg.replace("&amp;b", "")
    root = parse(svg)
    assert root.get("aria-label") == '护卫<一>班 & "夜班"'
    assert '护卫<一>班 & "夜班"' in texts(root)
    assert "<2026-01>" in texts(root) and "a&b" in texts(root)
    assert [c.find(f"{SVG}title").text for c in root.iter(f"{SVG}circle")] == [
        "<2026-01>: 85.0",
        "a&b: 86.0",
    ]


def test_trend_is_deterministic_and_sizes_follow_arguments():
    points = list(zip(MONTHS, [80.0 + i / 3 for i in range(12)], strict=True))
    first = score_trend_svg(points, title="班组", pass_mark=80)
    assert first == score_trend_svg(points, title="班组", pass_mark=80)
    small = parse(score_trend_svg(points, title="班组", pass_mark=80, width=360, height=200))
    assert small.get("viewBox") == "0 0 360 200"
    shown = [t for t in texts(small) if t in MONTHS]
    assert 0 < len(shown) < 12  # labels thinned out instead of overlapping
    with pytest.raises(ValueError):
        score_trend_svg(points, title="x", pass_mark=80, width=40, height=40)


# --- grade distribution ------------------------------------------------------------------------


def bars(root: ET.Element) -> list[ET.Element]:
    return [r for r in root.iter(f"{SVG}rect") if r.get("class") == "bar"]


def counts_on_top(root: ET.Element) -> list[str]:
    return ["".join(t.itertext()) for t in root.iter(f"{SVG}text") if t.get("class") == "count"]


def test_grade_chart_is_an_accessible_scalable_svg():
    root = parse(grade_distribution_svg({"A": 3, "B": 7}, title="华润中心 2026-01 等级分布"))
    assert root.get("viewBox") == "0 0 480 300"
    assert root.get("role") == "img"
    assert root.get("aria-label") == "华润中心 2026-01 等级分布"
    assert root.get("font-family") == FONT


def test_always_five_bars_in_order_with_counts_on_top():
    root = parse(grade_distribution_svg({"B": 7, "A": 3, "E": 1}, title="等级分布"))
    found = bars(root)
    assert [b.get("data-grade") for b in found] == ["A", "B", "C", "D", "E"]
    xs = [float(b.get("x")) for b in found]
    assert xs == sorted(xs)
    assert counts_on_top(root) == ["3", "7", "0", "0", "1"]
    assert [float(b.get("height")) for b in found][2:4] == [0, 0]
    heights = [float(b.get("height")) for b in found]
    assert heights[1] == pytest.approx(heights[0] * 7 / 3, abs=0.2)  # proportional
    for label in ("A 优秀", "B 良好", "C 合格", "D 基本合格", "E 不合格"):
        assert label in texts(root)
    # Counts sit above their bars.
    tops = [float(t.get("y")) for t in root.iter(f"{SVG}text") if t.get("class") == "count"]
    assert all(top < float(b.get("y")) for top, b in zip(tops, found, strict=True))


def test_bars_go_from_green_to_red():
    root = parse(grade_distribution_svg({}, title="空"))
    fills = [b.get("fill") for b in bars(root)]
    assert fills == [GRADE_COLOURS[g] for g in "ABCDE"]
    greenness = [int(f[3:5], 16) - int(f[1:3], 16) for f in fills]  # green minus red
    assert greenness[0] > 0 > greenness[-1]  # A is green, E is red
    assert greenness == sorted(greenness, reverse=True)


def test_no_one_graded_still_shows_five_empty_bars():
    root = parse(grade_distribution_svg({}, title="无记录"))
    assert len(bars(root)) == 5
    assert counts_on_top(root) == ["0"] * 5
    assert all(float(b.get("height")) == 0 for b in bars(root))


def test_unknown_keys_are_ignored_and_tooltips_give_the_share():
    root = parse(grade_distribution_svg({"A": 1, "B": 3, None: 4, "X": 9}, title="x"))
    assert counts_on_top(root) == ["1", "3", "0", "0", "0"]
    titles = [b.find(f"{SVG}title").text for b in bars(root)]
    assert titles[:2] == ["A 优秀: 1 (25.0%)", "B 良好: 3 (75.0%)"]


def test_large_counts_get_a_round_scale():
    root = parse(grade_distribution_svg({"A": 37, "C": 112}, title="x"))
    labels = [int(t) for t in gridline_y(root)]
    assert labels[0] == 0 and labels[-1] >= 112
    assert len(labels) <= 7
    assert len({b - a for a, b in zip(labels, labels[1:], strict=False)}) == 1


def test_grade_chart_title_is_escaped_and_output_deterministic():
    title = "A&B <班组> 'x'"
    svg = grade_distribution_svg({"A": 2}, title=title)
    assert svg == grade_distribution_svg({"A": 2}, title=title)
    root = parse(svg)
    assert root.get("aria-label") == title
    assert title in texts(root)


def test_every_label_is_readable_on_a_phone_column_of_330_px():
    """A phone shows the chart about 330 px wide: no text is drawn smaller than 12 px there
    (it was 11 units of 640, about 6 px)."""
    charts = [
        score_trend_svg(list(zip(MONTHS, [80.0] * 12, strict=True)), title="x", pass_mark=80),
        grade_distribution_svg({"A": 1}, title="x"),
        score_trend_svg([("2026-01", 70.0)], title="x", pass_mark=80, width=900, height=400),
    ]
    for chart in charts:
        root = parse(chart)
        width = float(root.get("viewBox").split()[2])
        for element in root.iter(f"{SVG}text"):
            size = float(element.get("font-size") or root.get("font-size"))
            assert size * 330 / width >= 12, (element.text, size, width)
