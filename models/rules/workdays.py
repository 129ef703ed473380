"""The working-day calendar of mainland China 工作日历, for every rule that counts working days.

The rule:
- statutory holidays and the make-up working days 调休 come from the State Council's notice for
  the year, as carried by the ``chinese-calendar`` library (``chinese_calendar``). A year is
  *covered* when the library has that year's notice; ``covered(year)`` says so;
- why that library and not ``holidays`` (the Open World Holidays Framework): both have the 2026
  notice, 调休 days included, but for a year whose notice they do not have, ``holidays`` (0.108)
  goes on computing days "by rule" (2027: the Spring Festival plus "observed" weekdays, and no
  调休 Saturday at all) without saying that it guessed, while ``chinese-calendar`` refuses such
  a year (NotImplementedError). A rota that silently puts managers on a guessed calendar is the
  bug this calendar exists to fix: the product must know when it does not know;
- a year the library does not cover still has the holidays the law fixes by date (全国年节及纪念日
  放假办法, 2024 revision: 元旦 1 January, 劳动节 1-2 May, 国庆节 1-3 October); the lunar holidays
  (春节, 清明, 端午, 中秋) and the 调休 days of such a year are unknown until the library has the
  notice, so callers warn (``covered``) instead of treating the year as settled;
- a site adds its own days on top: ``closed`` (the site's own closure, a company day off) makes
  any day a day off; ``open`` makes any day a working day (a site that works through a holiday,
  or its own make-up Saturday). A site's day always wins over the statute;
- each day has one kind: ``workday`` (an ordinary Monday-Friday), ``weekend`` (an ordinary
  Saturday or Sunday), ``holiday`` (a day off by statute or by the site), ``makeup_workday`` (a
  working day on what would otherwise be a day off: 调休 by statute, or the site's ``open``);
  and one source: ``weekday`` (nothing but the day of the week), ``statute`` or ``site``.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

import chinese_calendar

KINDS = ("workday", "weekend", "holiday", "makeup_workday")
SOURCES = ("weekday", "statute", "site")
SITE_KINDS = ("closed", "open")

# The names the library gives, in Chinese for people (the library's own Chinese names are short).
HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "Mid-autumn Festival": "中秋节",
    "National Day": "国庆节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}
# Fixed by the law's date, known for every year (2024 revision of the national holidays rules).
FIXED_HOLIDAYS = {
    (1, 1): "New Year's Day",
    (5, 1): "Labour Day",
    (5, 2): "Labour Day",
    (10, 1): "National Day",
    (10, 2): "National Day",
    (10, 3): "National Day",
}

SiteDays = Mapping[date, str]  # day -> "closed" | "open"


@dataclass(frozen=True)
class DayKind:
    day: date
    kind: str  # workday | weekend | holiday | makeup_workday
    source: str  # weekday | statute | site
    name: str = ""  # the holiday's English name from the calendar ("Spring Festival"), or ""
    name_zh: str = ""  # its Chinese name (春节), or ""

    @property
    def working(self) -> bool:
        return self.kind in ("workday", "makeup_workday")


@dataclass(frozen=True)
class DutyCalendar:
    """What the greeting rota's ``duty_days`` takes: the days off and the make-up working days
    of a span (disjoint), and the years of the span that the library does not cover."""

    holidays: frozenset
    extra_workdays: frozenset
    uncovered_years: tuple


@lru_cache(maxsize=256)
def covered(year: int) -> bool:
    """Whether the library has the State Council's notice for this year (holidays and 调休)."""
    try:
        chinese_calendar.get_holiday_detail(date(year, 7, 1))
    except NotImplementedError:
        return False
    return True


def statute_kind(day: date) -> DayKind:
    """The day by statute and the day of the week only (no site's days)."""
    weekend = day.weekday() >= 5
    if covered(day.year):
        off, name = chinese_calendar.get_holiday_detail(day)
    else:
        name = FIXED_HOLIDAYS.get((day.month, day.day))
        off = bool(name) or weekend
    if name:
        kind = "holiday" if off else "makeup_workday"
        return DayKind(day, kind, "statute", name, HOLIDAY_NAMES.get(name, name))
    return DayKind(day, "weekend" if weekend else "workday", "weekday")


