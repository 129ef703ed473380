"""The working-day calendar: statutory holidays and 调休 from the library, a site's own days on
top, and a year the library does not know said to be not covered."""

from datetime import date

import pytest

from models.rules.greeting_windows import duty_days
from models.rules.workdays import (
    add_working_days,
    covered,
    day_kind,
    days_off_on_working_days,
    duty_calendar,
    is_working_day,
    not_covered_warning,
    special_days,
    working_days,
)

# The 2026 notice (国办发明电〔2025〕): the Saturdays and Sundays people work.
MAKEUP_2026 = [
    date(2026, 1, 4),  # Sunday, 元旦
    date(2026, 2, 14),  # Saturday, 春节
    date(2026, 2, 28),  # Saturday, 春节
    date(2026, 5, 9),  # Saturday, 劳动节
    date(2026, 9, 20),  # Sunday, 国庆节
    date(2026, 10, 10),  # Saturday, 国庆节
]


def test_2026_is_covered_and_its_holidays_are_days_off():
    assert covered(2026)
    new_year = day_kind(date(2026, 1, 1))
    assert (new_year.kind, new_year.source, new_year.name_zh) == ("holiday", "statute", "元旦")
    assert not is_working_day(date(2026, 1, 1))
    # A Monday of the Spring Festival week and a Saturday inside the holiday.
    assert day_kind(date(2026, 2, 16)).kind == "holiday"
    assert day_kind(date(2026, 2, 21)).kind == "holiday"
    assert day_kind(date(2026, 2, 21)).name_zh == "春节"
    # National Day runs 1-7 October 2026 (Thursday 1st to Wednesday 7th).
    assert all(not is_working_day(date(2026, 10, d)) for d in range(1, 8))


@pytest.mark.parametrize("day", MAKEUP_2026)
def test_2026_makeup_saturdays_and_sundays_are_working_days(day):
    assert day.weekday() >= 5
    kind = day_kind(day)
    assert (kind.kind, kind.source) == ("makeup_workday", "statute")
    assert is_working_day(day)


def test_ordinary_days_come_from_the_day_of_the_week():
    tuesday, saturday = day_kind(date(2026, 3, 10)), day_kind(date(2026, 3, 14))
    assert (tuesday.kind, tuesday.source) == ("workday", "weekday")
    assert (saturday.kind, saturday.source) == ("weekend", "weekday")
    assert is_working_day(tuesday.day) and not is_working_day(saturday.day)


def test_2027_is_not_covered_but_the_fixed_date_holidays_are_known():
    assert not covered(2027)
    new_year = day_kind(date(2027, 1, 1))  # a Friday
    assert (new_year.kind, new_year.source, new_year.name_zh) == ("holiday", "statute", "元旦")
    assert not is_working_day(date(2027, 1, 1))
    assert not is_working_day(date(2027, 5, 1)) and not is_working_day(date(2027, 10, 3))
    # The lunar holidays are not guessed: 2027-02-08 (a Monday of the Spring Festival) is
    # an ordinary weekday until the notice is in the library.
    assert day_kind(date(2027, 2, 8)).source == "weekday"
    warning = not_covered_warning(2027)
    assert "2027年" in warning and "not in the calendar yet" in warning


def test_a_year_far_ahead_and_one_before_the_data_are_not_covered():
    assert not covered(2100) and not covered(1999)
    assert covered(2004)


def test_a_sites_closure_and_open_day_win_over_the_statute():
    site = {
        date(2026, 3, 10): "closed",  # a Tuesday: the company's own day off
        date(2026, 10, 2): "open",  # a National Day holiday the site works through
        date(2026, 3, 14): "open",  # a Saturday the site works
        date(2026, 2, 14): "closed",  # a 调休 Saturday the site does not work
    }
    closed = day_kind(date(2026, 3, 10), site)
    assert (closed.kind, closed.source) == ("holiday", "site")
    assert not is_working_day(date(2026, 3, 10), site)
    national = day_kind(date(2026, 10, 2), site)
    assert (national.kind, national.source) == ("makeup_workday", "site")
    assert national.name_zh == "国庆节"
    assert is_working_day(date(2026, 3, 14), site)
    assert not is_working_day(date(2026, 2, 14), site)
    with pytest.raises(ValueError):
        day_kind(date(2026, 3, 10), {date(2026, 3, 10): "maybe"})


