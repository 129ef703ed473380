"""Issue 20 on the phone: a guard's report says the promise the server gave it (an urgent one
answered within the hour), the shift hand-over 交接班 lists every open follow-up with its clock
and the incoming one takes over, and the supervisor's follow-ups show each one's clock. Each
check is against the server's answer or the database."""

from datetime import timedelta
from uuid import uuid4

import pytest

from models import utcnow
from models.tables.accounts import User
from models.tables.org import Post, Site
from models.tables.patrols import Anomaly, Handover
from tests.conftest import PASSWORD
from tests.e2e.conftest import PHONE, accessibility_problems, page_in, screenshot, sign_in


def api_as(live_server, username: str):
    """A test client and the headers of a signed-in account."""
    client = live_server.app.test_client()
    login = client.post("/api/auth/login", json={"username": username, "password": PASSWORD})
    return client, {"Authorization": f"Bearer {login.json['token']}"}


def due_words(due: str, reported: str) -> str:
    """A deadline as the report's answer says it: its time on the day of the report, else with
    its date (the site's wall clock, as the server gave it)."""
    if due[:10] == reported[:10]:
        return due[11:16]
    return due.replace("T", " ")[:16]


@pytest.fixture(scope="module")
def garage_post(live_server):
    """The tower's car-park gate post and its area."""
    with live_server.app.app_context():
        site = Site.get(Site.code == "HRZX")
        post = Post.get((Post.site == site) & (Post.name == "车库道口岗"))
        return post.id, post.area_id, site.id


def report(live_server, site_id: int, area_id: int, note: str, urgency: str = "urgent") -> dict:
    client, headers = api_as(live_server, "guard")
    answer = client.post(
        "/api/anomalies",
        headers=headers,
        json={
            "id": str(uuid4()),
            "site_id": site_id,
            "area_id": area_id,
            "category": "water_leak",
            "urgency": urgency,
            "note": note,
        },
    )
    assert answer.status_code == 201, answer.json
    return answer.json


def test_an_urgent_report_says_the_servers_respond_deadline(phone, live_server):
    sign_in(phone, "guard")
    phone.goto("/app/#/anomaly")
    form = phone.locator(".anomaly-form")
    form.wait_for()
    # The server takes complaints; the form offers them.
    assert phone.locator("#category option[value=complaint]").inner_text() == "投诉"
    assert phone.locator("#urgency-auto").is_checked()
    phone.locator("#category").select_option("lighting")  # ordinary by its category
    phone.locator("label[for=urgency-urgent]").click()
    phone.locator("#anomaly-note").fill("电梯厅灯全灭，有人被困风险")
    screenshot(phone, "phone-followups-01-urgent-form")
    assert accessibility_problems(phone) == []
    with phone.expect_response("**/api/anomalies") as response:
        form.locator("button[type=submit]").click()
    assert response.value.status == 201
    assert response.value.request.post_data_json["urgency"] == "urgent"
    answer = response.value.json()
    respond = due_words(answer["respond_due_at"], answer["reported_at"])
    result = phone.locator("#anomaly-result")
    result.wait_for()
    assert result.get_attribute("data-respond-due") == answer["respond_due_at"]
    promise = result.locator(".promise").inner_text()
    assert promise.startswith(f"须在 {respond} 前响应")
    phone.locator("#toast", has_text=f"异常已报告。须在 {respond} 前响应").wait_for()
    assert "有网络时自动发送" not in phone.locator("body").inner_text()
    with live_server.app.app_context():
        row = Anomaly.get_by_id(answer["id"])
    assert (row.urgency, row.category) == ("urgent", "lighting")
    assert row.respond_due_at - row.reported_at == timedelta(hours=1)
    screenshot(phone, "phone-followups-02-urgent-answer")
    assert accessibility_problems(phone) == []


def test_by_the_category_the_report_leaves_urgency_to_the_server(phone, live_server):
    sign_in(phone, "guard")
    phone.goto("/app/#/anomaly")
    phone.locator("#category").select_option("fire_exit_blocked")
    phone.locator("#anomaly-note").fill("消防通道堆放杂物")
    with phone.expect_response("**/api/anomalies") as response:
        phone.locator(".anomaly-form button[type=submit]").click()
    assert response.value.status == 201
    assert "urgency" not in response.value.request.post_data_json
    answer = response.value.json()
    result = phone.locator("#anomaly-result")
    result.wait_for()
    assert result.get_attribute("data-urgency") == answer["urgency"]
    with live_server.app.app_context():
        row = Anomaly.get_by_id(answer["id"])
    assert row.urgency == answer["urgency"] == "urgent"  # the promises file: a blocked exit


def test_a_report_kept_offline_gives_no_promise(phone, live_server):
    sign_in(phone, "guard")
    phone.goto("/app/#/anomaly")
    phone.locator(".anomaly-form").wait_for()
    phone.locator("label[for=urgency-ordinary]").click()
    phone.context.set_offline(True)
    phone.locator(".anomaly-form button[type=submit]").click()
    phone.locator("#toast", has_text="异常已保存在本机").wait_for()
    assert "须在" not in phone.locator("#toast").inner_text()
    phone.context.set_offline(False)


