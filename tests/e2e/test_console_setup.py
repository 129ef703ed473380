"""A company sets itself up with the office console alone, from an empty database with one
administrator: a site with two areas and four checkpoints, a route and a schedule, a guard and
a manager imported from an Excel file, their accounts, the label sheet printed (its QR codes
decoded by a real decoder), then the guard scans a label in the phone app and the live board
shows the round's progress.

Every request of the setup is made by the browser; the test itself only reads the database
to check what the screens said.
"""

import re
from datetime import UTC, datetime, timedelta

import openpyxl
import pypdfium2
import pytest
import zxingcpp

from api.security import hash_password
from models.rules.qr_signing import parse_token
from models.tables.accounts import User
from models.tables.audit import AuditEntry
from models.tables.org import Area, Site, Staff
from models.tables.patrols import Checkpoint, Route, Scan, Schedule
from tests.conftest import PASSWORD
from tests.e2e.conftest import (
    DESKTOP,
    PHONE,
    accessibility_problems,
    fresh_app,
    page_in,
    screenshot,
    serving,
    sign_in,
)
from tests.e2e.test_console_shell import console_sign_in

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def empty_company(tmp_path_factory):
    """A new installation: no site, no staff, one administrator."""
    app = fresh_app(tmp_path_factory)
    with app.app_context():
        User.create(username="boss", role="admin", password_hash=hash_password(PASSWORD))
    with serving(app) as server:
        yield server


