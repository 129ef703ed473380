"""Follow-ups 跟进事项 on the clock: anomalies and rectifications with the promise's deadlines
(checklists/promises.toml, a site's own times), the tick's escalations when a promise breaks,
the open follow-ups a shift hands over, and the month's on-time figures.

The rule (spans, working time, which step is due) is models/rules/promises.py; this module
reads and writes the rows. Times are stored as naive UTC; the rule works in the site's
wall-clock time, so every computation goes through ``_local``/``_utc`` with the site's zone.
"""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from peewee import JOIN, SQL, Case, fn

from models import write_transaction
from models.records.webhooks import enqueue_alert
from models.rules import promises as rule
from models.rules.workdays import is_working_day
from models.tables.accounts import User, UserSite
from models.tables.calendar import site_days
from models.tables.inspections import Contractor, Rectification
from models.tables.org import Area, Site, Staff
from models.tables.patrols import Anomaly
from models.tables.promises import Escalation, site_promises

OPEN_RECTIFICATION = ("open", "reopened", "done")  # not yet verified: still to hand over
STEP_NAMES = {"owner": "负责人", "supervisor": "主管", "manager": "管理处经理"}


def _local(moment: datetime, zone: ZoneInfo) -> datetime:
    return moment.replace(tzinfo=UTC).astimezone(zone).replace(tzinfo=None)


def _utc(moment: datetime | None, zone: ZoneInfo) -> datetime | None:
    if moment is None:
        return None
    return moment.replace(tzinfo=zone).astimezone(UTC).replace(tzinfo=None)


def working_day_test(site_id: int, first: date) -> rule.IsWorkingDay:
    """Whether a day is a working day at the site, for the days a promise can span."""
    days = site_days(site_id, first, first + timedelta(days=rule.MAX_SPAN_DAYS * 3))
    return lambda day: is_working_day(day, days)


class SiteClock:
    """A site's promises, zone and working days, read once and used for many follow-ups."""

    def __init__(self, site: Site, promises: rule.Promises, around: datetime):
        self.site = site
        self.zone = site.zone
        self.promises = site_promises(promises, site.id)
        self.is_working_day = working_day_test(
            site.id, _local(around, self.zone).date() - timedelta(days=rule.MAX_SPAN_DAYS)
        )

    def deadlines(self, kind: str, reported_at: datetime, checklist_due=None) -> rule.Clocks:
        """A follow-up's two deadlines in UTC."""
        local = rule.clocks(
            self.promises.kinds[kind],
            _local(reported_at, self.zone),
            self.promises,
            self.is_working_day,
            _local(checklist_due, self.zone) if checklist_due else None,
        )
        return rule.Clocks(_utc(local.respond_due, self.zone), _utc(local.resolve_due, self.zone))

    def steps_due(
        self, kind: str, deadlines: rule.Clocks, now, responded: bool, done: bool, taken: set
    ) -> list[str]:
        local = rule.Clocks(
            _local(deadlines.respond_due, self.zone) if deadlines.respond_due else None,
            _local(deadlines.resolve_due, self.zone) if deadlines.resolve_due else None,
        )
        return rule.steps_due(
            self.promises.kinds[kind],
            local,
            self.promises,
            self.is_working_day,
            _local(now, self.zone),
            responded,
            done,
            taken,
        )


def start_anomaly_clock(anomaly: Anomaly, site: Site, promises: rule.Promises) -> None:
    """Give a new anomaly its promise and deadlines (before it is saved)."""
    clock = SiteClock(site, promises, anomaly.reported_at)
    anomaly.promise_kind = rule.kind_of_anomaly(anomaly.category, anomaly.urgency, clock.promises)
    deadlines = clock.deadlines(anomaly.promise_kind, anomaly.reported_at)
    anomaly.respond_due_at, anomaly.resolve_due_at = deadlines.respond_due, deadlines.resolve_due


# --- escalation (the tick) -----------------------------------------------------------------


