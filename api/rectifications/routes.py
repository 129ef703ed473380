"""Rectifications 整改: failed area items put right by the responsible person or contractor,
then verified by a supervisor or a re-inspection."""

from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint
from peewee import fn

from api.errors import abort
from api.extensions import PeeweePage, where_equal
from api.rectifications.schemas import (
    DoneSchema,
    OverdueCountSchema,
    RectificationQuerySchema,
    RectificationSchema,
    VerifySchema,
)
from api.security import get_or_404, in_scope, roles
from models import utcnow, write_transaction
from models.records.inspection_records import UNRESOLVED, RectificationRefused, verify_rectification
from models.tables.checklists import ChecklistVersion
from models.tables.inspections import Inspection, Rectification
from models.tables.photos import Photo

blp = Blueprint(
    "rectifications", __name__, url_prefix="/api/rectifications", description="Rectifications 整改"
)

READERS = ("admin", "hr", "supervisor", "manager", "staff", "guard")
VERIFIERS = ("admin", "supervisor", "manager")


def visible_rectifications():
    query = in_scope(Rectification.select(), Rectification.site)
    if g.user.role in ("staff", "guard"):
        # Staff see what is assigned to them.
        query = (
            query.where(Rectification.assignee == g.user.staff_id)
            if g.user.staff_id
            else query.where(False)
        )
    return query


def present(rows: list[Rectification]) -> list[dict]:
    """Rows with the standard's wording of their item (one query for the versions)."""
    inspections = (
        {
            i.id: i
            for i in Inspection.select(Inspection.id, Inspection.checklist_version).where(
                Inspection.id.in_({r.inspection_id for r in rows})
            )
        }
        if rows
        else {}
    )
    versions = (
        {
            v.id: v
            for v in ChecklistVersion.select().where(
                ChecklistVersion.id.in_({i.checklist_version_id for i in inspections.values()})
            )
        }
        if rows
        else {}
    )
    now = utcnow()
    result = []
    for r in rows:
        data = versions[inspections[r.inspection_id].checklist_version_id].data
        item = next(i for s in data["sections"] for i in s["items"] if i["code"] == r.item_code)
        result.append(
            {
                **{
                    f: getattr(r, f)
                    for f in (
                        "id",
                        "site_id",
                        "area_id",
                        "inspection_id",
                        "item_code",
                        "assignee_id",
                        "contractor_id",
                        "status",
                        "created_at",
                        "due_at",
                        "done_at",
                        "done_by_id",
                        "done_note",
                        "verified_at",
                        "verified_by_id",
                        "verify_note",
                        "reopen_count",
                    )
                },
                "checklist": data["code"],
                "done_photo_ids": r.done_photo_ids,
                "overdue": r.status in UNRESOLVED and r.status != "done" and r.due_at < now,
                **{k: item[k] for k in ("requirement", "requirement_en", "fault", "fault_en")},
            }
        )
    return result


class RectificationPage(PeeweePage):
    @property
    def items(self):
        return present(super().items)


@blp.route("")
class Rectifications(MethodView):
    @roles(*READERS)
    @blp.arguments(RectificationQuerySchema, location="query")
    @blp.response(200, RectificationSchema(many=True))
    @blp.paginate(RectificationPage)
    def get(self, filters):
        """List rectifications, the most urgent first (staff: those assigned to them)."""
        query = visible_rectifications().order_by(Rectification.due_at, Rectification.id)
        query = where_equal(
            query,
            Rectification,
            filters,
            "site_id",
            "area_id",
            "assignee_id",
            "contractor_id",
            "status",
        )
        if filters.get("overdue") is True:
            query = query.where(
                Rectification.status.in_(("open", "reopened")) & (Rectification.due_at < utcnow())
            )
        return query


@blp.route("/overdue")
class OverdueCounts(MethodView):
    @roles(*VERIFIERS, "hr")
    @blp.response(200, OverdueCountSchema(many=True))
    def get(self):
        """Overdue rectifications counted per site and per assignee or contractor."""
        query = (
            in_scope(
                Rectification.select(
                    Rectification.site,
                    Rectification.assignee,
                    Rectification.contractor,
                    fn.COUNT(Rectification.id).alias("overdue"),
                ),
                Rectification.site,
            )
            .where(
                Rectification.status.in_(("open", "reopened")) & (Rectification.due_at < utcnow())
            )
            .group_by(Rectification.site, Rectification.assignee, Rectification.contractor)
            .order_by(Rectification.site, fn.COUNT(Rectification.id).desc())
        )
        return [
            {
                "site_id": r.site_id,
                "assignee_id": r.assignee_id,
                "contractor_id": r.contractor_id,
                "overdue": r.overdue,
            }
            for r in query
        ]


@blp.route("/<int:rectification_id>")
class RectificationById(MethodView):
    @roles(*READERS)
    @blp.response(200, RectificationSchema)
    def get(self, rectification_id):
        """One rectification with the standard's wording."""
        row = visible_rectifications().where(Rectification.id == rectification_id).first()
        if row is None:
            abort(404, "not_found", "No such rectification.")
        return present([row])[0]


@blp.route("/<int:rectification_id>/done")
class RectificationDone(MethodView):
    @roles("admin", "supervisor", "manager", "staff", "guard")
    @blp.arguments(DoneSchema)
    @blp.response(200, RectificationSchema)
    def post(self, data, rectification_id):
        """Report the fault fixed, with a photo (the assignee, or a supervisor for a contractor)."""
        with write_transaction():
            row = visible_rectifications().where(Rectification.id == rectification_id).first()
            if row is None:
                abort(404, "not_found", "No such rectification.")
            if row.status not in ("open", "reopened"):
                abort(409, "conflict", f"This rectification is {row.status} already.")
            photos = list(
                Photo.select().where(Photo.id.in_(data["photo_ids"]) & (Photo.site == row.site_id))
            )
            if len(photos) != len(set(data["photo_ids"])) or any(p.owner_id for p in photos):
                abort(
                    422,
                    "validation_failed",
                    "Unknown photos, or photos that are evidence for something else.",
                    errors={"json": {"photo_ids": ["unknown or already used"]}},
                )
            row.status, row.done_at, row.done_by, row.done_note = (
                "done",
                utcnow(),
                g.user,
                data["note"],
            )
            row.done_photo_ids = [str(p) for p in data["photo_ids"]]
            row.save()
            Photo.update(owner_type="rectification", owner_id=str(row.id)).where(
                Photo.id.in_(data["photo_ids"])
            ).execute()
        return present([row])[0]


@blp.route("/<int:rectification_id>/verify")
class RectificationVerify(MethodView):
    @roles(*VERIFIERS)
    @blp.arguments(VerifySchema)
    @blp.response(200, RectificationSchema)
    def post(self, data, rectification_id):
        """Accept a fix reported done (verified) or send it back (reopened, due again).

        A rectification not reported done answers 409 ``not_done``; one verified already 409
        ``conflict``. Sending a fix back sets a new due time by the checklist's rule."""
        with write_transaction():
            row = get_or_404(Rectification, rectification_id)
            try:
                verify_rectification(row, data["outcome"], data["note"], g.user, utcnow())
            except RectificationRefused as refused:
                abort(409, refused.code, refused.message)
        return present([row])[0]
