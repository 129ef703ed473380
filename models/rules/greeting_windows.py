"""When a site's managers stand greeting duty 迎候值班 (seed 000, section 三 迎候服務).

The rule:
- an office tower greets its tenants in the ``minutes`` (30) before their working day starts:
  work at 09:00 -> duty 08:30-09:00 (code ``morning``);
- a residential estate greets residents in the half hour of the evening return peak: for
  ``minutes`` (30) from the configured peak start, 18:00-18:30 (code ``evening``). Every window
  lasts ``minutes``, so the setting says what is used: a peak of 18:00-19:00 gives 18:00-18:30.
  A window that does not fit in the peak (45 minutes in a peak of 18:00-18:30) is refused, with
  what to change;
- a mixed site has both windows every duty day, so both settings are required, and the two
  windows may not overlap (a check-in must belong to one shift);
- a window starts and ends on the same local day (the morning one starts after midnight);
- a duty day is a day whose weekday (0=Monday..6=Sunday) is in the site's duty weekdays and
  that is not a public holiday, plus the make-up working days 调休 the state moves onto a
  weekend, which count even though their weekday is not a duty weekday. The caller passes the
  holidays that stop duty at this site: residents come home on holidays too, so an estate
  may well pass none;
- windows are local wall-clock times, turned into naive UTC per day, so 08:30 stays 08:30 on
  both sides of a daylight-saving change:
  - a wall time that does not exist (spring forward: 02:00-02:59 in New York on 2026-03-08)
    is moved to the first instant after the gap; a window wholly inside the gap comes out
    empty (start == end) and has no duty that day;
  - a wall time that happens twice (fall back: 01:00-01:59 in New York on 2026-11-01) is its
    first occurrence, so a window spanning the repeat is an hour longer in real time.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from models.rules.schedules import to_utc

SITE_TYPES = ("office", "residential", "mixed")
WINDOW_CODES = ("morning", "evening")
DEFAULT_MINUTES = 30
_DAY_MINUTES = 24 * 60


@dataclass(frozen=True)
class WindowRule:
    code: str  # morning | evening
    start: time  # local wall clock, naive
    minutes: int = DEFAULT_MINUTES

    @property
    def end(self) -> time:
        """The local wall-clock end (windows end by midnight)."""
        return _time_of((_minute_of_day(self.start, "start") + self.minutes) % _DAY_MINUTES)

    def __post_init__(self):
        if self.code not in WINDOW_CODES:
            raise ValueError(f"unknown greeting window {self.code!r}")
        if isinstance(self.minutes, bool) or not isinstance(self.minutes, int):
            raise ValueError("a greeting window lasts a whole number of minutes")
        if not 0 < self.minutes < _DAY_MINUTES:
            raise ValueError("a greeting window lasts between 1 minute and a day")
        _minute_of_day(self.start, "start")


def windows_for_site(
    site_type: str,
    workday_start: time | None,
    evening_peak_start: time | None,
    evening_peak_end: time | None,
    minutes: int = DEFAULT_MINUTES,
) -> list[WindowRule]:
    """The daily greeting windows: an office before work starts, an estate at the evening peak."""
    if site_type not in SITE_TYPES:
        raise ValueError(f"unknown site type {site_type!r}")
    if isinstance(minutes, bool) or not isinstance(minutes, int) or minutes <= 0:
        raise ValueError("minutes must be a positive whole number")
    windows = []
    if site_type in ("office", "mixed"):
        windows.append(_morning_window(site_type, workday_start, minutes))
    if site_type in ("residential", "mixed"):
        windows.append(_evening_window(site_type, evening_peak_start, evening_peak_end, minutes))
    windows.sort(key=lambda w: w.start)
    if len(windows) == 2 and _overlap(*windows):
        # One check-in could then belong to either shift; the windows must be told apart.
        raise ValueError("the morning and evening greeting windows overlap")
    return windows


def _morning_window(site_type: str, workday_start: time | None, minutes: int) -> WindowRule:
    """The office window: the minutes just before the tenants' working day starts."""
    if workday_start is None:
        raise ValueError(f"a {site_type} site needs the tenants' working-day start")
    start = _minute_of_day(workday_start, "workday_start") - minutes
    if start < 0:
        # The window would begin on the previous day: no real working day starts that early.
        raise ValueError("the morning window must start after midnight")
    return WindowRule("morning", _time_of(start), minutes)


