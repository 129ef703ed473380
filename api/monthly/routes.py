"""Monthly performance records 月度考核 for HR: records per person, roll-ups per team and site,
the quarter, where each figure comes from, month close with audited corrections, exports and
charts."""

from collections import defaultdict

from flask import Response, current_app, g, send_file, stream_with_context
from flask.views import MethodView
from flask_smorest import Blueprint

from api import scoring_settings
from api.errors import abort
from api.monthly.schemas import (
    AdjustmentQuerySchema,
    AdjustmentRequestSchema,
    AdjustmentSchema,
    CloseResultSchema,
    CloseSchema,
    ExportQuerySchema,
    GradeChartQuerySchema,
    QuarterQuerySchema,
    QuarterSchema,
    RecordQuerySchema,
    RecordSchema,
    SummaryQuerySchema,
    SummarySchema,
    TraceQuerySchema,
    TraceSchema,
    TrendQuerySchema,
)
from api.plans.routes import coverage_warning, month_coverage, plan_rules
from api.security import ALL_ROLES, get_or_404, reference, roles, visible_site_ids
from models import utcnow
from models.files.charts import grade_distribution_svg, score_trend_svg
from models.files.exports import csv_chunks, unnamed_workbook
from models.records.monthly import (
    adjust,
    close_due,
    close_month,
    month_records,
    quarter,
    rollup,
    staff_trend,
    stars,
    team_trend,
    trace,
    worst_items,
    write_month_workbook,
)
from models.records.plans import with_coverage
from models.rules.scoring import grade_for
from models.tables.org import Site, Staff, Team
from models.tables.performance import Adjustment, MonthClose, MonthlyRecord

blp = Blueprint(
    "monthly", __name__, url_prefix="/api/monthly", description="Monthly records 月度考核"
)

READERS = ("admin", "hr", "supervisor", "manager")
CLOSERS = ("admin", "hr")
EXPORTERS = ("admin", "hr", "manager")


def my_sites(site_id: int | None) -> list[int]:
    if site_id is not None:
        return [reference(Site, site_id, "site_id").id]
    visible = visible_site_ids()
    return (
        visible if visible is not None else [s.id for s in Site.select(Site.id).where(Site.active)]
    )


def svg(body: str) -> Response:
    return Response(
        body, mimetype="image/svg+xml", headers={"Cache-Control": "private, max-age=300"}
    )


@blp.route("/records")
class Records(MethodView):
    @roles(*READERS)
    @blp.arguments(RecordQuerySchema, location="query")
    @blp.response(200, RecordSchema(many=True))
    def get(self, filters):
        """Every person's record for a month at a site: components, composite, grade, pass."""
        site_ids = my_sites(filters["site_id"])
        settings = scoring_settings()
        records = month_records(filters["month"], site_ids, settings)
        with_coverage(records, plan_rules(), site_ids, filters["month"], settings.closing_day)
        if "team_id" in filters:
            records = [r for r in records if r["team_id"] == filters["team_id"]]
        return records


@blp.route("/mine")
class MyRecord(MethodView):
    @roles(*ALL_ROLES)
    @blp.arguments(TrendQuerySchema, location="query")
    @blp.response(200, RecordSchema(many=True))
    def get(self, filters):
        """My own record for a month (empty when my account is not linked to staff)."""
        if g.user.staff_id is None:
            return []
        staff = Staff.get_by_id(g.user.staff_id)
        settings = scoring_settings()
        records = month_records(filters["month"], [staff.site_id], settings)
        mine = [r for r in records if r["staff_id"] == staff.id]
        return with_coverage(
            mine, plan_rules(), [staff.site_id], filters["month"], settings.closing_day
        )


@blp.route("/summary")
class Summary(MethodView):
    @roles(*READERS)
    @blp.arguments(SummaryQuerySchema, location="query")
    @blp.response(200, SummarySchema)
    def get(self, filters):
        """The month per site (and per team for one site): averages, pass rate, grades, the most
        often failed items and the service stars 服务标兵."""
        site_ids = my_sites(filters.get("site_id"))
        settings = scoring_settings()
        records = month_records(filters["month"], site_ids, settings)
        return {
            "month": filters["month"],
            "sites": rollup(records, "site_id"),
            "teams": rollup(records, "team_id") if "site_id" in filters else [],
            "worst_items": worst_items(filters["month"], site_ids),
            "stars": stars(records, settings),
        }


