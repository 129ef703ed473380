"""Monthly records for HR through the API: components and weights, missing data, month close
with late inspections and audited corrections, exports read back, charts, site walls."""

import io
import uuid
import xml.etree.ElementTree as ET
from collections import Counter
from datetime import UTC, timedelta

import pytest
from openpyxl import load_workbook

from models import utcnow
from models.tables.org import Staff, StaffArea
from models.tables.patrols import Checkpoint, Round, Route, Schedule
from tests.test_inspections import answers_for, form, make_photo

LAST_MONTH_AT = utcnow() - timedelta(days=40)
SVG = "{http://www.w3.org/2000/svg}"


def month_of(moment, world):
    local = moment.replace(tzinfo=UTC).astimezone(world.site_a.zone)
    return local.year * 100 + local.month


def inspect(world, code, at, fail=(), photos=(), **subject):
    checklist = form(world, code, **subject)
    items = answers_for(checklist, fail=set(fail))
    for a in items:
        if a["code"] in fail:
            a["photo_ids"] = list(photos)
    body = {
        "id": str(uuid.uuid4()),
        "checklist": code,
        "checklist_version": checklist["version"],
        "inspected_at": at.replace(tzinfo=UTC).isoformat(),
        "items": items,
        **subject,
    }
    r = world.client.post("/api/inspections", headers=world.headers("supervisor"), json=body)
    assert r.status_code == 201, r.json
    return r.json


@pytest.fixture
def month(app, world):
    """Last month at site A: a guard with grooming, etiquette and patrol; a cleaner with an area."""
    app.config["INSPECTION_MAX_AGE_DAYS"] = 90
    at = LAST_MONTH_AT
    guard = world.staff_a
    with app.app_context():
        cleaner = Staff.create(
            employee_no="A-2",
            name="王洁",
            gender="female",
            job="cleaner",
            site=world.site_a,
            team=world.team_a,
        )
        StaffArea.create(staff=cleaner, area=world.area_a)
        Staff.create(
            employee_no="A-3", name="无数据", gender="male", job="guard", site=world.site_a
        )
        checkpoint = Checkpoint.create(
            site=world.site_a, area=world.area_a, name="1号点", code="SA-C-1"
        )
        route = Route.create(site=world.site_a, name="夜巡")
        schedule = Schedule.create(
            site=world.site_a,
            route=route,
            name="夜巡",
            start_time=at.time(),
            end_time=at.time(),
            every_minutes=60,
        )
        for n, status in enumerate(["complete", "complete", "complete", "missed"]):
            start = at - timedelta(hours=n + 1)
            Round.create(
                site=world.site_a,
                schedule=schedule,
                route=route,
                stops=[[checkpoint.id, 0]],
                start_grace_minutes=10,
                starts_at=start,
                ends_at=start + timedelta(hours=1),
                month=month_of(at, world),
                guard=guard,
                status=status,
                judged_at=at,
            )
    grooming = inspect(world, "grooming-basic", at, staff_id=guard.id)
    phrases = form(world, "etiquette-phrases", staff_id=guard.id)
    first = phrases["sections"][0]["items"][0]["code"]
    etiquette = inspect(world, "etiquette-phrases", at, fail={first}, staff_id=guard.id)
    lobby = inspect(world, "cleaning-lobby", at, area_id=world.area_a.id)
    return {
        "month": month_of(at, world),
        "guard": guard,
        "cleaner": cleaner,
        "grooming": grooming,
        "etiquette": etiquette,
        "lobby": lobby,
    }


def records(world, month, role="hr"):
    r = world.client.get(
        f"/api/monthly/records?site_id={world.site_a.id}&month={month}", headers=world.headers(role)
    )
    assert r.status_code == 200, r.json
    return {rec["employee_no"]: rec for rec in r.json}


def test_records_follow_the_weights_of_each_role(app, world, month):
    rows = records(world, month["month"])
    guard = rows["A-1"]
    assert guard["grooming_score"] == 100 and guard["grooming_count"] == 1
    assert guard["etiquette_score"] == month["etiquette"]["score"] and guard["etiquette_count"] == 1
    assert guard["patrol_completion"] == 75.0 and guard["patrol_rounds"] == 4
    expected = round((30 * 100 + 30 * month["etiquette"]["score"] + 40 * 75) / 100, 1)
    assert guard["composite"] == expected
    cleaner = rows["A-2"]
    assert cleaner["area_score"] == month["lobby"]["score"] and cleaner["area_count"] == 1
    assert cleaner["grooming_score"] is None and cleaner["composite"] == month["lobby"]["score"]
    nobody = rows["A-3"]
    assert (nobody["composite"], nobody["grade"], nobody["passed"]) == (None, None, None)