def test_special_days_lists_holidays_makeup_days_and_site_days_only():
    days = special_days(2026, {date(2026, 3, 10): "closed"})
    by_day = {d.day: d for d in days}
    assert date(2026, 3, 10) in by_day and by_day[date(2026, 3, 10)].source == "site"
    assert all(d in by_day for d in MAKEUP_2026)
    assert date(2026, 1, 1) in by_day
    assert date(2026, 3, 11) not in by_day  # an ordinary Wednesday
    assert date(2026, 3, 14) not in by_day  # an ordinary Saturday
    assert [d.day for d in days] == sorted(by_day)


def test_working_days_and_counting_forward_skip_the_holiday_week():
    # Friday 2026-09-25 is 中秋节; 26-27 a weekend off, then 3 working days to the 30th.
    assert working_days(date(2026, 9, 24), date(2026, 9, 30)) == [
        date(2026, 9, 24),
        date(2026, 9, 28),
        date(2026, 9, 29),
        date(2026, 9, 30),
    ]
    # 3 working days after Wednesday 2026-09-30: National Day 1-7 Oct, work Saturday 10th.
    assert add_working_days(date(2026, 9, 30), 1) == date(2026, 10, 8)
    assert add_working_days(date(2026, 9, 30), 3) == date(2026, 10, 10)
    assert add_working_days(date(2026, 9, 30), 0) == date(2026, 9, 30)


def test_duty_calendar_gives_the_rota_disjoint_days_off_and_makeup_days():
    cal = duty_calendar(date(2026, 2, 1), date(2026, 2, 28), {date(2026, 2, 24): "closed"})
    assert {date(2026, 2, 14), date(2026, 2, 28)} <= cal.extra_workdays
    assert {date(2026, 2, 16), date(2026, 2, 23), date(2026, 2, 24)} <= cal.holidays
    assert not cal.holidays & cal.extra_workdays
    assert cal.uncovered_years == ()
    across = duty_calendar(date(2026, 12, 1), date(2027, 1, 31))
    assert across.uncovered_years == (2027,)
    assert date(2027, 1, 1) in across.holidays


def office_duty(first, last, site_days=None):
    """An office tower's duty days (Monday-Friday) as the rota would take them."""
    cal = duty_calendar(first, last, site_days)
    return duty_days(first, last, range(5), cal.holidays, extra_workdays=cal.extra_workdays), cal


def test_an_office_rota_skips_2026_holidays_and_works_the_makeup_days():
    days, cal = office_duty(date(2026, 2, 1), date(2026, 2, 28))
    assert date(2026, 2, 14) in days and date(2026, 2, 28) in days  # 调休 Saturdays
    assert not any(date(2026, 2, d) in days for d in range(15, 24))  # 春节 15-23 Feb
    assert date(2026, 2, 13) in days and date(2026, 2, 24) in days
    assert len(days) == 20 - 6 + 2  # 20 weekdays, 6 of them off, 2 make-up Saturdays
    assert cal.uncovered_years == ()


def test_an_office_rota_skips_new_year_2027_and_knows_the_year_is_not_covered():
    days, cal = office_duty(date(2027, 1, 1), date(2027, 1, 31))
    assert date(2027, 1, 1) not in days and date(2027, 1, 4) in days
    assert cal.uncovered_years == (2027,)


def test_a_sites_closure_stops_duty_and_its_open_day_adds_it():
    site = {date(2026, 3, 10): "closed", date(2026, 3, 14): "open"}
    days, _ = office_duty(date(2026, 3, 9), date(2026, 3, 15), site)
    assert days == [
        date(2026, 3, 9),
        date(2026, 3, 11),
        date(2026, 3, 12),
        date(2026, 3, 13),
        date(2026, 3, 14),
    ]


def test_a_working_days_plan_skips_holidays_and_runs_on_makeup_days():
    first, last = date(2026, 9, 28), date(2026, 10, 11)
    off = days_off_on_working_days(first, last, frozenset({0, 1, 2, 3, 4}))
    assert date(2026, 9, 30) not in off  # an ordinary Wednesday
    assert {date(2026, 10, d) for d in range(1, 8)} <= off  # the National Day week
    assert date(2026, 10, 10) not in off  # the 调休 Saturday
    assert date(2026, 10, 11) in off  # an ordinary Sunday
    mondays_only = days_off_on_working_days(first, last, frozenset({0}))
    assert date(2026, 9, 29) in mondays_only and date(2026, 9, 28) not in mondays_only
