"""The audit log: who changed what, and when."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint

from api.audit.schemas import AuditEntrySchema, AuditQuerySchema
from api.errors import abort
from api.extensions import PeeweePage, where_equal
from api.fields import site_zone, to_utc
from api.security import in_scope, roles
from models.tables.audit import AuditEntry

blp = Blueprint("audit", __name__, url_prefix="/api/audit", description="Audit log of changes")


@blp.route("")
class AuditLog(MethodView):
    @roles("admin", "hr")
    @blp.arguments(AuditQuerySchema, location="query")
    @blp.response(200, AuditEntrySchema(many=True))
    @blp.paginate(PeeweePage)
    def get(self, filters):
        """List changes, newest first (HR sees the changes at their sites)."""
        query = in_scope(AuditEntry.select(), AuditEntry.site_id).order_by(AuditEntry.id.desc())
        query = where_equal(
            query, AuditEntry, filters, "entity", "entity_id", "site_id", "user_id", "action"
        )
        # A date is a whole day where the changes happened: the site's zone when one is asked
        # for, else the company's default zone.
        zone = (
            site_zone(filters["site_id"])
            if "site_id" in filters
            else ZoneInfo(current_app.config["DEFAULT_TIMEZONE"])
        )
        since, until = filters.get("since"), filters.get("until")
        if since is not None:
            since = to_utc(since) if isinstance(since, datetime) else day_start(since, zone)
            query = query.where(AuditEntry.at >= since)
        if isinstance(until, datetime):
            until = to_utc(until)
            query = query.where(AuditEntry.at <= until)
        elif until is not None:  # up to the end of that day: before the next one starts
            until = day_start(until + timedelta(days=1), zone) - timedelta(microseconds=1)
            query = query.where(AuditEntry.at <= until)
        if since is not None and until is not None and since > until:
            abort(
                422,
                "validation_failed",
                "'until' comes before 'since'.",
                errors={"query": {"until": ["Must not come before 'since'."]}},
            )
        return query


def day_start(day: date, zone: ZoneInfo) -> datetime:
    """Midnight at the start of a day in a zone, as naive UTC (how times are stored)."""
    return to_utc(datetime.combine(day, time(0), tzinfo=zone))
