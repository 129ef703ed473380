"""Inspections 检查: a supervisor inspects a staff member or an area against a checklist; the
server scores it."""

from flask import current_app, g
from flask.views import MethodView
from flask_smorest import Blueprint

from api import scoring_settings
from api.errors import abort, refuse
from api.extensions import PeeweePage, where_equal
from api.inspections.schemas import (
    CorrectionSchema,
    InspectionQuerySchema,
    InspectionSchema,
    InspectionSubmitSchema,
    InspectionSummarySchema,
)
from api.security import ALL_ROLES, get_or_404, in_scope, reference, roles
from models.records.inspection_records import Submission, body_hash, record_inspection
from models.refused import Refused
from models.tables.checklists import Checklist, ChecklistVersion
from models.tables.inspections import CoachingItem, Inspection, InspectionItem, Rectification
from models.tables.org import Area, Staff
from models.tables.photos import photo_briefs

blp = Blueprint(
    "inspections", __name__, url_prefix="/api/inspections", description="Inspections 检查"
)

INSPECTORS = ("admin", "supervisor", "manager")
# Guards and staff see only the inspections of themselves.
SELF_ONLY = ("guard", "staff")


def grade_info(code):
    if code is None:
        return None
    band = next((b for b in scoring_settings().bands if b.code == code), None)
    return {
        "code": code,
        "name": band.name if band else code,
        "name_en": band.name_en if band else code,
        "floor": band.floor if band else None,
    }


def summary(inspection: Inspection, version: ChecklistVersion) -> dict:
    return {
        **{
            f: getattr(inspection, f)
            for f in (
                "id",
                "site_id",
                "kind",
                "subject_type",
                "staff_id",
                "team_id",
                "area_id",
                "inspector_id",
                "inspected_at",
                "submitted_at",
                "month",
                "score",
                "passed",
                "critical_failed",
                "status",
                "corrects_id",
                "correction_reason",
                "note",
            )
        },
        "checklist": version.data["code"],
        "checklist_version": version.number,
        "checklist_title": version.data["title"],
        "checklist_title_en": version.data.get("title_en") or version.data["title"],
        "grade": grade_info(inspection.grade),
        "pass_mark": scoring_settings().pass_mark,
    }


def detail(inspection: Inspection) -> dict:
    version = ChecklistVersion.get_by_id(inspection.checklist_version_id)
    wording = {i["code"]: i for s in version.data["sections"] for i in s["items"]}
    rows = list(inspection.items.order_by(InspectionItem.position))
    briefs = photo_briefs([pid for row in rows for pid in row.photo_ids])
    items = []
    for row in rows:
        text = wording[row.item_code]
        items.append(
            {
                "code": row.item_code,
                "section": row.section_code,
                "result": row.result,
                "measured_seconds": row.measured_seconds,
                "limit_seconds": text["limit_seconds"],
                "weight": row.weight,
                "critical": row.critical,
                "note": row.note,
                "photo_ids": row.photo_ids,
                "photos": [briefs[pid] for pid in row.photo_ids if pid in briefs],
                **{
                    k: text[k]
                    for k in (
                        "requirement",
                        "requirement_en",
                        "fault",
                        "fault_en",
                        "impression",
                        "impression_en",
                    )
                },
            }
        )
    return {
        **summary(inspection, version),
        "items": items,
        "rectification_ids": [
            r.id
            for r in Rectification.select(Rectification.id).where(
                Rectification.inspection == inspection
            )
        ],
        "coaching_ids": [
            c.id
            for c in CoachingItem.select(CoachingItem.id).where(
                CoachingItem.inspection == inspection
            )
        ],
    }


def visible_inspections():
    query = in_scope(Inspection.select(), Inspection.site)
    if g.user.role in SELF_ONLY:
        query = (
            query.where(Inspection.staff == g.user.staff_id)
            if g.user.staff_id
            else query.where(False)
        )
    return query


def submit(sub: Submission, raw_body: dict):
    try:
        inspection, created = record_inspection(
            sub,
            scoring=scoring_settings(),
            max_age_days=current_app.config["INSPECTION_MAX_AGE_DAYS"],
            digest=body_hash(raw_body),
        )
    except Refused as refused:
        refuse(refused)
    return inspection, created