def _people_told(site_id: int, step: str, owner: Staff | None, contractor) -> list[str]:
    """Who a step goes to, by name: the owner (or the contractor), else the site's supervisors
    or managers (accounts of that role with the site, active)."""
    if step == "owner":
        if owner is not None:
            return [owner.name]
        if contractor is not None:
            return [contractor.name]
        step = "supervisor"  # nobody owns it yet: the supervisors hear at once
    users = (
        User.select(User.display_name, User.username, User.staff, Staff.name)
        .join(UserSite)
        .switch(User)
        .join(Staff, JOIN.LEFT_OUTER)
        .where((UserSite.site == site_id) & (User.role == step) & User.active)
        .order_by(User.id)
    )
    return [u.name for u in users]


def _taken(item_type: str, ids: list[str]) -> dict:
    taken: dict = {}
    for row in Escalation.select(Escalation.item_id, Escalation.step, Escalation.deadline).where(
        (Escalation.item_type == item_type) & Escalation.item_id.in_(ids)
    ):
        taken.setdefault((row.item_id, row.deadline), set()).add(row.step)
    return taken


def _escalate(clock: SiteClock, item: dict, step: str, deadline: datetime, now) -> None:
    told = _people_told(clock.site.id, step, item["owner"], item.get("contractor"))
    Escalation.create(
        site=clock.site.id,
        item_type=item["type"],
        item_id=item["id"],
        step=step,
        deadline=deadline,
        at=now,
        told=told,
    )
    promise = clock.promises.kinds[item["kind"]]
    enqueue_alert(
        clock.site.id,
        "followup.breached",
        f"followup.breached:{item['type']}:{item['id']}:{step}:{deadline.isoformat()}",
        {
            "item_type": item["type"],
            "item_id": item["id"],
            "promise": promise.name,
            "what": item["what"],
            "step": step,
            "escalated_to": f"{STEP_NAMES[step]}：{'、'.join(told) or '（无人）'}",
            "deadline": deadline.isoformat() + "Z",
            "at": item["reported_at"].isoformat() + "Z",
        },
    )


def escalate_due(now: datetime, promises: rule.Promises) -> int:
    """The tick's work: every step of a broken promise that is due now and not taken before,
    taken once (the tick runs under the tick lock; the unique index is the backstop).
    Returns how many steps were taken."""
    anomalies = list(
        Anomaly.select(Anomaly, Staff)
        .join(Staff, JOIN.LEFT_OUTER, on=(Anomaly.owner == Staff.id))
        .where(
            (Anomaly.status == "open")
            & (Anomaly.promise_kind != "")
            & ((Anomaly.respond_due_at <= now) | (Anomaly.resolve_due_at <= now))
        )
    )
    fixes = list(
        Rectification.select(Rectification, Staff, Contractor)
        .join(Staff, JOIN.LEFT_OUTER, on=(Rectification.assignee == Staff.id))
        .switch(Rectification)
        .join(Contractor, JOIN.LEFT_OUTER)
        .where(Rectification.status.in_(("open", "reopened")) & (Rectification.due_at <= now))
    )
    items = [_anomaly_item(a) for a in anomalies] + [_rectification_item(r) for r in fixes]
    taken = {
        **_taken("anomaly", [i["id"] for i in items if i["type"] == "anomaly"]),
        **_taken("rectification", [i["id"] for i in items if i["type"] == "rectification"]),
    }
    clocks: dict[int, SiteClock] = {}
    steps = 0
    with write_transaction():
        for item in items:
            if item["site_id"] not in clocks:
                clocks[item["site_id"]] = SiteClock(Site.get_by_id(item["site_id"]), promises, now)
            clock = clocks[item["site_id"]]
            deadlines = item["deadlines"]
            deadline = deadlines.resolve_due or deadlines.respond_due
            for step in clock.steps_due(
                item["kind"],
                deadlines,
                now,
                item["responded"],
                False,
                taken.get((item["id"], deadline), set())
                | taken.get((item["id"], deadlines.respond_due), set()),
            ):
                broke = (
                    deadlines.respond_due if _clock_of(clock, item, step) == "respond" else deadline
                )
                _escalate(clock, item, step, broke, now)
                steps += 1
    return steps


