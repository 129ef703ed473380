"""Monthly performance records 员工月度考核, computed in the database with aggregate queries over
covering indexes (never by loading every inspection), frozen when HR closes a month, and
corrected afterwards only by audited adjustments."""

from collections import Counter, defaultdict
from datetime import UTC, date

from peewee import JOIN, Case, fn

from models import db, utcnow, write_transaction
from models.files.exports import write_workbook
from models.records.followups import handled_in_month, handled_items
from models.rules.monthly import COMPONENTS, composite, quarter_score, service_stars
from models.rules.periods import months_up_to
from models.rules.promises import on_time_rate
from models.rules.scoring import grade_for, passed
from models.tables.audit import AuditEntry
from models.tables.checklists import Checklist, ChecklistVersion
from models.tables.greeting import GreetingShift
from models.tables.inspections import Inspection, InspectionItem
from models.tables.org import Site, Staff, StaffArea, Team
from models.tables.patrols import Round
from models.tables.performance import Adjustment, MonthClose, MonthlyRecord

RECORD_FIELDS = (
    "grooming_score",
    "grooming_count",
    "etiquette_score",
    "etiquette_count",
    "greeting_compliance",
    "greeting_shifts",
    "patrol_completion",
    "patrol_rounds",
    "area_score",
    "area_count",
    "followup_rate",
    "followup_count",
    "followup_on_time",
    "composite",
    "grade",
    "passed",
    "critical_failed",
)
ADJUSTABLE = (
    "grooming_score",
    "etiquette_score",
    "greeting_compliance",
    "patrol_completion",
    "area_score",
    "followup_rate",
)
COMPONENT_FIELDS = {  # the component's figure and how many things it was computed from
    "grooming": ("grooming_score", "grooming_count"),
    "etiquette": ("etiquette_score", "etiquette_count"),
    "greeting": ("greeting_compliance", "greeting_shifts"),
    "patrol": ("patrol_completion", "patrol_rounds"),
    "area": ("area_score", "area_count"),
    "followup": ("followup_rate", "followup_count"),
}


STAFF_KINDS = ("grooming", "etiquette")  # the components inspected on the person
EXPORT_SITES_AT_ONCE = 50  # the Excel export computes the records of this many sites a query


def count_if(condition):
    return fn.SUM(Case(None, [(condition, 1)], 0))


def _round1(value):
    return None if value is None else round(float(value), 1)


def _plain_rows(query) -> list[tuple]:
    """The query's rows as the driver returns them, without peewee's conversion of each value:
    the company summary reads a row per person and component (about 5 us a row saved, most of
    the summary's time for a large company: bench/scale.py)."""
    return db.execute(query).fetchall()