class InspectionPage(PeeweePage):
    @property
    def items(self):
        rows = super().items
        versions = {
            v.id: v
            for v in ChecklistVersion.select().where(
                ChecklistVersion.id.in_({r.checklist_version_id for r in rows})
            )
        }
        return [summary(r, versions[r.checklist_version_id]) for r in rows]


@blp.route("")
class Inspections(MethodView):
    @roles(*ALL_ROLES)
    @blp.arguments(InspectionQuerySchema, location="query")
    @blp.response(200, InspectionSummarySchema(many=True))
    @blp.paginate(InspectionPage)
    def get(self, filters):
        """List inspections, newest first (guards and staff: only their own)."""
        query = visible_inspections().order_by(Inspection.inspected_at.desc())
        query = where_equal(
            query,
            Inspection,
            filters,
            "site_id",
            "area_id",
            "staff_id",
            "team_id",
            "inspector_id",
            "kind",
            "grade",
            "critical_failed",
            "passed",
            "status",
        )
        if "checklist" in filters:
            query = query.join(Checklist).where(Checklist.code == filters["checklist"])
        if "inspected_from" in filters:
            query = query.where(Inspection.inspected_at >= filters["inspected_from"])
        if "inspected_to" in filters:
            query = query.where(Inspection.inspected_at < filters["inspected_to"])
        return query

    @roles(*INSPECTORS)
    @blp.arguments(InspectionSubmitSchema)
    @blp.response(201, InspectionSchema)
    @blp.alt_response(
        200, schema=InspectionSchema, description="Already submitted: the stored result"
    )
    @blp.alt_response(409, description="This id was submitted with other answers")
    def post(self, data):
        """Submit an inspection; the server scores it. Resubmitting the same one is safe."""
        if "staff_id" in data:
            subject = reference(Staff, data["staff_id"], "staff_id")
        else:
            subject = reference(Area, data["area_id"], "area_id")
        checklist = Checklist.get_or_none(Checklist.code == data["checklist"])
        version = checklist and ChecklistVersion.get_or_none(
            (ChecklistVersion.checklist == checklist)
            & (ChecklistVersion.number == data["checklist_version"])
        )
        if version is None:
            abort(
                422,
                "validation_failed",
                "No such checklist version.",
                errors={"json": {"checklist_version": ["unknown checklist or version"]}},
            )
        existing = Inspection.get_or_none(Inspection.id == data["id"])
        if (
            existing is not None
            and not visible_inspections().where(Inspection.id == existing.id).exists()
        ):
            abort(
                409,
                "conflict",
                "This id is taken; make a new one.",
                errors={"json": {"id": ["taken"]}},
            )
        sub = Submission(
            id=data["id"],
            version=version,
            subject=subject,
            inspected_at=data["inspected_at"],
            answers=data["items"],
            inspector=g.user,
            device_id=data.get("device_id", ""),
            note=data.get("note", ""),
        )
        inspection, created = submit(sub, data)
        return detail(inspection), 201 if created else 200


@blp.route("/<uuid:inspection_id>")
class InspectionById(MethodView):
    @roles(*ALL_ROLES)
    @blp.response(200, InspectionSchema)
    def get(self, inspection_id):
        """One inspection with every item, in the standard's wording."""
        inspection = visible_inspections().where(Inspection.id == inspection_id).first()
        if inspection is None:
            abort(404, "not_found", "No such inspection.")
        return detail(inspection)


@blp.route("/<uuid:inspection_id>/corrections")
class InspectionCorrections(MethodView):
    @roles("admin", "supervisor")
    @blp.arguments(CorrectionSchema)
    @blp.response(201, InspectionSchema)
    def post(self, data, inspection_id):
        """Correct a submitted inspection: a new, audited record with a reason replaces it."""
        original = get_or_404(Inspection, inspection_id)
        if original.status != "final":
            abort(
                409, "conflict", "This inspection was already corrected; correct the newest record."
            )
        version = ChecklistVersion.get_by_id(original.checklist_version_id)
        subject = (
            Staff.get_by_id(original.staff_id)
            if original.staff_id
            else Area.get_by_id(original.area_id)
        )
        sub = Submission(
            id=data["id"],
            version=version,
            subject=subject,
            inspected_at=original.inspected_at,
            answers=data["items"],
            inspector=g.user,
            device_id=original.device_id,
            note=data.get("note", ""),
            corrects=original,
            correction_reason=data["reason"],
            request_id=g.request_id,
        )
        inspection, _ = submit(sub, {**data, "corrects": str(original.id)})
        return detail(inspection)