def _clock_of(clock: SiteClock, item: dict, step: str) -> str:
    return next(s.clock for s in clock.promises.kinds[item["kind"]].steps if s.to == step)


def _anomaly_item(anomaly: Anomaly) -> dict:
    return {
        "type": "anomaly",
        "id": str(anomaly.id),
        "site_id": anomaly.site_id,
        "kind": anomaly.promise_kind,
        "what": anomaly.note or anomaly.category,
        "owner": anomaly.owner if anomaly.owner_id else None,
        "reported_at": anomaly.reported_at,
        "responded": anomaly.responded_at is not None,
        "deadlines": rule.Clocks(anomaly.respond_due_at, anomaly.resolve_due_at),
    }


def _rectification_item(row: Rectification) -> dict:
    return {
        "type": "rectification",
        "id": str(row.id),
        "site_id": row.site_id,
        "kind": "rectification",
        "what": row.item_code,
        "owner": row.assignee if row.assignee_id else None,
        "contractor": row.contractor if row.contractor_id else None,
        "reported_at": row.created_at,
        "responded": True,
        "deadlines": rule.Clocks(None, row.due_at),
    }


# --- what is open (hand-over, lists) -------------------------------------------------------


def present_clock(item: dict, now: datetime, steps: list[str]) -> dict:
    """A follow-up's promise as a list shows it."""
    deadlines = item["deadlines"]
    return {
        "type": item["type"],
        "id": item["id"],
        "site_id": item["site_id"],  # its times are shown in the site's zone
        "kind": item["kind"],
        "what": item["what"],
        "status": item["status"],
        "owner": item["owner"].name if item["owner"] is not None else None,
        "area": item.get("area"),
        "reported_at": item["reported_at"],
        "respond_due_at": deadlines.respond_due,
        "resolve_due_at": deadlines.resolve_due,
        "state": rule.clock_state(
            now, deadlines.respond_due, item["responded"], deadlines.resolve_due, False
        ),
        "escalated_to": steps,
    }


def open_followups(site_id: int, now: datetime, area_id: int | None = None) -> list[dict]:
    """Every open follow-up of a site (or of one area) with its clock, the most urgent first:
    what a shift hands over (the manuals' key process control: every open complaint and
    repair is handed over at shift change)."""
    anomalies = (
        Anomaly.select(Anomaly, Staff, Area)
        .join(Staff, JOIN.LEFT_OUTER, on=(Anomaly.owner == Staff.id))
        .switch(Anomaly)
        .join(Area, JOIN.LEFT_OUTER, on=(Anomaly.area == Area.id))
        .where((Anomaly.site == site_id) & (Anomaly.status == "open"))
    )
    fixes = (
        Rectification.select(Rectification, Staff, Contractor, Area)
        .join(Staff, JOIN.LEFT_OUTER, on=(Rectification.assignee == Staff.id))
        .switch(Rectification)
        .join(Contractor, JOIN.LEFT_OUTER)
        .switch(Rectification)
        .join(Area, on=(Rectification.area == Area.id))
        .where((Rectification.site == site_id) & Rectification.status.in_(OPEN_RECTIFICATION))
    )
    if area_id is not None:
        anomalies = anomalies.where(Anomaly.area == area_id)
        fixes = fixes.where(Rectification.area == area_id)
    items = []
    for anomaly in anomalies:
        item = _anomaly_item(anomaly)
        item["status"], item["area"] = (
            anomaly.status,
            anomaly.area.name if anomaly.area_id else None,
        )
        items.append(item)
    for fix in fixes:
        item = _rectification_item(fix)
        item["status"], item["area"] = fix.status, fix.area.name
        if fix.status == "done":  # the fix is reported: its clock stopped, verification waits
            item["deadlines"] = rule.Clocks(None, None)
        items.append(item)
    steps: dict = {}
    for row in Escalation.select().where(
        (Escalation.site == site_id) & Escalation.item_id.in_([i["id"] for i in items])
    ):
        steps.setdefault((row.item_type, row.item_id), []).append(row.step)
    far = datetime.max
    items.sort(key=lambda i: (i["deadlines"].resolve_due or far, i["reported_at"]))
    return [present_clock(i, now, steps.get((i["type"], i["id"]), [])) for i in items]


