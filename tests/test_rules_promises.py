"""Follow-up promises as a rule (models/rules/promises.py), on the company file itself."""

import tomllib
from datetime import date, datetime, time
from pathlib import Path

import pytest

from models.rules import promises as rule
from models.rules.workdays import is_working_day

FILE = Path(__file__).parent.parent / "checklists" / "promises.toml"
PROMISES = rule.parse_promises(tomllib.loads(FILE.read_text(encoding="utf-8")))


def statute(day: date) -> bool:
    return is_working_day(day)


def test_the_file_says_what_the_manuals_promise():
    urgent = PROMISES.kinds["anomaly_urgent"]
    assert urgent.respond == rule.Span(1, "hours")  # 1个小时内给予客户响应答复
    assert urgent.resolve == rule.Span(6, "hours")  # 4-6个小时内……到达现场
    ordinary = PROMISES.kinds["anomaly_ordinary"]
    assert ordinary.respond == rule.Span(2, "hours")  # 2个小时内与客户取得联系
    assert PROMISES.kinds["complaint"].resolve == rule.Span(3, "working_days")  # 三天之内回访
    assert PROMISES.kinds["rectification"].resolve == rule.FROM_CHECKLIST
    assert [s.to for s in urgent.steps] == ["owner", "supervisor", "manager"]
    assert "四(四)3" in urgent.source


def test_categories_choose_the_kind():
    assert rule.default_urgency("water_leak", PROMISES) == "urgent"
    assert rule.default_urgency("lighting", PROMISES) == "ordinary"
    assert rule.kind_of_anomaly("lighting", "urgent", PROMISES) == "anomaly_urgent"
    assert rule.kind_of_anomaly("water_leak", "ordinary", PROMISES) == "anomaly_ordinary"
    assert rule.kind_of_anomaly("complaint", "urgent", PROMISES) == "complaint"


def test_round_the_clock_hours_ignore_nights_and_holidays():
    # 2026-10-01 is National Day: an urgent leak at 23:30 is still answered by 00:30.
    start = datetime(2026, 10, 1, 23, 30)
    deadlines = rule.clocks(PROMISES.kinds["anomaly_urgent"], start, PROMISES, statute)
    assert deadlines.respond_due == datetime(2026, 10, 2, 0, 30)
    assert deadlines.resolve_due == datetime(2026, 10, 2, 5, 30)


def test_working_days_skip_the_weekend():
    # Friday 2026-11-27 15:00, 3 working days of 09:00-18:00: Friday's 3 hours, Monday,
    # Tuesday, and 6 hours of Wednesday.
    friday = datetime(2026, 11, 27, 15, 0)
    assert rule.due(friday, rule.Span(3, "working_days"), PROMISES, statute) == datetime(
        2026, 12, 2, 15, 0
    )


def test_working_days_skip_a_public_holiday_and_count_its_makeup_saturday():
    # 2026: National Day and Mid-autumn are off 1-7 October, Saturday 10 October is a 调休
    # working day. A complaint made Wednesday 30 September at 10:00 has 8 working hours that
    # day, then nothing until Thursday 8 October (9 h), Friday 9 October (9 h) and the make-up
    # Saturday: 27 - 8 - 9 - 9 = 1 hour of Saturday 10 October, due at 10:00.
    assert not statute(date(2026, 10, 5)) and statute(date(2026, 10, 10))
    start = datetime(2026, 9, 30, 10, 0)
    deadlines = rule.clocks(PROMISES.kinds["complaint"], start, PROMISES, statute)
    assert deadlines.respond_due == datetime(2026, 9, 30, 11, 0)
    assert deadlines.resolve_due == datetime(2026, 10, 10, 10, 0)


def test_a_report_outside_working_hours_counts_from_the_next_working_morning():
    saturday_night = datetime(2026, 11, 28, 22, 0)
    due = rule.due(saturday_night, rule.Span(4, "working_hours"), PROMISES, statute)
    assert due == datetime(2026, 11, 30, 13, 0)  # Monday 09:00 + 4 h
    before_opening = datetime(2026, 11, 30, 7, 0)
    assert rule.due(before_opening, rule.Span(1, "working_days"), PROMISES, statute) == (
        datetime(2026, 11, 30, 18, 0)
    )


