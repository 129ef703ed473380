"""Issue 17, the supervisor's phone tells the truth at once: the submit bar sticks and leads to
what is missing, "all pass" still wants the timed items' seconds, a failed item without its
photo is stopped on the phone with the item named, reused photos are flagged wherever a photo
is shown, places carry their site (and anomalies their checkpoint, reporter and the item's own
words), and an inspection can be started, queued and followed to its score without signal."""

import io
from datetime import UTC, datetime
from uuid import uuid4

import pytest

from models.rules.qr_signing import make_token
from models.tables.org import Area, Site, Staff
from models.tables.patrols import Checkpoint
from models.tables.site_keys import current_key
from tests.conftest import PASSWORD
from tests.e2e.conftest import (
    accessibility_problems,
    screenshot,
    sign_in,
    wait_for_service_worker,
)
from tests.e2e.test_supervisor import jpeg

VIEWPORT_HEIGHT = 740


def in_viewport(page, locator) -> bool:
    box = locator.bounding_box()
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= VIEWPORT_HEIGHT + 1


def no_serious_problems(page):
    problems = accessibility_problems(page)
    assert not problems, problems


class Api:
    """The API as a role, through the live app's test client."""

    def __init__(self, live_server, username):
        self.client = live_server.app.test_client()
        token = self.client.post(
            "/api/auth/login", json={"username": username, "password": PASSWORD}
        ).json["token"]
        self.headers = {"Authorization": f"Bearer {token}"}

    def get(self, url):
        response = self.client.get(url, headers=self.headers)
        assert response.status_code == 200, response.json
        return response.json

    def post(self, url, **kwargs):
        return self.client.post(url, headers=self.headers, **kwargs)

    def photo(self, site_id, data=None):
        response = self.post(
            "/api/photos",
            data={"site_id": site_id, "file": (io.BytesIO(data or jpeg()), "p.jpg", "image/jpeg")},
        )
        assert response.status_code == 201, response.json
        return response.json["id"]


@pytest.fixture(scope="module")
def tower(live_server):
    with live_server.app.app_context():
        return Site.get(Site.code == "HRZX")


# ---------------------------------------------------------------- 3: the bar sticks and leads


def test_the_submit_bar_sticks_and_leads_to_the_first_unanswered_item(live_server, phone):
    with live_server.app.app_context():
        person = Staff.get(Staff.employee_no == "HRZX-005")  # 陈静, service desk
    sign_in(phone, "supervisor")
    phone.goto(f"/app/#/inspect-form/staff/{person.id}/etiquette-conduct")
    items = phone.locator("article[data-item]")
    items.first.wait_for()
    count = items.count()
    assert count >= 30
    bar = phone.locator("#sv-submitbar")
    # At the top of a long list, the bar with the count is on the screen, not at the end.
    phone.evaluate("window.scrollTo(0, 0)")
    assert in_viewport(phone, bar)
    assert str(count) in phone.locator("#sv-left").inner_text()
    for index in range(3):
        items.nth(index).locator("[data-result='pass']").click()
    phone.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    assert in_viewport(phone, bar)
    assert str(count - 3) in phone.locator("#sv-left").inner_text()
    phone.locator("#sv-next").click()
    fourth = items.nth(3)
    assert in_viewport(phone, fourth)
    assert fourth.evaluate("card => card.contains(document.activeElement)")
    screenshot(phone, "truth-supervisor-01-sticky-bar")
    no_serious_problems(phone)


def test_all_pass_still_wants_each_timed_items_seconds(live_server, phone):
    with live_server.app.app_context():
        person = Staff.get(Staff.employee_no == "HRZX-001")  # 张伟, a guard
    sign_in(phone, "supervisor")
    phone.goto(f"/app/#/inspect-form/staff/{person.id}/etiquette-standing-guard")
    timed = phone.locator("article[data-item='reg-time']")
    timed.wait_for()
    phone.locator("#sv-all-pass").click()
    items = phone.locator("article[data-item]")
    for index in range(items.count()):
        card = items.nth(index)
        pressed = card.locator("[data-result='pass']").get_attribute("aria-pressed")
        assert pressed == ("false" if card.get_attribute("data-item") == "reg-time" else "true")
    submit = phone.locator("#sv-submit")
    assert submit.is_disabled()
    assert "1" in phone.locator("#sv-left").inner_text()
    assert "限时项须先计时" in phone.locator("#sv-status").inner_text()
    assert in_viewport(phone, timed)
    screenshot(phone, "truth-supervisor-02-all-pass")
    timed.locator(".sv-stopwatch").click()
    phone.wait_for_timeout(400)
    timed.locator(".sv-stopwatch").click()
    assert submit.is_enabled()