def live_records(month: int, site_ids: list[int], settings) -> list[dict]:
    """Every staff member's record for the month at these sites, computed now."""
    people = _plain_rows(
        Staff.select(
            Staff.id,
            Staff.employee_no,
            Staff.name,
            Staff.job,
            Staff.site,
            Staff.team,
            Team.name.alias("team_name"),
        )
        .join(Team, JOIN.LEFT_OUTER)
        .where(Staff.site.in_(site_ids) & Staff.active)
        .order_by(Staff.site, Staff.employee_no)
    )
    base = (
        (Inspection.month == month) & Inspection.site.in_(site_ids) & (Inspection.status == "final")
    )
    by_staff = defaultdict(dict)
    # One row a person: each staff component's average and count side by side.
    score_of = {
        kind: Case(None, [(Inspection.kind == kind, Inspection.score)]) for kind in STAFF_KINDS
    }
    for staff_id, critical, *figures in _plain_rows(
        Inspection.select(
            Inspection.staff,
            count_if(Inspection.critical_failed == True),  # noqa: E712 - SQL
            *[f(score_of[kind]) for kind in STAFF_KINDS for f in (fn.AVG, fn.COUNT)],
        )
        .where(base & (Inspection.subject_type == "staff"))
        .group_by(Inspection.staff)
    ):
        data = by_staff[staff_id]
        data["critical"] = int(critical or 0)
        for index, kind in enumerate(STAFF_KINDS):
            avg, n = figures[2 * index : 2 * index + 2]
            if n:
                data[kind] = (_round1(avg), n)
    for staff_id, avg, n in _plain_rows(
        Inspection.select(StaffArea.staff, fn.AVG(Inspection.score), fn.COUNT(Inspection.score))
        .join(StaffArea, on=(StaffArea.area == Inspection.area))
        .where(base & (Inspection.subject_type == "area"))
        .group_by(StaffArea.staff)
    ):
        by_staff[staff_id]["area"] = (_round1(avg), n)
    for guard_id, total, complete in _plain_rows(
        Round.select(Round.guard, fn.COUNT(Round.id), count_if(Round.status == "complete"))
        .where(
            (Round.month == month)
            & Round.site.in_(site_ids)
            & (Round.status != "open")
            & Round.guard.is_null(False)
        )
        .group_by(Round.guard)
    ):
        by_staff[guard_id]["patrol"] = (_round1(100 * int(complete or 0) / total), total)
    for manager_id, total, on_time in _plain_rows(
        GreetingShift.select(
            GreetingShift.manager,
            fn.COUNT(GreetingShift.id),
            count_if(GreetingShift.status == "on_time"),
        )
        .where(
            (GreetingShift.month == month)
            & GreetingShift.site.in_(site_ids)
            & (GreetingShift.status != "scheduled")
        )
        .group_by(GreetingShift.manager)
    ):
        by_staff[manager_id]["greeting"] = (_round1(100 * int(on_time or 0) / total), total)
    followups = handled_in_month(month, site_ids)

    records = []
    for person_id, employee_no, name, job, site_id, team_id, team_name in people:
        data = by_staff.get(person_id, {})
        handled, handled_on_time = followups.get(person_id, (0, 0))
        data["followup"] = (on_time_rate(handled, handled_on_time), handled)
        values = {c: data.get(c, (None, 0))[0] for c in COMPONENTS}
        counts = {c: data.get(c, (None, 0))[1] for c in COMPONENTS}
        score = composite(values, settings.weights.get(job, settings.weights["other"]))
        band = grade_for(score, settings.bands)
        records.append(
            {
                "staff_id": person_id,
                "employee_no": employee_no,
                "name": name,
                "job": job,
                "site_id": site_id,
                "team_id": team_id,
                "team": team_name or "",
                "grooming_score": values["grooming"],
                "grooming_count": counts["grooming"],
                "etiquette_score": values["etiquette"],
                "etiquette_count": counts["etiquette"],
                "greeting_compliance": values["greeting"],
                "greeting_shifts": counts["greeting"],
                "patrol_completion": values["patrol"],
                "patrol_rounds": counts["patrol"],
                "area_score": values["area"],
                "area_count": counts["area"],
                "followup_rate": values["followup"],
                "followup_count": counts["followup"],
                "followup_on_time": handled_on_time,
                "composite": score,
                "grade": band.code if band else None,
                "passed": passed(score, settings.pass_mark),
                "critical_failed": data.get("critical", 0) > 0,
            }
        )
    return records


def closed_months(site_ids: list[int], month: int) -> set[int]:
    return {
        c.site_id
        for c in MonthClose.select(MonthClose.site).where(
            MonthClose.site.in_(site_ids) & (MonthClose.month == month)
        )
    }


def frozen_records(month: int, site_ids: list[int]) -> list[dict]:
    rows = (
        MonthlyRecord.select(
            MonthlyRecord, Staff.id, Staff.employee_no, Staff.name, Team.id, Team.name
        )
        .join(Staff)
        .switch(MonthlyRecord)
        .join(Team, JOIN.LEFT_OUTER)
        .where((MonthlyRecord.month == month) & MonthlyRecord.site.in_(site_ids))
        .order_by(MonthlyRecord.site, Staff.employee_no)
    )
    return [
        {
            "staff_id": r.staff_id,
            "employee_no": r.staff.employee_no,
            "name": r.staff.name,
            "job": r.job,
            "site_id": r.site_id,
            "team_id": r.team_id,
            "team": r.team.name if r.team_id else "",
            **{f: getattr(r, f) for f in RECORD_FIELDS},
        }
        for r in rows
    ]