def test_a_site_may_work_through_a_holiday():
    def site(day: date) -> bool:
        return day == date(2026, 10, 5) or statute(day)

    start = datetime(2026, 9, 30, 17, 0)  # one working hour left that day
    due = rule.due(start, rule.Span(2, "working_hours"), PROMISES, site)
    assert due == datetime(2026, 10, 5, 10, 0)


def test_escalation_steps_fire_once_each_in_order():
    promise = PROMISES.kinds["anomaly_urgent"]
    reported = datetime(2026, 12, 1, 8, 0)
    deadlines = rule.clocks(promise, reported, PROMISES, statute)

    def due_at(now, taken=(), responded=False, done=False):
        return rule.steps_due(
            promise, deadlines, PROMISES, statute, now, responded, done, set(taken)
        )

    assert due_at(datetime(2026, 12, 1, 8, 59)) == []
    assert due_at(datetime(2026, 12, 1, 9, 0)) == ["owner"]
    assert due_at(datetime(2026, 12, 1, 9, 1), taken=["owner"]) == []
    assert due_at(datetime(2026, 12, 1, 14, 0), taken=["owner"], responded=True) == ["supervisor"]
    assert due_at(datetime(2026, 12, 1, 16, 0), taken=["owner", "supervisor"]) == ["manager"]
    # Answered in time: no owner step even when the completion clock breaks later.
    assert due_at(datetime(2026, 12, 1, 14, 0), responded=True) == ["supervisor"]
    assert due_at(datetime(2026, 12, 2, 0, 0), done=True) == []


def test_clock_state_in_one_word():
    now = datetime(2026, 12, 1, 12, 0)
    earlier, later = datetime(2026, 12, 1, 11, 0), datetime(2026, 12, 1, 13, 0)
    assert rule.clock_state(now, earlier, False, later, False) == "unanswered"
    assert rule.clock_state(now, earlier, True, later, False) == "running"
    assert rule.clock_state(now, earlier, True, earlier, False) == "late"
    assert rule.clock_state(now, earlier, False, earlier, True) == "done"
    assert rule.clock_state(now, None, False, None, False) == "none"


def test_on_time_rate_against_the_100_percent_target():
    assert rule.on_time_rate(0, 0) is None
    assert rule.on_time_rate(4, 3) == 75.0
    assert rule.on_time(datetime(2026, 1, 1, 10), datetime(2026, 1, 1, 10)) is True
    assert rule.on_time(None, datetime(2026, 1, 1, 10)) is None


@pytest.mark.parametrize(
    "change, problem",
    [
        (lambda raw: raw["complaint"].update(resolve={"weeks": 1}), "unknown unit"),
        (lambda raw: raw["complaint"].update(respond={"hours": 0}), "above 0"),
        (lambda raw: raw["complaint"].update(respond={"working_days": 90}), "at most"),
        (lambda raw: raw["complaint"]["escalate"].reverse(), "in that order"),
        (lambda raw: raw.pop("rectification"), "[rectification] is missing"),
        (lambda raw: raw["working_hours"].update(end="08:00"), "end must come after start"),
        (
            lambda raw: raw["rectification"]["escalate"][0].update(clock="respond"),
            "a clock this kind has",
        ),
    ],
)
def test_a_bad_file_is_refused_with_the_reason(change, problem):
    raw = tomllib.loads(FILE.read_text(encoding="utf-8"))
    change(raw)
    with pytest.raises(ValueError, match=problem.replace("[", r"\[").replace("]", r"\]")):
        rule.parse_promises(raw)


def test_site_overrides_replace_one_clock():
    site = PROMISES.with_overrides({("anomaly_urgent", "respond"): rule.Span(30, "minutes")})
    assert site.kinds["anomaly_urgent"].respond == rule.Span(30, "minutes")
    assert site.kinds["anomaly_urgent"].resolve == rule.Span(6, "hours")
    assert PROMISES.kinds["anomaly_urgent"].respond == rule.Span(1, "hours")
    assert site.day_start == time(9, 0)
