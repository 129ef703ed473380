"""Issue 17.2 and the guard's part of 17.9: online, a scan waits for the server's answer and
shows it where it happened (accepted, flagged and why, refused and why) with the round's
progress as the server now counts it, or that the scan belongs to no round; "saved on this
phone" only when it really waits in the outbox. A damaged label's short code can be typed, and
a refused camera is explained in Chinese with the way to allow it."""

import re

from models.tables.org import Area, Site
from models.tables.patrols import Checkpoint, Scan
from tests.conftest import PASSWORD
from tests.e2e.conftest import accessibility_problems, screenshot, sign_in
from tests.e2e.test_guard import guard_id, guard_scans, labels  # noqa: F401 (fixtures)


def server_round(live_server, round_id) -> dict:
    """The round as the server gives it to the guard."""
    client = live_server.app.test_client()
    token = client.post("/api/auth/login", json={"username": "guard", "password": PASSWORD})
    headers = {"Authorization": f"Bearer {token.json['token']}"}
    return client.get(f"/api/rounds/{round_id}", headers=headers).json


def expected_result(live_server, scan: Scan) -> tuple[str, list[str]]:
    flags = scan.flags
    return ("flagged" if flags else "accepted"), [f["reason_zh"] for f in flags]


def scan_online(page, token):
    page.goto(f"/s/{token}")
    page.locator(".scan-form").wait_for()
    page.locator(".gps").filter(has_text="已定位").wait_for()
    with page.expect_response("**/api/scans") as response:
        page.locator(".scan-form button[type=submit]").click()
    return response.value


def test_an_online_scan_shows_the_servers_answer_and_the_rounds_new_progress(
    phone,
    live_server,
    labels,  # noqa: F811
    guard_id,  # noqa: F811
):
    sign_in(phone, "guard")
    checkpoint_id, name, token = labels[0]
    response = scan_online(phone, token)
    assert response.status == 201
    result = phone.locator(".screen-guard #scan-result")
    result.wait_for()
    (scan,) = guard_scans(live_server, guard_id)
    status, reasons = expected_result(live_server, scan)
    assert result.get_attribute("data-status") == status
    assert name in result.inner_text()
    for reason in reasons:
        assert reason in result.inner_text()
    # Never "saved, sent when there is signal" for a scan the server answered.
    assert "有网络时自动发送" not in phone.locator("body").inner_text()
    progress = result.locator(".round-progress")
    if scan.round_id is None:
        progress.filter(has_text="不属于当前任何巡更任务").wait_for()
    else:
        rnd = server_round(live_server, scan.round_id)
        assert rnd["visited"] >= 1
        progress.filter(has_text=f"已巡 {rnd['visited']}/{rnd['total']}").wait_for()
        assert progress.get_attribute("data-round") == str(scan.round_id)
    assert phone.locator("#outbox").inner_text() == "全部已发送"
    screenshot(phone, "truth-guard-answer")
    assert accessibility_problems(phone) == []

    # The round list under it is loaded afresh: the round counts the scan (not a stale 0).
    if scan.round_id is not None:
        card = phone.locator(f'.screen-guard .round[data-round="{scan.round_id}"]')
        card.filter(has_text=f"已巡 {rnd['visited']}/{rnd['total']}").wait_for()


def test_a_refused_scan_says_why_on_the_form(phone, live_server, labels, guard_id):  # noqa: F811
    sign_in(phone, "guard")
    _, _, token = labels[1]
    assert scan_online(phone, token).status == 201
    phone.locator("#scan-result").wait_for()
    response = scan_online(phone, token)  # the same point again, at once
    assert response.status == 422
    error = phone.locator(".scan-form .error[role=alert]")
    error.filter(has_text="刚刚已扫过此点，以第一次为准。").wait_for()
    assert error.inner_text().startswith("打卡被拒绝：")
    assert phone.locator(".scan-form button[type=submit]").is_enabled()
    assert phone.locator("#outbox").inner_text() == "全部已发送"  # nothing queued
    screenshot(phone, "truth-guard-refused")
    assert accessibility_problems(phone) == []


