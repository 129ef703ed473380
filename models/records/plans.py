"""Inspection plans 检查计划: reading checklists/plans.toml, and the aggregate queries the plan
rule (models/rules/plans.py) needs: a site's plan items and the inspections counted per
period. No Flask here; the API passes the rules loaded at start-up."""

import re
import tomllib
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from peewee import Case, fn

from models.files.checklist_files import ChecklistError
from models.records.webhooks import enqueue_alert
from models.rules.plans import (
    GRADES,
    Override,
    Rule,
    parse_frequency,
    per_subject,
    period,
    site_items,
    todo,
    week_start,
)
from models.tables.inspections import Inspection
from models.tables.org import AREA_TYPES, JOBS, Area, Site, Staff
from models.tables.plan_overrides import PlanOverride

PLANS_FILE = "plans.toml"


ROW_KEYS = {"area": "area_types", "staff": "jobs"}
VOCABULARY = {"area": AREA_TYPES, "staff": JOBS}


def _header_lines(text: str, table: str) -> list[int]:
    """The line numbers of each [[table]] header, in order (tomllib does not give them)."""
    pattern = re.compile(rf"^\s*\[\[\s*{table}\s*\]\]")
    return [n for n, line in enumerate(text.splitlines(), start=1) if pattern.match(line)]


def parse_plans(path: Path, checklists: list[dict]) -> tuple[Rule, ...]:
    """The plan rules of ``path``, checked against the loaded checklists; ChecklistError naming
    the file, the line and the problem for anything wrong."""
    name = path.name
    try:
        text = path.read_text(encoding="utf-8")
        raw = tomllib.loads(text)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ChecklistError([f"{name}: {exc}"]) from exc
    problems: list[str] = []
    for key in sorted(set(raw) - set(ROW_KEYS)):
        problems.append(f"{name}: unknown key {key!r} (only [[area]] and [[staff]] rows)")
    by_code = {c["code"]: c for c in checklists}
    rules, seen = [], {}
    for subject, match_key in ROW_KEYS.items():
        rows = raw.get(subject, [])
        if not isinstance(rows, list):
            problems.append(f"{name}: {subject} must be [[{subject}]] rows")
            continue
        lines = _header_lines(text, subject)
        for index, row in enumerate(rows):
            line = lines[index] if index < len(lines) else "?"
            where = f"{name}: line {line} ([[{subject}]] #{index + 1})"
            rule = _check_row(row, subject, match_key, where, line, by_code, seen, problems)
            if rule is not None:
                rules.append(rule)
    if problems:
        raise ChecklistError(problems)
    return tuple(rules)


def _check_row(
    row: dict,
    subject: str,
    match_key: str,
    where: str,
    line,
    by_code: dict,
    seen: dict,
    problems: list[str],
) -> Rule | None:
    """One [[area]] or [[staff]] row: its problems appended in the file's usual order (keys,
    matches, checklist, source, frequencies, a second plan of a kind); its rule when it names
    a checklist."""
    matches = _row_matches(row, subject, match_key, where, problems)
    code = row.get("checklist")
    checklist = by_code.get(code)
    _check_checklist(checklist, code, subject, match_key, matches, where, problems)
    source = row.get("source")
    if not isinstance(source, str) or not (
        source.startswith("《") or "industry practice" in source
    ):
        problems.append(
            f"{where}: source must name the standard (《…》) or say 'industry practice'"
        )
    by_grade = _row_frequencies(row, where, problems)
    kind = checklist["kind"] if checklist else None
    for match in matches:
        other = seen.get((subject, match, kind))
        if kind and other:
            problems.append(
                f"{where}: {match} already has a {kind} plan (line {other}); one per kind"
            )
        seen[(subject, match, kind)] = line
    if kind:
        return Rule(subject, tuple(matches), code, kind, by_grade, source or "")
    return None


def _row_matches(row: dict, subject: str, match_key: str, where: str, problems: list[str]) -> list:
    """The row's known keys and its non-empty list of matches from the vocabulary."""
    known = {match_key, "checklist", "source", *(f"grade_{g}" for g in GRADES)}
    for key in sorted(set(row) - known):
        problems.append(f"{where}: unknown key {key!r}")
    matches = row.get(match_key)
    if not isinstance(matches, list) or not matches:
        problems.append(f"{where}: {match_key} must be a non-empty list")
        matches = []
    unknown = [m for m in matches if m not in VOCABULARY[subject]]
    if unknown:
        problems.append(f"{where}: {match_key} has unknown values {unknown}")
    return matches


