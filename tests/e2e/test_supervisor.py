"""The supervisor's phone: pick a person, inspect their grooming item by item (pass, fail with a
photo from the rear camera, N/A), submit once however often the button is tapped, and see the
score and grade the server gave."""

import io
from datetime import UTC, datetime
from uuid import uuid4

from PIL import Image

from models.tables.inspections import Inspection, InspectionItem, Rectification
from models.tables.org import Area, Staff
from models.tables.patrols import Anomaly
from models.tables.photos import Photo
from tests.conftest import PASSWORD
from tests.e2e.conftest import screenshot, sign_in


def jpeg() -> bytes:
    picture = Image.new("RGB", (640, 480), (150, 110, 70))
    for x in range(0, 640, 40):  # some structure, so it is not a flat colour
        for y in range(480):
            picture.putpixel((x, y), (20, 20, 20))
    data = io.BytesIO()
    picture.save(data, "JPEG", quality=85)
    return data.getvalue()


def test_grooming_inspection_shows_the_servers_score_and_is_stored_once(live_server, phone):
    with live_server.app.app_context():
        person = Staff.get(Staff.employee_no == "HRZX-001")  # 张伟, a male guard
        before = Inspection.select().where(Inspection.staff == person).count()

    sign_in(phone, "supervisor")
    phone.locator("a[href='#/inspect']").click()
    phone.locator("#sv-staff-search").fill(person.name)
    phone.locator(f"[data-staff-id='{person.id}']").click()
    phone.locator("[data-checklist='grooming-basic']").wait_for()
    # Only the checklists that apply to him: the male grooming list, not the female one.
    assert phone.locator("[data-checklist='grooming-male']").count() == 1
    assert phone.locator("[data-checklist='grooming-female']").count() == 0
    screenshot(phone, "supervisor-01-checklists")

    phone.locator("[data-checklist='grooming-basic']").click()
    items = phone.locator("article[data-item]")
    items.first.wait_for()
    count = items.count()
    assert count >= 4
    first = items.nth(0)
    # The standard's own words: the requirement, the fault and the impression it gives a client.
    assert "按公司要求穿着统一制服" in first.inner_text()
    assert "不专业、不统一" in first.inner_text()
    submit = phone.locator("#sv-submit")
    for index in range(count):
        items.nth(index).locator("[data-result='pass']").click()
    items.nth(1).locator("[data-result='na']").click()
    first.locator("[data-result='fail']").click()
    assert first.locator("[data-result='fail']").get_attribute("aria-pressed") == "true"
    # A failed item wants its photo, taken from the rear camera.
    with phone.expect_file_chooser() as chooser:
        first.locator(".sv-photo-button").click()
    assert chooser.value.element.get_attribute("capture") == "environment"
    chooser.value.set_files({"name": "fault.jpg", "mimeType": "image/jpeg", "buffer": jpeg()})
    first.locator(".sv-photos img").wait_for()
    assert submit.is_enabled()
    screenshot(phone, "supervisor-02-form")

    submit.dblclick()  # a double tap
    score = phone.locator("#sv-score")
    score.wait_for()
    screenshot(phone, "supervisor-03-result")

    with live_server.app.app_context():
        stored = list(Inspection.select().where(Inspection.staff == person))
        assert len(stored) == before + 1
        inspection = max(stored, key=lambda i: i.submitted_at)
        photo = Photo.get(Photo.owner_id == str(inspection.id))
    assert inspection.score is not None and 0 < inspection.score < 100
    assert float(score.get_attribute("data-score")) == inspection.score
    assert float(score.inner_text()) == inspection.score
    assert phone.locator("#sv-grade").get_attribute("data-grade") == inspection.grade
    assert inspection.device_id == phone.evaluate("localStorage.getItem('xj.device')")
    assert photo.device_id == inspection.device_id
    # The page shows what the server stored: the failed item, the N/A one.
    results = phone.locator(".sv-results li")
    assert results.nth(0).get_attribute("class") == "sv-result-fail"
    assert results.nth(1).get_attribute("class") == "sv-result-na"


def test_a_lost_answer_is_resent_with_the_same_id(live_server, phone):
    """The first answer to the submit is lost (500 from a proxy): "submit again" resends the same
    inspection, which the server stores once."""
    with live_server.app.app_context():
        person = Staff.get(Staff.employee_no == "HRZX-002")  # 李强
        before = Inspection.select().where(Inspection.staff == person).count()
    sign_in(phone, "supervisor")
    phone.goto(f"/app/#/inspect-form/staff/{person.id}/grooming-basic")
    items = phone.locator("article[data-item]")
    items.first.wait_for()
    for index in range(items.count()):
        items.nth(index).locator("[data-result='pass']").click()

    sent = []

    def lose_the_first_answer(route):
        sent.append(route.request.post_data_json)
        response = route.fetch()  # the server stores it …
        if len(sent) == 1:
            route.fulfill(status=502, json={"code": 502, "error": "bad_gateway", "message": "x"})
        else:  # … and the retry gets its stored result
            route.fulfill(response=response)

    phone.route("**/api/inspections", lose_the_first_answer)
    submit = phone.locator("#sv-submit")
    submit.click()
    phone.locator("#sv-status.sv-error").wait_for()
    assert submit.inner_text() == "重新提交"
    submit.click()
    phone.locator("#sv-score").wait_for()

    assert len(sent) == 2 and sent[0] == sent[1]
    with live_server.app.app_context():
        stored = Inspection.select().where(Inspection.staff == person)
        assert stored.count() == before + 1
        assert str(stored.order_by(Inspection.submitted_at.desc()).first().id) == sent[0]["id"]
    assert float(phone.locator("#sv-score").inner_text()) == 100.0


