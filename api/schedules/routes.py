"""Patrol schedules 巡更计划: when rounds of a route start, how late they may start, how long
they may take, whether order matters and where a photo is needed."""

from flask.views import MethodView
from flask_smorest import Blueprint

from api.audit_trail import audit, update_audited
from api.errors import abort
from api.extensions import PeeweePage, where_equal
from api.schedules.schemas import (
    ScheduleCreateSchema,
    SchedulePreviewSchema,
    ScheduleQuerySchema,
    ScheduleSchema,
    ScheduleUpdateSchema,
)
from api.security import ALL_ROLES, get_or_404, in_scope, reference, roles
from models import utcnow, write_transaction
from models.records.patrol_records import ensure_schedule_rounds, upcoming_rounds
from models.tables.org import Post, Site
from models.tables.patrols import Route, RouteStop, Schedule

# How far ahead the preview looks.
PREVIEW_HOURS = 24

blp = Blueprint(
    "schedules", __name__, url_prefix="/api/schedules", description="Patrol schedules 巡更计划"
)


def present(schedule: Schedule) -> dict:
    return {
        **{
            f: getattr(schedule, f)
            for f in (
                "id",
                "site_id",
                "route_id",
                "post_id",
                "name",
                "start_time",
                "end_time",
                "every_minutes",
                "start_grace_minutes",
                "duration_minutes",
                "ordered",
                "working_days_only",
                "active",
                "created_at",
            )
        },
        "weekdays": [int(d) for d in schedule.weekdays],
        "photo_checkpoint_ids": sorted(schedule.photo_checkpoint_ids),
    }


def to_columns(data: dict, route_id: int, site_id: int) -> dict:
    """Request fields as model columns, checking they belong to the route and site."""
    columns = dict(data)
    if "weekdays" in columns:
        columns["weekdays"] = "".join(str(d) for d in sorted(set(columns.pop("weekdays"))))
    if "photo_checkpoint_ids" in columns:
        ids = set(columns.pop("photo_checkpoint_ids"))
        on_route = {s.checkpoint_id for s in RouteStop.select().where(RouteStop.route == route_id)}
        if not ids <= on_route:
            abort(
                422,
                "validation_failed",
                "Photo checkpoints must be on the route.",
                errors={
                    "json": {
                        "photo_checkpoint_ids": [f"not on the route: {sorted(ids - on_route)}"]
                    }
                },
            )
        columns["photo_checkpoints"] = sorted(ids)
    if columns.get("post_id") is not None:
        reference(Post, columns["post_id"], "post_id", site_id=site_id)
    return columns


class SchedulePage(PeeweePage):
    @property
    def items(self):
        return [present(s) for s in super().items]


@blp.route("")
class Schedules(MethodView):
    @roles(*ALL_ROLES)
    @blp.arguments(ScheduleQuerySchema, location="query")
    @blp.response(200, ScheduleSchema(many=True))
    @blp.paginate(SchedulePage)
    def get(self, filters):
        """List patrol schedules of my sites."""
        query = in_scope(Schedule.select(), Schedule.site).order_by(Schedule.site, Schedule.name)
        query = where_equal(query, Schedule, filters, "site_id", "route_id", "active")
        return query

    @roles("admin", "supervisor")
    @blp.arguments(ScheduleCreateSchema)
    @blp.response(201, ScheduleSchema)
    def post(self, data):
        """Schedule rounds of a route, e.g. every 120 minutes from 20:00 to 06:00."""
        with write_transaction():
            route = reference(Route, data["route_id"], "route_id")
            schedule = Schedule.create(
                site=route.site_id, **to_columns(data, route.id, route.site_id)
            )
            audit("create", schedule)
        ensure_schedule_rounds(schedule, Site.get_by_id(schedule.site_id), utcnow())
        return present(schedule)


@blp.route("/preview")
class SchedulePreview(MethodView):
    @roles("admin", "supervisor")
    @blp.arguments(ScheduleCreateSchema)
    @blp.response(200, SchedulePreviewSchema)
    def post(self, data):
        """See the rounds a new schedule would make in the next 24 hours, without saving it."""
        route = reference(Route, data["route_id"], "route_id")
        now = utcnow()
        # Unsaved, created now: the same rows the tick would make, none before its creation.
        schedule = Schedule(
            site=route.site_id, created_at=now, **to_columns(data, route.id, route.site_id)
        )
        rows = upcoming_rounds(schedule, Site.get_by_id(route.site_id), now, PREVIEW_HOURS)
        return {
            "rounds": [
                {
                    "site_id": row["site"],  # the zone the times are shown in
                    "starts_at": row["starts_at"],
                    "ends_at": row["ends_at"],
                    "route_id": row["route"],
                }
                for row in rows
            ]
        }


@blp.route("/<int:schedule_id>")
class ScheduleById(MethodView):
    @roles(*ALL_ROLES)
    @blp.response(200, ScheduleSchema)
    def get(self, schedule_id):
        """One schedule."""
        return present(get_or_404(Schedule, schedule_id))

    @roles("admin", "supervisor")
    @blp.arguments(ScheduleUpdateSchema)
    @blp.response(200, ScheduleSchema)
    def patch(self, data, schedule_id):
        """Change a schedule; rounds already made keep their times."""
        with write_transaction():
            schedule = get_or_404(Schedule, schedule_id)
            update_audited(schedule, to_columns(data, schedule.route_id, schedule.site_id))
        return present(schedule)
