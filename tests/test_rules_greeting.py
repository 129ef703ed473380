"""Greeting duty 迎候服务: the windows of a site, the duty days, and judging one shift."""

import time as clock
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from models.rules.greeting import ShiftOutcome, compliance, judge_shift
from models.rules.greeting_windows import WindowRule, duty_days, window_instants, windows_for_site

SHANGHAI = ZoneInfo("Asia/Shanghai")
NEW_YORK = ZoneInfo("America/New_York")
WEEKDAYS = frozenset(range(5))

# 08:30-09:00 in Shanghai on Monday 9 March 2026, as stored (naive UTC).
START = datetime(2026, 3, 9, 0, 30)
END = datetime(2026, 3, 9, 1, 0)


def at(base, minutes=0, seconds=0):
    return base + timedelta(minutes=minutes, seconds=seconds)


# --- the windows of a site ------------------------------------------------------------------


def test_office_greets_the_half_hour_before_work():
    assert windows_for_site("office", time(9, 0), None, None) == [
        WindowRule("morning", time(8, 30), 30)
    ]
    assert windows_for_site("office", time(8, 45), None, None, minutes=45) == [
        WindowRule("morning", time(8, 0), 45)
    ]


def test_estate_greets_the_evening_peak():
    assert windows_for_site("residential", None, time(18, 0), time(18, 30)) == [
        WindowRule("evening", time(18, 0), 30)
    ]
    # Issue 24.8: every window lasts ``minutes``, so the setting says what is used; the peak
    # bounds it.
    assert windows_for_site("residential", None, time(18, 0), time(19, 0)) == [
        WindowRule("evening", time(18, 0), 30)
    ]
    assert windows_for_site("residential", None, time(18, 0), time(19, 0))[0].end == time(18, 30)
    with pytest.raises(ValueError, match="does not fit in the evening peak 18:00-18:30"):
        windows_for_site("residential", None, time(18, 0), time(18, 30), minutes=45)
    assert windows_for_site("residential", None, time(17, 45), None, minutes=20) == [
        WindowRule("evening", time(17, 45), 20)
    ]


def test_mixed_site_has_both_windows_sorted_by_start():
    assert windows_for_site("mixed", time(9, 0), time(18, 0), time(18, 30)) == [
        WindowRule("morning", time(8, 30)),
        WindowRule("evening", time(18, 0)),
    ]
    # An estate whose residents come home from a night shift at dawn: evening comes first.
    assert [w.code for w in windows_for_site("mixed", time(9, 0), time(6, 0), None)] == [
        "evening",
        "morning",
    ]


@pytest.mark.parametrize(
    "args",
    [
        ("hotel", time(9, 0), None, None),
        ("office", None, time(18, 0), time(18, 30)),
        ("residential", time(9, 0), None, None),
        ("mixed", time(9, 0), None, None),
        ("mixed", None, time(18, 0), time(18, 30)),
        ("residential", None, time(18, 0), time(18, 0)),  # the peak ends when it starts
        ("residential", None, time(18, 0), time(17, 30)),
        ("office", time(0, 15), None, None),  # the window would start the day before
        ("residential", None, time(23, 45), None),  # ... or end the day after
        ("office", time(9, 0, 30), None, None),  # settings are to the minute
        ("mixed", time(9, 0), time(8, 45), None),  # the windows overlap
    ],
)
def test_impossible_settings_are_refused(args):
    with pytest.raises(ValueError):
        windows_for_site(*args)


def test_windows_touching_end_to_start_do_not_overlap():
    assert len(windows_for_site("mixed", time(9, 0), time(9, 0), None)) == 2
    assert windows_for_site("residential", None, time(23, 30), None)[0].minutes == 30


@pytest.mark.parametrize("minutes", [0, -30, 24 * 60])
def test_a_window_lasts_a_positive_time(minutes):
    with pytest.raises(ValueError):
        WindowRule("morning", time(8, 30), minutes)
    with pytest.raises(ValueError):
        windows_for_site("office", time(9, 0), None, None, minutes=minutes)


def test_a_window_has_a_known_code():
    with pytest.raises(ValueError):
        WindowRule("noon", time(12, 0))


# --- duty days ------------------------------------------------------------------------------

# National Day 2025: 1-8 October off; Sunday 28 September and Saturday 11 October are worked 调休.
NATIONAL_DAY = {date(2025, 10, d) for d in range(1, 9)}
MAKE_UP_DAYS = {date(2025, 9, 28), date(2025, 10, 11)}