def month_records(month: int, site_ids: list[int], settings) -> list[dict]:
    """Records of the month: frozen for closed sites, live for open ones; each says which."""
    closed = closed_months(site_ids, month)
    open_sites = [s for s in site_ids if s not in closed]
    records = (
        [{**r, "closed": True} for r in frozen_records(month, sorted(closed))] if closed else []
    )
    if open_sites:
        records += [{**r, "closed": False} for r in live_records(month, open_sites, settings)]
    return records


def inspection_counts(record: dict) -> int:
    return record["grooming_count"] + record["etiquette_count"]


def rollup(records: list[dict], key: str) -> list[dict]:
    """Averages and pass rate per team or per site (key: team_id or site_id)."""
    groups = defaultdict(list)
    for r in records:
        groups[r[key]].append(r)
    result = []
    for group_id, rows in groups.items():
        scored = [r for r in rows if r["composite"] is not None]

        def average(field, rows=rows):
            values = [r[field] for r in rows if r[field] is not None]
            return round(sum(values) / len(values), 1) if values else None

        passed_count = sum(1 for r in scored if r["passed"])
        handled = sum(r["followup_count"] for r in rows)
        handled_on_time = sum(r["followup_on_time"] for r in rows)
        result.append(
            {
                key: group_id,
                "staff": len(rows),
                "scored": len(scored),
                "passed": passed_count,
                "pass_rate": round(100 * passed_count / len(scored), 1) if scored else None,
                "composite": average("composite"),
                "grooming": average("grooming_score"),
                "etiquette": average("etiquette_score"),
                "followups_handled": handled,
                "followups_on_time": handled_on_time,
                "followup_rate": on_time_rate(handled, handled_on_time),
                "grades": dict(Counter(r["grade"] for r in scored)),
            }
        )
    return sorted(result, key=lambda g: (g[key] is None, g[key] or 0))


def worst_items(month: int, site_ids: list[int], limit: int = 10) -> list[dict]:
    """The month's most often failed checklist items at these sites, with the standard's words."""
    rows = (
        InspectionItem.select(
            InspectionItem.checklist,
            InspectionItem.item_code,
            fn.COUNT(InspectionItem.id).alias("fails"),
        )
        .where(
            (InspectionItem.month == month)
            & InspectionItem.site.in_(site_ids)
            & (InspectionItem.result == "fail")
        )
        .group_by(InspectionItem.checklist, InspectionItem.item_code)
        .order_by(fn.COUNT(InspectionItem.id).desc(), InspectionItem.item_code)
        .limit(limit)
        .tuples()
    )
    result = []
    for checklist_id, code, fails in rows:
        checklist = Checklist.get_by_id(checklist_id)
        version = ChecklistVersion.get(
            (ChecklistVersion.checklist == checklist_id)
            & (ChecklistVersion.number == checklist.current_version)
        )
        item = next(
            (i for s in version.data["sections"] for i in s["items"] if i["code"] == code), {}
        )
        result.append(
            {
                "checklist": checklist.code,
                "item_code": code,
                "fails": fails,
                "requirement": item.get("requirement", ""),
                "requirement_en": item.get("requirement_en", ""),
                "fault": item.get("fault", ""),
                "fault_en": item.get("fault_en", ""),
            }
        )
    return result


def stars(records: list[dict], settings) -> list[dict]:
    """Service stars per site."""
    by_site = defaultdict(list)
    for r in records:
        if r["composite"] is not None:
            by_site[r["site_id"]].append({**r, "inspections": inspection_counts(r)})
    return [s for site_rows in by_site.values() for s in service_stars(site_rows, settings.stars)]