def test_a_scan_on_no_round_says_so(phone, live_server, guard_id):  # noqa: F811
    from models.rules.qr_signing import make_token
    from models.tables.site_keys import current_key

    with live_server.app.app_context():
        site = Site.get(Site.code == "HRZX")
        area = Area.select().where(Area.site == site).first()
        lone = Checkpoint.create(site=site, area=area, name="天台水箱", code="HRZX-C-9901")
        key = current_key(site.id)
        token = make_token("c", site.id, lone.id, key.version, bytes.fromhex(key.secret))
    sign_in(phone, "guard")
    assert scan_online(phone, token).status == 201
    progress = phone.locator("#scan-result .round-progress")
    progress.filter(has_text="此打卡不属于当前任何巡更任务").wait_for()
    assert progress.get_attribute("data-round") == "none"


def test_a_damaged_label_is_typed_by_its_short_code(
    phone,
    live_server,
    labels,  # noqa: F811
):
    with live_server.app.app_context():
        checkpoint = Checkpoint.get_by_id(labels[3][0])
    sign_in(phone, "guard")
    phone.goto("/app/#/scanner")
    form = phone.locator("#manual-form")
    form.wait_for()
    form.locator("button[type=submit]").click()
    assert phone.locator("#manual-error").inner_text() == "请输入标签上印的编码。"
    phone.locator("#manual-code").fill("not a code")
    form.locator("button[type=submit]").click()
    phone.locator("#manual-error", has_text="编码格式不对").wait_for()
    phone.locator("#manual-code").fill(checkpoint.code.lower())
    form.locator("button[type=submit]").click()
    phone.locator(".scan-form").wait_for()
    assert checkpoint.name in phone.locator(".checkpoint-name").inner_text()
    with phone.expect_response("**/api/scans") as response:
        phone.locator(".scan-form button[type=submit]").click()
    assert response.value.status == 201
    result = phone.locator("#scan-result[data-status=flagged]")
    result.wait_for()
    assert "手动输入了标签编码" in result.locator("[data-flag=typed_code]").inner_text()
    with live_server.app.app_context():
        scan = Scan.get_by_id(response.value.json()["id"])
    assert (scan.checkpoint_id, scan.carrier) == (checkpoint.id, "manual")
    screenshot(phone, "truth-guard-typed")


def test_a_refused_camera_is_explained_with_the_typed_code_beside_it(phone, live_server):
    sign_in(phone, "guard")
    phone.evaluate(
        """() => {
        navigator.mediaDevices.getUserMedia = () =>
          Promise.reject(new DOMException("Permission denied", "NotAllowedError"));
    }"""
    )
    phone.goto("/app/#/scanner")
    phone.locator(".camera-error", has_text="相机权限被拒绝").wait_for()
    help_text = phone.locator(".camera-help").inner_text()
    assert "允许" in help_text and "输入标签上的编码" in help_text
    assert "Permission denied" not in phone.locator("body").inner_text()
    assert phone.locator("#manual-code").is_visible()
    screenshot(phone, "truth-guard-camera-denied")
    assert accessibility_problems(phone) == []


def test_offline_the_scan_is_kept_and_the_outbox_names_the_checkpoint(
    phone,
    live_server,
    labels,  # noqa: F811
):
    sign_in(phone, "guard")
    phone.goto("/app/#/guard")
    phone.locator(".round").first.wait_for()
    phone.wait_for_function("localStorage.getItem('xj.guard.checkpoints') !== null")
    _, name, token = labels[2]
    phone.goto(f"/s/{token}")
    phone.locator(".scan-form").wait_for()
    phone.context.set_offline(True)
    phone.locator(".scan-form button[type=submit]").click()
    phone.locator("#toast", has_text="没有网络").wait_for()
    phone.locator("#outbox", has_text=re.compile("^已保存在本机，1 条待发送$")).wait_for()
    phone.locator("#outbox").click()
    item = phone.locator(".pending-item")
    assert name in item.inner_text() and "记录于" in item.inner_text()
    phone.context.set_offline(False)
    phone.locator("button", has_text="立即发送").click()
    phone.locator("#outbox", has_text="全部已发送").wait_for()