# --- the month's figures (monthly records) -------------------------------------------------


def _month_bounds(month: int, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The month YYYYMM at the site's wall clock, as a UTC span [start, end)."""
    year, number = divmod(month, 100)
    after = (year + 1, 1) if number == 12 else (year, number + 1)
    start = datetime(year, number, 1)
    return _utc(start, zone), _utc(datetime(*after, 1), zone)


def _by_zone(site_ids: list[int]) -> dict[str, list[int]]:
    zones: dict[str, list[int]] = {}
    for site_id, zone in Site.select(Site.id, Site.timezone).where(Site.id.in_(site_ids)).tuples():
        zones.setdefault(zone, []).append(site_id)
    return zones


def _handled_queries(month: int, site_ids: list[int]):
    """Per time zone of the sites: the anomalies resolved and the rectifications put right in
    the month, each with when it was handled and the deadline it was held to. A rectification
    a passing re-inspection verified without a reported fix counts at its verification."""
    for zone, ids in _by_zone(site_ids).items():
        start, end = _month_bounds(month, ZoneInfo(zone))
        anomaly_done = Anomaly.resolved_at
        yield (
            Anomaly.select(
                Anomaly.owner.alias("who"),
                anomaly_done.alias("done_at"),
                Anomaly.resolve_due_at.alias("due_at"),
                Anomaly.id.alias("id"),
            ).where(
                Anomaly.site.in_(ids)
                & (anomaly_done >= start)
                & (anomaly_done < end)
                & Anomaly.resolve_due_at.is_null(False)
            ),
            "anomaly",
        )
        fixed = fn.COALESCE(Rectification.done_at, Rectification.verified_at)
        yield (
            Rectification.select(
                Rectification.assignee.alias("who"),
                fixed.alias("done_at"),
                Rectification.due_at.alias("due_at"),
                Rectification.id.alias("id"),
            ).where(Rectification.site.in_(ids) & (fixed >= start) & (fixed < end)),
            "rectification",
        )


def handled_in_month(month: int, site_ids: list[int]) -> dict[int, tuple[int, int]]:
    """Per owner: follow-ups handled in the month and how many of them on time (by the
    deadline of their promise), counted in the database."""
    counts: dict[int, tuple[int, int]] = {}
    for query, _ in _handled_queries(month, site_ids):
        grouped = (
            query.select_from(
                query.c.who,
                fn.COUNT(SQL("*")),
                fn.SUM(Case(None, [(query.c.done_at <= query.c.due_at, 1)], 0)),
            )
            .where(query.c.who.is_null(False))
            .group_by(query.c.who)
            .tuples()
        )
        for who, handled, on_time in grouped:
            before = counts.get(who, (0, 0))
            counts[who] = (before[0] + handled, before[1] + int(on_time or 0))
    return counts


def handled_items(month: int, site_ids: list[int], staff_id: int) -> list[dict]:
    """The follow-ups behind one person's figure: each with when it was handled, its deadline
    and whether it was on time (the trace of the monthly record)."""
    items = []
    for query, item_type in _handled_queries(month, site_ids):
        owner = Anomaly.owner if item_type == "anomaly" else Rectification.assignee
        for row in query.where(owner == staff_id).dicts():
            items.append(
                {
                    "type": item_type,
                    "id": str(row["id"]),
                    "done_at": row["done_at"],
                    "due_at": row["due_at"],
                    "on_time": rule.on_time(row["done_at"], row["due_at"]),
                }
            )
    return sorted(items, key=lambda i: i["done_at"])