def quarter(year: int, number: int, site_ids: list[int], settings) -> list[dict]:
    """Each person's quarter: the three monthly composites, their average and its grade."""
    months = [year * 100 + m for m in range(3 * number - 2, 3 * number + 1)]
    by_staff: dict[int, dict] = {}
    for month in months:
        for r in month_records(month, site_ids, settings):
            entry = by_staff.setdefault(
                r["staff_id"],
                {
                    "staff_id": r["staff_id"],
                    "employee_no": r["employee_no"],
                    "name": r["name"],
                    "site_id": r["site_id"],
                    "team_id": r["team_id"],
                    "months": {},
                },
            )
            entry["months"][month] = r["composite"]
    result = []
    for entry in by_staff.values():
        monthly = [entry["months"].get(m) for m in months]
        score = quarter_score(monthly)
        band = grade_for(score, settings.bands)
        result.append(
            {
                **{k: v for k, v in entry.items() if k != "months"},
                "monthly": monthly,
                "score": score,
                "grade": band.code if band else None,
            }
        )
    return sorted(result, key=lambda r: (r["site_id"], r["employee_no"]))


def close_month(site: Site, month: int, user, settings) -> int:
    """Freeze the site's records for the month; returns how many were frozen."""
    with write_transaction():
        if (
            MonthClose.select()
            .where((MonthClose.site == site) & (MonthClose.month == month))
            .exists()
        ):
            raise ValueError("already closed")
        records = live_records(month, [site.id], settings)
        rows = [
            {
                "site": site.id,
                "month": month,
                "staff": r["staff_id"],
                "team": r["team_id"],
                "job": r["job"],
                **{f: r[f] for f in RECORD_FIELDS},
            }
            for r in records
        ]
        if rows:
            MonthlyRecord.insert_many(rows).execute()
        MonthClose.create(site=site, month=month, closed_by=user)
        AuditEntry.record(
            user=user,
            action="close-month",
            entity="site",
            entity_id=site.id,
            site_id=site.id,
            after={"month": month, "records": len(records)},
        )
    return len(records)


def adjust(
    record: MonthlyRecord, field: str, value: float | None, reason: str, user, settings
) -> MonthlyRecord:
    """Correct one figure of a closed month: the composite, grade and pass are recomputed, and
    the change is kept with who, when, why, before and after."""
    with write_transaction():
        before = getattr(record, field)
        setattr(record, field, value)
        values = {c: getattr(record, score) for c, (score, _) in COMPONENT_FIELDS.items()}
        old_composite = record.composite
        record.composite = composite(
            values, settings.weights.get(record.job, settings.weights["other"])
        )
        band = grade_for(record.composite, settings.bands)
        record.grade = band.code if band else None
        record.passed = passed(record.composite, settings.pass_mark)
        record.save()
        Adjustment.create(
            record=record, field=field, before=before, after=value, reason=reason, made_by=user
        )
        if record.composite != old_composite:
            Adjustment.create(
                record=record,
                field="composite",
                before=old_composite,
                after=record.composite,
                reason=reason,
                made_by=user,
            )
        AuditEntry.record(
            user=user,
            action="adjust",
            entity="monthly_record",
            entity_id=record.id,
            site_id=record.site_id,
            before={field: before, "composite": old_composite},
            after={field: value, "composite": record.composite},
            reason=reason,
        )
    return record


def month_open_for(site_id: int, month: int) -> int:
    """The month an item dated in ``month`` counts in: that month, or — when HR has closed it —
    the next month that is still open (a late inspection is never lost, never rewrites a
    closed month)."""
    closed = {
        c.month
        for c in MonthClose.select(MonthClose.month).where(
            (MonthClose.site == site_id) & (MonthClose.month >= month)
        )
    }
    while month in closed:
        year, number = divmod(month, 100)
        month = year * 100 + number + 1 if number < 12 else (year + 1) * 100 + 1
    return month


