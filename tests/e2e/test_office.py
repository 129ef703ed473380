"""The office screens (HR): the month's records of a site with its grade chart, drill-down to a
person and to the inspections behind a score, the Excel and CSV downloads, and month close with
a confirmation."""

import csv
import io
from datetime import UTC, datetime
from uuid import uuid4

import openpyxl
import pytest

from models.tables.org import Site, Staff
from models.tables.performance import MonthClose
from tests.conftest import PASSWORD
from tests.e2e.conftest import screenshot, sign_in


def this_month(site: Site) -> int:
    local = datetime.now(UTC).astimezone(site.zone)
    return local.year * 100 + local.month


@pytest.fixture(scope="module")
def inspected(live_server):
    """张伟's grooming, inspected this month through the API: one item N/A, the rest passed."""
    client = live_server.app.test_client()
    with live_server.app.app_context():
        site = Site.get(Site.code == "HRZX")
        person = Staff.get(Staff.employee_no == "HRZX-001")
    token = client.post(
        "/api/auth/login", json={"username": "supervisor", "password": PASSWORD}
    ).json["token"]
    headers = {"Authorization": f"Bearer {token}"}
    checklist = client.get(
        f"/api/checklists/grooming-basic?staff_id={person.id}", headers=headers
    ).json
    codes = [i["code"] for s in checklist["sections"] for i in s["items"]]
    response = client.post(
        "/api/inspections",
        headers=headers,
        json={
            "id": str(uuid4()),
            "checklist": "grooming-basic",
            "checklist_version": checklist["version"],
            "staff_id": person.id,
            "inspected_at": datetime.now(UTC).astimezone(site.zone).isoformat(),
            "items": [
                {"code": c, "result": "na" if n == 1 else "pass"} for n, c in enumerate(codes)
            ],
        },
    )
    assert response.status_code == 201, response.json
    return {"site": site, "person": person, "month": this_month(site), "inspection": response.json}


def test_hr_opens_the_month_drills_down_and_downloads_the_workbook(live_server, phone, inspected):
    site, person, month = inspected["site"], inspected["person"], inspected["month"]
    sign_in(phone, "hr")
    phone.locator("a[href='#/office']").click()
    phone.locator("#of-site").select_option(str(site.id))
    row = phone.locator(f"#of-records tr[data-staff-id='{person.id}']")
    row.wait_for()
    assert person.employee_no in row.inner_text() and "100" in row.inner_text()
    assert phone.locator("#of-month").input_value() == f"{month // 100}-{month % 100:02d}"
    # The grade chart is the server's SVG, fetched with the signed-in token.
    phone.wait_for_function(
        "document.querySelector('#of-grade-chart')?.complete && "
        "document.querySelector('#of-grade-chart').naturalWidth > 0"
    )
    screenshot(phone, "office-01-month")

    # The month's workbook: a real .xlsx holding the person's row.
    with phone.expect_download() as download:
        phone.locator("#of-download-xlsx").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    data = download.value.path().read_bytes()
    assert data.startswith(b"PK")  # a zip, as every .xlsx is
    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    rows = [r for ws in workbook.worksheets for r in ws.iter_rows(values_only=True)]
    mine = [r for r in rows if r and r[0] == person.employee_no]
    assert mine and mine[0][1] == person.name and 100 in mine[0]
    workbook.close()
    # And the same as CSV (UTF-8 with BOM for Excel).
    with phone.expect_download() as download:
        phone.locator("#of-download-csv").click()
    assert download.value.suggested_filename.endswith(".csv")
    with open(download.value.path(), encoding="utf-8") as handle:
        text = handle.read()
    assert text.startswith("\ufeff")
    records = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert any(r[0] == person.employee_no and r[1] == person.name for r in records[1:])

    # Drill down: the person, the figure, the inspection behind it.
    row.click()
    phone.locator("#of-person").wait_for()
    assert person.name in phone.locator("#of-person").inner_text()
    assert "100" in phone.locator("[data-component='grooming']").inner_text()
    screenshot(phone, "office-02-person")
    phone.locator("[data-component='grooming']").click()
    trace = phone.locator(f"#of-trace li[data-trace-id='{inspected['inspection']['id']}']")
    trace.wait_for()
    screenshot(phone, "office-03-trace")
    trace.locator("button").click()
    phone.locator("#sv-score").wait_for()
    assert float(phone.locator("#sv-score").inner_text()) == inspected["inspection"]["score"]


def test_month_close_asks_for_confirmation(live_server, phone):
    with live_server.app.app_context():
        site = Site.get(Site.code == "HRZX")
    current = this_month(site)
    year, number = divmod(current, 100)
    previous = (year - 1) * 100 + 12 if number == 1 else current - 1
    sign_in(phone, "hr")
    phone.goto(f"/app/#/office/{site.id}/{previous}")
    phone.locator("#of-records").wait_for()

    phone.locator("#of-close").click()
    confirm = phone.locator("#of-close-confirm")
    assert confirm.is_visible() and site.name in confirm.inner_text()
    phone.locator("#of-close-confirm .of-secondary").click()  # cancel
    assert not confirm.is_visible()
    with live_server.app.app_context():
        assert not MonthClose.select().where(MonthClose.site == site).exists()

    phone.locator("#of-close").click()
    phone.locator("#of-close-yes").click()
    phone.locator("#of-state.of-closed").wait_for()
    assert phone.locator("#of-close").count() == 0
    with live_server.app.app_context():
        assert MonthClose.get(MonthClose.site == site).month == previous

    # The month under way is not offered for closing: the screen says from when it can be.
    phone.locator("#of-month").fill(f"{current // 100}-{current % 100:02d}")
    phone.wait_for_function(f"location.hash.endsWith('/{current}')")
    phone.locator("#of-close-later").wait_for()
    assert phone.locator("#of-close").count() == 0
    assert "结束后才能关闭" in phone.locator("#of-close-later").inner_text()

    # The same screen in English after the switch.
    phone.locator("#lang").click()
    phone.locator("h1.of-title", has_text="Monthly records").wait_for()
    assert "once it is over" in phone.locator("#of-close-later").inner_text()
