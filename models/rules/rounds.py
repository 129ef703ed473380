"""Judging a patrol round from its scans, its live state, and which round a scan belongs to.

The rule:
- a round is open from ``starts_at`` to ``starts_at + duration_minutes``, both ends included;
  a scan before the start or after the end belongs to no round (it is neither early credit for
  this round nor late credit for the last one);
- only scans of checkpoints on the route count, and a checkpoint scanned again counts once, at
  its first scan (a guard cannot make up for a skipped checkpoint by scanning another twice);
- complete = every checkpoint visited, incomplete = some, missed = none;
- late = the first counted scan came after ``starts_at + start_grace_minutes`` (exactly at the
  grace is on time); the lateness is counted from the start, in whole minutes rounded up;
  a missed round is not also late;
- out of order (only for an ordered route) = the visited checkpoints, in the order they were
  first scanned, are not in route order; skipping a checkpoint is "incomplete", not disorder.

Times are naive UTC. The stops' ``offset_minutes`` are the route's expected pace, for display;
the round is judged on its window, not on each stop's expected minute.
"""

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

COMPLETE = "complete"
INCOMPLETE = "incomplete"
MISSED = "missed"

UPCOMING = "upcoming"
DUE = "due"
OVERDUE = "overdue"
IN_PROGRESS = "in_progress"
DONE = "done"
CLOSED = "closed"


def _require_naive(moment: datetime, what: str) -> None:
    """Times are naive UTC, as the database stores them."""
    if moment.tzinfo is not None:
        raise ValueError(f"{what} must be a naive UTC datetime")


@dataclass(frozen=True)
class Stop:
    checkpoint_id: int
    offset_minutes: int  # expected minutes from the round's start


@dataclass(frozen=True)
class ScanFact:
    checkpoint_id: int
    at: datetime  # the scan's effective time (device or server: the caller decides)

    def __post_init__(self):
        _require_naive(self.at, "a scan's time")


@dataclass(frozen=True)
class RoundPlan:
    starts_at: datetime
    stops: tuple[Stop, ...]  # in route order
    start_grace_minutes: int  # how late the first scan may be
    duration_minutes: int  # how long the round may take
    ordered: bool

    def __post_init__(self):
        _require_naive(self.starts_at, "starts_at")
        object.__setattr__(self, "stops", tuple(self.stops))
        if not self.stops:
            raise ValueError("a route needs at least one checkpoint")
        ids = [s.checkpoint_id for s in self.stops]
        if len(set(ids)) != len(ids):
            # A checkpoint counts once per round, so listing it twice could never be complete.
            raise ValueError("a checkpoint appears once in a route")
        # Only what judging needs is checked here: a stored round is rebuilt into a plan long
        # after its schedule was validated, and must never fail to be judged. (A grace longer
        # than the round just means it is "due" until it closes.)
        if self.start_grace_minutes < 0 or self.duration_minutes < 1:
            raise ValueError("the grace is 0 or more minutes and a round lasts at least a minute")

    @property
    def ends_at(self) -> datetime:
        """The round closes duration_minutes after its start."""
        return self.starts_at + timedelta(minutes=self.duration_minutes)

    @property
    def grace_ends_at(self) -> datetime:
        """The first scan is on time up to start_grace_minutes after the start."""
        return self.starts_at + timedelta(minutes=self.start_grace_minutes)

    @property
    def route(self) -> tuple[int, ...]:
        """The checkpoint ids in route order."""
        return tuple(s.checkpoint_id for s in self.stops)

    def is_open_at(self, at: datetime) -> bool:
        """A moment is in the round's window when start <= at <= end (both ends included)."""
        return self.starts_at <= at <= self.ends_at


@dataclass(frozen=True)
class Judgement:
    status: str  # complete | incomplete | missed
    late: bool
    late_minutes: int  # whole minutes after the start, rounded up; 0 when not late
    out_of_order: bool
    visited: tuple[int, ...]  # checkpoint ids in the order first scanned
    missed: tuple[int, ...]  # checkpoint ids in route order
    first_scan_at: datetime | None
    last_scan_at: datetime | None