@blp.route("/quarter")
class Quarter(MethodView):
    @roles(*READERS)
    @blp.arguments(QuarterQuerySchema, location="query")
    @blp.response(200, QuarterSchema)
    def get(self, filters):
        """The quarter on five levels 五级制: each person's average of the three monthly
        composites that exist, and each team's average of its people's quarter scores."""
        settings = scoring_settings()
        people = quarter(
            filters["year"], filters["quarter"], my_sites(filters["site_id"]), settings
        )
        by_team = defaultdict(list)
        for person in people:
            if person["score"] is not None:
                by_team[person["team_id"]].append(person["score"])
        teams = []
        for team_id, scores in sorted(by_team.items(), key=lambda t: (t[0] is None, t[0] or 0)):
            score = round(sum(scores) / len(scores), 1)
            band = grade_for(score, settings.bands)
            teams.append(
                {"team_id": team_id, "score": score, "grade": band.code, "people": len(scores)}
            )
        return {"people": people, "teams": teams}


@blp.route("/trace")
class Trace(MethodView):
    @roles(*READERS)
    @blp.arguments(TraceQuerySchema, location="query")
    @blp.response(200, TraceSchema(many=True))
    def get(self, filters):
        """What a figure was computed from: its inspections, patrol rounds or greeting shifts."""
        staff = reference(Staff, filters["staff_id"], "staff_id")
        return trace(staff.id, filters["month"], filters["component"])


@blp.route("/close")
class Close(MethodView):
    @roles(*CLOSERS)
    @blp.arguments(CloseSchema)
    @blp.response(201, CloseResultSchema)
    def post(self, data):
        """Close a month for a site: its records are frozen. Inspections dated in it that
        arrive later count in the next open month; corrections are audited adjustments."""
        site = reference(Site, data["site_id"], "site_id")
        settings = scoring_settings()
        first_closing_day = close_due(data["month"], settings.closing_day).replace(day=1)
        if utcnow().date() < first_closing_day:
            abort(
                422,
                "month_not_over",
                "A month can be closed once it is over.",
                errors={"json": {"month": ["not over yet"]}},
            )
        try:
            count = close_month(site, data["month"], g.user, settings)
        except ValueError:
            abort(
                409,
                "already_closed",
                "This month is closed already; correct it with an adjustment.",
            )
        closed = MonthClose.get((MonthClose.site == site) & (MonthClose.month == data["month"]))
        (covered,) = month_coverage([site], data["month"], settings.closing_day)
        return {
            "site_id": site.id,
            "month": data["month"],
            "records": count,
            "closed_at": closed.closed_at,
            "inspections_planned": covered["planned"],
            "inspections_done": covered["done"],
            "coverage_warning": coverage_warning(covered),
        }


@blp.route("/adjustments")
class Adjustments(MethodView):
    @roles(*CLOSERS)
    @blp.arguments(AdjustmentQuerySchema, location="query")
    @blp.response(200, AdjustmentSchema(many=True))
    def get(self, filters):
        """The corrections made to a closed month, with who, when, why, before and after."""
        site = reference(Site, filters["site_id"], "site_id")
        rows = (
            Adjustment.select(Adjustment, MonthlyRecord)
            .join(MonthlyRecord)
            .where((MonthlyRecord.site == site) & (MonthlyRecord.month == filters["month"]))
            .order_by(Adjustment.id)
        )
        return [
            {
                "id": a.id,
                "staff_id": a.record.staff_id,
                "month": a.record.month,
                "field": a.field,
                "before": a.before,
                "after": a.after,
                "reason": a.reason,
                "made_by_id": a.made_by_id,
                "made_at": a.made_at,
            }
            for a in rows
        ]

    @roles(*CLOSERS)
    @blp.arguments(AdjustmentRequestSchema)
    @blp.response(201, RecordSchema)
    def post(self, data):
        """Correct a figure of a closed month, with a reason (kept with before and after)."""
        site = reference(Site, data["site_id"], "site_id")
        record = MonthlyRecord.get_or_none(
            (MonthlyRecord.site == site)
            & (MonthlyRecord.month == data["month"])
            & (MonthlyRecord.staff == data["staff_id"])
        )
        if record is None:
            abort(
                422,
                "not_closed",
                "Only a closed month is corrected by adjustment; an open month "
                "changes with its inspections.",
                errors={"json": {"month": ["not closed for this person"]}},
            )
        adjust(record, data["field"], data["value"], data["reason"], g.user, scoring_settings())
        return next(
            r
            for r in month_records(data["month"], [site.id], scoring_settings())
            if r["staff_id"] == data["staff_id"]
        )