def trace(staff_id: int, month: int, component: str) -> list[dict]:
    """What a figure was computed from: the inspections, rounds or shifts behind it."""
    if component in ("grooming", "etiquette"):
        who = (Inspection.staff == staff_id) & (Inspection.kind == component)
    elif component == "area":
        areas = [a.area_id for a in StaffArea.select().where(StaffArea.staff == staff_id)]
        who = Inspection.area.in_(areas) & (Inspection.subject_type == "area")
    if component in ("grooming", "etiquette", "area"):
        rows = Inspection.select().where(
            who & (Inspection.month == month) & (Inspection.status == "final")
        )
        return [
            {
                "type": "inspection",
                "id": str(i.id),
                "at": i.inspected_at,
                "score": i.score,
                "grade": i.grade,
            }
            for i in rows.order_by(Inspection.inspected_at)
        ]
    if component == "patrol":
        rows = Round.select().where(
            (Round.guard == staff_id) & (Round.month == month) & (Round.status != "open")
        )
        return [
            {
                "type": "round",
                "id": str(r.id),
                "at": r.starts_at,
                "status": r.status,
                "missed": r.missed_checkpoints,
            }
            for r in rows.order_by(Round.starts_at)
        ]
    if component == "greeting":
        rows = GreetingShift.select().where(
            (GreetingShift.manager == staff_id)
            & (GreetingShift.month == month)
            & (GreetingShift.status != "scheduled")
        )
        return [
            {"type": "shift", "id": str(s.id), "at": s.starts_at, "status": s.status}
            for s in rows.order_by(GreetingShift.starts_at)
        ]
    if component == "followup":
        site_ids = [Staff.get_by_id(staff_id).site_id]
        return [
            {
                "type": item["type"],
                "id": item["id"],
                "at": item["done_at"],
                "due_at": item["due_at"],
                "status": "on_time" if item["on_time"] else "late",
            }
            for item in handled_items(month, site_ids, staff_id)
        ]
    raise ValueError(f"unknown component {component!r}")


def close_due(month: int, closing_day: int):
    """The day a month's close is due: the closing day of the following month."""
    year, number = divmod(month, 100)
    year, number = (year, number + 1) if number < 12 else (year + 1, 1)
    return date(year, number, closing_day)


def now_month(site: Site) -> int:
    local = utcnow().replace(tzinfo=UTC).astimezone(site.zone)
    return local.year * 100 + local.month


SUMMARY_FIELDS = ("staff", "passed", "pass_rate", "composite", "grooming", "etiquette")


def write_month_workbook(
    path, month: int, site_ids: list[int], settings, language: str = "zh"
) -> None:
    """The month's Excel workbook: a summary sheet and one sheet per site, computed a batch of
    sites at a time (one set of queries per batch, not per site) and written site by site, so
    memory stays flat however large the company."""
    sites = list(Site.select().where(Site.id.in_(site_ids)).order_by(Site.name))
    summary = []

    def per_site():
        for start in range(0, len(sites), EXPORT_SITES_AT_ONCE):
            batch = sites[start : start + EXPORT_SITES_AT_ONCE]
            by_site = defaultdict(list)
            for record in month_records(month, [site.id for site in batch], settings):
                by_site[record["site_id"]].append(record)
            for site in batch:
                yield from one_site(site, by_site[site.id])

    def one_site(site, records):
        groups = rollup(records, "site_id")
        if groups:
            summary.append({"site": site.name, **{k: groups[0][k] for k in SUMMARY_FIELDS}})
        yield site.name, [{**r, "site": site.name} for r in records]

    write_workbook(path, month=month, sites=per_site(), summary=summary, language=language)


# --- trends (the charts' points) -----------------------------------------------------------


def _month_label(month: int) -> str:
    return f"{month // 100}-{month % 100:02d}"


def staff_trend(staff: Staff, month: int, settings, months: int = 12) -> list[tuple]:
    """(month label, composite or None) of a person over the months up to ``month``."""
    points = []
    for each in months_up_to(month, months):
        records = month_records(each, [staff.site_id], settings)
        record = next((r for r in records if r["staff_id"] == staff.id), None)
        points.append((_month_label(each), record["composite"] if record else None))
    return points


def team_trend(team: Team, month: int, settings, months: int = 12) -> list[tuple]:
    """(month label, the team's average composite or None) over the months up to ``month``."""
    points = []
    for each in months_up_to(month, months):
        groups = rollup(month_records(each, [team.site_id], settings), "team_id")
        group = next((g for g in groups if g["team_id"] == team.id), None)
        points.append((_month_label(each), group["composite"] if group else None))
    return points
