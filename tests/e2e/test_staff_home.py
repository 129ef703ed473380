"""Issue 17.7: a cleaner's home screen has her coaching items, to read and acknowledge, and the
rectifications assigned to her, reported done with a photo; each answer from the server is
shown where the action was, and what the server refuses is said as a refusal."""

import io
from datetime import UTC, datetime
from uuid import uuid4

import pytest
from PIL import Image

from models.tables.inspections import CoachingItem, Rectification
from models.tables.org import Area, Staff
from tests.conftest import PASSWORD
from tests.e2e.conftest import accessibility_problems, screenshot, sign_in


def jpeg(shade: int) -> bytes:
    picture = Image.new("RGB", (640, 480), (shade, 110, 70))
    for x in range(0, 640, 40):
        for y in range(480):
            picture.putpixel((x, y), (20, 20, shade))
    data = io.BytesIO()
    picture.save(data, "JPEG", quality=85)
    return data.getvalue()


@pytest.fixture(scope="module")
def work(live_server):
    """Through the API, as the supervisor: 王芳's grooming inspected with one failed item (a
    coaching item for her) and the lobby she cleans with one failed item (a rectification)."""
    client = live_server.app.test_client()
    with live_server.app.app_context():
        person = Staff.get(Staff.employee_no == "HRZX-003")  # 王芳, the demo cleaner
        lobby = Area.get(Area.name == "一楼大堂")
    token = client.post(
        "/api/auth/login", json={"username": "supervisor", "password": PASSWORD}
    ).json["token"]
    headers = {"Authorization": f"Bearer {token}"}

    def photo(shade):
        response = client.post(
            "/api/photos",
            headers=headers,
            data={
                "site_id": lobby.site_id,
                "file": (io.BytesIO(jpeg(shade)), "p.jpg", "image/jpeg"),
            },
        )
        assert response.status_code == 201, response.json
        return response.json["id"]

    def inspect(checklist_code, subject, shade):
        checklist = client.get(
            f"/api/checklists/{checklist_code}",
            query_string=subject,
            headers=headers,
        ).json
        codes = [i["code"] for s in checklist["sections"] for i in s["items"]]
        response = client.post(
            "/api/inspections",
            headers=headers,
            json={
                "id": str(uuid4()),
                "checklist": checklist_code,
                "checklist_version": checklist["version"],
                **subject,
                "inspected_at": datetime.now(UTC).isoformat(),
                "items": [
                    {"code": c, "result": "pass"}
                    if n
                    else {"code": c, "result": "fail", "photo_ids": [photo(shade)]}
                    for n, c in enumerate(codes)
                ],
            },
        )
        assert response.status_code == 201, response.json
        return response.json

    grooming = inspect("grooming-basic", {"staff_id": person.id}, 60)
    cleaning = inspect("cleaning-lobby", {"area_id": lobby.id}, 200)
    (coaching_id,) = grooming["coaching_ids"]
    (rectification_id,) = cleaning["rectification_ids"]
    with live_server.app.app_context():
        assert Rectification.get_by_id(rectification_id).assignee_id == person.id
    return {"coaching": coaching_id, "rectification": rectification_id, "lobby": lobby}


def test_staff_acknowledge_coaching_and_report_a_fix_with_a_photo(phone, live_server, work):
    sign_in(phone, "staff")
    menu = phone.locator(".menu")
    assert "我的辅导事项" in menu.inner_text() and "我的整改任务" in menu.inner_text()
    assert "没有可用的功能" not in phone.locator("main").inner_text()
    screenshot(phone, "staff-01-home")
    assert accessibility_problems(phone) == []

    # Coaching: the standard's words, acknowledged, and the server's time of it shown in place.
    phone.locator(".menu a", has_text="我的辅导事项").click()
    card = phone.locator(f"[data-coaching='{work['coaching']}']")
    card.wait_for()
    assert "按公司要求穿着统一制服" in card.inner_text()
    assert "为什么重要" in card.inner_text()
    screenshot(phone, "staff-02-coaching")
    assert accessibility_problems(phone) == []
    with phone.expect_response("**/acknowledge") as response:
        card.locator("button.ack").click()
    assert response.value.status == 200
    card.locator(".acked", has_text="已确认").wait_for()
    with live_server.app.app_context():
        assert CoachingItem.get_by_id(work["coaching"]).acknowledged_at is not None
    phone.locator("a.back").click()

    # The rectification: no photo yet is said; then a photo of the fix, reported done.
    phone.locator(".menu a", has_text="我的整改任务").click()
    card = phone.locator(f"#rect-todo [data-rectification='{work['rectification']}']")
    card.wait_for()
    assert "一楼大堂" in card.inner_text() and "待整改" in card.inner_text()
    card.locator("button[type=submit]").click()
    card.locator(".answer .error", has_text="请先拍一张整改后的照片。").wait_for()
    with phone.expect_file_chooser() as chooser:
        card.locator(".take-photo").click()
    assert chooser.value.element.get_attribute("capture") == "environment"
    chooser.value.set_files({"name": "fix.jpg", "mimeType": "image/jpeg", "buffer": jpeg(140)})
    card.locator(".photos img").wait_for()
    card.locator("textarea").fill("已重新拖地")
    screenshot(phone, "staff-03-rectification")
    assert accessibility_problems(phone) == []
    with phone.expect_response("**/done") as response:
        card.locator("button[type=submit]").click()
    assert response.value.status == 200
    card.locator(".reported", has_text="已报告完成").wait_for()
    with live_server.app.app_context():
        row = Rectification.get_by_id(work["rectification"])
    assert row.status == "done" and row.done_note == "已重新拖地"
    screenshot(phone, "staff-04-reported")

    # Reloaded from the server: it now waits for the supervisor.
    phone.reload()
    phone.locator(f"#rect-waiting [data-rectification='{work['rectification']}']").wait_for()


def test_a_refusal_is_said_where_the_action_was(phone, live_server, work):
    """The rectification was reported done meanwhile (by another phone): the server's refusal
    is shown on the card, not a success."""
    sign_in(phone, "staff")
    with live_server.app.app_context():
        Rectification.update(status="open").where(
            Rectification.id == work["rectification"]
        ).execute()
    phone.goto("/app/#/my-rectifications")
    card = phone.locator(f"#rect-todo [data-rectification='{work['rectification']}']")
    card.wait_for()
    with live_server.app.app_context():
        Rectification.update(status="verified").where(
            Rectification.id == work["rectification"]
        ).execute()
    with phone.expect_file_chooser() as chooser:
        card.locator(".take-photo").click()
    chooser.value.set_files({"name": "fix.jpg", "mimeType": "image/jpeg", "buffer": jpeg(90)})
    with phone.expect_response("**/done") as response:
        card.locator("button[type=submit]").click()
    assert response.value.status == 409
    card.locator(".answer .server-message").wait_for()
    assert "未成功" in card.locator(".answer").inner_text()
    assert card.locator(".reported").count() == 0