def test_summary_has_pass_rate_worst_items_and_stars(app, world, month):
    summary = world.client.get(
        f"/api/monthly/summary?month={month['month']}&site_id={world.site_a.id}",
        headers=world.headers("hr"),
    ).json
    site = summary["sites"][0]
    assert site["staff"] == 3 and site["scored"] == 2
    assert site["pass_rate"] == round(100 * site["passed"] / 2, 1)
    assert summary["worst_items"][0]["fails"] == 1 and summary["worst_items"][0]["requirement"]


def test_trace_lists_what_a_figure_came_from(app, world, month):
    r = world.client.get(
        f"/api/monthly/trace?staff_id={month['guard'].id}&month={month['month']}&component=patrol",
        headers=world.headers("hr"),
    )
    assert [t["status"] for t in r.json] == ["missed", "complete", "complete", "complete"]
    r = world.client.get(
        f"/api/monthly/trace?staff_id={month['guard'].id}&month={month['month']}"
        "&component=grooming",
        headers=world.headers("hr"),
    )
    assert [t["id"] for t in r.json] == [month["grooming"]["id"]]


def test_close_then_late_inspection_goes_to_the_next_month(app, world, month):
    before = records(world, month["month"])["A-1"]
    r = world.client.post(
        "/api/monthly/close",
        headers=world.headers("hr"),
        json={"site_id": world.site_a.id, "month": month["month"]},
    )
    assert r.status_code == 201 and r.json["records"] == 3
    again = world.client.post(
        "/api/monthly/close",
        headers=world.headers("hr"),
        json={"site_id": world.site_a.id, "month": month["month"]},
    )
    assert again.status_code == 409
    late = inspect(
        world,
        "grooming-basic",
        LAST_MONTH_AT + timedelta(hours=1),
        fail={"uniform-standard"},
        photos=[make_photo(app, world)],
        staff_id=month["guard"].id,
    )
    next_month = month_of(utcnow(), world)
    assert late["month"] != month["month"]
    frozen = records(world, month["month"])["A-1"]
    assert frozen["closed"] is True and frozen["grooming_score"] == before["grooming_score"]
    assert frozen["composite"] == before["composite"]
    assert late["month"] == next_month or late["month"] > month["month"]


def test_a_correction_to_a_closed_month_is_audited(app, world, month):
    world.client.post(
        "/api/monthly/close",
        headers=world.headers("hr"),
        json={"site_id": world.site_a.id, "month": month["month"]},
    )
    before = records(world, month["month"])["A-1"]
    r = world.client.post(
        "/api/monthly/adjustments",
        headers=world.headers("hr"),
        json={
            "site_id": world.site_a.id,
            "month": month["month"],
            "staff_id": month["guard"].id,
            "field": "patrol_completion",
            "value": 100,
            "reason": "设备故障，巡更记录补录",
        },
    )
    assert r.status_code == 201, r.json
    assert r.json["patrol_completion"] == 100 and r.json["composite"] > before["composite"]
    log = world.client.get(
        f"/api/monthly/adjustments?site_id={world.site_a.id}&month={month['month']}",
        headers=world.headers("hr"),
    ).json
    fields = {a["field"]: a for a in log}
    assert (
        fields["patrol_completion"]["before"] == 75.0
        and fields["patrol_completion"]["after"] == 100
    )
    assert fields["composite"]["before"] == before["composite"]
    assert fields["patrol_completion"]["made_by_id"] == world.users["hr"].id
    audit = world.client.get(
        "/api/audit?entity=monthly_record", headers=world.headers("admin")
    ).json
    assert audit[0]["reason"] == "设备故障，巡更记录补录"
    # An open month is not adjusted: it changes with its inspections.
    r = world.client.post(
        "/api/monthly/adjustments",
        headers=world.headers("hr"),
        json={
            "site_id": world.site_a.id,
            "month": month_of(utcnow(), world),
            "staff_id": month["guard"].id,
            "field": "grooming_score",
            "value": 50,
            "reason": "x",
        },
    )
    assert r.status_code == 422