def test_duty_days_skip_weekends_and_holidays_but_keep_make_up_days():
    days = duty_days(
        date(2025, 9, 27),
        date(2025, 10, 12),
        WEEKDAYS,
        NATIONAL_DAY,
        extra_workdays=MAKE_UP_DAYS,
    )
    assert days == [
        date(2025, 9, 28),  # Sunday, worked
        date(2025, 9, 29),
        date(2025, 9, 30),
        date(2025, 10, 9),
        date(2025, 10, 10),
        date(2025, 10, 11),  # Saturday, worked
    ]


def test_without_make_up_days_the_weekend_is_free():
    days = duty_days(date(2025, 9, 27), date(2025, 10, 12), WEEKDAYS, NATIONAL_DAY)
    assert days == [date(2025, 9, 29), date(2025, 9, 30), date(2025, 10, 9), date(2025, 10, 10)]


def test_an_estate_greets_every_day_and_both_ends_are_included():
    days = duty_days(date(2026, 3, 1), date(2026, 3, 31), range(7), set())
    assert len(days) == 31 and days[0] == date(2026, 3, 1) and days[-1] == date(2026, 3, 31)
    assert duty_days(date(2026, 3, 9), date(2026, 3, 9), WEEKDAYS, set()) == [date(2026, 3, 9)]
    assert duty_days(date(2026, 3, 8), date(2026, 3, 8), WEEKDAYS, set()) == []  # a Sunday


def test_duty_days_refuse_nonsense():
    with pytest.raises(ValueError):
        duty_days(date(2026, 3, 1), date(2026, 3, 31), {7}, set())
    with pytest.raises(ValueError):
        duty_days(date(2026, 3, 31), date(2026, 3, 1), WEEKDAYS, set())
    with pytest.raises(ValueError):
        duty_days(
            date(2025, 9, 1),
            date(2025, 10, 31),
            WEEKDAYS,
            NATIONAL_DAY,
            extra_workdays={date(2025, 10, 1)},
        )


# --- windows as UTC instants ----------------------------------------------------------------

MORNING = WindowRule("morning", time(8, 30))
EVENING = WindowRule("evening", time(18, 0))


def test_shanghai_window_in_utc():
    assert window_instants(date(2026, 3, 9), MORNING, SHANGHAI) == (START, END)
    assert window_instants(date(2026, 3, 9), EVENING, SHANGHAI) == (
        datetime(2026, 3, 9, 10, 0),
        datetime(2026, 3, 9, 10, 30),
    )
    # An early window falls on the previous UTC date, but belongs to the local day.
    early = WindowRule("morning", time(7, 30))
    assert window_instants(date(2026, 3, 10), early, SHANGHAI) == (
        datetime(2026, 3, 9, 23, 30),
        datetime(2026, 3, 10, 0, 0),
    )


def test_new_york_window_keeps_its_wall_clock_across_dst():
    # 08:30 local is 13:30 UTC in winter (EST) and 12:30 UTC in summer (EDT).
    assert window_instants(date(2026, 3, 6), MORNING, NEW_YORK)[0] == datetime(2026, 3, 6, 13, 30)
    assert window_instants(date(2026, 3, 9), MORNING, NEW_YORK)[0] == datetime(2026, 3, 9, 12, 30)
    assert window_instants(date(2026, 11, 2), MORNING, NEW_YORK)[0] == datetime(2026, 11, 2, 13, 30)
    # On the change days themselves (2 a.m.) the morning and evening windows are untouched.
    for day in (date(2026, 3, 8), date(2026, 11, 1)):
        start, end = window_instants(day, MORNING, NEW_YORK)
        assert end - start == timedelta(minutes=30)
    assert window_instants(date(2026, 7, 1), EVENING, NEW_YORK) == (
        datetime(2026, 7, 1, 22, 0),
        datetime(2026, 7, 1, 22, 30),
    )


def test_a_window_in_the_spring_gap_starts_when_the_clocks_jump():
    # 8 March 2026 in New York: 02:00 EST jumps to 03:00 EDT (07:00 UTC).
    day = date(2026, 3, 8)
    partly = WindowRule("evening", time(2, 45))  # 02:45-03:15 -> 03:00-03:15 EDT
    assert window_instants(day, partly, NEW_YORK) == (
        datetime(2026, 3, 8, 7, 0),
        datetime(2026, 3, 8, 7, 15),
    )
    before = WindowRule("evening", time(1, 45))  # 01:45 EST - 02:15 (-> 03:00 EDT)
    assert window_instants(day, before, NEW_YORK) == (
        datetime(2026, 3, 8, 6, 45),
        datetime(2026, 3, 8, 7, 0),
    )
    inside = WindowRule("evening", time(2, 0))  # 02:00-02:30 never happens: an empty window
    start, end = window_instants(day, inside, NEW_YORK)
    assert start == end == datetime(2026, 3, 8, 7, 0)


