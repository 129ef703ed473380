"""When patrol rounds start: a schedule's local wall-clock grid turned into UTC start times.

The rule:
- a schedule has a daily window from ``start`` to ``end`` (local wall clock) and a round every
  ``every_minutes`` from ``start``; an ``end`` earlier than ``start`` means the window crosses
  midnight into the next local day (20:00-06:00 is one night, not two);
- ``end`` is inclusive when it falls on the grid: 20:00-06:00 every 120 minutes gives 20:00,
  22:00, 00:00, 02:00, 04:00 and 06:00; an ``end`` off the grid (20:00-05:00) stops at 04:00;
- ``start == end`` is a single round a day;
- a window belongs to the local date on which it starts, and ``weekdays`` (0=Monday..6=Sunday)
  are judged on that date: a Friday-night schedule's 02:00 round falls on Saturday but is
  Friday's;
- the grid is laid on the local wall clock, so a 02:00 round stays at 02:00 across DST changes:
  - a wall time that does not exist (spring forward, e.g. 02:00-02:59 in New York on
    2026-03-08) is moved forward to the first instant after the gap (03:00): the guards are on
    duty that night and the site still needs its round, so we keep it rather than leave a
    three-hour hole. Several grid times in the same gap collapse into that one round;
  - a wall time that occurs twice (fall back, 01:00-01:59 in New York on 2026-11-01) uses the
    first occurrence (fold=0), so no round is created twice;
- no round starts before its schedule existed (``not_before``, the schedule's creation): a
  round whose start is earlier is not made, even when its window is still running, because
  nobody could have walked it from its start, and a round made after the fact would only be
  judged missed and alerted at the next tick (issue 18.1: a schedule created at 21:21 made the
  previous night's 22:00 and 00:00 rounds). A start at the very moment of creation is made.
  The route existed before its schedule (a schedule names an existing route), so the
  schedule's creation is the later of the two;
- the same inputs always give the same list, so the caller can create rounds idempotently keyed
  by (schedule id, start time).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

MIN_EVERY_MINUTES = 5
MAX_EVERY_MINUTES = 24 * 60
EVERY_DAY = frozenset(range(7))
_DAY = timedelta(days=1)


@dataclass(frozen=True)
class ScheduleRule:
    start: time  # local wall clock, naive
    end: time  # local wall clock, naive; earlier than start = the next local day
    every_minutes: int
    weekdays: frozenset[int]  # 0=Monday..6=Sunday, of the local date the window starts on

    def __post_init__(self):
        # Accept any iterable of weekdays from the caller, but store a frozenset so the rule
        # stays hashable and comparable.
        object.__setattr__(self, "weekdays", frozenset(self.weekdays))
        if self.start.tzinfo is not None or self.end.tzinfo is not None:
            raise ValueError("start and end are local wall-clock times without a zone")
        every = self.every_minutes
        if isinstance(every, bool) or not isinstance(every, int):
            raise ValueError("every_minutes must be a whole number of minutes")
        if not MIN_EVERY_MINUTES <= every <= MAX_EVERY_MINUTES:
            raise ValueError(
                f"every_minutes must be between {MIN_EVERY_MINUTES} and {MAX_EVERY_MINUTES}"
            )
        if not self.weekdays:
            raise ValueError("a schedule needs at least one weekday")
        if not self.weekdays <= EVERY_DAY:
            raise ValueError("weekdays are 0 (Monday) to 6 (Sunday)")

    @property
    def window(self) -> timedelta:
        """Length of the daily window on the wall clock; zero when start == end."""
        start = datetime.combine(date.min, self.start)
        end = datetime.combine(date.min, self.end)
        return (end - start) % _DAY


def presence_rule(
    every_minutes: int, start: time, end: time, weekdays: Iterable[int] = EVERY_DAY
) -> ScheduleRule:
    """A key post's presence check 关键岗位「零脱岗」: a schedule of a one-checkpoint route."""
    return ScheduleRule(start, end, every_minutes, frozenset(weekdays))


def local_grid(rule: ScheduleRule, day: date) -> list[datetime]:
    """The naive local wall-clock start times of the window that starts on ``day``."""
    if day.weekday() not in rule.weekdays:
        return []
    first = datetime.combine(day, rule.start)
    step = timedelta(minutes=rule.every_minutes)
    count = rule.window // step + 1  # + 1: the end is inclusive when it falls on the grid
    return [first + i * step for i in range(count)]


def to_utc(local: datetime, zone: ZoneInfo) -> datetime:
    """Naive UTC of a wall time: its first occurrence if it repeats, the gap's end if skipped."""
    aware = local.replace(tzinfo=zone, fold=0)
    utc = aware.astimezone(UTC)
    if utc.astimezone(zone).replace(tzinfo=None) == local:
        return utc.replace(tzinfo=None)
    return _gap_end(local, zone)


def _gap_end(local: datetime, zone: ZoneInfo) -> datetime:
    """Naive UTC of the first instant after the DST gap that swallowed ``local``."""
    # In a gap the two folds map to instants on either side of the transition (PEP 495);
    # bisect between them, to the second, for the first instant on the new offset.
    a = local.replace(tzinfo=zone, fold=0).timestamp()
    b = local.replace(tzinfo=zone, fold=1).timestamp()
    lo, hi = int(min(a, b)), int(max(a, b))
    after = datetime.fromtimestamp(hi, zone).utcoffset()
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if datetime.fromtimestamp(mid, zone).utcoffset() == after:
            hi = mid
        else:
            lo = mid
    return datetime.fromtimestamp(hi, UTC).replace(tzinfo=None)


def round_starts(
    rule: ScheduleRule,
    zone: ZoneInfo,
    first_day: date,
    last_day: date,
    *,
    not_before: datetime | None = None,
    days_off: frozenset[date] = frozenset(),
) -> list[datetime]:
    """UTC starts of the rounds whose window starts on a local date in the range, sorted, once;
    none before ``not_before`` (naive UTC: when the schedule came into being), none in a window
    starting on one of ``days_off`` (a schedule that runs on working days only)."""
    starts: set[datetime] = set()
    day = first_day
    while day <= last_day:
        if day not in days_off:
            starts.update(to_utc(local, zone) for local in local_grid(rule, day))
        day += _DAY
    if not_before is not None:
        if not_before.tzinfo is not None:
            raise ValueError("not_before is naive UTC")
        starts = {s for s in starts if s >= not_before}
    return sorted(starts)