def test_the_stopwatch_times_the_id_registration_and_sends_the_seconds(live_server, phone):
    with live_server.app.app_context():
        person = Staff.get(Staff.employee_no == "HRZX-001")
    sign_in(phone, "supervisor")
    phone.goto(f"/app/#/inspect-form/staff/{person.id}/etiquette-standing-guard")
    timed = phone.locator("article[data-item='reg-time']")
    timed.wait_for()
    assert "25" in timed.locator(".sv-timer").inner_text()
    items = phone.locator("article[data-item]")
    for index in range(items.count()):
        items.nth(index).locator("[data-result='pass']").click()
    timed.locator("[data-result='na']").click()

    timed.locator(".sv-stopwatch").click()  # start
    phone.wait_for_timeout(1300)
    timed.locator(".sv-stopwatch").click()  # stop
    shown = float(timed.locator(".sv-clock").inner_text().split()[0])
    assert 1.2 <= shown < 5
    # Within the limit: "pass" is ticked for the supervisor (the server judges it anyway).
    assert timed.locator("[data-result='pass']").get_attribute("aria-pressed") == "true"
    screenshot(phone, "supervisor-04-stopwatch")
    phone.locator("#sv-submit").click()
    phone.locator("#sv-score").wait_for()

    with live_server.app.app_context():
        item = (
            InspectionItem.select()
            .join(Inspection)
            .where((Inspection.staff == person) & (InspectionItem.item_code == "reg-time"))
            .get()
        )
    assert item.measured_seconds == shown and item.result == "pass"
    row = phone.locator(".sv-results li[data-item='reg-time']")
    assert f"{shown:g}" in row.inner_text()


def test_supervisor_verifies_a_reported_rectification(live_server, phone):
    """A failed lobby item opened a rectification; the cleaner reported it done with a photo;
    the supervisor sees both and verifies it with a note."""
    client = live_server.app.test_client()
    with live_server.app.app_context():
        lobby = Area.get(Area.name == "一楼大堂")

    def headers(username):
        token = client.post(
            "/api/auth/login", json={"username": username, "password": PASSWORD}
        ).json["token"]
        return {"Authorization": f"Bearer {token}"}

    def photo(who):
        response = client.post(
            "/api/photos",
            headers=who,
            data={"site_id": lobby.site_id, "file": (io.BytesIO(jpeg()), "p.jpg", "image/jpeg")},
        )
        assert response.status_code == 201, response.json
        return response.json["id"]

    supervisor, cleaner = headers("supervisor"), headers("staff")
    checklist = client.get(
        f"/api/checklists/cleaning-lobby?area_id={lobby.id}", headers=supervisor
    ).json
    codes = [i["code"] for s in checklist["sections"] for i in s["items"]]
    response = client.post(
        "/api/inspections",
        headers=supervisor,
        json={
            "id": str(uuid4()),
            "checklist": "cleaning-lobby",
            "checklist_version": checklist["version"],
            "area_id": lobby.id,
            "inspected_at": datetime.now(UTC).isoformat(),
            "items": [
                {"code": c, "result": "pass"}
                if n
                else {"code": c, "result": "fail", "photo_ids": [photo(supervisor)]}
                for n, c in enumerate(codes)
            ],
        },
    )
    assert response.status_code == 201, response.json
    (rectification_id,) = response.json["rectification_ids"]
    done = client.post(
        f"/api/rectifications/{rectification_id}/done",
        headers=cleaner,
        json={"note": "已重新拖地", "photo_ids": [photo(cleaner)]},
    )
    assert done.status_code == 200, done.json

    sign_in(phone, "supervisor")
    phone.locator("a[href='#/rectifications']").click()
    card = phone.locator(f"#sv-rect-done [data-rectification='{rectification_id}']")
    card.wait_for()
    assert "一楼大堂" in card.inner_text() and "已重新拖地" in card.inner_text()
    card.locator(".sv-photos img[src^='blob:']").wait_for()  # the fix's photo, signed in
    card.locator("textarea").fill("复查干净")
    screenshot(phone, "supervisor-05-rectification")
    card.locator("[data-outcome='verified']").click()
    card.locator(".sv-status", has_text="已验证").wait_for()

    with live_server.app.app_context():
        row = Rectification.get_by_id(rectification_id)
    assert row.status == "verified" and row.verify_note == "复查干净"


def test_supervisor_resolves_an_anomaly_with_a_note(live_server, phone):
    client = live_server.app.test_client()
    with live_server.app.app_context():
        lobby = Area.get(Area.name == "一楼大堂")
    token = client.post("/api/auth/login", json={"username": "guard", "password": PASSWORD}).json[
        "token"
    ]
    reported = client.post(
        "/api/anomalies",
        headers={"Authorization": f"Bearer {token}"},
        json={
            "id": str(uuid4()),
            "site_id": lobby.site_id,
            "area_id": lobby.id,
            "category": "lighting",
            "note": "大堂灯不亮",
        },
    )
    assert reported.status_code == 201, reported.json

    sign_in(phone, "supervisor")
    phone.locator("a[href='#/anomalies']").click()
    card = phone.locator(f"#sv-anom-open [data-anomaly='{reported.json['id']}']")
    card.wait_for()
    assert "照明" in card.inner_text() and "大堂灯不亮" in card.inner_text()
    card.locator("textarea").fill("已换灯管")
    card.locator("[data-status='resolved']").click()
    card.locator(".sv-status", has_text="已保存").wait_for()

    with live_server.app.app_context():
        row = Anomaly.get_by_id(reported.json["id"])
    assert row.status == "resolved" and row.resolution_note == "已换灯管"
