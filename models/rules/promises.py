"""Follow-up promises 服务时限 (pure: no Flask, no database).

The manuals promise how soon a matter is answered and dealt with (checklists/promises.toml says
which promise each kind of follow-up gets, and where the manual says it). A promise is a span
of time from the moment the matter was reported:
- ``minutes`` and ``hours`` run round the clock (an urgent leak at 02:00 is answered by 03:00);
- ``working_hours`` and ``working_days`` run only in working time: the working hours of the
  site's working days (its work calendar: statutory holidays, 调休, the site's own days). A
  working day is one working-hours span, so "3 working days" reported on Friday at 15:00 with
  hours 09:00-18:00 falls due on Wednesday at 15:00 (Friday's 3 hours, Monday, Tuesday, and 6
  hours of Wednesday).

Each follow-up has up to two clocks: ``respond`` (someone answers: takes it on, gives it an
owner) and ``resolve`` (it is dealt with). When a clock breaks and the matter is still open,
the promise escalates, each step once, in the order the file gives: the owner, then the site's
supervisors, then the site's managers.

All times here are the site's wall-clock time (naive datetimes); the record-keeping layer
(models/records/followups.py) converts from and to UTC.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

KINDS = ("anomaly_urgent", "anomaly_ordinary", "complaint", "rectification")
CLOCKS = ("respond", "resolve")
UNITS = ("minutes", "hours", "working_hours", "working_days")
STEPS = ("owner", "supervisor", "manager")  # who hears of a broken promise, in this order
URGENCIES = ("urgent", "ordinary")
# The rectification's completion time is its checklist's ``rectify_hours`` (checklists/*.toml):
# the standard that found the fault says how long fixing it may take.
FROM_CHECKLIST = "checklist"
MAX_SPAN_DAYS = 60  # no promise runs longer than this (and the work calendar is read this far)

IsWorkingDay = Callable[[date], bool]


@dataclass(frozen=True)
class Span:
    amount: float
    unit: str  # one of UNITS

    def __str__(self) -> str:
        return f"{self.amount:g} {self.unit}"


@dataclass(frozen=True)
class Step:
    to: str  # owner | supervisor | manager
    clock: str  # respond | resolve
    after: Span | None = None  # this long after the clock broke (None: at once)


@dataclass(frozen=True)
class Promise:
    kind: str
    name: str
    name_en: str
    source: str
    respond: Span | None
    resolve: Span | str | None  # a Span, or FROM_CHECKLIST
    steps: tuple[Step, ...]


@dataclass(frozen=True)
class Promises:
    kinds: dict  # kind -> Promise
    urgent_categories: frozenset
    complaint_categories: frozenset
    day_start: time
    day_end: time

    def with_overrides(self, overrides: dict) -> "Promises":
        """These promises with a site's own spans: {(kind, clock): Span}."""
        kinds = dict(self.kinds)
        for (kind, clock), span in overrides.items():
            if kind in kinds:
                kinds[kind] = _replace_clock(kinds[kind], clock, span)
        return Promises(
            kinds, self.urgent_categories, self.complaint_categories, self.day_start, self.day_end
        )


def _replace_clock(promise: Promise, clock: str, span: Span) -> Promise:
    values = {"respond": promise.respond, "resolve": promise.resolve, clock: span}
    return Promise(
        promise.kind,
        promise.name,
        promise.name_en,
        promise.source,
        values["respond"],
        values["resolve"],
        promise.steps,
    )


def parse_span(raw, where: str) -> Span:
    """``{hours = 2}`` → Span(2, "hours"); ValueError naming ``where`` otherwise."""
    if not isinstance(raw, dict) or len(raw) != 1:
        raise ValueError(f"{where}: a time is one of {', '.join(UNITS)}, e.g. {{ hours = 2 }}")
    unit, amount = next(iter(raw.items()))
    if unit not in UNITS:
        raise ValueError(f"{where}: unknown unit {unit!r} (one of {', '.join(UNITS)})")
    if isinstance(amount, bool) or not isinstance(amount, int | float) or amount <= 0:
        raise ValueError(f"{where}: {unit} must be a number above 0")
    span = Span(float(amount), unit)
    if span_days(span) > MAX_SPAN_DAYS:
        raise ValueError(f"{where}: at most {MAX_SPAN_DAYS} days")
    return span