@blp.route("/export.csv")
class ExportCsv(MethodView):
    @roles(*EXPORTERS)
    @blp.arguments(ExportQuerySchema, location="query")
    @blp.response(200, content_type="text/csv")
    def get(self, filters):
        """The month's records as CSV (UTF-8 with BOM for Excel), streamed site by site."""
        site_ids = my_sites(filters.get("site_id"))
        settings = scoring_settings()
        names = {s.id: s.name for s in Site.select(Site.id, Site.name).where(Site.id.in_(site_ids))}

        def rows():
            for site_id in site_ids:
                for record in month_records(filters["month"], [site_id], settings):
                    yield {**record, "site": names[site_id]}

        filename = f"monthly-{filters['month']}.csv"
        return Response(
            stream_with_context(csv_chunks(rows(), language=filters["language"])),
            mimetype="text/csv",
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )


@blp.route("/export.xlsx")
class ExportWorkbook(MethodView):
    @roles(*EXPORTERS)
    @blp.arguments(ExportQuerySchema, location="query")
    @blp.response(
        200, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    def get(self, filters):
        """The month's records as an Excel workbook: a summary sheet and one sheet per site."""
        site_ids = my_sites(filters.get("site_id"))
        settings = scoring_settings()
        # Written into a file with no name (models.files.exports.unnamed_workbook): send_file's
        # passthrough response never runs call_on_close, so a named file would stay behind.
        workbook = unnamed_workbook(
            lambda file: write_month_workbook(
                file, filters["month"], site_ids, settings, language=filters["language"]
            ),
            directory=current_app.instance_path,
        )
        return send_file(
            workbook,
            as_attachment=True,
            download_name=f"monthly-{filters['month']}.xlsx",
            mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )


@blp.route("/charts/staff/<int:staff_id>.svg")
class StaffTrend(MethodView):
    @roles(*READERS)
    @blp.arguments(TrendQuerySchema, location="query")
    @blp.response(200, content_type="image/svg+xml")
    def get(self, filters, staff_id):
        """A person's composite score over the 12 months up to `month` (SVG)."""
        staff = get_or_404(Staff, staff_id)
        settings = scoring_settings()
        points = staff_trend(staff, filters["month"], settings)
        return svg(
            score_trend_svg(points, title=f"{staff.name} 综合得分", pass_mark=settings.pass_mark)
        )


@blp.route("/charts/team/<int:team_id>.svg")
class TeamTrend(MethodView):
    @roles(*READERS)
    @blp.arguments(TrendQuerySchema, location="query")
    @blp.response(200, content_type="image/svg+xml")
    def get(self, filters, team_id):
        """A team's average composite over the 12 months up to `month` (SVG)."""
        team = get_or_404(Team, team_id)
        settings = scoring_settings()
        points = team_trend(team, filters["month"], settings)
        return svg(
            score_trend_svg(points, title=f"{team.name} 平均综合得分", pass_mark=settings.pass_mark)
        )


@blp.route("/charts/grades.svg")
class GradeChart(MethodView):
    @roles(*READERS)
    @blp.arguments(GradeChartQuerySchema, location="query")
    @blp.response(200, content_type="image/svg+xml")
    def get(self, filters):
        """How many people got each grade at a site this month (SVG)."""
        site = reference(Site, filters["site_id"], "site_id")
        groups = rollup(month_records(filters["month"], [site.id], scoring_settings()), "site_id")
        counts = groups[0]["grades"] if groups else {}
        return svg(
            grade_distribution_svg(
                {k: counts.get(k, 0) for k in "ABCDE"},
                title=f"{site.name} {filters['month']} 等级分布",
            )
        )