def test_the_hand_over_lists_open_follow_ups_on_their_clock_and_is_taken_over(
    phone, browser, live_server, garage_post
):
    post_id, area_id, site_id = garage_post
    reported = report(live_server, site_id, area_id, "B1 车库入口积水")
    with live_server.app.app_context():
        # Nobody answered within the hour: the promise to respond is broken.
        Anomaly.update(respond_due_at=utcnow() - timedelta(minutes=5)).where(
            Anomaly.id == reported["id"]
        ).execute()
        supervisor_id = User.get(User.username == "supervisor").id

    sign_in(phone, "guard")
    phone.goto(f"/app/#/handover/{post_id}")
    phone.locator("#handover-waiting h2").wait_for()
    phone.locator("#handover-note").fill("车库入口积水已报，物业工程未到")
    with phone.expect_response("**/api/handovers") as response:
        phone.locator("#handover-start").click()
    assert response.value.status == 201
    answer = response.value.json()
    (item,) = [f for f in answer["open_followups"] if f["id"] == reported["id"]]
    assert item["state"] == "unanswered"
    mine = phone.locator(f"#handover-mine [data-handover='{answer['id']}']")
    row = mine.locator(f"[data-followup='anomaly-{reported['id']}']")
    row.wait_for()
    assert row.locator("[data-badge]").get_attribute("data-badge") == "unanswered"
    assert row.locator("[data-badge]").inner_text() == "待响应"
    assert "B1 车库入口积水" in row.inner_text() and "响应截止" in row.inner_text()
    assert "办结截止" in row.inner_text()
    # The outgoing one does not take over their own hand-over.
    assert mine.locator("button.ack").count() == 0
    assert phone.locator("#handover-status").inner_text().startswith("交接单已生成")
    assert phone.locator(".handover-form").is_hidden()  # made once, not again by a second tap
    phone.evaluate("window.scrollTo(0, 0)")  # a full-page picture from the top
    screenshot(phone, "phone-followups-03-handover-started")
    assert accessibility_problems(phone) == []

    with page_in(browser, live_server, PHONE) as incoming:
        sign_in(incoming, "supervisor")
        incoming.goto(f"/app/#/handover/{post_id}")
        card = incoming.locator(f"#handover-waiting [data-handover='{answer['id']}']")
        card.wait_for()
        waiting = card.locator(f"[data-followup='anomaly-{reported['id']}']")
        assert waiting.locator("[data-badge]").inner_text() == "待响应"
        screenshot(incoming, "phone-followups-04-handover-to-take-over")
        assert accessibility_problems(incoming) == []
        with incoming.expect_response(f"**/api/handovers/{answer['id']}/acknowledge") as ack:
            card.locator("button.ack").click()
        assert ack.value.status == 200
        card.locator("[role=status]", has_text="已确认接班").wait_for()
        assert card.get_attribute("data-acknowledged") == "true"
        with live_server.app.app_context():
            stored = Handover.get_by_id(answer["id"])
        assert stored.acknowledged_at is not None and stored.incoming_id == supervisor_id
        screenshot(incoming, "phone-followups-05-handover-taken-over")
        assert accessibility_problems(incoming) == []


def test_a_hand_over_taken_over_meanwhile_is_refused_in_place(phone, live_server, garage_post):
    post_id, _, _ = garage_post
    client, headers = api_as(live_server, "manager")
    made = client.post("/api/handovers", headers=headers, json={"post_id": post_id})
    assert made.status_code == 201, made.json
    sign_in(phone, "guard")
    phone.goto(f"/app/#/handover/{post_id}")
    card = phone.locator(f"#handover-waiting [data-handover='{made.json['id']}']")
    card.wait_for()
    other, other_headers = api_as(live_server, "supervisor")
    taken = other.post(f"/api/handovers/{made.json['id']}/acknowledge", headers=other_headers)
    assert taken.status_code == 200, taken.json
    with phone.expect_response(f"**/api/handovers/{made.json['id']}/acknowledge") as ack:
        card.locator("button.ack").click()
    assert ack.value.status == 409
    error = card.locator(".error[role=alert]")
    error.filter(has_text="未能确认接班：").wait_for()
    # Taken over already: tapping again cannot help, so the button goes; nothing changed.
    assert card.locator("button.ack").count() == 0
    with live_server.app.app_context():
        stored = Handover.get_by_id(made.json["id"])
        assert stored.incoming_id == User.get(User.username == "supervisor").id
    screenshot(phone, "phone-followups-06-handover-refused")


def test_the_supervisors_anomalies_show_their_clock(phone, live_server, garage_post):
    _, area_id, site_id = garage_post
    reported = report(live_server, site_id, area_id, "B1 车库排水沟堵塞", urgency="ordinary")
    client, headers = api_as(live_server, "supervisor")
    clocks = client.get("/api/followups", headers=headers, query_string={"site_id": site_id}).json
    (clock,) = [f for f in clocks if f["type"] == "anomaly" and f["id"] == reported["id"]]
    sign_in(phone, "supervisor")
    phone.goto("/app/#/anomalies")
    card = phone.locator(f"#sv-anom-open [data-anomaly='{reported['id']}']")
    card.wait_for()
    badge = card.locator("[data-badge]")
    assert badge.get_attribute("data-badge") == clock["state"]
    text = card.locator(".clock").inner_text()
    assert f"响应截止 {clock['respond_due_at'].replace('T', ' ')[5:16]}" in text
    assert f"办结截止 {clock['resolve_due_at'].replace('T', ' ')[5:16]}" in text
    screenshot(phone, "phone-followups-07-supervisor-anomalies")
    assert accessibility_problems(phone) == []