def span_days(span: Span) -> float:
    """A rough upper bound in calendar days (working days count as days)."""
    per_day = {"minutes": 1440, "hours": 24, "working_hours": 8, "working_days": 1}[span.unit]
    return span.amount / per_day


def _clock_time(text, where: str) -> time:
    try:
        return time.fromisoformat(text)
    except (TypeError, ValueError) as exc:
        raise ValueError(f'{where}: a time of day like "09:00"') from exc


def parse_promises(raw: dict) -> Promises:
    """The contents of promises.toml, checked; ValueError listing the first problem."""
    hours = raw.get("working_hours", {})
    day_start = _clock_time(hours.get("start"), "working_hours.start")
    day_end = _clock_time(hours.get("end"), "working_hours.end")
    if day_end <= day_start:
        raise ValueError("working_hours: end must come after start")
    kinds = {}
    for kind in KINDS:
        table = raw.get(kind)
        if not isinstance(table, dict):
            raise ValueError(f"[{kind}] is missing")
        kinds[kind] = _parse_kind(kind, table)
    unknown = set(raw) - set(KINDS) - {"working_hours", "categories"}
    if unknown:
        raise ValueError(f"unknown tables: {', '.join(sorted(unknown))}")
    categories = raw.get("categories", {})
    return Promises(
        kinds,
        frozenset(categories.get("urgent", ())),
        frozenset(categories.get("complaint", ())),
        day_start,
        day_end,
    )


def _parse_kind(kind: str, table: dict) -> Promise:
    for key in ("name", "name_en", "source"):
        if not isinstance(table.get(key), str) or not table[key].strip():
            raise ValueError(f"[{kind}] {key} must be a text")
    respond = parse_span(table["respond"], f"{kind}.respond") if "respond" in table else None
    if table.get("resolve") == FROM_CHECKLIST:
        resolve = FROM_CHECKLIST
    else:
        resolve = parse_span(table.get("resolve"), f"{kind}.resolve")
    steps = []
    for number, raw_step in enumerate(table.get("escalate", ())):
        where = f"{kind}.escalate[{number}]"
        clock = raw_step.get("clock")
        if clock not in CLOCKS or (clock == "respond" and respond is None):
            raise ValueError(f"{where}: clock must be a clock this kind has (respond, resolve)")
        after = parse_span(raw_step["after"], f"{where}.after") if "after" in raw_step else None
        steps.append(Step(raw_step.get("to"), clock, after))
    if tuple(s.to for s in steps) != STEPS:
        raise ValueError(f"{kind}.escalate: one step each to {', '.join(STEPS)}, in that order")
    return Promise(
        kind, table["name"], table["name_en"], table["source"], respond, resolve, tuple(steps)
    )


def kind_of_anomaly(category: str, urgency: str, promises: Promises) -> str:
    """A complaint is a complaint whatever its urgency; else the urgency chooses."""
    if category in promises.complaint_categories:
        return "complaint"
    return "anomaly_urgent" if urgency == "urgent" else "anomaly_ordinary"


def default_urgency(category: str, promises: Promises) -> str:
    """What a report is when the reporter does not say: urgent for the categories the file
    names (a blocked fire exit, a leak), ordinary for the rest."""
    return "urgent" if category in promises.urgent_categories else "ordinary"


def add_working_time(
    start: datetime,
    hours: float,
    day_start: time,
    day_end: time,
    is_working_day: IsWorkingDay,
) -> datetime:
    """The moment ``hours`` of working time after ``start``: time counts only between
    day_start and day_end on working days. A start outside working time counts from the next
    working moment."""
    left = timedelta(hours=hours)
    moment = start
    for _ in range(MAX_SPAN_DAYS * 2):
        opens = datetime.combine(moment.date(), day_start)
        closes = datetime.combine(moment.date(), day_end)
        if is_working_day(moment.date()) and moment < closes:
            moment = max(moment, opens)
            if moment + left <= closes:
                return moment + left
            left -= closes - moment
        moment = datetime.combine(moment.date() + timedelta(days=1), day_start)
    raise ValueError(f"no working time within {MAX_SPAN_DAYS * 2} days of {start}")


