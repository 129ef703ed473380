"""Rounds 巡更任务 made from schedules; the supervisor's live view and each guard's month."""

from datetime import UTC, datetime, time, timedelta

from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint
from peewee import Case, fn

from api.errors import abort
from api.extensions import PeeweePage, where_equal
from api.fields import to_utc
from api.rounds.schemas import (
    AssignSchema,
    GuardMonthQuerySchema,
    GuardMonthSchema,
    LiveQuerySchema,
    LiveViewSchema,
    RoundDetailSchema,
    RoundQuerySchema,
    RoundSchema,
)
from api.security import ALL_ROLES, get_or_404, in_scope, reference, roles
from models import utcnow, write_transaction
from models.records.patrol_records import (
    ensure_site_rounds,
    judge_closed_rounds,
    live_state,
    live_states,
)
from models.tables.org import Site, Staff
from models.tables.patrols import Anomaly, Checkpoint, Round, Scan

blp = Blueprint("rounds", __name__, url_prefix="/api/rounds", description="Patrol rounds 巡更任务")

OFFICE = ("admin", "hr", "supervisor", "manager")


def present(round_: Round, now, live: dict | None = None) -> dict:
    live = live or live_state(round_, now)
    return {
        **{
            f: getattr(round_, f)
            for f in (
                "id",
                "site_id",
                "schedule_id",
                "route_id",
                "guard_id",
                "starts_at",
                "ends_at",
                "status",
                "late",
                "late_minutes",
                "out_of_order",
            )
        },
        **live,
        "missed_checkpoint_ids": round_.missed_checkpoints,
        "flags": round_.flags,
    }


def detail(round_: Round, now) -> dict:
    stops = round_.stops
    names = {
        c.id: c.name
        for c in Checkpoint.select(Checkpoint.id, Checkpoint.name).where(
            Checkpoint.id.in_([cp for cp, _ in stops])
        )
    }
    scans = list(Scan.select(Scan.id, Scan.checkpoint).where(Scan.round == round_))
    seen = {s.checkpoint_id for s in scans}
    photo_ids = set(round_.photo_checkpoints)
    return {
        **present(round_, now),
        "stops": [
            {
                "checkpoint_id": cp,
                "name": names.get(cp, ""),
                "offset_minutes": offset,
                "visited": cp in seen,
                "needs_photo": cp in photo_ids,
            }
            for cp, offset in stops
        ],
        "scan_ids": [str(s.id) for s in scans],
    }


def count_if(condition):
    """SUM(CASE WHEN condition THEN 1 ELSE 0 END): counts rows on SQLite and PostgreSQL alike."""
    return fn.SUM(Case(None, [(condition, 1)], 0))


def local_day_start(site: Site, now: datetime) -> datetime:
    """Midnight of the site's current day, as naive UTC."""
    local = now.replace(tzinfo=UTC).astimezone(site.zone)
    midnight = datetime.combine(local.date(), time(0), tzinfo=site.zone)
    return to_utc(midnight)