def test_a_window_in_the_repeated_autumn_hour_is_its_first_occurrence():
    # 1 November 2026 in New York: 02:00 EDT goes back to 01:00 EST.
    day = date(2026, 11, 1)
    inside = WindowRule("evening", time(1, 15))
    assert window_instants(day, inside, NEW_YORK) == (
        datetime(2026, 11, 1, 5, 15),  # 01:15 EDT, not 01:15 EST (06:15)
        datetime(2026, 11, 1, 5, 45),
    )
    spanning = WindowRule("evening", time(1, 45))  # 01:45 EDT to 02:15 EST: 90 real minutes
    assert window_instants(day, spanning, NEW_YORK) == (
        datetime(2026, 11, 1, 5, 45),
        datetime(2026, 11, 1, 7, 15),
    )


def test_windows_do_not_depend_on_the_servers_zone(monkeypatch):
    # The product runs on Linux (time.tzset exists there): the server's zone is changed for real.
    expected = [
        window_instants(date(2026, 3, 8), WindowRule("evening", time(2, 45)), NEW_YORK),
        window_instants(date(2026, 3, 9), MORNING, SHANGHAI),
    ]
    try:
        monkeypatch.setenv("TZ", "Pacific/Auckland")
        clock.tzset()
        assert [
            window_instants(date(2026, 3, 8), WindowRule("evening", time(2, 45)), NEW_YORK),
            window_instants(date(2026, 3, 9), MORNING, SHANGHAI),
        ] == expected
    finally:
        monkeypatch.undo()
        clock.tzset()


# --- judging a shift ------------------------------------------------------------------------


def judge(check_in, check_out, **kwargs):
    return judge_shift(START, END, check_in, check_out, **kwargs)


@pytest.mark.parametrize(
    "minutes,seconds,status,late",
    [
        (-30, 0, "on_time", 0),  # the earliest accepted check-in
        (-30, -1, "no_show", 0),  # earlier: not a check-in for this shift
        (-40, 0, "no_show", 0),
        (-5, 0, "on_time", 0),
        (0, 0, "on_time", 0),
        (2, 0, "on_time", 0),  # grace exactly
        (2, 1, "on_time", 0),  # 08:32:01 reads 08:32 on the clock: 2 minutes, within grace
        (2, 59, "on_time", 0),
        (3, 0, "late", 3),
        (6, 0, "late", 6),
        (6, 59, "late", 6),  # arrived at 08:36 by the clock: 6 minutes late, not 7
        (29, 59, "late", 29),
        (30, 0, "no_show", 0),  # in at the end: the window is over
        (45, 0, "no_show", 0),
    ],
)
def test_check_in_boundaries(minutes, seconds, status, late):
    check_in = at(START, minutes, seconds)
    outcome = judge(check_in, max(END, at(check_in, 5)))
    assert outcome.status == status
    assert outcome.late_minutes == late
    assert outcome.early_minutes == 0 and outcome.overstay_minutes == 0


def test_the_earliest_check_in_is_a_setting():
    assert judge(at(START, -40), END, earliest_check_in_minutes=45).status == "on_time"
    assert judge(at(START, -40), END, earliest_check_in_minutes=40).status == "on_time"
    assert judge(at(START, -40, -1), END, earliest_check_in_minutes=40).status == "no_show"


def test_grace_is_a_setting():
    assert judge(at(START, 0, 1), END, grace_minutes=0).status == "on_time"  # 08:30 by the clock
    assert judge(at(START, 1), END, grace_minutes=0) == ShiftOutcome("late", 1, 0, 0)
    assert judge(at(START, 5, 59), END, grace_minutes=5).status == "on_time"
    assert judge(at(START, 6), END, grace_minutes=5) == ShiftOutcome("late", 6, 0, 0)


@pytest.mark.parametrize(
    "minutes,seconds,expected",
    [
        (-2, 0, ShiftOutcome("on_time", 0, 0, 0)),  # leave grace exactly
        (-2, -1, ShiftOutcome("left_early", 0, 3, 0)),  # 08:57:59 reads 08:57: 3 minutes early
        (-10, 0, ShiftOutcome("left_early", 0, 10, 0)),
        (-29, -59, ShiftOutcome("left_early", 0, 30, 0)),  # out a second after the start
        (0, 0, ShiftOutcome("on_time", 0, 0, 0)),
        (10, 0, ShiftOutcome("on_time", 0, 0, 0)),  # lingering a little is fine
        (15, 0, ShiftOutcome("on_time", 0, 0, 0)),  # overstay threshold exactly
        (15, 59, ShiftOutcome("on_time", 0, 0, 0)),  # 09:15 by the clock
        (16, 0, ShiftOutcome("overstayed", 0, 0, 16)),
        (40, 0, ShiftOutcome("overstayed", 0, 0, 40)),
    ],
)
def test_check_out_boundaries(minutes, seconds, expected):
    assert judge(START, at(END, minutes, seconds)) == expected