def due(start: datetime, span: Span, promises: Promises, is_working_day: IsWorkingDay) -> datetime:
    """When a promise of ``span`` made at ``start`` falls due (site wall-clock time)."""
    if span.unit == "minutes":
        return start + timedelta(minutes=span.amount)
    if span.unit == "hours":
        return start + timedelta(hours=span.amount)
    hours = span.amount
    if span.unit == "working_days":
        day = datetime.combine(date.min, promises.day_end) - datetime.combine(
            date.min, promises.day_start
        )
        hours = span.amount * day.total_seconds() / 3600
    return add_working_time(start, hours, promises.day_start, promises.day_end, is_working_day)


@dataclass(frozen=True)
class Clocks:
    respond_due: datetime | None
    resolve_due: datetime | None


def clocks(
    promise: Promise,
    reported: datetime,
    promises: Promises,
    is_working_day: IsWorkingDay,
    checklist_due: datetime | None = None,
) -> Clocks:
    """The two deadlines of a follow-up reported at ``reported`` (site wall-clock time)."""
    respond = due(reported, promise.respond, promises, is_working_day) if promise.respond else None
    if promise.resolve == FROM_CHECKLIST:
        resolve = checklist_due
    else:
        resolve = due(reported, promise.resolve, promises, is_working_day)
    return Clocks(respond, resolve)


def step_times(
    promise: Promise, deadlines: Clocks, promises: Promises, is_working_day: IsWorkingDay
) -> list[tuple[str, datetime]]:
    """When each escalation step is due: (to, moment), in the file's order."""
    times = []
    for step in promise.steps:
        broke = deadlines.respond_due if step.clock == "respond" else deadlines.resolve_due
        if broke is None:
            continue
        times.append(
            (step.to, due(broke, step.after, promises, is_working_day) if step.after else broke)
        )
    return times


def steps_due(
    promise: Promise,
    deadlines: Clocks,
    promises: Promises,
    is_working_day: IsWorkingDay,
    now: datetime,
    responded: bool,
    done: bool,
    taken: set[str],
) -> list[str]:
    """The escalation steps to take now: due, not taken before, and the clock they belong to
    still broken (a respond step does not fire once someone answered; nothing fires once the
    matter is dealt with)."""
    if done:
        return []
    clock_of = {s.to: s.clock for s in promise.steps}
    return [
        to
        for to, moment in step_times(promise, deadlines, promises, is_working_day)
        if moment <= now and to not in taken and not (clock_of[to] == "respond" and responded)
    ]


def on_time(done_at: datetime | None, resolve_due: datetime | None) -> bool | None:
    """Whether a follow-up was dealt with by its promise (None: still open, or no promise)."""
    if done_at is None or resolve_due is None:
        return None
    return done_at <= resolve_due


def on_time_rate(handled: int, handled_on_time: int) -> float | None:
    """The month's on-time rate in percent (the manuals' target is 100%); None with nothing
    handled (shown as missing, never as 0 or 100)."""
    if handled == 0:
        return None
    return round(100 * handled_on_time / handled, 1)


def clock_state(
    now: datetime,
    respond_due: datetime | None,
    responded: bool,
    resolve_due: datetime | None,
    done: bool,
) -> str:
    """Where a follow-up stands against its promise, in one word for a list: ``done``,
    ``late`` (the completion deadline passed), ``unanswered`` (nobody answered in time),
    ``running`` (both deadlines still ahead or met), or ``none`` (no promise: reported
    before promises were kept)."""
    if done:
        return "done"
    if respond_due is None and resolve_due is None:
        return "none"
    if resolve_due is not None and resolve_due <= now:
        return "late"
    if respond_due is not None and respond_due <= now and not responded:
        return "unanswered"
    return "running"
