"""Staff 员工: who works at each site, in which job and team, responsible for which areas."""

import io

from flask import send_file
from flask.views import MethodView
from flask_smorest import Blueprint

from api.audit_trail import audit, update_audited
from api.errors import abort
from api.extensions import PeeweePage, where_equal
from api.security import get_or_404, in_scope, reference, roles, visible_site_ids
from api.staff.schemas import (
    StaffCreateSchema,
    StaffImportFileSchema,
    StaffImportFormSchema,
    StaffImportResultSchema,
    StaffImportUploadSchema,
    StaffQuerySchema,
    StaffSchema,
    StaffUpdateSchema,
)
from models import write_transaction
from models.records.staff_import import (
    MAX_FILE_BYTES,
    ImportFileError,
    Person,
    Plan,
    Sheet,
    SiteRef,
    TeamRef,
    plan_import,
    read_sheet,
    write_template,
)
from models.tables.org import Area, Site, Staff, StaffArea, Team

blp = Blueprint("staff", __name__, url_prefix="/api/staff", description="Staff 员工")

STAFF_READERS = ("admin", "hr", "supervisor", "manager")
STAFF_EDITORS = ("admin", "hr")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Employee numbers per IN (...) when looking up the people a file names.
LOOKUP_CHUNK = 500


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


# --- import from a spreadsheet ------------------------------------------------------------------


def my_sites_and_teams() -> tuple[list[SiteRef], list[TeamRef]]:
    sites = in_scope(Site.select(Site.id, Site.name, Site.code), Site.id).order_by(Site.name)
    site_refs = [SiteRef(s.id, s.name, s.code) for s in sites]
    teams = in_scope(Team.select(), Team.site).order_by(Team.site, Team.name)
    team_refs = [TeamRef(t.id, t.site_id, t.name, t.active) for t in teams]
    return site_refs, team_refs


def people_named(numbers: set[str]) -> list[Person]:
    """The staff stored under these employee numbers, at any site; only those at the caller's
    sites are marked visible (the others may not be changed, nor described)."""
    site_ids = visible_site_ids()
    numbers = sorted(numbers)
    people = []
    for start in range(0, len(numbers), LOOKUP_CHUNK):
        chunk = numbers[start : start + LOOKUP_CHUNK]
        for s in Staff.select().where(Staff.employee_no.in_(chunk)):
            people.append(
                Person(
                    id=s.id,
                    employee_no=s.employee_no,
                    name=s.name,
                    gender=s.gender,
                    job=s.job,
                    site_id=s.site_id,
                    team_id=s.team_id,
                    phone=s.phone,
                    visible=site_ids is None or s.site_id in site_ids,
                )
            )
    return people


def plan_for(sheet: Sheet) -> Plan:
    sites, teams = my_sites_and_teams()
    return plan_import(
        sheet, sites=sites, teams=teams, people=people_named(sheet.employee_numbers())
    )


def store(plan: Plan) -> None:
    """Create the new teams, then create or update each person, audited (inside the caller's
    transaction)."""
    new_team_ids = {}
    for site_id, name in plan.new_teams:
        team = Team.create(site=site_id, name=name)
        audit("create", team)
        new_team_ids[(site_id, name)] = team.id
    ids = [row.staff_id for row in plan.rows if row.action == "update"]
    stored = {}
    for start in range(0, len(ids), LOOKUP_CHUNK):
        for s in Staff.select().where(Staff.id.in_(ids[start : start + LOOKUP_CHUNK])):
            stored[s.id] = s
    for row in plan.rows:
        values = row.values(new_team_ids)
        if row.action == "create":
            staff = Staff.create(employee_no=row.employee_no, **values)
            audit("create", staff)
        elif row.action == "update":
            staff = stored[row.staff_id]
            update_audited(staff, {f: values[f] for f in row.changed})
            if "site_id" in row.changed:
                set_areas(staff, [])  # the old site's areas stay behind, as in a PATCH


def result(plan: Plan, committed: bool) -> dict:
    return {
        "committed": committed,
        "rows": [row.as_dict() for row in plan.rows],
        "problems": plan.problems,
        "new_teams": [{"site_id": site_id, "name": name} for site_id, name in plan.new_teams],
        "created": plan.count("create"),
        "updated": plan.count("update"),
        "unchanged": plan.count("unchanged"),
    }


@blp.route("/import-template.xlsx")
class StaffImportTemplate(MethodView):
    @roles(*STAFF_EDITORS)
    @blp.response(200, content_type=XLSX)
    def get(self):
        """Download the Excel template for importing staff.

        One sheet to fill in (header row and an example row) and a 说明 sheet explaining each
        column's allowed values, with your sites' names and codes."""
        sites, teams = my_sites_and_teams()
        return send_file(
            io.BytesIO(write_template(sites, teams)),
            mimetype=XLSX,
            as_attachment=True,
            download_name="员工导入模板.xlsx",
        )


@blp.route("/import")
class StaffImport(MethodView):
    @roles(*STAFF_EDITORS)
    @blp.arguments(StaffImportFormSchema, location="form")
    @blp.arguments(StaffImportFileSchema, location="files")
    @blp.doc(  # one multipart body holding both parts, not a form parameter beside it
        parameters=[],
        requestBody={"content": {"multipart/form-data": {"schema": StaffImportUploadSchema}}},
    )
    @blp.response(200, StaffImportResultSchema)
    def post(self, form, files):
        """Import staff from an Excel file: check it first, then store all rows at once.

        Multipart: `file` (the filled-in template, .xlsx) and `commit` (default false: only
        check and show what would change).
        Rows match stored staff by 工号: a known number updates that person where something
        differs, a new one adds a person. Every problem is listed with its row and column; with
        `commit=true` any problem refuses the whole file (422 `import_has_problems`, the
        problems in `errors.rows`) and nothing is stored. Uploading the same file again
        changes nothing."""
        try:
            sheet = read_sheet(files["file"].read(MAX_FILE_BYTES + 1))
        except ImportFileError as refused:
            abort(
                422, refused.code, refused.message_en, errors={"files": {"file": [refused.message]}}
            )
        if not form["commit"]:
            return result(plan_for(sheet), committed=False)
        with write_transaction():
            plan = plan_for(sheet)  # read again under the write lock: what is stored is checked
            if plan.problems:
                count = len(plan.problems)
                abort(
                    422,
                    "import_has_problems",
                    f"The file has {count} problem(s); nothing was imported.",
                    errors={
                        "files": {"file": [f"文件中有 {count} 处问题，未导入任何数据。"]},
                        "rows": plan.problems,
                    },
                )
            store(plan)
        return result(plan, committed=True)
