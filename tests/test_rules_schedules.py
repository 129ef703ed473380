"""When rounds start, with plain values: the wall-clock grid, midnight, weekdays and DST."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from models.rules.schedules import ScheduleRule, presence_rule, round_starts, to_utc

NEW_YORK = ZoneInfo("America/New_York")
LONDON = ZoneInfo("Europe/London")
SHANGHAI = ZoneInfo("Asia/Shanghai")
EVERY_DAY = frozenset(range(7))
NIGHT = ScheduleRule(time(20), time(6), 120, EVERY_DAY)


def utc(*args):
    return datetime(*args)


def starts(rule, zone, first, last=None):
    return round_starts(rule, zone, first, last or first)


def test_night_window_crosses_midnight_and_includes_an_end_on_the_grid():
    # Shanghai is UTC+8 all year: 20:00 local is 12:00 UTC.
    assert starts(NIGHT, SHANGHAI, date(2026, 5, 4)) == [
        utc(2026, 5, 4, 12),  # 20:00
        utc(2026, 5, 4, 14),  # 22:00
        utc(2026, 5, 4, 16),  # 00:00 on the 5th, still the 4th's window
        utc(2026, 5, 4, 18),  # 02:00
        utc(2026, 5, 4, 20),  # 04:00
        utc(2026, 5, 4, 22),  # 06:00: the end, on the grid, included
    ]


def test_an_end_off_the_grid_is_not_a_round():
    rule = ScheduleRule(time(20), time(5), 120, EVERY_DAY)
    result = starts(rule, SHANGHAI, date(2026, 5, 4))
    assert result[-1] == utc(2026, 5, 4, 20)  # 04:00 local; neither 05:00 nor 06:00
    assert len(result) == 5


def test_end_one_minute_before_the_grid_point_drops_it():
    rule = ScheduleRule(time(8), time(17, 59), 60, EVERY_DAY)
    result = starts(rule, SHANGHAI, date(2026, 5, 4))
    assert len(result) == 10 and result[-1] == utc(2026, 5, 4, 9)  # 17:00 local
    rule = ScheduleRule(time(8), time(18), 60, EVERY_DAY)
    assert starts(rule, SHANGHAI, date(2026, 5, 4))[-1] == utc(2026, 5, 4, 10)  # 18:00


def test_start_equal_to_end_is_one_round_a_day():
    rule = ScheduleRule(time(9), time(9), 60, EVERY_DAY)
    assert starts(rule, SHANGHAI, date(2026, 5, 4), date(2026, 5, 6)) == [
        utc(2026, 5, 4, 1),
        utc(2026, 5, 5, 1),
        utc(2026, 5, 6, 1),
    ]


def test_every_1440_minutes_is_the_start_only():
    rule = ScheduleRule(time(20), time(6), 1440, EVERY_DAY)
    assert starts(rule, SHANGHAI, date(2026, 5, 4)) == [utc(2026, 5, 4, 12)]


@pytest.mark.parametrize("every", [5, 1440])
def test_every_minutes_bounds_are_allowed(every):
    assert ScheduleRule(time(0), time(0), every, EVERY_DAY).every_minutes == every


@pytest.mark.parametrize("every", [4, 1441, 0, -60, 30.0, True])
def test_every_minutes_outside_5_to_1440_is_refused(every):
    with pytest.raises(ValueError):
        ScheduleRule(time(0), time(1), every, EVERY_DAY)


def test_weekdays_must_be_0_to_6_and_not_empty():
    with pytest.raises(ValueError):
        ScheduleRule(time(0), time(1), 30, frozenset({7}))
    with pytest.raises(ValueError):
        ScheduleRule(time(0), time(1), 30, frozenset())
    with pytest.raises(ValueError):
        ScheduleRule(time(0, tzinfo=SHANGHAI), time(1), 30, EVERY_DAY)


def test_every_five_minutes_all_day_fills_the_grid():
    rule = ScheduleRule(time(0), time(23, 55), 5, EVERY_DAY)
    result = starts(rule, SHANGHAI, date(2026, 5, 4))
    assert len(result) == 288 and result[0] == utc(2026, 5, 3, 16)


def test_the_weekday_is_the_day_the_window_starts():
    friday_nights = ScheduleRule(time(22), time(2), 120, frozenset({4}))
    # 2026-05-08 is a Friday. Its 00:00 and 02:00 rounds fall on Saturday and are still Friday's.
    week = starts(friday_nights, SHANGHAI, date(2026, 5, 4), date(2026, 5, 10))
    assert week == [utc(2026, 5, 8, 14), utc(2026, 5, 8, 16), utc(2026, 5, 8, 18)]
    # Asking for Saturday alone gives nothing: the window started on Friday.
    assert starts(friday_nights, SHANGHAI, date(2026, 5, 9)) == []


def test_a_window_that_started_before_first_day_is_not_included():
    result = starts(NIGHT, SHANGHAI, date(2026, 5, 5))
    # The 4th's 00:00-06:00 rounds on the morning of the 5th belong to the 4th's window.
    assert result[0] == utc(2026, 5, 5, 12)
    assert utc(2026, 5, 4, 16) not in result


def test_empty_range_gives_no_rounds():
    assert round_starts(NIGHT, SHANGHAI, date(2026, 5, 5), date(2026, 5, 4)) == []


def test_deterministic_and_consistent_across_overlapping_ranges():
    # The caller creates rounds keyed by (schedule id, start): asking again, or for an
    # overlapping range, must give the same start times.
    week = starts(NIGHT, NEW_YORK, date(2026, 3, 2), date(2026, 3, 12))
    assert week == starts(NIGHT, NEW_YORK, date(2026, 3, 2), date(2026, 3, 12))
    part = starts(NIGHT, NEW_YORK, date(2026, 3, 7), date(2026, 3, 9))
    assert set(part) <= set(week)
    assert week == sorted(set(week))


def test_new_york_spring_forward_moves_the_missing_round_to_the_end_of_the_gap():
    # 2026-03-08: 02:00 EST jumps to 03:00 EDT (07:00 UTC). The night of the 7th:
    assert starts(NIGHT, NEW_YORK, date(2026, 3, 7)) == [
        utc(2026, 3, 8, 1),  # 20:00 EST
        utc(2026, 3, 8, 3),  # 22:00 EST
        utc(2026, 3, 8, 5),  # 00:00 EST
        utc(2026, 3, 8, 7),  # 02:00 does not exist: 03:00 EDT, the first instant after
        utc(2026, 3, 8, 8),  # 04:00 EDT
        utc(2026, 3, 8, 10),  # 06:00 EDT
    ]
    # The next evening is on daylight time: 20:00 EDT = 00:00 UTC.
    assert starts(NIGHT, NEW_YORK, date(2026, 3, 8))[0] == utc(2026, 3, 9, 0)


def test_grid_times_inside_the_gap_collapse_into_one_round():
    rule = presence_rule(30, time(1), time(3, 30), EVERY_DAY)
    assert starts(rule, NEW_YORK, date(2026, 3, 8)) == [
        utc(2026, 3, 8, 6),  # 01:00 EST
        utc(2026, 3, 8, 6, 30),  # 01:30 EST
        utc(2026, 3, 8, 7),  # 02:00, 02:30 and 03:00 EDT: one round
        utc(2026, 3, 8, 7, 30),  # 03:30 EDT
    ]


def test_new_york_fall_back_uses_the_first_occurrence_once():
    # 2026-11-01: 02:00 EDT falls back to 01:00 EST (06:00 UTC); 01:00-01:59 happens twice.
    rule = presence_rule(30, time(0), time(3), EVERY_DAY)
    assert starts(rule, NEW_YORK, date(2026, 11, 1)) == [
        utc(2026, 11, 1, 4),  # 00:00 EDT
        utc(2026, 11, 1, 4, 30),
        utc(2026, 11, 1, 5),  # 01:00 EDT, the first 01:00; not again at 06:00 UTC
        utc(2026, 11, 1, 5, 30),  # 01:30 EDT
        utc(2026, 11, 1, 7),  # 02:00 EST
        utc(2026, 11, 1, 7, 30),
        utc(2026, 11, 1, 8),  # 03:00 EST
    ]


def test_new_york_fall_back_night_keeps_the_wall_clock_grid():
    assert starts(NIGHT, NEW_YORK, date(2026, 10, 31)) == [
        utc(2026, 11, 1, 0),  # 20:00 EDT
        utc(2026, 11, 1, 2),  # 22:00 EDT
        utc(2026, 11, 1, 4),  # 00:00 EDT
        utc(2026, 11, 1, 7),  # 02:00 EST
        utc(2026, 11, 1, 9),  # 04:00 EST
        utc(2026, 11, 1, 11),  # 06:00 EST
    ]


def test_london_spring_forward_and_fall_back():
    # 2026-03-29: 01:00 GMT jumps to 02:00 BST (01:00 UTC).
    rule = presence_rule(30, time(0), time(3))
    assert starts(rule, LONDON, date(2026, 3, 29)) == [
        utc(2026, 3, 29, 0),
        utc(2026, 3, 29, 0, 30),
        utc(2026, 3, 29, 1),  # 01:00, 01:30 and 02:00 BST
        utc(2026, 3, 29, 1, 30),  # 02:30 BST
        utc(2026, 3, 29, 2),  # 03:00 BST
    ]
    # 2026-10-25: 02:00 BST falls back to 01:00 GMT; 01:00-01:59 happens twice.
    assert starts(rule, LONDON, date(2026, 10, 25)) == [
        utc(2026, 10, 24, 23),  # 00:00 BST
        utc(2026, 10, 24, 23, 30),
        utc(2026, 10, 25, 0),  # 01:00 BST, first occurrence
        utc(2026, 10, 25, 0, 30),  # 01:30 BST
        utc(2026, 10, 25, 2),  # 02:00 GMT
        utc(2026, 10, 25, 2, 30),
        utc(2026, 10, 25, 3),  # 03:00 GMT
    ]


def test_london_winter_and_summer_offsets():
    daily = ScheduleRule(time(9), time(9), 60, EVERY_DAY)
    assert starts(daily, LONDON, date(2026, 1, 15)) == [utc(2026, 1, 15, 9)]
    assert starts(daily, LONDON, date(2026, 7, 15)) == [utc(2026, 7, 15, 8)]


def test_to_utc_gap_overlap_and_ordinary_times():
    assert to_utc(datetime(2026, 3, 8, 2, 30), NEW_YORK) == utc(2026, 3, 8, 7)
    assert to_utc(datetime(2026, 3, 8, 1, 59, 59), NEW_YORK) == utc(2026, 3, 8, 6, 59, 59)
    assert to_utc(datetime(2026, 3, 8, 3, 0), NEW_YORK) == utc(2026, 3, 8, 7)
    assert to_utc(datetime(2026, 11, 1, 1, 30), NEW_YORK) == utc(2026, 11, 1, 5, 30)
    assert to_utc(datetime(2026, 5, 4, 20), SHANGHAI) == utc(2026, 5, 4, 12)


def test_presence_rule_is_a_schedule():
    rule = presence_rule(30, time(8), time(10), [0, 1, 2, 3, 4])
    assert rule == ScheduleRule(time(8), time(10), 30, frozenset(range(5)))
    # 2026-05-09 is a Saturday: no presence check on the weekend.
    assert starts(rule, SHANGHAI, date(2026, 5, 9), date(2026, 5, 10)) == []
    assert len(starts(rule, SHANGHAI, date(2026, 5, 8))) == 5
    with pytest.raises(ValueError):
        presence_rule(2, time(8), time(10))


def test_no_round_starts_before_the_schedule_existed():
    # Issue 18.1: a night schedule created on the 5th at 21:21 Shanghai (13:21 UTC) makes
    # nothing of the 4th's night (whose 00:00-06:00 rounds fall on the 5th) nor the 5th's 20:00.
    created = utc(2026, 5, 5, 13, 21)
    made = round_starts(NIGHT, SHANGHAI, date(2026, 5, 4), date(2026, 5, 6), not_before=created)
    assert made == [
        *(utc(2026, 5, 5, h) for h in (14, 16, 18, 20, 22)),  # 22:00 on the 5th to 06:00
        *(utc(2026, 5, 6, h) for h in (12, 14, 16, 18, 20, 22)),  # the 6th's whole night
    ]
    # A round starting at the very moment of creation can still be walked: it is made.
    at_once = round_starts(
        NIGHT, SHANGHAI, date(2026, 5, 5), date(2026, 5, 5), not_before=utc(2026, 5, 5, 12)
    )
    assert at_once[0] == utc(2026, 5, 5, 12)
