"""Inspection plans 检查计划: what is due at my sites today and this week, and each month's
coverage (inspections done against the plan of the site's service grade)."""

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint

from api import scoring_settings
from api.audit_trail import audit, snapshot
from api.errors import field_error
from api.plans.schemas import (
    CoverageQuerySchema,
    CoverageSchema,
    OverrideQuerySchema,
    OverrideSchema,
    TodoQuerySchema,
    TodoSchema,
)
from api.security import get_or_404, in_scope, reference, roles
from models import utcnow, write_transaction
from models.records.plans import local_today, month_counts, plan_items, sites_todo
from models.rules.plans import coverage
from models.tables.org import AREA_TYPES, JOBS, Site
from models.tables.plan_overrides import PlanOverride

blp = Blueprint("plans", __name__, url_prefix="/api/plans", description="Inspection plans 检查计划")

TODO_READERS = ("admin", "supervisor", "manager")
COVERAGE_READERS = ("admin", "hr", "supervisor", "manager")


def plan_rules():
    return current_app.extensions["xunjian"]["plans"]


def my_sites(site_id: int | None) -> list[Site]:
    """The caller's active sites, or the one asked for (another site's id is a 404)."""
    if site_id is not None:
        return [reference(Site, site_id, "site_id")]
    query = Site.select(Site.id, Site.name, Site.timezone, Site.service_grade).where(Site.active)
    return list(in_scope(query, Site.id).order_by(Site.id))


def subject_of(item) -> dict:
    s = item.subject
    return {"kind": s.kind, "id": s.id, "name": s.name}


@blp.route("/todo")
class Todo(MethodView):
    @roles(*TODO_READERS)
    @blp.arguments(TodoQuerySchema, location="query")
    @blp.response(200, TodoSchema(many=True))
    def get(self, filters):
        """What is due at my sites today and this week 今日待检, overdue first: each area or person
        with the checklist to open."""
        sites = my_sites(filters.get("site_id"))
        if not sites:
            return []
        found = sites_todo(plan_rules(), sites, utcnow(), scoring_settings().closing_day)
        return [
            {
                "site_id": t.item.subject.site_id,
                "subject": subject_of(t.item),
                "checklist": t.item.checklist,
                "kind": t.item.inspection_kind,
                "due": t.due,
                "overdue": t.overdue,
                "period": t.period,
                "remaining": t.remaining,
                "frequency": str(t.item.frequency),
            }
            for t in found
        ]


def month_coverage(sites: list[Site], month: int, closing_day: int) -> list[dict]:
    """Per site: done against planned for the month and the subjects not covered."""
    items = plan_items(plan_rules(), [s.id for s in sites])
    counts = month_counts([s.id for s in sites], month)
    year, number = divmod(month, 100)
    result = []
    for site in sites:
        found = coverage(items.get(site.id, []), counts, year, number, closing_day)
        uncovered = [
            {
                "subject": subject_of(item),
                "checklist": item.checklist,
                "kind": item.inspection_kind,
                "frequency": str(item.frequency),
                "planned": planned,
                "done": done,
            }
            for item, planned, done in found.uncovered
        ]
        result.append(
            {
                "site_id": site.id,
                "site": site.name,
                "service_grade": site.service_grade,
                "month": month,
                "planned": found.planned,
                "done": found.done,
                "ratio": found.ratio,
                "below_plan": found.done < found.planned,
                "uncovered_people": len(
                    {u["subject"]["id"] for u in uncovered if u["subject"]["kind"] == "staff"}
                ),
                "uncovered_areas": len(
                    {u["subject"]["id"] for u in uncovered if u["subject"]["kind"] == "area"}
                ),
                "uncovered": uncovered,
            }
        )
    return result


@blp.route("/coverage")
class Coverage(MethodView):
    @roles(*COVERAGE_READERS)
    @blp.arguments(CoverageQuerySchema, location="query")
    @blp.response(200, CoverageSchema(many=True))
    def get(self, filters):
        """A month's inspection coverage per site: checks done against the plan, and the people
        and areas not covered 未检查."""
        sites = my_sites(filters.get("site_id"))
        month = filters.get("month")
        if month is None:
            today = local_today(sites[0].zone, utcnow()) if sites else utcnow().date()
            month = today.year * 100 + today.month
        return month_coverage(sites, month, scoring_settings().closing_day)