def day_kind(day: date, site_days: SiteDays | None = None) -> DayKind:
    """The day's kind and where it comes from: the site's own day, else the statute's."""
    statute = statute_kind(day)
    mark = (site_days or {}).get(day)
    if mark is None:
        return statute
    if mark not in SITE_KINDS:
        raise ValueError(f"a site's day is closed or open, not {mark!r}")
    if mark == "closed":
        kind = "holiday"
    else:
        kind = "workday" if statute.kind == "workday" else "makeup_workday"
    return DayKind(day, kind, "site", statute.name, statute.name_zh)


def is_working_day(day: date, site_days: SiteDays | None = None) -> bool:
    """Whether people work on the day at this site (statute, then the site's own days)."""
    return day_kind(day, site_days).working


def days_of(first_day: date, last_day: date):
    if last_day < first_day:
        raise ValueError("the last day is before the first day")
    day = first_day
    while day <= last_day:
        yield day
        day += timedelta(days=1)


def special_days(year: int, site_days: SiteDays | None = None) -> list[DayKind]:
    """Every day of the year that is not an ordinary weekday or weekend: holidays, make-up
    working days, and any day the site marked, in date order."""
    return [
        kind
        for day in days_of(date(year, 1, 1), date(year, 12, 31))
        if (kind := day_kind(day, site_days)).source != "weekday"
    ]


def working_days(first_day: date, last_day: date, site_days: SiteDays | None = None) -> list[date]:
    """The working days first..last (both included) at a site."""
    return [d for d in days_of(first_day, last_day) if is_working_day(d, site_days)]


def days_off_on_working_days(
    first_day: date, last_day: date, weekdays: frozenset[int], site_days: SiteDays | None = None
) -> frozenset[date]:
    """The days first..last a "working days only" plan (a patrol schedule) does not run: days
    nobody works (statutory holidays, the site's closures, ordinary weekends) and the weekdays
    Monday to Friday the plan leaves out. A 调休 make-up working day runs whatever its weekday,
    as people come to work."""
    return frozenset(
        day
        for day in days_of(first_day, last_day)
        if not is_working_day(day, site_days)
        or (day.weekday() < 5 and day.weekday() not in weekdays)
    )


def add_working_days(start: date, count: int, site_days: SiteDays | None = None) -> date:
    """The ``count``-th working day after ``start`` (``start`` itself not counted): a promise
    "within 3 working days" made on a Friday before 国庆节 falls after the holiday."""
    if count < 0:
        raise ValueError("count working days forward: 0 or more")
    day = start
    while count:
        day += timedelta(days=1)
        if is_working_day(day, site_days):
            count -= 1
    return day


def duty_calendar(
    first_day: date, last_day: date, site_days: SiteDays | None = None
) -> DutyCalendar:
    """The span's days off and make-up working days, as ``greeting_windows.duty_days`` takes
    them: a day off is a holiday (statute or site ``closed``); a make-up working day is a
    working day on a Saturday or Sunday or on a statutory holiday (调休, or the site ``open``)."""
    holidays, extra = set(), set()
    for day in days_of(first_day, last_day):
        kind = day_kind(day, site_days)
        if kind.kind == "holiday":
            holidays.add(day)
        elif kind.kind == "makeup_workday":
            extra.add(day)
    years = range(first_day.year, last_day.year + 1)
    return DutyCalendar(
        frozenset(holidays), frozenset(extra), tuple(y for y in years if not covered(y))
    )


def not_covered_warning(year: int) -> str:
    """The sentence a person reads when the calendar does not know a year, Chinese then English."""
    return (
        f"{year}年的法定节假日和调休安排尚未收录（国务院通常在前一年11月公布），"
        "目前只按固定日期的节日（元旦、劳动节、国庆节）和周末计算，春节等农历节日和调休上班日未计入；"
        "请升级日历数据（chinese-calendar）或先在本项目手工添加。"
        f" The {year} public holidays and make-up working days are not in the calendar yet "
        "(the State Council publishes them around November of the year before): only the "
        "fixed-date holidays (1 Jan, 1-2 May, 1-3 Oct) and weekends are counted; the lunar "
        "holidays such as the Spring Festival and the make-up working days are missing. Update "
        "the calendar data (chinese-calendar) or add the days for this site by hand meanwhile."
    )