# ---------------------------------------------------------------- 4: no photo, named at once


def test_a_failed_item_without_its_photo_is_stopped_on_the_phone_with_the_item_named(
    live_server, phone
):
    with live_server.app.app_context():
        person = Staff.get(Staff.employee_no == "HRZX-002")  # 李强
    sent = []

    def note(request):
        if request.url.endswith("/api/inspections") and request.method == "POST":
            sent.append(request)

    phone.on("request", note)
    sign_in(phone, "supervisor")
    phone.goto(f"/app/#/inspect-form/staff/{person.id}/grooming-basic")
    card = phone.locator("article[data-item='uniform-clean']")
    card.wait_for()
    phone.locator("#sv-all-pass").click()
    card.locator("[data-result='fail']").click()
    # The bar names the item in the standard's words and leads to it; nothing is sent.
    nudge = phone.locator("#sv-next")
    assert "制服干净、整齐" in nudge.inner_text() and "拍照" in nudge.inner_text()
    submit = phone.locator("#sv-submit")
    assert submit.is_disabled()
    phone.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    nudge.click()
    assert in_viewport(phone, card)
    assert card.evaluate("card => card.contains(document.activeElement)")
    screenshot(phone, "truth-supervisor-03-photo-needed")
    no_serious_problems(phone)
    submit.click(force=True)
    phone.wait_for_timeout(300)
    assert sent == []
    # With the photo, it goes.
    with phone.expect_file_chooser() as chooser:
        card.locator(".sv-photo-button").click()
    chooser.value.set_files({"name": "f.jpg", "mimeType": "image/jpeg", "buffer": jpeg()})
    card.locator(".sv-photos img").wait_for()
    assert submit.is_enabled()
    submit.click()
    phone.locator("#sv-score").wait_for()
    # The grade and the pass mark are named so that they cannot read as a contradiction.
    grade = phone.locator("#sv-grade").inner_text()
    assert "分及以上" in grade and "合格" not in grade
    assert "达标线" in phone.locator("#sv-passed").inner_text()
    assert len(sent) == 1


# ---------------------------------------------------------------- 5: reused photos flagged