def test_the_workbook_read_back_cell_by_cell(app, world, month):
    with world.client.get(
        f"/api/monthly/export.xlsx?month={month['month']}", headers=world.headers("hr")
    ) as r:
        assert r.status_code == 200
        book = load_workbook(io.BytesIO(r.data))
    assert book.sheetnames[0] in ("汇总", "Summary") and len(book.sheetnames) == 2
    sheet = book[book.sheetnames[1]]
    header = [c.value for c in sheet[1]]
    assert header[:2] == ["工号", "姓名"] and "综合得分" in header and sheet.freeze_panes == "A2"
    rows = {row[0].value: row for row in sheet.iter_rows(min_row=2)}
    guard = rows["A-1"]
    expected = records(world, month["month"])["A-1"]
    assert guard[header.index("综合得分")].value == expected["composite"]
    assert guard[header.index("仪容仪表得分")].data_type == "n"
    assert guard[header.index("巡更完成率(%)")].value == 75
    assert rows["A-3"][header.index("综合得分")].value is None


def test_csv_export_streams_in_chinese(app, world, month):
    r = world.client.get(
        f"/api/monthly/export.csv?month={month['month']}&site_id={world.site_a.id}",
        headers=world.headers("hr"),
    )
    text = r.get_data(as_text=True)
    assert text.startswith("\ufeff工号") and "A-1" in text


def test_hr_of_site_a_cannot_export_site_b(app, world, month):
    r = world.client.get(
        f"/api/monthly/export.xlsx?month={month['month']}&site_id={world.site_b.id}",
        headers=world.headers("hr"),
    )
    assert r.status_code == 404
    with world.client.get(
        f"/api/monthly/export.xlsx?month={month['month']}", headers=world.headers("hr")
    ) as r:
        book = load_workbook(io.BytesIO(r.data))
    assert all("乙" not in name for name in book.sheetnames)
    r = world.client.get(
        f"/api/monthly/records?site_id={world.site_b.id}&month={month['month']}",
        headers=world.headers("hr"),
    )
    assert r.status_code == 404


def chart(world, url) -> ET.Element:
    r = world.client.get(url, headers=world.headers("hr"))
    assert r.status_code == 200 and r.mimetype == "image/svg+xml", url
    return ET.fromstring(r.data)


def dots(root: ET.Element) -> list[str]:
    """The tooltip of each month's dot on a trend chart: "YYYY-MM: score"."""
    return ["".join(t.itertext()) for c in root.iter(f"{SVG}circle") for t in c.iter(f"{SVG}title")]


def test_charts_draw_the_months_records(app, world, month):
    rows = records(world, month["month"])
    label = f"{month['month'] // 100}-{month['month'] % 100:02d}"
    # A person's trend: one dot, last month's composite (the 11 months before have none).
    staff = chart(
        world, f"/api/monthly/charts/staff/{month['guard'].id}.svg?month={month['month']}"
    )
    assert dots(staff) == [f"{label}: {rows['A-1']['composite']:.1f}"]
    # A team's trend: its one member (the cleaner) makes its average.
    team = chart(world, f"/api/monthly/charts/team/{world.team_a.id}.svg?month={month['month']}")
    assert dots(team) == [f"{label}: {rows['A-2']['composite']:.1f}"]
    # The site's grades: one bar per grade, as high as the number of people with that grade.
    grades = chart(
        world, f"/api/monthly/charts/grades.svg?site_id={world.site_a.id}&month={month['month']}"
    )
    counts = {
        bar.get("data-grade"): int(
            "".join(bar.find(f"{SVG}title").itertext()).split(": ")[1].split()[0]
        )
        for bar in grades.iter(f"{SVG}rect")
        if bar.get("class") == "bar"
    }
    expected = Counter(r["grade"] for r in rows.values() if r["grade"])
    assert counts == {grade: expected.get(grade, 0) for grade in "ABCDE"}
    assert sum(counts.values()) == 2  # the guard and the cleaner; the one without data has none


def test_quarter_grades(app, world, month):
    year, number = divmod(month["month"], 100)
    quarter = (number - 1) // 3 + 1
    r = world.client.get(
        f"/api/monthly/quarter?site_id={world.site_a.id}&year={year}&quarter={quarter}",
        headers=world.headers("hr"),
    )
    person = next(p for p in r.json["people"] if p["employee_no"] == "A-1")
    assert person["score"] == records(world, month["month"])["A-1"]["composite"]
    assert person["grade"] in "ABCDE"


def test_records_keep_the_team(app, world, month):
    rows = records(world, month["month"])
    assert rows["A-2"]["team_id"] == world.team_a.id and rows["A-2"]["team"] == world.team_a.name
    assert rows["A-2"]["name"] == "王洁" and rows["A-1"]["name"] == "张三"
    world.client.post(
        "/api/monthly/close",
        headers=world.headers("hr"),
        json={"site_id": world.site_a.id, "month": month["month"]},
    )
    frozen = records(world, month["month"])
    assert (
        frozen["A-2"]["team_id"] == world.team_a.id
        and frozen["A-2"]["staff_id"] == month["cleaner"].id
    )
