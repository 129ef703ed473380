"""The scoring rule, with plain values."""

import pytest

from models.rules.applicability import applicable_items, applies
from models.rules.periods import month_of, quarter_of
from models.rules.scoring import (
    DEFAULT_BANDS,
    Answer,
    GradeBand,
    ItemRule,
    check_bands,
    grade_for,
    judge_item,
    passed,
    score_inspection,
)

RULES = [
    ItemRule("a", 5),
    ItemRule("b", 10),
    ItemRule("c", 5, critical=True),
    ItemRule("t", 15, limit_seconds=25),
]


def answers(**results):
    return [
        Answer(code, r[0], r[1]) if isinstance(r, tuple) else Answer(code, r)
        for code, r in results.items()
    ]


def test_all_pass_is_100():
    s = score_inspection(RULES, answers(a="pass", b="pass", c="pass", t=("pass", 20)), 59)
    assert s.score == 100.0 and not s.critical_failed


def test_weighted_percentage_with_na_excluded():
    s = score_inspection(RULES, answers(a="fail", b="pass", c="pass", t="na"), 59)
    assert s.score == pytest.approx(100 * 15 / 20)
    assert s.results["t"] == "na"


def test_all_items_na_gives_no_score_not_zero():
    s = score_inspection(RULES, answers(a="na", b="na", c="na", t="na"), 59)
    assert s.score is None
    assert grade_for(s.score) is None and passed(s.score, 80) is None


def test_critical_failure_flags_and_caps():
    s = score_inspection(RULES, answers(a="pass", b="pass", c="fail", t=("pass", 10)), 59)
    assert s.critical_failed
    assert s.score == 59  # 100*30/35 = 85.7 capped
    low = score_inspection(RULES, answers(a="fail", b="fail", c="fail", t="na"), 59)
    assert low.score == 0.0 and low.critical_failed  # the cap never raises a score


@pytest.mark.parametrize(
    "seconds,expected", [(24.9, "pass"), (25, "pass"), (25.1, "fail"), (60, "fail"), (0, "pass")]
)
def test_timed_item_judged_from_its_measurement(seconds, expected):
    # Whatever the inspector ticked, the measurement decides.
    assert judge_item(RULES[3], Answer("t", "pass", seconds)) == expected
    assert judge_item(RULES[3], Answer("t", "fail", seconds)) == expected


def test_timed_item_without_measurement_is_an_error_unless_na():
    with pytest.raises(ValueError):
        judge_item(RULES[3], Answer("t", "pass", None))
    assert judge_item(RULES[3], Answer("t", "na", None)) == "na"


@pytest.mark.parametrize(
    "score,code",
    [
        (100, "A"),
        (90, "A"),
        (89.9, "B"),
        (80, "B"),
        (79.9, "C"),
        (70, "C"),
        (60, "D"),
        (59.9, "E"),
        (0, "E"),
    ],
)
def test_grade_band_boundaries(score, code):
    assert grade_for(score, DEFAULT_BANDS).code == code


def test_pass_mark_boundary():
    assert passed(80, 80) is True and passed(79.9, 80) is False


def test_bands_must_be_five_and_cover_zero():
    check_bands(DEFAULT_BANDS)
    with pytest.raises(ValueError):
        check_bands(DEFAULT_BANDS[:4])
    with pytest.raises(ValueError):
        check_bands((*DEFAULT_BANDS[:4], GradeBand(10, "E", "x", "x")))


def test_applicability_by_job_gender_and_area_type():
    assert applies({}, job="guard", gender="male")
    assert applies({"genders": ["female"]}, job="guard", gender="female")
    assert not applies({"genders": ["female"]}, job="guard", gender="male")
    assert not applies({"jobs": ["guard"]}, job="cleaner", gender="male")
    assert applies({"area_types": ["lobby"]}, area_type="lobby")
    assert not applies({"area_types": ["lobby"]}, area_type="garden")
    content = {
        "sections": [
            {
                "code": "s",
                "items": [
                    {"code": "x"},
                    {"code": "y", "applies_to": {"area_types": ["gate"]}},
                ],
            }
        ]
    }
    assert [i["code"] for i in applicable_items(content, area_type="lobby")] == ["x"]
    assert [i["code"] for i in applicable_items(content, area_type="gate")] == ["x", "y"]


def test_month_is_the_sites_month():
    from datetime import datetime
    from zoneinfo import ZoneInfo

    # 16:30 UTC on 31 October is already 1 November in Shanghai, still October in New York.
    moment = datetime(2026, 10, 31, 16, 30)
    assert month_of(moment, ZoneInfo("Asia/Shanghai")) == 202611
    assert month_of(moment, ZoneInfo("America/New_York")) == 202610
    assert [quarter_of(m) for m in (202601, 202603, 202604, 202612)] == [1, 1, 2, 4]