def test_leave_grace_and_overstay_are_settings():
    assert judge(START, at(END, -5), leave_grace_minutes=5).status == "on_time"
    assert judge(START, at(END, -5, -1), leave_grace_minutes=5).early_minutes == 6
    assert judge(START, at(END, 5), overstay_minutes=5).status == "on_time"
    assert judge(START, at(END, 5, 59), overstay_minutes=5).status == "on_time"
    assert judge(START, at(END, 6), overstay_minutes=5) == ShiftOutcome("overstayed", 0, 0, 6)


def test_minutes_are_whole_minutes_as_people_count_them():
    """Issue 24.2: 6 min and 1 ms late is 6 minutes late, 40 min and 1 ms over is 40 over."""
    ms = timedelta(milliseconds=1)
    assert judge(at(START, 6) + ms, END) == ShiftOutcome("late", 6, 0, 0)
    assert judge(START, at(END, 40) + ms) == ShiftOutcome("overstayed", 0, 0, 40)
    assert judge(START, at(END, -10) + ms) == ShiftOutcome("left_early", 0, 10, 0)


def test_late_and_left_early_is_one_status_with_both_minutes():
    assert judge(at(START, 5), at(END, -10)) == ShiftOutcome("late_and_left_early", 5, 10, 0)


def test_late_and_overstayed_is_late_and_keeps_the_overstay():
    assert judge(at(START, 5), at(END, 20)) == ShiftOutcome("late", 5, 0, 20)


def test_missing_check_out_is_its_own_status():
    assert judge(START, None) == ShiftOutcome("missing_check_out", 0, 0, 0)
    assert judge(at(START, -10), None) == ShiftOutcome("missing_check_out", 0, 0, 0)
    assert judge(at(START, 7), None) == ShiftOutcome("missing_check_out", 7, 0, 0)


def test_no_show():
    assert judge(None, None) == ShiftOutcome("no_show", 0, 0, 0)
    assert judge(None, END) == ShiftOutcome("no_show", 0, 0, 0)  # a check-out alone
    assert judge(at(END, 1), at(END, 5)).status == "no_show"  # only after the window
    # Checked in early and out again by the start: never at the post during the window.
    assert judge(at(START, -20), START).status == "no_show"
    assert judge(at(START, -20), at(START, -5)).status == "no_show"
    assert judge(at(START, -20), at(START, 0, 1)).status == "left_early"


def test_minute_fields_are_positive_exactly_when_the_fault_happened():
    for m in (-10, 0, 2, 3, 20):
        for n in (-20, -3, -2, 0, 15, 16):
            if at(END, n) < at(START, m):
                continue
            o = judge(at(START, m), at(END, n))
            assert (o.late_minutes > 0) == (m > 2)
            assert (o.early_minutes > 0) == (n < -2)
            assert (o.overstay_minutes > 0) == (n > 15)
            assert (o.status == "on_time") == (m <= 2 and -2 <= n <= 15)


def test_judging_refuses_inconsistent_input():
    with pytest.raises(ValueError):
        judge_shift(END, START, START, END)  # a window that ends before it starts
    with pytest.raises(ValueError):
        judge_shift(START, START, START, END)  # an empty window has no duty
    with pytest.raises(ValueError):
        judge(at(START, 5), START)  # out before in
    with pytest.raises(ValueError):
        judge(START.replace(tzinfo=SHANGHAI), END)
    with pytest.raises(ValueError):
        judge(START, END, grace_minutes=-1)


def test_compliance_is_the_share_of_shifts_on_time():
    on_time = ShiftOutcome("on_time", 0, 0, 0)
    assert compliance([]) is None
    assert compliance([on_time] * 4) == 100.0
    assert compliance([on_time] * 3 + [ShiftOutcome("late", 3, 0, 0)]) == 75.0
    assert compliance([on_time] * 2 + [ShiftOutcome("no_show", 0, 0, 0)]) == 66.7
    # Every status but on_time is a miss, overstaying and a forgotten check-out included.
    misses = [
        ShiftOutcome("overstayed", 0, 0, 16),
        ShiftOutcome("missing_check_out", 0, 0, 0),
        ShiftOutcome("left_early", 0, 3, 0),
        ShiftOutcome("late_and_left_early", 3, 3, 0),
    ]
    assert compliance(misses) == 0.0
    assert compliance([on_time, *misses]) == 20.0