def coverage_warning(site_coverage: dict) -> str | None:
    """A warning for closing a month inspected less than planned (None when covered)."""
    if not site_coverage["below_plan"]:
        return None
    c = site_coverage
    return (
        f"检查覆盖不足：计划 {c['planned']} 次，完成 {c['done']} 次；"
        f"{c['uncovered_people']} 人、{c['uncovered_areas']} 个区域未按计划检查。"
        f" Coverage below plan: {c['done']} of {c['planned']} checks done; "
        f"{c['uncovered_people']} people and {c['uncovered_areas']} areas not covered."
    )


PLAN_EDITORS = ("admin",)


@blp.route("/overrides")
class Overrides(MethodView):
    @roles(*COVERAGE_READERS)
    @blp.arguments(OverrideQuerySchema, location="query")
    @blp.response(200, OverrideSchema(many=True))
    def get(self, filters):
        """A site's own plan 项目检查计划调整: where it differs from its service grade's."""
        query = PlanOverride.select()
        if filters.get("site_id") is not None:
            query = query.where(PlanOverride.site == reference(Site, filters["site_id"], "site_id"))
        query = in_scope(query, PlanOverride.site)
        return list(query.order_by(PlanOverride.site, PlanOverride.subject, PlanOverride.match))

    @roles(*PLAN_EDITORS)
    @blp.arguments(OverrideSchema)
    @blp.response(201, OverrideSchema)
    def post(self, data):
        """Set how often one area type or job of a site is inspected with a checklist's kind,
        instead of its service grade's plan (replaces the site's earlier setting for it)."""
        checklist = next(
            (
                c
                for c in current_app.extensions["xunjian"]["checklists"]
                if c["code"] == data["checklist"]
            ),
            None,
        )
        if checklist is None or checklist["subject"] not in ("area", "staff"):
            field_error(
                404, "not_found", "没有这个检查表。 No such staff or area checklist.", "checklist"
            )
        subject = checklist["subject"]
        vocabulary, key = (AREA_TYPES, "area_types") if subject == "area" else (JOBS, "jobs")
        offered = checklist["applies_to"].get(key) or vocabulary
        if data["match"] not in offered:
            field_error(
                422,
                "not_applicable",
                f"检查表 {checklist['code']} 不适用于 {data['match']}。 "
                f"Checklist {checklist['code']} does not apply to {data['match']}.",
                "match",
            )
        with write_transaction():
            site = reference(Site, data["site_id"], "site_id")
            row = PlanOverride.get_or_none(
                (PlanOverride.site == site)
                & (PlanOverride.subject == subject)
                & (PlanOverride.match == data["match"])
                & (PlanOverride.kind == checklist["kind"])
            )
            if row is None:
                row = PlanOverride.create(
                    site=site,
                    subject=subject,
                    match=data["match"],
                    kind=checklist["kind"],
                    checklist=checklist["code"],
                    frequency=data["frequency"],
                    reason=data["reason"],
                )
                audit("create", row, reason=data["reason"])
            else:
                before = snapshot(row)
                row.checklist = checklist["code"]
                row.frequency = data["frequency"]
                row.reason = data["reason"]
                row.updated_at = utcnow()
                row.save()
                audit("update", row, before=before, reason=data["reason"])
        return row


@blp.route("/overrides/<int:override_id>")
class OverrideById(MethodView):
    @roles(*PLAN_EDITORS)
    @blp.response(204)
    def delete(self, override_id):
        """Remove a site's own setting: its service grade's plan applies again."""
        with write_transaction():
            row = get_or_404(
                PlanOverride, override_id, message="No such plan setting at your sites."
            )
            before = snapshot(row)
            row.delete_instance()
            audit("delete", row, before=before)