def staff_workbook(path, site_code: str):
    """HR's spreadsheet, as the template asks for it."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["姓名", "工号", "性别", "岗位", "班组", "项目"])
    sheet.append(["赵刚", "G-001", "男", "护卫员", "护卫一班", site_code])
    sheet.append(["钱敏", "M-001", "女", "管理人员", "", site_code])
    book.save(path)
    return path


def decode_pdf(data: bytes) -> list[str]:
    """Every QR code on every page of a PDF, rendered at 200 dpi and read by zxing-cpp."""
    found = []
    document = pypdfium2.PdfDocument(data)
    for page in document:
        image = page.render(scale=200 / 72).to_pil().convert("L")
        found += [
            b.text for b in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
        ]
    return sorted(found)


def submit(page, form_id: str, answer_id: str, expect: str | re.Pattern):
    """Send a form and wait until the place beside it says what the server answered."""
    page.locator(f"#{form_id} button[type=submit]").click()
    answer = page.locator(f"#{answer_id}")
    answer.filter(has_text=expect).wait_for()
    assert "error" not in (answer.get_attribute("class") or ""), answer.inner_text()


def accessible(page, name: str) -> None:
    screenshot(page, name)
    problems = accessibility_problems(page)
    assert problems == [], f"{name}: {problems}"


def test_a_company_sets_itself_up_in_the_console_and_the_board_shows_a_guards_scan(
    browser, empty_company, tmp_path
):
    app = empty_company.app
    with page_in(browser, empty_company, DESKTOP) as page:
        console_sign_in(page, "boss")

        # 1. The site.
        page.goto("/console/#/sites")
        form = page.locator("#site-form")
        form.locator("[name=name]").fill("星河湾花园")
        form.locator("[name=code]").fill("XHW")
        form.locator("[name=site_type]").select_option("residential")
        submit(page, "site-form", "site-answer", "星河湾花园")
        page.locator("#site-list tr[data-id]").first.wait_for()
        accessible(page, "console-10-sites")
        with app.app_context():
            site = Site.get(Site.code == "XHW")
        assert site.site_type == "residential"

        # 2. Two areas.
        page.goto(f"/console/#/site/{site.id}/areas")
        for name, kind in (("1号楼大堂", "lobby"), ("地下车库", "garage")):
            form = page.locator("#area-form")
            form.locator("[name=name]").fill(name)
            form.locator("[name=area_type]").select_option(kind)
            submit(page, "area-form", "area-answer", name)
        page.locator("#area-list tr[data-id]").nth(1).wait_for()
        accessible(page, "console-11-areas")
        with app.app_context():
            areas = {a.name: a for a in Area.select().where(Area.site == site)}
        assert sorted(areas) == ["1号楼大堂", "地下车库"]

        # 3. Four checkpoints, two in each area.
        page.goto("/console/#/checkpoints")
        page.locator("#checkpoint-form").wait_for()
        for area_name, name in (
            ("1号楼大堂", "大堂东门"),
            ("1号楼大堂", "大堂消防栓"),
            ("地下车库", "车库入口"),
            ("地下车库", "车库配电房"),
        ):
            form = page.locator("#checkpoint-form")
            form.locator("[name=area_id]").select_option(str(areas[area_name].id))
            form.locator("[name=name]").fill(name)
            submit(page, "checkpoint-form", "checkpoint-answer", name)
        with app.app_context():
            checkpoints = list(
                Checkpoint.select().where(Checkpoint.site == site).order_by(Checkpoint.id)
            )
        assert [c.name for c in checkpoints] == ["大堂东门", "大堂消防栓", "车库入口", "车库配电房"]
        page.locator(f"#checkpoint-{checkpoints[3].id}").wait_for()
        accessible(page, "console-12-checkpoints")

        # 4. The label sheet of the site: its QR codes decode to the checkpoints' codes.
        with page.expect_download() as download:
            page.locator("#print-site-sheet").click()
        pdf = download.value.path().read_bytes()
        assert pdf.startswith(b"%PDF")
        urls = decode_pdf(pdf)
        assert len(urls) == 4
        tokens = [url.rsplit("/s/", 1)[1] for url in urls]
        assert sorted(parse_token(token).object_id for token in tokens) == sorted(
            c.id for c in checkpoints
        )

        # 5. A route through the four, in order.
        page.goto("/console/#/routes")
        page.locator("#new-route").click()
        form = page.locator("#route-form")
        form.locator("[name=name]").fill("夜间全区")
        for checkpoint in checkpoints:
            page.locator("#route-add-checkpoint").select_option(str(checkpoint.id))
            page.locator("#add-stop").click()
        submit(page, "route-form", "route-answer", "夜间全区")
        accessible(page, "console-13-routes")
        with app.app_context():
            route = Route.get(Route.site == site)

        # 6. A schedule whose first round starts at the next minute, previewed before saving.
        local_now = datetime.now(UTC).astimezone(site.zone)
        start = (local_now + timedelta(minutes=1)).replace(second=0, microsecond=0)
        page.goto("/console/#/schedules")
        page.locator("#new-schedule").click()
        form = page.locator("#schedule-form")
        form.locator("[name=name]").fill("全天巡更")
        form.locator("[name=route_id]").select_option(str(route.id))
        form.locator("[name=start_time]").fill(start.strftime("%H:%M"))
        form.locator("[name=end_time]").fill((start - timedelta(minutes=1)).strftime("%H:%M"))
        form.locator("[name=every_minutes]").fill("240")
        form.locator("[name=duration_minutes]").fill("60")
        page.locator("#schedule-preview").click()
        page.locator("#schedule-preview-list li").first.wait_for()
        assert start.strftime("%H:%M") in page.locator("#schedule-preview-list").inner_text()
        with app.app_context():
            assert Schedule.select().count() == 0  # a preview stores nothing
        submit(page, "schedule-form", "schedule-answer", "全天巡更")
        accessible(page, "console-14-schedules")

        # 7. The guard and the manager from HR's spreadsheet: preview, then import.
        page.goto("/console/#/staff-import")
        page.locator("#staff-import-file").set_input_files(
            staff_workbook(tmp_path / "staff.xlsx", "XHW")
        )
        page.locator("#staff-import-preview").click()
        page.locator("#staff-import-rows tr[data-row]").nth(1).wait_for()
        with app.app_context():
            assert Staff.select().count() == 0  # the preview stores nothing
        accessible(page, "console-15-import-preview")
        page.locator("#staff-import-commit").click()
        page.locator("#staff-import-answer", has_text="已导入：新增 2 人").wait_for()
        with app.app_context():
            people = {s.employee_no: s for s in Staff.select()}
        assert sorted(people) == ["G-001", "M-001"]
        assert people["G-001"].job == "guard" and people["M-001"].job == "manager"

        # 8. The guard's account, linked to the site and to the imported person.
        page.goto("/console/#/users")
        page.locator("#user-add").click()
        form = page.locator("#user-form")
        form.locator("[name=username]").fill("zhaogang")
        form.locator("[name=password]").fill(PASSWORD)
        form.locator("[name=role]").select_option("guard")
        form.locator(f"#user-site-{site.id}").check()
        form.locator("[name=staff_id]").select_option(str(people["G-001"].id))
        submit(page, "user-form", "user-answer", "zhaogang")
        accessible(page, "console-16-users")

    # 9. The guard scans the first label with the phone's camera app, at the round's start.
    wait = (start - datetime.now(UTC).astimezone(site.zone)).total_seconds()
    with page_in(browser, empty_company, PHONE) as phone:
        sign_in(phone, "zhaogang")
        if wait > 0:
            phone.wait_for_timeout((wait + 1) * 1000)
        phone.goto(urls[0].replace(urls[0].split("/s/")[0], empty_company.url))
        phone.locator(".scan-form").wait_for()
        phone.locator(".scan-form button[type=submit]").click()
        phone.locator(".screen-guard").wait_for()
        phone.locator("#outbox[data-pending='0'][data-refused='0']").wait_for()
        with app.app_context():
            scans = list(Scan.select())
        assert len(scans) == 1 and scans[0].round_id is not None

    # 10. The board shows the round under way with one of four checkpoints.
    with page_in(browser, empty_company, DESKTOP) as page:
        console_sign_in(page, "boss")
        page.goto("/console/#/board")
        round_row = page.locator("#board-rounds [data-id]").first
        round_row.wait_for()
        assert "1/4" in round_row.inner_text().replace(" ", "")
        accessible(page, "console-17-board")

    with app.app_context():
        # Every change of the setup is in the audit log, made by the administrator.
        created = AuditEntry.select().where(
            (AuditEntry.entity == "checkpoint") & (AuditEntry.action == "create")
        )
        assert sorted(int(e.entity_id) for e in created) == sorted(c.id for c in checkpoints)