def test_a_reused_photo_is_flagged_on_the_result_anomaly_rectification_and_hr_drill_down(
    live_server, phone, browser, tower
):
    with live_server.app.app_context():
        lobby = Area.get((Area.name == "一楼大堂") & (Area.site == tower))
    supervisor, guard, cleaner = (
        Api(live_server, "supervisor"),
        Api(live_server, "guard"),
        Api(live_server, "staff"),
    )
    same = jpeg()
    supervisor.photo(tower.id, same)  # the first time: evidence of nothing yet
    reused = supervisor.photo(tower.id, same)
    assert supervisor.get(f"/api/photos/{reused}")["reused"] is True
    checklist = supervisor.get(f"/api/checklists/cleaning-lobby?area_id={lobby.id}")
    codes = [i["code"] for s in checklist["sections"] for i in s["items"]]
    response = supervisor.post(
        "/api/inspections",
        json={
            "id": str(uuid4()),
            "checklist": "cleaning-lobby",
            "checklist_version": checklist["version"],
            "area_id": lobby.id,
            "inspected_at": datetime.now(UTC).isoformat(),
            "items": [
                {"code": c, "result": "fail", "photo_ids": [reused]}
                if n == 0
                else {"code": c, "result": "pass"}
                for n, c in enumerate(codes)
            ],
        },
    )
    assert response.status_code == 201, response.json
    inspection_id = response.json["id"]
    (rectification_id,) = response.json["rectification_ids"]
    done = cleaner.post(
        f"/api/rectifications/{rectification_id}/done",
        json={"note": "已处理", "photo_ids": [cleaner.photo(tower.id, same)]},
    )
    assert done.status_code == 200, done.json
    anomaly = guard.post(
        "/api/anomalies",
        json={
            "id": str(uuid4()),
            "site_id": tower.id,
            "area_id": lobby.id,
            "category": "water_leak",
            "note": "大堂漏水",
            "photo_ids": [guard.photo(tower.id, same)],
        },
    )
    assert anomaly.status_code == 201, anomaly.json

    sign_in(phone, "supervisor")
    phone.goto(f"/app/#/inspection/{inspection_id}")
    failed = phone.locator(f".sv-results li[data-item='{codes[0]}']")
    failed.locator(".sv-reused").wait_for()
    assert "疑似重复使用" in failed.inner_text()
    screenshot(phone, "truth-supervisor-04-reused-result")
    no_serious_problems(phone)

    phone.goto("/app/#/rectifications")
    card = phone.locator(f"[data-rectification='{rectification_id}']")
    card.locator(".sv-reused").wait_for()
    phone.goto("/app/#/anomalies")
    card = phone.locator(f"[data-anomaly='{anomaly.json['id']}']")
    card.locator(".sv-reused").wait_for()
    screenshot(phone, "truth-supervisor-05-reused-anomaly")
    no_serious_problems(phone)

    # HR, drilling down to the inspection behind a figure, sees the flag too.
    phone.evaluate("localStorage.removeItem('xj.session')")
    phone.goto("/app/")
    sign_in(phone, "hr")
    phone.goto(f"/app/#/inspection/{inspection_id}")
    phone.locator(f".sv-results li[data-item='{codes[0]}'] .sv-reused").wait_for()


# ---------------------------------------------------------------- 6: which site, where, who


def test_places_carry_their_site_and_anomalies_their_checkpoint_reporter_and_words(
    live_server, phone, tower
):
    with live_server.app.app_context():
        key = current_key(tower.id)
        garage = (
            Checkpoint.select()
            .where((Checkpoint.site == tower) & (Checkpoint.checklist == "checkpoint-general"))
            .order_by(Checkpoint.id)
            .first()
        )
        token = make_token("c", tower.id, garage.id, key.version, bytes.fromhex(key.secret))
        lobby = Area.get((Area.name == "一楼大堂") & (Area.site == tower))
    guard = Api(live_server, "guard")
    checklist = guard.get("/api/checklists/checkpoint-general")
    codes = [i["code"] for s in checklist["sections"] for i in s["items"]]
    scan = guard.post(
        "/api/scans",
        json={
            "id": str(uuid4()),
            "payload": token,
            "device_at": datetime.now(UTC).isoformat(),
            "device_id": "phone-truth",
            "answers": [
                {"code": c, "result": "fail" if c == "area-safe" else "pass", "note": "有可疑包裹"}
                for c in codes
            ],
        },
    )
    assert scan.status_code == 201, scan.json

    sign_in(phone, "supervisor")
    phone.goto("/app/#/inspect")
    area = phone.locator(f"#sv-areas [data-area-id='{lobby.id}']")
    area.wait_for()
    assert tower.name in area.inner_text()
    # Every area says its site (the supervisor has three).
    rows = phone.locator("#sv-areas [data-area-id]")
    assert all(rows.nth(n).locator(".sv-site").count() == 1 for n in range(rows.count()))
    screenshot(phone, "truth-supervisor-06-areas-with-sites")
    no_serious_problems(phone)

    phone.goto("/app/#/anomalies")
    card = phone.locator("#sv-anom-open article[data-anomaly]", has_text=garage.name).first
    card.wait_for()
    text = card.inner_text()
    assert tower.name in text and garage.name in text
    assert "护卫员 张伟" in text  # who reported it
    assert "发现可疑人员、可疑物品或安全隐患" in text  # the item's own words …
    assert "area-safe" not in text  # … never its code
    assert "有可疑包裹" in text
    # 标记已处理 is readable: white on green, not white on light grey.
    colours = card.locator("[data-status='resolved']").evaluate(
        "b => [getComputedStyle(b).color, getComputedStyle(b).backgroundColor]"
    )
    assert colours == ["rgb(255, 255, 255)", "rgb(11, 93, 59)"]
    screenshot(phone, "truth-supervisor-07-anomaly")
    no_serious_problems(phone)

    phone.goto("/app/#/rectifications")
    phone.locator("#sv-rect-open article, #sv-rect-open p").first.wait_for()
    places = phone.locator("article[data-rectification] .sv-place")
    for n in range(places.count()):
        assert " · " in places.nth(n).inner_text()  # site · area
    screenshot(phone, "truth-supervisor-12-rectifications")
    no_serious_problems(phone)