def first_scans(plan: RoundPlan, scans: list[ScanFact]) -> list[ScanFact]:
    """The scans that count: on the route, inside the window, each checkpoint's first, by time."""
    position = {cp: i for i, cp in enumerate(plan.route)}
    inside = [s for s in scans if s.checkpoint_id in position and plan.is_open_at(s.at)]
    # Ties in time are broken by route position so equal timestamps never look out of order,
    # and the result does not depend on the order the caller listed the scans in.
    inside.sort(key=lambda s: (s.at, position[s.checkpoint_id]))
    seen: set[int] = set()
    firsts = []
    for scan in inside:
        if scan.checkpoint_id not in seen:
            seen.add(scan.checkpoint_id)
            firsts.append(scan)
    return firsts


def late_minutes(plan: RoundPlan, first_scan_at: datetime | None) -> int:
    """Minutes (rounded up) from the start to a first scan after the grace; 0 when on time."""
    if first_scan_at is None or first_scan_at <= plan.grace_ends_at:
        return 0
    return math.ceil((first_scan_at - plan.starts_at) / timedelta(minutes=1))


def in_route_order(route: tuple[int, ...], visited: tuple[int, ...]) -> bool:
    """Visited checkpoints are in order when they form a subsequence of the route."""
    position = {cp: i for i, cp in enumerate(route)}
    indices = [position[cp] for cp in visited]
    return all(a < b for a, b in zip(indices, indices[1:], strict=False))


def judge_round(plan: RoundPlan, scans: list[ScanFact]) -> Judgement:
    """Judge a round from the first scan of each route checkpoint inside its window."""
    firsts = first_scans(plan, scans)
    visited = tuple(s.checkpoint_id for s in firsts)
    missed = tuple(cp for cp in plan.route if cp not in visited)
    if not missed:
        status = COMPLETE
    elif visited:
        status = INCOMPLETE
    else:
        status = MISSED
    first_at = firsts[0].at if firsts else None
    minutes = late_minutes(plan, first_at)
    return Judgement(
        status=status,
        late=minutes > 0,
        late_minutes=minutes,
        out_of_order=plan.ordered and not in_route_order(plan.route, visited),
        visited=visited,
        missed=missed,
        first_scan_at=first_at,
        last_scan_at=firsts[-1].at if firsts else None,
    )


def round_state_now(plan: RoundPlan, scans: list[ScanFact], now: datetime) -> str:
    """Live state: upcoming, due, overdue (no scan past the grace), in_progress, done or closed."""
    _require_naive(now, "now")
    if now < plan.starts_at:
        return UPCOMING
    if now > plan.ends_at:
        return CLOSED  # over: the caller judges it
    # A scan stamped after ``now`` has not happened yet as far as this view is concerned
    # (a replay of the past, or a device clock running ahead).
    firsts = [s for s in first_scans(plan, scans) if s.at <= now]
    if len(firsts) == len(plan.stops):
        return DONE
    if firsts:
        return IN_PROGRESS
    # Overdue shows the moment the grace runs out, not when the round closes: a supervisor
    # can still send someone while the round is open.
    return DUE if now <= plan.grace_ends_at else OVERDUE


def match_round(
    candidates: list[tuple[int, RoundPlan]], checkpoint_id: int, at: datetime
) -> int | None:
    """The scan's round: route has the checkpoint, window holds the time; earliest start wins."""
    _require_naive(at, "a scan's time")
    fitting = [
        (plan.starts_at, round_id)
        for round_id, plan in candidates
        if checkpoint_id in plan.route and plan.is_open_at(at)
    ]
    # Equal starts (two schedules on one route) go to the lower id: the same answer every time.
    return min(fitting)[1] if fitting else None
