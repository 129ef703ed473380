"""Inspection plans 检查计划 (pure: no Flask, no database).

A plan says, per service grade, how often each area type is inspected with which checklist and
how many grooming and etiquette checks each job needs (checklists/plans.toml). For one site it
becomes plan items, one per area or person and checklist kind. The N checks of a period (a
day, a Monday-to-Sunday week, a month up to the closing day) are spread evenly over it: the
k-th is due on day floor(k × length / N) of the period. An inspection of the subject with a
checklist of the same kind, made in the period, ticks off the earliest open check.
"""

import calendar
from dataclasses import dataclass, field
from datetime import date, timedelta

PERIODS = ("day", "week", "month")
MAX_TIMES = {"day": 4, "week": 7, "month": 28}
GRADES = (1, 2, 3)


@dataclass(frozen=True)
class Frequency:
    times: int
    per: str  # day | week | month

    def __str__(self) -> str:
        return f"{self.times}/{self.per}"


def parse_frequency(text) -> Frequency | None:
    """ "3/week" → Frequency(3, "week"); "0" → None (nothing planned); ValueError otherwise."""
    if text in ("0", 0):
        return None
    if not isinstance(text, str) or text.count("/") != 1:
        raise ValueError(
            f'frequency must look like "2/week" (N/day, N/week or N/month), not {text!r}'
        )
    number, per = (part.strip() for part in text.split("/"))
    if per not in PERIODS:
        raise ValueError(f"the period of {text!r} must be day, week or month")
    if not number.isdigit() or not 1 <= int(number) <= MAX_TIMES[per]:
        raise ValueError(f"{text!r}: at most {MAX_TIMES[per]} checks per {per}, at least 1")
    return Frequency(int(number), per)


@dataclass(frozen=True)
class Rule:
    """One row of the plans file: these area types (or jobs) with this checklist."""

    subject: str  # area | staff
    matches: tuple[str, ...]  # area types or jobs
    checklist: str  # the code the phone opens
    kind: str  # the checklist's kind: what counts
    by_grade: dict = field(default_factory=dict)  # grade → Frequency
    source: str = ""


@dataclass(frozen=True)
class Subject:
    kind: str  # area | staff
    id: int
    name: str
    site_id: int


@dataclass(frozen=True)
class PlanItem:
    subject: Subject
    checklist: str
    inspection_kind: str
    frequency: Frequency

    @property
    def key(self) -> tuple:
        return (self.subject.kind, self.subject.id, self.inspection_kind)


@dataclass(frozen=True)
class Todo:
    item: PlanItem
    due: date
    overdue: bool
    remaining: int  # open checks in the period, this one included
    period: str


@dataclass(frozen=True)
class Override:
    """A site's own plan for one area type or job and checklist kind (None: nothing planned)."""

    subject: str  # area | staff
    match: str  # the area type or job
    kind: str
    checklist: str
    frequency: Frequency | None


def site_items(rules, grade: int, site_id: int, areas, staff, overrides=()) -> list[PlanItem]:
    """The plan items of a site of ``grade``: ``areas`` as (id, name, area_type) and ``staff`` as
    (id, name, job), the active ones. A site's ``overrides`` replace the grade's frequency (and
    checklist) for their area type or job and kind, or add one the file does not plan."""
    plan: dict = {}  # (subject, area type or job) → {kind: (checklist, frequency)}
    for rule in rules:
        frequency = rule.by_grade.get(grade)
        for match in rule.matches:
            plan.setdefault((rule.subject, match), {})[rule.kind] = (rule.checklist, frequency)
    for o in overrides:
        plan.setdefault((o.subject, o.match), {})[o.kind] = (o.checklist, o.frequency)
    items = []
    for subject_kind, rows in (("area", areas), ("staff", staff)):
        for subject_id, name, trait in rows:
            for kind, (checklist, frequency) in sorted(plan.get((subject_kind, trait), {}).items()):
                if frequency is not None:
                    subject = Subject(subject_kind, subject_id, name, site_id)
                    items.append(PlanItem(subject, checklist, kind, frequency))
    return items


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def period(per: str, day: date, closing_day: int = 28) -> tuple[date, int]:
    """The first day of the period holding ``day`` and the number of days its checks spread over
    (a month's end at the closing day)."""
    if per == "day":
        return day, 1
    if per == "week":
        return week_start(day), 7
    length = min(closing_day, calendar.monthrange(day.year, day.month)[1])
    return day.replace(day=1), length


def dues(frequency: Frequency, start: date, length: int) -> list[date]:
    """When each of the period's checks is due, the earliest first."""
    n = frequency.times
    return [start + timedelta(days=max(0, (k * length) // n - 1)) for k in range(1, n + 1)]


def todo(items, done: dict, today: date, closing_day: int = 28) -> list[Todo]:
    """What is open today and this week, overdue first. ``done`` maps an item's key to the
    inspections counted so far in each period holding today: {"day": n, "week": n, "month": n}."""
    week_end = week_start(today) + timedelta(days=6)
    found = []
    for item in items:
        per = item.frequency.per
        start, length = period(per, today, closing_day)
        count = done.get(item.key, {}).get(per, 0)
        open_dues = dues(item.frequency, start, length)[count:]
        if not open_dues or open_dues[0] > week_end:
            continue
        first = open_dues[0]
        found.append(Todo(item, first, first < today, len(open_dues), per))
    found.sort(
        key=lambda t: (
            not t.overdue,
            t.due,
            t.item.subject.site_id,
            t.item.subject.kind,
            t.item.subject.name,
            t.item.inspection_kind,
        )
    )
    return found


def planned_in_month(frequency: Frequency, year: int, month: int, closing_day: int = 28) -> int:
    """How many checks of this frequency fall due in the month."""
    days = calendar.monthrange(year, month)[1]
    if frequency.per == "day":
        return frequency.times * days
    if frequency.per == "month":
        return frequency.times
    first, last = date(year, month, 1), date(year, month, days)
    count, start = 0, week_start(first)
    while start <= last:
        count += sum(1 for d in dues(frequency, start, 7) if first <= d <= last)
        start += timedelta(days=7)
    return count


@dataclass
class Coverage:
    planned: int = 0
    done: int = 0
    uncovered: list = field(default_factory=list)  # (PlanItem, planned, done)

    @property
    def ratio(self) -> float | None:
        return None if not self.planned else round(self.done / self.planned, 3)


def coverage(items, counts: dict, year: int, month: int, closing_day: int = 28) -> Coverage:
    """Done against planned for a month: ``counts`` maps an item's key to its inspections that
    month. Extra inspections of one subject never cover another: each item counts at most its
    plan."""
    result = Coverage()
    for item in items:
        planned = planned_in_month(item.frequency, year, month, closing_day)
        done = min(counts.get(item.key, 0), planned)
        result.planned += planned
        result.done += done
        if done < planned:
            result.uncovered.append((item, planned, done))
    result.uncovered.sort(
        key=lambda u: (u[0].subject.kind, u[0].subject.name, u[0].inspection_kind)
    )
    return result


def per_subject(items, counts: dict, year: int, month: int, closing_day: int = 28) -> dict:
    """(subject kind, id) → (planned, done) for the month, for the monthly record."""
    totals: dict = {}
    for item in items:
        planned = planned_in_month(item.frequency, year, month, closing_day)
        done = min(counts.get(item.key, 0), planned)
        key = (item.subject.kind, item.subject.id)
        before = totals.get(key, (0, 0))
        totals[key] = (before[0] + planned, before[1] + done)
    return totals
