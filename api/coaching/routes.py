"""Coaching items: a failed grooming or etiquette item, shown to the staff member with the
standard's reason, which they acknowledge."""

from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint

from api.coaching.schemas import CoachingItemSchema, CoachingQuerySchema
from api.errors import abort
from api.extensions import PeeweePage, where_equal
from api.security import ALL_ROLES, in_scope, roles
from models import utcnow, write_transaction
from models.tables.checklists import ChecklistVersion
from models.tables.inspections import CoachingItem, Inspection

blp = Blueprint("coaching", __name__, url_prefix="/api/coaching", description="Coaching items 辅导")


def visible_items():
    query = in_scope(CoachingItem.select(), CoachingItem.site)
    if g.user.role in ("staff", "guard", "manager"):
        # People see their own; supervisors, HR and admins see their sites'.
        query = (
            query.where(CoachingItem.staff == g.user.staff_id)
            if g.user.staff_id
            else query.where(False)
        )
    return query


def present(rows: list[CoachingItem]) -> list[dict]:
    if not rows:
        return []
    versions = {
        i.id: i.checklist_version
        for i in Inspection.select(Inspection.id, ChecklistVersion)
        .join(ChecklistVersion)
        .where(Inspection.id.in_({r.inspection_id for r in rows}))
    }
    result = []
    for r in rows:
        data = versions[r.inspection_id].data
        item = next(i for s in data["sections"] for i in s["items"] if i["code"] == r.item_code)
        result.append(
            {
                **{
                    f: getattr(r, f)
                    for f in (
                        "id",
                        "site_id",
                        "staff_id",
                        "inspection_id",
                        "item_code",
                        "created_at",
                        "acknowledged_at",
                    )
                },
                "checklist": data["code"],
                **{
                    k: item[k]
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
    return result


class CoachingPage(PeeweePage):
    @property
    def items(self):
        return present(super().items)


@blp.route("")
class CoachingItems(MethodView):
    @roles(*ALL_ROLES)
    @blp.arguments(CoachingQuerySchema, location="query")
    @blp.response(200, CoachingItemSchema(many=True))
    @blp.paginate(CoachingPage)
    def get(self, filters):
        """List coaching items, newest first (staff: their own)."""
        query = visible_items().order_by(CoachingItem.id.desc())
        query = where_equal(query, CoachingItem, filters, "site_id", "staff_id")
        if "acknowledged" in filters:
            query = query.where(CoachingItem.acknowledged_at.is_null(not filters["acknowledged"]))
        return query


@blp.route("/<int:item_id>/acknowledge")
class Acknowledge(MethodView):
    @roles(*ALL_ROLES)
    @blp.response(200, CoachingItemSchema)
    def post(self, item_id):
        """I have read this: acknowledge a coaching item about myself."""
        with write_transaction():
            item = visible_items().where(CoachingItem.id == item_id).first()
            if item is None:
                abort(404, "not_found", "No such coaching item.")
            if item.staff_id != g.user.staff_id:
                abort(403, "forbidden", "Only the person coached acknowledges a coaching item.")
            if item.acknowledged_at is None:
                item.acknowledged_at, item.acknowledged_by = utcnow(), g.user
                item.save()
        return present([item])[0]
