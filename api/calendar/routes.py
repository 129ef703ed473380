"""The working-day calendar 工作日历: China's statutory holidays and 调休 make-up working days
(from the chinese-calendar library) with each site's own closures and working days on top."""

from datetime import date

from flask.views import MethodView
from flask_smorest import Blueprint

from api.audit_trail import audit, snapshot
from api.calendar.schemas import (
    CalendarQuerySchema,
    CalendarSchema,
    SiteDayQuerySchema,
    SiteDaySchema,
)
from api.errors import abort
from api.security import OFFICE_ROLES, current_user, get_or_404, reference, roles
from models import write_transaction
from models.rules.workdays import covered, not_covered_warning, special_days
from models.tables.calendar import SiteDay
from models.tables.org import Site

blp = Blueprint(
    "calendar", __name__, url_prefix="/api/calendar", description="Working-day calendar 工作日历"
)

EDITORS = ("admin", "supervisor")


@blp.route("")
class Calendar(MethodView):
    @roles(*OFFICE_ROLES)
    @blp.arguments(CalendarQuerySchema, location="query")
    @blp.response(200, CalendarSchema)
    def get(self, filters):
        """A site's year of holidays, make-up working days and the site's own days.

        Every day that is not an ordinary weekday or weekend, with where it comes from
        (statute or site), and a warning when the year's holidays are not known yet."""
        site = reference(Site, filters["site_id"], "site_id")
        year = filters["year"]
        rows = {
            row.day: row
            for row in SiteDay.select().where(
                (SiteDay.site == site)
                & (SiteDay.day >= date(year, 1, 1))
                & (SiteDay.day <= date(year, 12, 31))
            )
        }
        days = []
        for kind in special_days(year, {d: row.kind for d, row in rows.items()}):
            own = rows.get(kind.day) if kind.source == "site" else None
            days.append(
                {
                    "day": kind.day,
                    "kind": kind.kind,
                    "source": kind.source,
                    "working": kind.working,
                    "name": kind.name,
                    "name_zh": kind.name_zh,
                    "site_day_id": own.id if own else None,
                    "note": own.note if own else "",
                }
            )
        known = covered(year)
        return {
            "site_id": site.id,
            "year": year,
            "covered": known,
            "warning": None if known else not_covered_warning(year),
            "days": days,
        }


@blp.route("/days")
class SiteDays(MethodView):
    @roles(*EDITORS)
    @blp.arguments(SiteDayQuerySchema, location="query")
    @blp.response(200, SiteDaySchema(many=True))
    def get(self, filters):
        """A site's own closures and working days (a year, or all), in date order."""
        site = reference(Site, filters["site_id"], "site_id")
        query = SiteDay.select().where(SiteDay.site == site)
        if "year" in filters:
            year = filters["year"]
            query = query.where(
                (SiteDay.day >= date(year, 1, 1)) & (SiteDay.day <= date(year, 12, 31))
            )
        return list(query.order_by(SiteDay.day))

    @roles(*EDITORS)
    @blp.arguments(SiteDaySchema)
    @blp.response(201, SiteDaySchema)
    def post(self, data):
        """Mark a site's own closure or working day.

        closed: the site's own closure, a company day off; open: a working day the statute
        gives off. One mark per day; remove it to change it."""
        with write_transaction():
            site = reference(Site, data["site_id"], "site_id")
            taken = SiteDay.get_or_none((SiteDay.site == site) & (SiteDay.day == data["day"]))
            if taken is not None:
                abort(
                    409,
                    "day_taken",
                    f"{data['day']} 已标为{'停工' if taken.kind == 'closed' else '上班'}，"
                    f"请先删除再改。 {data['day']} is already marked {taken.kind} at this site: "
                    "remove that first.",
                )
            row = SiteDay.create(
                site=site,
                day=data["day"],
                kind=data["kind"],
                note=data["note"],
                created_by=current_user(),
            )
            audit("create", row)
        return row


@blp.route("/days/<int:day_id>")
class SiteDayById(MethodView):
    @roles(*EDITORS)
    @blp.response(204)
    def delete(self, day_id):
        """Remove a site's own day: the statute's calendar applies to it again."""
        with write_transaction():
            row = get_or_404(SiteDay, day_id, message="No such day at your sites.")
            before = snapshot(row)
            row.delete_instance()
            audit("delete", row, before=before)