def reviewed_flags(site: Site, month: int) -> dict[int, dict]:
    """Per staff id, the month's flagged scans reviewed as confirmed and as dismissed: one
    aggregate query over the site's scans of the month, read off the (site, effective_at)
    index (the month in the site's zone, as a scan's month is)."""
    year, number = divmod(month, 100)
    start = to_utc(datetime(year, number, 1, tzinfo=site.zone))
    end = to_utc(datetime(year + number // 12, number % 12 + 1, 1, tzinfo=site.zone))
    rows = (
        Scan.select(
            Scan.staff,
            count_if(Scan.review_decision == "confirmed").alias("confirmed"),
            count_if(Scan.review_decision == "dismissed").alias("dismissed"),
        )
        .where(
            (Scan.site == site)
            & (Scan.effective_at >= start)
            & (Scan.effective_at < end)
            & Scan.review_decision.is_null(False)
            & Scan.staff.is_null(False)
        )
        .group_by(Scan.staff)
    )
    return {
        row.staff_id: {
            "flags_confirmed": int(row.confirmed or 0),
            "flags_dismissed": int(row.dismissed or 0),
        }
        for row in rows
    }


def visible_rounds():
    query = in_scope(Round.select(), Round.site)
    if g.user.role in ("guard", "staff"):
        query = query.where((Round.guard == g.user.staff_id) | Round.guard.is_null())
    return query


class RoundPage(PeeweePage):
    @property
    def items(self):
        now = utcnow()
        rows = super().items
        states = live_states(rows, now)
        return [present(r, now, states[r.id]) for r in rows]


@blp.route("")
class Rounds(MethodView):
    @roles(*ALL_ROLES)
    @blp.arguments(RoundQuerySchema, location="query")
    @blp.response(200, RoundSchema(many=True))
    @blp.paginate(RoundPage)
    def get(self, filters):
        """List rounds (guards: theirs and the unassigned ones)."""
        query = visible_rounds().order_by(Round.starts_at.desc())
        query = where_equal(query, Round, filters, "site_id", "schedule_id", "guard_id", "status")
        if "starts_from" in filters:
            query = query.where(Round.starts_at >= filters["starts_from"])
        if "starts_to" in filters:
            query = query.where(Round.starts_at < filters["starts_to"])
        return query


@blp.route("/<int:round_id>")
class RoundById(MethodView):
    @roles(*ALL_ROLES)
    @blp.response(200, RoundDetailSchema)
    def get(self, round_id):
        """One round: its stops, which were visited, its scans and any flags."""
        round_ = visible_rounds().where(Round.id == round_id).first()
        if round_ is None:
            abort(404, "not_found", "No such round.")
        return detail(round_, utcnow())


@blp.route("/<int:round_id>/assign")
class RoundAssign(MethodView):
    @roles("admin", "supervisor")
    @blp.arguments(AssignSchema)
    @blp.response(200, RoundSchema)
    def post(self, data, round_id):
        """Assign a round to a guard (or unassign it with null)."""
        with write_transaction():
            round_ = get_or_404(Round, round_id)
            if data["staff_id"] is not None:
                reference(Staff, data["staff_id"], "staff_id", site_id=round_.site_id)
            round_.guard = data["staff_id"]
            round_.save()
        return present(round_, utcnow())


@blp.route("/live")
class LiveView(MethodView):
    @roles(*OFFICE)
    @blp.arguments(LiveQuerySchema, location="query")
    @blp.response(200, LiveViewSchema)
    def get(self, filters):
        """Today at a site: every round with its progress, the overdue ones at once, missed
        checkpoints and open anomalies."""
        site = reference(Site, filters["site_id"], "site_id")
        now = utcnow()
        ensure_site_rounds(site, now)
        judge_closed_rounds(now, site.id)
        day_start = local_day_start(site, now)
        rounds = list(
            Round.select()
            .where(
                (Round.site == site)
                & (
                    (
                        (Round.starts_at >= day_start)
                        & (Round.starts_at < day_start + timedelta(days=1))
                    )
                    | ((Round.status == "open") & (Round.starts_at < day_start))
                )
            )
            .order_by(Round.starts_at)
        )
        states = live_states(rounds, now)
        shown = [present(r, now, states[r.id]) for r in rounds]
        return {
            "site_id": site.id,
            "now": now,
            "rounds": shown,
            "overdue": [r["id"] for r in shown if r["state"] == "overdue"],
            "missed_checkpoints": sum(len(r["missed_checkpoint_ids"]) for r in shown),
            "open_anomalies": Anomaly.select()
            .where((Anomaly.site == site) & (Anomaly.status == "open"))
            .count(),
        }


@blp.route("/guards")
class GuardMonth(MethodView):
    @roles(*OFFICE)
    @blp.arguments(GuardMonthQuerySchema, location="query")
    @blp.response(200, GuardMonthSchema(many=True))
    def get(self, filters):
        """Per guard for a month: rounds, completed, completion rate, late and missed, and how
        many of their flagged scans were reviewed as confirmed or dismissed."""
        site = reference(Site, filters["site_id"], "site_id")
        judge_closed_rounds(utcnow(), site.id)
        rows = (
            Round.select(
                Staff.id,
                Staff.name,
                fn.COUNT(Round.id).alias("rounds"),
                count_if(Round.status == "complete").alias("completed"),
                count_if(Round.late == True).alias("late"),  # noqa: E712 - SQL, not Python
                count_if(Round.status == "missed").alias("missed"),
                count_if(Round.status == "incomplete").alias("incomplete"),
            )
            .join(Staff)
            .where(
                (Round.site == site) & (Round.month == filters["month"]) & (Round.status != "open")
            )
            .group_by(Staff.id, Staff.name)
            .order_by(Staff.name)
        )
        reviews = reviewed_flags(site, filters["month"])
        result = []
        for row in rows:
            missed_checkpoints = sum(
                len(r.missed_checkpoints)
                for r in Round.select(Round.missed_checkpoints).where(
                    (Round.guard == row.guard.id)
                    & (Round.month == filters["month"])
                    & (Round.site == site)
                )
            )
            result.append(
                {
                    "staff_id": row.guard.id,
                    "name": row.guard.name,
                    "rounds": row.rounds,
                    "completed": int(row.completed or 0),
                    "completion_rate": round(100 * int(row.completed or 0) / row.rounds, 1)
                    if row.rounds
                    else None,
                    "late": int(row.late or 0),
                    "missed": int(row.missed or 0),
                    "incomplete": int(row.incomplete or 0),
                    "missed_checkpoints": missed_checkpoints,
                    **reviews.get(row.guard.id, {"flags_confirmed": 0, "flags_dismissed": 0}),
                }
            )
        return result
