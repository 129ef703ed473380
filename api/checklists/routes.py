"""Checklists: the service standards a supervisor inspects against, as loaded from checklists/."""

from flask.views import MethodView
from flask_smorest import Blueprint

from api.checklists.schemas import (
    ChecklistQuerySchema,
    ChecklistSchema,
    ChecklistSummarySchema,
    ChecklistVersionQuerySchema,
)
from api.errors import abort
from api.extensions import where_equal
from api.security import ALL_ROLES, reference, roles
from models.rules.applicability import applicable_items, applies
from models.tables.checklists import Checklist, ChecklistVersion
from models.tables.org import Area, Staff

blp = Blueprint(
    "checklists", __name__, url_prefix="/api/checklists", description="Checklists 检查表"
)


def subject_attributes(filters: dict) -> dict:
    """The job/gender of a staff member or the type of an area named in the query."""
    if filters.get("staff_id") is not None:
        staff = reference(Staff, filters["staff_id"], "staff_id")
        return {"subject": "staff", "job": staff.job, "gender": staff.gender}
    if filters.get("area_id") is not None:
        area = reference(Area, filters["area_id"], "area_id")
        return {"subject": "area", "area_type": area.area_type}
    return {}


def fits(data: dict, attributes: dict) -> bool:
    """Whether a checklist version is for the subject named in the query (any, if none): the
    same kind of subject, and its ``applies_to`` allows the subject's traits."""
    if not attributes:
        return True
    traits = {k: v for k, v in attributes.items() if k != "subject"}
    return data["subject"] == attributes["subject"] and applies(data["applies_to"], **traits)


def present(version: ChecklistVersion, attributes: dict, *, full: bool) -> dict:
    data = version.data
    traits = {k: v for k, v in attributes.items() if k != "subject"}
    items = applicable_items(data, **traits)
    result = {
        **{
            k: data[k]
            for k in ("code", "subject", "kind", "title", "title_en", "source", "applies_to")
        },
        "version": version.number,
        "item_count": len(items),
    }
    if full:
        codes = {item["code"] for item in items}
        result["rules"] = data["rules"]
        result["sections"] = [
            {
                **section,
                "items": [
                    {**i, "section": section["code"]}
                    for i in section["items"]
                    if i["code"] in codes
                ],
            }
            for section in data["sections"]
        ]
        result["sections"] = [s for s in result["sections"] if s["items"]]
    return result


@blp.route("")
class Checklists(MethodView):
    @roles(*ALL_ROLES)
    @blp.arguments(ChecklistQuerySchema, location="query")
    @blp.response(200, ChecklistSummarySchema(many=True))
    def get(self, filters):
        """List the current checklists; with `staff_id` or `area_id`, only those that apply."""
        attributes = subject_attributes(filters)
        query = (
            ChecklistVersion.select(ChecklistVersion, Checklist)
            .join(Checklist)
            .where(ChecklistVersion.number == Checklist.current_version)
            .order_by(Checklist.subject, Checklist.kind, Checklist.code)
        )
        query = where_equal(query, Checklist, filters, "subject", "kind")
        if "subject" in attributes:
            query = query.where(Checklist.subject == attributes["subject"])
        return [present(v, attributes, full=False) for v in query if fits(v.data, attributes)]


@blp.route("/<string:code>")
class ChecklistByCode(MethodView):
    @roles(*ALL_ROLES)
    @blp.arguments(ChecklistVersionQuerySchema, location="query")
    @blp.response(200, ChecklistSchema)
    def get(self, filters, code):
        """One checklist with its sections and items (the current version unless `version`).

        With `staff_id` or `area_id`, only the items that apply to that subject; a checklist
        that does not apply to it at all (one the list leaves out for the same subject, and
        an inspection would refuse) answers 422."""
        checklist = Checklist.get_or_none(Checklist.code == code)
        if checklist is None:
            abort(404, "not_found", f"No checklist {code!r}.")
        number = filters.get("version", checklist.current_version)
        version = ChecklistVersion.get_or_none(
            (ChecklistVersion.checklist == checklist) & (ChecklistVersion.number == number)
        )
        if version is None:
            abort(404, "not_found", f"Checklist {code!r} has no version {number}.")
        attributes = subject_attributes(filters)
        if not fits(version.data, attributes):
            field = "staff_id" if attributes["subject"] == "staff" else "area_id"
            wanted, subject = version.data["subject"], attributes["subject"]
            if wanted != subject:
                message = f"Checklist {code} inspects {wanted}s, not this {subject}."
            else:
                what = ", ".join(f"{k} {v}" for k, v in attributes.items() if k != "subject")
                message = f"Checklist {code} does not apply to {what}."
            abort(
                422,
                "validation_failed",
                f"此检查表不适用于该对象。{message}",
                errors={"query": {field: [message]}},
            )
        return present(version, attributes, full=True)