def _check_checklist(
    checklist: dict | None,
    code,
    subject: str,
    match_key: str,
    matches: list,
    where: str,
    problems: list[str],
) -> None:
    """The checklist a row names: it must exist, be for the row's subject and apply to every
    match it limits itself to."""
    if checklist is None:
        problems.append(f"{where}: no checklist with code {code!r}")
    elif checklist["subject"] != subject:
        problems.append(f"{where}: checklist {code} is for {checklist['subject']}s")
    else:
        offered = checklist["applies_to"].get(match_key)
        if offered:
            outside = [m for m in matches if m not in offered]
            if outside:
                problems.append(f"{where}: checklist {code} does not apply to {outside}")


def _row_frequencies(row: dict, where: str, problems: list[str]) -> dict:
    """grade → frequency for the grades whose frequency is not "0" (never)."""
    by_grade = {}
    for grade in GRADES:
        value = row.get(f"grade_{grade}", "0")
        try:
            frequency = parse_frequency(value)
        except ValueError as exc:
            problems.append(f"{where}: grade_{grade}: {exc}")
            continue
        if frequency is not None:
            by_grade[grade] = frequency
    return by_grade


def load_plans(directory: Path, checklists: list[dict]) -> tuple[Rule, ...]:
    return parse_plans(Path(directory) / PLANS_FILE, checklists)


def plan_items(rules, site_ids: list[int]) -> dict[int, list]:
    """site id → its plan items, with each site's overrides (four queries whatever the number
    of sites)."""
    sites = {
        s.id: s
        for s in Site.select(Site.id, Site.service_grade).where(Site.id.in_(site_ids) & Site.active)
    }
    areas, staff = defaultdict(list), defaultdict(list)
    for area_id, name, area_type, site_id in (
        Area.select(Area.id, Area.name, Area.area_type, Area.site)
        .where(Area.site.in_(list(sites)) & Area.active)
        .order_by(Area.name)
        .tuples()
    ):
        areas[site_id].append((area_id, name, area_type))
    for staff_id, name, job, site_id in (
        Staff.select(Staff.id, Staff.name, Staff.job, Staff.site)
        .where(Staff.site.in_(list(sites)) & Staff.active)
        .order_by(Staff.name)
        .tuples()
    ):
        staff[site_id].append((staff_id, name, job))
    overrides = defaultdict(list)
    for o in PlanOverride.select().where(PlanOverride.site.in_(list(sites))):
        frequency = parse_frequency(o.frequency)
        overrides[o.site_id].append(Override(o.subject, o.match, o.kind, o.checklist, frequency))
    return {
        site_id: site_items(
            rules,
            site.service_grade,
            site_id,
            areas[site_id],
            staff[site_id],
            overrides[site_id],
        )
        for site_id, site in sites.items()
    }


def _count_if(condition):
    return fn.SUM(Case(None, [(condition, 1)], 0))


def _utc(day: date, zone: ZoneInfo) -> datetime:
    """Midnight starting ``day`` in ``zone``, as a naive UTC timestamp (as stored)."""
    local = datetime(day.year, day.month, day.day, tzinfo=zone)
    return local.astimezone(UTC).replace(tzinfo=None)


def local_today(zone: ZoneInfo, now_utc: datetime) -> date:
    return now_utc.replace(tzinfo=UTC).astimezone(zone).date()


def _subject_key(subject_type, staff_id, area_id, kind) -> tuple:
    return (subject_type, staff_id if subject_type == "staff" else area_id, kind)


def period_counts(site_ids: list[int], zone: ZoneInfo, today: date, closing_day: int) -> dict:
    """Per subject and kind, the final inspections at these sites (all in ``zone``) in the day,
    week and month holding ``today``: one aggregate query."""
    day_start = _utc(today, zone)
    week_from = _utc(week_start(today), zone)
    month_first, _ = period("month", today, closing_day)
    month_from = _utc(month_first, zone)
    months = {today.year * 100 + today.month}
    monday = week_start(today)
    months.add(monday.year * 100 + monday.month)
    this_month = today.year * 100 + today.month
    rows = (
        Inspection.select(
            Inspection.subject_type,
            Inspection.staff,
            Inspection.area,
            Inspection.kind,
            _count_if(Inspection.inspected_at >= day_start),
            _count_if(Inspection.inspected_at >= week_from),
            _count_if(Inspection.month == this_month),
        )
        .where(
            Inspection.month.in_(sorted(months))
            & Inspection.site.in_(site_ids)
            & (Inspection.status == "final")
            & (Inspection.inspected_at >= min(week_from, month_from))
            & (Inspection.inspected_at < day_start + timedelta(days=1))
        )
        .group_by(Inspection.subject_type, Inspection.staff, Inspection.area, Inspection.kind)
        .tuples()
    )
    counts = {}
    for subject_type, staff_id, area_id, kind, day_n, week_n, month_n in rows:
        key = _subject_key(subject_type, staff_id, area_id, kind)
        counts[key] = {"day": int(day_n or 0), "week": int(week_n or 0), "month": int(month_n or 0)}
    return counts


