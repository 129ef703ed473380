"""Staff 员工: who works at each site, in which job and team, responsible for which areas."""

from flask.views import MethodView
from flask_smorest import Blueprint

from api.audit_trail import audit, update_audited
from api.extensions import PeeweePage, where_equal
from api.security import get_or_404, in_scope, reference, roles
from api.staff.schemas import StaffCreateSchema, StaffQuerySchema, StaffSchema, StaffUpdateSchema
from models import write_transaction
from models.org import Area, Site, Staff, StaffArea, Team

blp = Blueprint("staff", __name__, url_prefix="/api/staff", description="Staff 员工")

STAFF_READERS = ("admin", "hr", "supervisor", "manager")
STAFF_EDITORS = ("admin", "hr")


def with_area_ids(staff_rows):
    """Attach each person's area ids with one query for the whole page (no query per row)."""
    staff_rows = list(staff_rows)
    by_id = {s.id: s for s in staff_rows}
    for s in staff_rows:
        s.area_ids = []
    if by_id:
        links = StaffArea.select().where(StaffArea.staff.in_(list(by_id))).order_by(StaffArea.area)
        for link in links:
            by_id[link.staff_id].area_ids.append(link.area_id)
    return staff_rows


def check_references(data: dict, site_id: int) -> None:
    if data.get("team_id") is not None:
        reference(Team, data["team_id"], "team_id", site_id=site_id)
    for area_id in data.get("area_ids", []):
        reference(Area, area_id, "area_ids", site_id=site_id)


def set_areas(staff: Staff, area_ids: list[int]) -> None:
    StaffArea.delete().where(StaffArea.staff == staff).execute()
    for area_id in sorted(set(area_ids)):
        StaffArea.create(staff=staff, area=area_id)


class StaffPage(PeeweePage):
    @property
    def items(self):
        return with_area_ids(super().items)


@blp.route("")
class StaffList(MethodView):
    @roles(*STAFF_READERS)
    @blp.arguments(StaffQuerySchema, location="query")
    @blp.response(200, StaffSchema(many=True))
    @blp.paginate(StaffPage)
    def get(self, filters):
        """List staff of my sites, filtered by site, team, job, active or a name."""
        query = in_scope(Staff.select(), Staff.site).order_by(Staff.site, Staff.employee_no)
        query = where_equal(query, Staff, filters, "site_id", "team_id", "job", "active")
        if "q" in filters:
            query = query.where(
                Staff.name.contains(filters["q"]) | Staff.employee_no.contains(filters["q"])
            )
        return query

    @roles(*STAFF_EDITORS)
    @blp.arguments(StaffCreateSchema)
    @blp.response(201, StaffSchema)
    def post(self, data):
        """Add a member of staff."""
        area_ids = data.pop("area_ids", [])
        with write_transaction():
            reference(Site, data["site_id"], "site_id")
            check_references({**data, "area_ids": area_ids}, data["site_id"])
            staff = Staff.create(**data)
            set_areas(staff, area_ids)
            audit("create", staff)
        return with_area_ids([staff])[0]


@blp.route("/<int:staff_id>")
class StaffById(MethodView):
    @roles(*STAFF_READERS)
    @blp.response(200, StaffSchema)
    def get(self, staff_id):
        """One member of staff."""
        return with_area_ids([get_or_404(Staff, staff_id)])[0]

    @roles(*STAFF_EDITORS)
    @blp.arguments(StaffUpdateSchema)
    @blp.response(200, StaffSchema)
    def patch(self, data, staff_id):
        """Change a member of staff; set `active` to false when they leave (never deleted)."""
        area_ids = data.pop("area_ids", None)
        with write_transaction():
            staff = get_or_404(Staff, staff_id)
            site_id = data.get("site_id", staff.site_id)
            if site_id != staff.site_id:
                reference(Site, site_id, "site_id")
                # A move to another site leaves the old site's team and areas behind.
                data.setdefault("team_id", None)
                area_ids = area_ids if area_ids is not None else []
            check_references({**data, "area_ids": area_ids or []}, site_id)
            update_audited(staff, data)
            if area_ids is not None:
                set_areas(staff, area_ids)
        return with_area_ids([staff])[0]
