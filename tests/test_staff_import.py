"""Staff from a spreadsheet: the template, the check of every row, the all-or-nothing commit,
a second upload that changes nothing, and sites the caller does not manage."""

import io
import zipfile

import pytest
from openpyxl import Workbook, load_workbook

from models.records.staff_import import (
    MAX_ROWS,
    Person,
    SiteRef,
    TeamRef,
    cell_text,
    plan_import,
    read_sheet,
)
from models.tables.audit import AuditEntry
from models.tables.org import Staff, Team

HEADER = ["姓名", "工号", "性别", "岗位", "班组", "项目", "手机"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx(rows, header=HEADER, above=()) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in [*above, header, *rows]:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def post_import(world, data, *, role="hr", commit=None, filename="staff.xlsx"):
    fields = {"file": (io.BytesIO(data), filename, XLSX)}
    if commit is not None:
        fields["commit"] = "true" if commit else "false"
    return world.client.post(
        "/api/staff/import",
        headers=world.headers(role),
        data=fields,
        content_type="multipart/form-data",
    )


def counts(app) -> tuple[int, int, int]:
    with app.app_context():
        return Staff.select().count(), Team.select().count(), AuditEntry.select().count()


def where(problems) -> set[tuple[int, str]]:
    return {(p["row"], p["column"]) for p in problems}


def test_every_problem_is_listed_with_row_and_column_and_nothing_is_stored(app, world):
    data = xlsx(
        [
            ["", "N-1", "男", "护卫员", "护卫班", "甲大厦", ""],  # 2: no name
            ["王五", "N-2", "男", "护卫员", "", "甲大厦", ""],  # 3: same 工号 as row 4
            ["赵六", "N-2", "女", "保洁员", "", "SA", ""],  # 4
            ["钱七", "N-3", "男", "护卫员", "", "丙广场", ""],  # 5: unknown site
            ["孙八", "N-4", "未知", "护卫员", "", "甲大厦", ""],  # 6: bad gender
            ["周九", "N-5", "女", "厨师", "", "甲大厦", ""],  # 7: unknown job
            ["吴十", "N 6", "男", "护卫员", "", "甲大厦", ""],  # 8: bad 工号
            ["郑一", "N-7", "男", "护卫员", "", "甲大厦", "call me"],  # 9: bad phone
            ["冯二", "N-8", "女", "客服", "新班组", "甲大厦", "139 0000 0000"],  # 10: fine
        ]
    )
    before = counts(app)
    r = post_import(world, data)
    assert r.status_code == 200, r.json
    assert r.json["committed"] is False
    expected = {
        (2, "姓名"),
        (3, "工号"),
        (4, "工号"),
        (5, "项目"),
        (6, "性别"),
        (7, "岗位"),
        (8, "工号"),
        (9, "手机"),
    }
    assert where(r.json["problems"]) == expected
    assert len(r.json["problems"]) == len(expected)
    by_place = {(p["row"], p["column"]): p for p in r.json["problems"]}
    assert "第 4 行" in by_place[(3, "工号")]["message"]
    assert "row 3" in by_place[(4, "工号")]["message_en"]
    assert all(p["message"] and p["message_en"] for p in r.json["problems"])
    actions = {row["row"]: row["action"] for row in r.json["rows"]}
    assert actions == {**{n: "invalid" for n in range(2, 10)}, 10: "create"}
    assert r.json["created"] == 1 and r.json["new_teams"] == [
        {"site_id": world.site_a.id, "name": "新班组"}
    ]

    r = post_import(world, data, commit=True)
    assert r.status_code == 422, r.json
    assert r.json["error"] == "import_has_problems"
    assert where(r.json["errors"]["rows"]) == expected
    assert r.json["errors"]["files"]["file"]
    assert counts(app) == before  # not even the good row, nor its new team


def test_a_clean_file_previews_commits_and_a_second_upload_changes_nothing(app, world):
    # English headers in another order; a title row above; an empty row; numbers as numbers.
    header = ["site", "employee_no", "Name", "job", "gender", "team", "phone"]
    data = xlsx(
        [
            ["甲大厦", "N-1", "周九", "保洁员", "女", "夜班", 13800138000],  # 3: new, new team
            [None, None, None, None, None, None, None],  # 4: skipped
            ["SA", 1001, "吴十", "guard", "male", "护卫班", None],  # 5: new, existing team
            ["甲大厦", "A-1", "张三丰", "护卫员", "男", "", ""],  # 6: update (name)
        ],
        header=header,
        above=[["员工花名册"]],
    )
    before = counts(app)
    r = post_import(world, data, role="hr")
    assert r.status_code == 200, r.json
    assert r.json["problems"] == []
    assert r.json["committed"] is False
    assert [(row["row"], row["action"]) for row in r.json["rows"]] == [
        (3, "create"),
        (5, "create"),
        (6, "update"),
    ]
    assert r.json["rows"][2]["changed"] == ["name"]
    assert r.json["rows"][1]["employee_no"] == "1001"
    assert r.json["new_teams"] == [{"site_id": world.site_a.id, "name": "夜班"}]
    assert (r.json["created"], r.json["updated"], r.json["unchanged"]) == (2, 1, 0)
    assert counts(app) == before  # a preview stores nothing
    with app.app_context():
        assert Staff.get(Staff.employee_no == "A-1").name == "张三"

    r = post_import(world, data, role="hr", commit=True)
    assert r.status_code == 200, r.json
    assert r.json["committed"] is True
    staff, teams, audits = counts(app)
    assert (staff, teams) == (before[0] + 2, before[1] + 1)
    assert audits == before[2] + 4  # the team, two people created, one updated
    with app.app_context():
        night = Team.get((Team.site == world.site_a.id) & (Team.name == "夜班"))
        new = Staff.get(Staff.employee_no == "N-1")
        assert (new.name, new.gender, new.job, new.site_id, new.team_id, new.phone) == (
            "周九",
            "female",
            "cleaner",
            world.site_a.id,
            night.id,
            "13800138000",
        )
        guard = Staff.get(Staff.employee_no == "1001")
        assert (guard.job, guard.gender, guard.team_id) == ("guard", "male", world.team_a.id)
        assert Staff.get(Staff.employee_no == "A-1").name == "张三丰"
        entries = {
            (e.action, e.entity) for e in AuditEntry.select().order_by(AuditEntry.id)[before[2] :]
        }
        assert entries == {("create", "team"), ("create", "staff"), ("update", "staff")}

    for commit in (False, True):
        r = post_import(world, data, role="hr", commit=commit)
        assert r.status_code == 200, r.json
        assert [row["action"] for row in r.json["rows"]] == ["unchanged"] * 3
        assert (r.json["created"], r.json["updated"], r.json["unchanged"]) == (0, 0, 3)
        assert r.json["new_teams"] == []
    assert counts(app) == (staff, teams, audits)  # no rows and no audit entries


def test_hr_cannot_import_into_or_take_numbers_from_a_site_they_do_not_manage(app, world):
    rows = [
        ["李雷", "N-1", "男", "护卫员", "", "乙花园", ""],  # site B by name
        ["韩梅", "N-2", "女", "保洁员", "", "SB", ""],  # site B by code
        ["黄五", "B-1", "女", "保洁员", "", "甲大厦", ""],  # site B's person (李四)
    ]
    data = xlsx(rows)
    before = counts(app)
    r = post_import(world, data, role="hr")
    assert r.status_code == 200, r.json
    assert where(r.json["problems"]) == {(2, "项目"), (3, "项目"), (4, "工号")}
    messages = {p["row"]: p["message"] for p in r.json["problems"]}
    # A site that exists elsewhere reads like one that does not exist at all.
    unknown = xlsx([["李雷", "N-1", "男", "护卫员", "", "乙花园X", ""]])
    other = post_import(world, unknown, role="hr").json["problems"][0]["message"]
    assert messages[2] == other.replace("乙花园X", "乙花园")
    assert messages[4] == "工号已被其他项目使用。"
    assert "李四" not in str(r.json)  # nothing of the other site's person
    assert post_import(world, data, role="hr", commit=True).status_code == 422
    assert counts(app) == before
    with app.app_context():
        kept = Staff.get_by_id(world.staff_b.id)
        assert (kept.name, kept.site_id) == ("李四", world.site_b.id)

    # The admin sees every site: the same rows are fine, and B-1 moves to site A.
    r = post_import(world, data, role="admin", commit=True)
    assert r.status_code == 200, r.json
    assert [row["action"] for row in r.json["rows"]] == ["create", "create", "update"]
    with app.app_context():
        assert Staff.get_by_id(world.staff_b.id).site_id == world.site_a.id


def test_the_template_downloads_and_its_example_row_imports_back(app, world):
    r = world.client.get("/api/staff/import-template.xlsx", headers=world.headers("hr"))
    assert r.status_code == 200
    assert r.mimetype == XLSX
    assert "attachment" in r.headers["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(r.data))
    assert workbook.sheetnames == ["员工", "说明"]
    rows = list(workbook["员工"].iter_rows(values_only=True))
    assert list(rows[0]) == HEADER
    assert len(rows) == 2 and rows[1][HEADER.index("项目")] == "甲大厦"
    notes = " ".join(str(v) for row in workbook["说明"].iter_rows(values_only=True) for v in row)
    for text in ("男", "女", "护卫员", "保洁员", "绿化员", "甲大厦", "SA"):
        assert text in notes
    assert "乙花园" not in notes  # HR of site A is shown only site A

    before = counts(app)
    r = post_import(world, r.data, role="hr", commit=True)
    assert r.status_code == 200, r.json
    assert r.json["problems"] == [] and r.json["created"] == 1
    (row,) = r.json["rows"]
    assert (row["row"], row["site_id"], row["gender"], row["job"]) == (
        2,
        world.site_a.id,
        "male",
        "guard",
    )
    assert counts(app)[0] == before[0] + 1


@pytest.mark.parametrize(
    "data,code",
    [
        (b"name,employee_no\n", "not_xlsx"),
        (b"PK\x03\x04 not really a zip", "not_xlsx"),
        ("no header", "no_header"),
        ("missing column", "missing_columns"),
        ("too many", "too_many_rows"),
        ("zip bomb", "file_too_large"),
    ],
)
def test_unreadable_files_are_one_error_and_store_nothing(app, world, data, code):
    if data == "no header":
        data = xlsx([["张三", "A-9"]], header=["人员", "编号"])
    elif data == "missing column":
        data = xlsx([["张三", "A-9", "男"]], header=["姓名", "工号", "性别"])
    elif data == "too many":
        row = ["张三", "", "男", "护卫员", "", "甲大厦", ""]
        data = xlsx([[*row[:1], f"T-{n}", *row[2:]] for n in range(MAX_ROWS + 1)])
    elif data == "zip bomb":  # a few KB that would unpack to 40 MB
        buffer = io.BytesIO(xlsx([["张三", "A-9", "男", "护卫员", "", "甲大厦", ""]]))
        with zipfile.ZipFile(buffer, "a", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("xl/media/padding.bin", bytes(40 * 1024 * 1024))
        data = buffer.getvalue()
        assert len(data) < 100_000
    before = counts(app)
    for commit in (False, True):
        r = post_import(world, data, commit=commit)
        assert r.status_code == 422, r.json
        assert r.json["error"] == code
        assert r.json["message"] and r.json["errors"]["files"]["file"]
    assert counts(app) == before


def test_the_upload_is_described_as_multipart_in_the_api_document(client):
    spec = client.get("/api/openapi.json").json
    operation = spec["paths"]["/api/staff/import"]["post"]
    assert not operation.get("parameters")  # no OpenAPI 2 "formData" parameter beside the body
    ref = operation["requestBody"]["content"]["multipart/form-data"]["schema"]["$ref"]
    properties = spec["components"]["schemas"][ref.rsplit("/", 1)[1]]["properties"]
    assert properties["file"]["format"] == "binary"
    assert properties["commit"]["type"] == "boolean"


# --- the check itself, with plain values --------------------------------------------------------

SITE_A, SITE_B = SiteRef(1, "甲大厦", "SA"), SiteRef(2, "乙花园", "SB")
GUARDS, CLEANERS = TeamRef(10, 1, "护卫班"), TeamRef(20, 2, "保洁班")


def person(**overrides) -> Person:
    values = {
        "id": 7,
        "employee_no": "A-1",
        "name": "张三",
        "gender": "male",
        "job": "guard",
        "site_id": 1,
        "team_id": 10,
        "phone": "123",
        "visible": True,
    }
    return Person(**{**values, **overrides})


def plan(rows, header=HEADER, people=()):
    sheet = read_sheet(xlsx(rows, header=header))
    return plan_import(sheet, sites=[SITE_A, SITE_B], teams=[GUARDS, CLEANERS], people=list(people))


def test_an_update_lists_only_what_differs():
    result = plan([["张三", "A-1", "男", "保洁员", "护卫班", "甲大厦", "123"]], people=[person()])
    (row,) = result.rows
    assert (row.action, row.changed, row.staff_id) == ("update", ["job"], 7)
    result = plan([["张三", "A-1", "男", "护卫员", "护卫班", "SA", "123"]], people=[person()])
    assert result.rows[0].action == "unchanged" and result.problems == []


def test_absent_team_and_phone_columns_keep_what_is_stored_unless_the_site_changes():
    header = ["姓名", "工号", "性别", "岗位", "项目"]
    (row,) = plan([["张三", "A-1", "男", "护卫员", "甲大厦"]], header, [person()]).rows
    assert (row.action, row.team, row.phone) == ("unchanged", "护卫班", "123")
    (row,) = plan([["张三", "A-1", "男", "护卫员", "乙花园"]], header, [person()]).rows
    assert (row.action, row.changed, row.team) == ("update", ["site_id", "team_id"], None)
    # An empty cell in a present column clears the team; a new name creates one.
    (row,) = plan([["张三", "A-1", "男", "护卫员", "", "甲大厦", "123"]], people=[person()]).rows
    assert row.changed == ["team_id"] and row.team is None
    result = plan([["张三", "A-1", "男", "护卫员", "二班", "甲大厦", "123"]], people=[person()])
    assert result.rows[0].changed == ["team_id"] and result.new_teams == [(1, "二班")]


def test_a_retired_team_is_a_problem_not_a_second_team():
    sheet = read_sheet(xlsx([["张三", "N-1", "男", "护卫员", "旧班", "甲大厦", ""]]))
    result = plan_import(
        sheet, sites=[SITE_A], teams=[TeamRef(11, 1, "旧班", active=False)], people=[]
    )
    assert where(result.problems) == {(2, "班组")} and result.new_teams == []
    # Someone still in it is not moved, so the same file can be uploaded again.
    result = plan_import(
        sheet,
        sites=[SITE_A],
        teams=[TeamRef(11, 1, "旧班", active=False)],
        people=[person(employee_no="N-1", team_id=11, phone="")],
    )
    assert result.problems == [] and result.rows[0].action == "unchanged"


def test_cells_read_as_typed():
    assert cell_text(1001.0) == "1001"
    assert cell_text(13800138000) == "13800138000"
    assert cell_text("  张三\u3000") == "张三"
    assert cell_text("'=甲") == "=甲"  # the apostrophe the template puts before a formula start
    assert cell_text(None) == ""