def month_counts(site_ids: list[int], month: int) -> dict:
    """Per subject and kind, the final inspections of the month (YYYYMM in each site's zone):
    one aggregate query over the monthly records' covering index."""
    rows = (
        Inspection.select(
            Inspection.subject_type,
            Inspection.staff,
            Inspection.area,
            Inspection.kind,
            fn.COUNT(Inspection.id),
        )
        .where(
            (Inspection.month == month)
            & Inspection.site.in_(site_ids)
            & (Inspection.status == "final")
        )
        .group_by(Inspection.subject_type, Inspection.staff, Inspection.area, Inspection.kind)
        .tuples()
    )
    return {
        _subject_key(subject_type, staff_id, area_id, kind): int(n)
        for subject_type, staff_id, area_id, kind, n in rows
    }


def sites_by_zone(site_ids: list[int]) -> dict[str, list[int]]:
    zones = defaultdict(list)
    for site_id, timezone in (
        Site.select(Site.id, Site.timezone).where(Site.id.in_(site_ids)).tuples()
    ):
        zones[timezone].append(site_id)
    return zones


def person_coverage(rules, site_ids: list[int], month: int, closing_day: int) -> dict:
    """staff id → (planned, done) grooming and etiquette checks of the month (extra checks of a
    person count once): the monthly record's "not inspected" 未检查 beside "missing"."""
    items = plan_items(rules, site_ids)
    staff_items = [i for rows in items.values() for i in rows if i.subject.kind == "staff"]
    counts = month_counts(site_ids, month)
    year, number = divmod(month, 100)
    totals = per_subject(staff_items, counts, year, number, closing_day)
    return {subject_id: pair for (_, subject_id), pair in totals.items()}


def with_coverage(records: list[dict], rules, site_ids, month: int, closing_day: int) -> list:
    """The records with inspections_planned / inspections_done / not_inspected added; the
    scores are left as they are (a person never inspected stays missing, never 0)."""
    found = person_coverage(rules, site_ids, month, closing_day)
    for record in records:
        planned, done = found.get(record["staff_id"], (0, 0))
        record["inspections_planned"] = planned
        record["inspections_done"] = done
        record["not_inspected"] = planned > 0 and done == 0
    return records


def alert_overdue_plans(rules, now_utc: datetime, closing_day: int, after_days: int) -> int:
    """Queue a ``plan.overdue`` alert (once per item and due day) for every planned inspection
    at an active site that is more than ``after_days`` days past its due day; returns how many
    overdue items were found. Sent through the site's channels like the patrol alerts (a site
    without a channel queues nothing)."""
    sites = list(Site.select().where(Site.active))
    queued = 0
    for item in sites_todo(rules, sites, now_utc, closing_day):
        subject = item.item.subject
        zone = next(s.zone for s in sites if s.id == subject.site_id)
        if (local_today(zone, now_utc) - item.due).days <= after_days:
            continue
        key = f"plan.overdue:{subject.kind}:{subject.id}:{item.item.checklist}:{item.due}"
        payload = {
            "subject": subject.name,
            "subject_kind": subject.kind,
            "subject_id": subject.id,
            "checklist": item.item.checklist,
            "due": item.due.isoformat(),
        }
        enqueue_alert(subject.site_id, "plan.overdue", key, payload)
        queued += 1
    return queued


def sites_todo(rules, sites, now_utc: datetime, closing_day: int) -> list:
    """The to-do (models.rules.plans.Todo) of these sites at ``now_utc``, overdue first: three
    queries for the plan items and one aggregate query per time zone for the counts."""
    items = plan_items(rules, [s.id for s in sites])
    by_zone: dict = defaultdict(list)
    for site in sites:
        by_zone[site.timezone].append(site.id)
    found = []
    for timezone, ids in by_zone.items():
        zone = ZoneInfo(timezone)
        today = local_today(zone, now_utc)
        counts = period_counts(ids, zone, today, closing_day)
        zone_items = [i for site_id in ids for i in items.get(site_id, [])]
        found += todo(zone_items, counts, today, closing_day)
    found.sort(key=lambda t: (not t.overdue, t.due))
    return found