def _evening_window(
    site_type: str, evening_peak_start: time | None, evening_peak_end: time | None, minutes: int
) -> WindowRule:
    """The estate window: from the start of the evening return peak, inside the peak."""
    if evening_peak_start is None:
        raise ValueError(f"a {site_type} site needs the evening return peak start")
    start = _minute_of_day(evening_peak_start, "evening_peak_start")
    if evening_peak_end is not None:
        peak = _minute_of_day(evening_peak_end, "evening_peak_end") - start
        if peak <= 0:
            raise ValueError("the evening peak must end after it starts, on the same day")
        if minutes > peak:
            raise ValueError(
                f"a {minutes}-minute window does not fit in the evening peak "
                f"{evening_peak_start:%H:%M}-{evening_peak_end:%H:%M}: shorten the window "
                "or lengthen the peak"
            )
    if start + minutes > _DAY_MINUTES:
        raise ValueError("the evening window must end by midnight")
    return WindowRule("evening", evening_peak_start, minutes)


def follows_statutory_calendar(site_type: str, setting: bool | None) -> bool:
    """Whether a site's greeting duty stops on statutory holidays and is stood on the 调休
    make-up working days: as the site says, else by its type. An office tower greets tenants
    who come to work, so it follows the working-day calendar; residents come home on holidays
    too, so an estate keeps its duty unless it says otherwise; a mixed site follows its tower."""
    if setting is not None:
        return setting
    return site_type != "residential"


def days_off_and_on(
    calendar_off: Iterable[date],
    calendar_on: Iterable[date],
    typed_off: Iterable[date],
    typed_on: Iterable[date],
) -> tuple[frozenset, frozenset]:
    """The duty calendar's days off and make-up working days with the site's typed lists on top
    (the greeting settings' holidays and extra_workdays): a typed day wins over the calendar,
    so no day ends up both."""
    typed_off, typed_on = frozenset(typed_off), frozenset(typed_on)
    both = typed_off & typed_on
    if both:
        raise ValueError(f"{min(both)} is both a holiday and a make-up working day")
    off = (frozenset(calendar_off) - typed_on) | typed_off
    on = (frozenset(calendar_on) - typed_off) | typed_on
    return off, on


def duty_days(
    first_day: date,
    last_day: date,
    weekdays: Iterable[int],
    holidays: Iterable[date],
    *,
    extra_workdays: Iterable[date] = frozenset(),
) -> list[date]:
    """Days first..last with duty: a duty weekday that is not a holiday, or a 调休 make-up day."""
    weekdays = frozenset(weekdays)
    holidays = frozenset(holidays)
    extra_workdays = frozenset(extra_workdays)
    if not weekdays <= frozenset(range(7)):
        raise ValueError("weekdays are 0 (Monday) to 6 (Sunday)")
    if last_day < first_day:
        raise ValueError("the last day is before the first day")
    both = holidays & extra_workdays
    if both:
        # The state calendar never makes a day both; it is a typing error in the calendar.
        raise ValueError(f"{min(both)} is both a holiday and a make-up working day")
    days = []
    day = first_day
    while day <= last_day:
        if day in extra_workdays or (day.weekday() in weekdays and day not in holidays):
            days.append(day)
        day += timedelta(days=1)
    return days


def window_instants(day: date, rule: WindowRule, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The window's (start, end) on the local ``day`` as naive UTC, from the site's wall clock."""
    start = datetime.combine(day, rule.start)
    end = start + timedelta(minutes=rule.minutes)  # naive: wall-clock arithmetic
    return to_utc(start, zone), to_utc(end, zone)


def _minute_of_day(value: time, name: str) -> int:
    if value.tzinfo is not None:
        raise ValueError(f"{name} is a local wall-clock time without a zone")
    if value.second or value.microsecond:
        raise ValueError(f"{name} is set to the minute")
    return value.hour * 60 + value.minute


def _time_of(minute: int) -> time:
    return time(minute // 60, minute % 60)


def _overlap(first: WindowRule, second: WindowRule) -> bool:
    return _minute_of_day(first.start, "start") + first.minutes > _minute_of_day(
        second.start, "start"
    )