# ---------------------------------------------------------------- 8: start without signal


def test_the_supervisor_starts_an_inspection_without_signal_and_sees_its_score_once_sent(
    live_server, phone, tower
):
    with live_server.app.app_context():
        person = Staff.get(Staff.employee_no == "HRZX-007")  # 赵磊
        lobby = Area.get((Area.name == "一楼大堂") & (Area.site == tower))
    sign_in(phone, "supervisor")
    wait_for_service_worker(phone)
    phone.goto("/app/#/inspect")
    phone.locator("#sv-offline-ready[data-ready='true']").wait_for()

    phone.context.set_offline(True)
    phone.reload()
    # A list that cannot load says so; it never claims something was saved.
    phone.goto("/app/#/rectifications")
    error = phone.locator("#sv-rect-done .sv-error")
    error.wait_for()
    assert "没有信号" in error.inner_text() and "已保存" not in error.inner_text()

    phone.goto("/app/#/inspect")
    phone.locator(f"#sv-areas [data-area-id='{lobby.id}']").wait_for()
    phone.locator("#sv-staff-search").fill(person.name)
    phone.locator(f"[data-staff-id='{person.id}']").click()
    phone.locator("[data-checklist='grooming-basic']").click()
    phone.locator("article[data-item]").first.wait_for()
    phone.locator("#sv-all-pass").click()
    screenshot(phone, "truth-supervisor-08-offline-form")
    phone.locator("#sv-submit").click()
    queued = phone.locator("#sv-queued li[data-queued]").first
    queued.wait_for()
    assert person.name in queued.inner_text() and "等待发送" in queued.inner_text()
    inspection_id = queued.get_attribute("data-queued")
    screenshot(phone, "truth-supervisor-09-queued")

    phone.context.set_offline(False)
    phone.evaluate("window.dispatchEvent(new Event('online'))")
    phone.locator(f"#sv-queued li[data-queued='{inspection_id}']", has_text="得分 100").wait_for(
        timeout=30_000
    )
    screenshot(phone, "truth-supervisor-10-sent-score")
    no_serious_problems(phone)
    phone.locator(f"#sv-queued li[data-queued='{inspection_id}'] button").click()
    phone.locator("#sv-score").wait_for()
    assert float(phone.locator("#sv-score").inner_text()) == 100


# ---------------------------------------------------------------- 9: smaller things


def test_back_buttons_and_english_checklist_titles(live_server, phone):
    with live_server.app.app_context():
        person = Staff.get(Staff.employee_no == "HRZX-001")
    sign_in(phone, "supervisor")
    phone.goto("/app/#/inspect")
    phone.locator("#sv-staff-search").fill(person.name)
    phone.locator(f"[data-staff-id='{person.id}']").click()
    phone.locator("[data-checklist='grooming-basic']").wait_for()
    phone.locator(".sv-back").click()
    phone.locator("#sv-staff-search").wait_for()
    phone.locator(".sv-back").click()
    phone.wait_for_function("location.hash === '' || location.hash === '#/'")
    phone.locator("#lang").click()
    phone.goto(f"/app/#/checklists/staff/{person.id}")
    basic = phone.locator("[data-checklist='grooming-basic']")
    basic.wait_for()
    assert "Basic appearance" in basic.inner_text()
    screenshot(phone, "truth-supervisor-11-english-lists")
    no_serious_problems(phone)
