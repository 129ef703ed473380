"""Judging one greeting-duty shift from its check-in and check-out at the post (seed 000, 三).

The rule (all instants naive UTC):
- minutes are counted as people count them, by the clock: a time is read to the minute, its
  seconds dropped, as a watch or the phone's status bar shows it. In at 08:36:59 for 08:30 is 6
  minutes late; out at 09:40:59 for a 09:00 end is 40 minutes over; out at 08:57:30 for 09:00
  is 3 minutes early (the clock said 08:57). The windows start and end on whole minutes;
- a check-in is accepted from ``earliest_check_in_minutes`` (30) before the window's start
  until its end; an earlier scan belongs to no shift of this window (a manager cannot clock
  the morning duty on the way in at 07:00), and one at or after the end is too late to count;
- present = the time between check-in and check-out overlaps the window. A shift with no
  accepted check-in, or checked out by the window's start, is a ``no_show``;
- late = more than ``grace_minutes`` (2) late by the clock; ``late_minutes`` counts from the
  start itself (in at 08:33 for 08:30 is 3 minutes late; in at 08:32:59 is on time);
- left early = more than ``leave_grace_minutes`` (2) early by the clock; ``early_minutes``
  counts back from the end (out at 08:58:00 is on time, at 08:57:59 3 minutes early);
- overstayed = more than ``overstay_minutes`` (15) over by the clock: the manual asks the
  manager to leave the greeting place promptly 迅速离开迎候位置 when the time is up;
  ``overstay_minutes`` counts from the end (out at 09:15:59 is on time, 09:16 is 16 over);
- missing check-out: the manager was seen arriving but not leaving, so whether they stood the
  whole window is unknown. It is its own status: not on time (compliance counts it as a miss,
  so forgetting the scan does not pay), but not "left early" either, which would claim a
  departure nobody saw;
- one status per shift, the first that applies: no_show, missing_check_out,
  late_and_left_early, late, left_early, overstayed, on_time. The minute fields keep every
  fault the status does not name: a late shift that also overstayed is ``late`` with
  ``overstay_minutes`` > 0; a missing check-out after a late arrival keeps ``late_minutes``.
  A minute field is above zero exactly when that fault happened;
- a shift is judged when its window closes; a check-out missing then may only mean the
  manager is still at the post, so a check-out that comes later judges the shift again
  (overstayed, or on time after all);
- compliance for the month = the share of shifts judged ``on_time``, in percent.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

STATUSES = (
    "on_time",
    "late",
    "left_early",
    "late_and_left_early",
    "overstayed",
    "missing_check_out",
    "no_show",
)
_MINUTE = timedelta(minutes=1)


@dataclass(frozen=True)
class ShiftOutcome:
    status: str  # one of STATUSES
    late_minutes: int  # > 0 only when late
    early_minutes: int  # > 0 only when left early
    overstay_minutes: int  # > 0 only when overstayed


def judge_shift(
    start: datetime,
    end: datetime,
    check_in: datetime | None,
    check_out: datetime | None,
    *,
    grace_minutes: int = 2,
    leave_grace_minutes: int = 2,
    overstay_minutes: int = 15,
    earliest_check_in_minutes: int = 30,
) -> ShiftOutcome:
    """On time, late, left early, overstayed, no-show or missing check-out, with the minutes."""
    _check_shift_arguments(
        start,
        end,
        check_in,
        check_out,
        grace_minutes=grace_minutes,
        leave_grace_minutes=leave_grace_minutes,
        overstay_minutes=overstay_minutes,
        earliest_check_in_minutes=earliest_check_in_minutes,
    )

    if check_in is not None and not (start - earliest_check_in_minutes * _MINUTE <= check_in < end):
        check_in = None  # not a check-in for this shift
    if check_in is None or (check_out is not None and check_out <= start):
        return ShiftOutcome("no_show", 0, 0, 0)

    late = _whole_minutes(_clock(check_in) - _clock(start))
    late = late if late > grace_minutes else 0
    if check_out is None:
        return ShiftOutcome("missing_check_out", late, 0, 0)
    early = _whole_minutes(_clock(end) - _clock(check_out))
    early = early if early > leave_grace_minutes else 0
    over = _whole_minutes(_clock(check_out) - _clock(end))
    over = over if over > overstay_minutes else 0
    return ShiftOutcome(_status(late, early, over), late, early, over)


def _check_shift_arguments(
    start: datetime,
    end: datetime,
    check_in: datetime | None,
    check_out: datetime | None,
    *,
    grace_minutes: int,
    leave_grace_minutes: int,
    overstay_minutes: int,
    earliest_check_in_minutes: int,
) -> None:
    """Refuse what judge_shift cannot judge (aware times, a reversed shift, negative
    allowances, a check-out before the check-in), before any judging starts."""
    instants = (("start", start), ("end", end), ("check_in", check_in), ("check_out", check_out))
    for name, value in instants:
        if value is not None and value.tzinfo is not None:
            raise ValueError(f"{name} must be naive UTC")
    if end <= start:
        raise ValueError("a shift ends after it starts")
    for name, value in (
        ("grace_minutes", grace_minutes),
        ("leave_grace_minutes", leave_grace_minutes),
        ("overstay_minutes", overstay_minutes),
        ("earliest_check_in_minutes", earliest_check_in_minutes),
    ):
        if value < 0:
            raise ValueError(f"{name} cannot be negative")
    if check_in is not None and check_out is not None and check_out < check_in:
        raise ValueError("the check-out is before the check-in")


def _status(late: int, early: int, over: int) -> str:
    """The one status for the minutes found: late and early together, else the first that
    applies of late, left early, overstayed, else on time."""
    if late and early:
        return "late_and_left_early"
    if late:
        return "late"
    if early:
        return "left_early"
    if over:
        return "overstayed"
    return "on_time"


def compliance(outcomes: list[ShiftOutcome]) -> float | None:
    """Percent of the shifts judged on time, one decimal; None when there were no shifts."""
    if not outcomes:
        return None
    on_time = sum(1 for o in outcomes if o.status == "on_time")
    return round(100 * on_time / len(outcomes), 1)


def _clock(instant: datetime) -> datetime:
    """The time as a clock shows it: to the minute, the seconds dropped."""
    return instant.replace(second=0, microsecond=0)


def _whole_minutes(span: timedelta) -> int:
    """The whole minutes in a span between clock readings (0 when negative)."""
    return max(0, span // _MINUTE)
