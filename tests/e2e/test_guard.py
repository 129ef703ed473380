"""A guard's patrol on the phone, offline and back online: scans wait in the outbox, are sent
once each with their photos, and a refused scan shows the server's message without blocking
the scans behind it."""

import random
import re

import pytest
import qrcode
from PIL import Image

from models.rules.qr_signing import make_token
from models.tables.accounts import User
from models.tables.org import Site
from models.tables.patrols import Checkpoint, Scan
from models.tables.photos import Photo
from models.tables.site_keys import current_key
from tests.e2e.conftest import (
    CHROMIUM,
    CHROMIUM_ARGS,
    PHONE,
    screenshot,
    sign_in,
    wait_for_service_worker,
)


@pytest.fixture(scope="module")
def labels(live_server):
    """Signed label tokens of the tower's checkpoints without check items, as printed."""
    with live_server.app.app_context():
        site = Site.get(Site.code == "HRZX")
        key = current_key(site.id)
        checkpoints = (
            Checkpoint.select()
            .where((Checkpoint.site == site) & Checkpoint.checklist.is_null())
            .order_by(Checkpoint.id)
        )
        return [
            (
                cp.id,
                cp.name,
                make_token("c", site.id, cp.id, key.version, bytes.fromhex(key.secret)),
            )
            for cp in checkpoints
        ]


@pytest.fixture(scope="module")
def guard_id(live_server):
    with live_server.app.app_context():
        return User.get(User.username == "guard").id


def guard_scans(live_server, guard_id) -> list[Scan]:
    with live_server.app.app_context():
        return list(Scan.select().where(Scan.user == guard_id).order_by(Scan.server_at))


def photo_file(folder, number: int):
    """A real JPEG, as a phone camera makes it (a different picture each time)."""
    rng = random.Random(number)
    image = Image.new("RGB", (1200, 900), tuple(rng.randrange(256) for _ in range(3)))
    for _ in range(40):
        x, y = rng.randrange(1100), rng.randrange(800)
        colour = tuple(rng.randrange(256) for _ in range(3))
        image.paste(colour, (x, y, x + rng.randrange(20, 300), y + rng.randrange(20, 300)))
    path = folder / f"photo-{number}.jpg"
    image.save(path, "JPEG", quality=85)
    return path


def wait_for_indicator(page, text: str) -> None:
    """The top bar says exactly this (it is filled in once the phone's queue is counted)."""
    page.locator("#outbox", has_text=re.compile(f"^{re.escape(text)}$")).wait_for()


def prepare_offline(page):
    """Signed in, today's rounds and checkpoints loaded once with signal, the app kept."""
    sign_in(page, "guard")
    wait_for_service_worker(page)
    page.goto("/app/#/guard")
    page.locator(".round").first.wait_for()
    page.wait_for_function("localStorage.getItem('xj.guard.checkpoints') !== null")
    screenshot(page, "10-guard-rounds")


def scan_offline(page, token, photo=None):
    """Open the label's URL as the phone's camera app does, take a photo, send."""
    page.goto(f"/s/{token}")
    page.locator(".scan-form").wait_for()
    if photo is not None:
        page.locator(".photo-input").set_input_files(photo)
        page.locator(".photos img").wait_for()
    page.locator(".scan-form button[type=submit]").click()
    page.locator(".screen-guard").wait_for()


def test_offline_scans_are_sent_once_each_with_their_photos(
    phone, live_server, labels, guard_id, tmp_path
):
    before = len(guard_scans(live_server, guard_id))
    prepare_offline(phone)
    phone.context.set_offline(True)
    for number, (_, name, token) in enumerate(labels[:3], start=1):
        if number > 1:
            scan_offline(phone, token, photo_file(tmp_path, number))
        else:
            phone.goto(f"/s/{token}")
            phone.locator(".scan-form").wait_for()
            assert name in phone.locator(".checkpoint-name").inner_text()
            phone.locator(".photo-input").set_input_files(photo_file(tmp_path, number))
            phone.locator(".photos img").wait_for()
            phone.locator("#scan-note").fill("门已锁好")
            phone.locator(".gps").filter(has_text="已定位").wait_for()
            screenshot(phone, "11-scan-form")
            phone.locator(".scan-form button[type=submit]").click()
            phone.locator(".screen-guard").wait_for()
        wait_for_indicator(phone, f"已保存在本机，{number} 条待发送")
    screenshot(phone, "12-offline-three-waiting")
    assert len(guard_scans(live_server, guard_id)) == before  # nothing reached the server

    # The first answer from the server is lost on the way back: the scan is stored but the phone
    # does not know, and sends it again later under the same id.
    lost = []

    def lose_first_answer(route):
        if not lost:
            lost.append(route.request.post_data_json["id"])
            route.fetch()
            route.abort("connectionreset")
        else:
            route.continue_()

    phone.route("**/api/scans", lose_first_answer)
    with phone.expect_event("requestfailed", lambda r: r.url.endswith("/api/scans")):
        phone.context.set_offline(False)  # the `online` event starts sending
    assert len(lost) == 1
    wait_for_indicator(phone, "已保存在本机，3 条待发送")  # not acknowledged: still waiting
    phone.locator("#outbox").click()
    phone.locator("button", has_text="立即发送").click()
    phone.locator("#outbox", has_text="全部已发送").wait_for()

    scans = guard_scans(live_server, guard_id)[before:]
    assert len(scans) == 3
    assert str(scans[0].id) == lost[0]
    assert [s.checkpoint_id for s in scans] == [cp_id for cp_id, _, _ in labels[:3]]
    assert scans[0].note == "门已锁好"
    device = phone.evaluate("localStorage.getItem('xj.device')")
    with live_server.app.app_context():
        for scan in scans:
            assert scan.device_id == device
            assert scan.accuracy_m == 12 and scan.latitude == pytest.approx(22.54)
            photo_ids = scan.photo_ids
            assert len(photo_ids) == 1
            photo = Photo.get_by_id(photo_ids[0])
            assert (photo.owner_type, photo.owner_id) == ("scan", str(scan.id))
            assert photo.device_id == device and photo.uploaded_by_id == guard_id
            assert photo.width == 1200

    # Reloading and sending again adds nothing.
    phone.unroute("**/api/scans")
    phone.reload()
    phone.locator("button", has_text="立即发送").click()
    phone.locator("text=没有待发送的记录。").wait_for()
    assert len(guard_scans(live_server, guard_id)[before:]) == 3


def test_a_refused_scan_shows_the_servers_message_and_does_not_block_the_queue(
    phone, live_server, labels, guard_id
):
    before = len(guard_scans(live_server, guard_id))
    prepare_offline(phone)
    phone.context.set_offline(True)
    good_id, _, good = labels[3]
    forged = good.rsplit(".", 1)[0] + "." + "A" * 22  # a label nobody signed
    scan_offline(phone, forged)
    scan_offline(phone, good)
    wait_for_indicator(phone, "已保存在本机，2 条待发送")
    phone.context.set_offline(False)
    wait_for_indicator(phone, "1 条被拒")
    phone.locator("#outbox").click()
    message = phone.locator(".refused-item .server-message")
    assert message.inner_text() == "此巡更码签名无效。"
    screenshot(phone, "13-outbox-refused")
    scans = guard_scans(live_server, guard_id)[before:]
    assert [s.checkpoint_id for s in scans] == [good_id]
    phone.locator(".refused-item button").click()  # the guard has read it
    wait_for_indicator(phone, "全部已发送")
    phone.locator(".refused-item").wait_for(state="detached")


def test_report_an_anomaly_with_a_photo(phone, live_server, labels, tmp_path):
    from models.tables.patrols import Anomaly

    sign_in(phone, "guard")
    checkpoint_id = labels[0][0]
    phone.goto(f"/app/#/anomaly/{checkpoint_id}")
    phone.locator("#category").select_option("water_leak")
    phone.locator("#anomaly-note").fill("B1 车库顶棚漏水")
    phone.locator(".photo-input").set_input_files(photo_file(tmp_path, 9))
    phone.locator(".photos img").wait_for()
    screenshot(phone, "14-anomaly-form")
    with phone.expect_response("**/api/anomalies") as response:
        phone.locator(".anomaly-form button[type=submit]").click()
    assert response.value.status == 201
    phone.locator("#toast", has_text="异常已报告。").wait_for()
    wait_for_indicator(phone, "全部已发送")
    with live_server.app.app_context():
        anomaly = Anomaly.get(Anomaly.note == "B1 车库顶棚漏水")
        assert (anomaly.category, anomaly.checkpoint_id) == ("water_leak", checkpoint_id)
        assert len(anomaly.photo_ids) == 1


def y4m_showing(image: Image.Image, path, frames: int = 5):
    """A raw video file (YUV4MPEG2, 4:2:0) showing one picture: Chromium's fake camera plays it."""
    width, height = image.size
    y, cb, cr = image.convert("YCbCr").split()
    half = (width // 2, height // 2)
    frame = y.tobytes() + cb.resize(half).tobytes() + cr.resize(half).tobytes()
    with open(path, "wb") as out:
        out.write(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            out.write(b"FRAME\n" + frame)
    return path


def test_scan_with_the_in_app_camera(browser, live_server, labels, guard_id, tmp_path):
    """The phone's rear camera sees the printed label; the app decodes it (jsQR where the
    browser has no BarcodeDetector) and opens the scan form for that checkpoint."""
    checkpoint_id, name, token = labels[4]
    label = qrcode.make(f"{live_server.url}/s/{token}", border=4).convert("RGB")
    picture = Image.new("RGB", (640, 480), "white")
    label = label.resize((400, 400), Image.NEAREST)
    picture.paste(label, (120, 40))
    video = y4m_showing(picture, tmp_path / "label.y4m")
    camera = browser.browser_type.launch(
        executable_path=CHROMIUM,
        headless=True,
        args=[
            *CHROMIUM_ARGS,
            "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-video-capture={video}",
        ],
    )
    try:
        context = camera.new_context(base_url=live_server.url, **PHONE)
        context.grant_permissions(["camera", "geolocation"])
        page = context.new_page()
        page.set_default_timeout(15_000)
        sign_in(page, "guard")
        before = len(guard_scans(live_server, guard_id))
        page.locator(".menu a", has_text="扫码打卡").click()
        page.locator(".scan-form").wait_for()
        assert name in page.locator(".checkpoint-name").inner_text()
        assert page.url.endswith(f"#/scan/{token}/qr")
        with page.expect_response("**/api/scans") as response:
            page.locator(".scan-form button[type=submit]").click()
        assert response.value.status == 201
    finally:
        camera.close()
    scans = guard_scans(live_server, guard_id)[before:]
    assert [(s.checkpoint_id, s.carrier) for s in scans] == [(checkpoint_id, "qr")]


def test_scan_answers_the_checkpoints_check_items(phone, live_server, guard_id):
    from models.tables.patrols import Anomaly

    with live_server.app.app_context():
        site = Site.get(Site.code == "HRZX")
        key = current_key(site.id)
        garage = (
            Checkpoint.select()
            .where((Checkpoint.site == site) & (Checkpoint.checklist == "checkpoint-general"))
            .order_by(Checkpoint.id)
            .first()
        )
        token = make_token("c", site.id, garage.id, key.version, bytes.fromhex(key.secret))
    sign_in(phone, "guard")
    phone.goto(f"/s/{token}")
    items = phone.locator(".scan-form .item")
    items.first.wait_for()
    count = items.count()
    assert count >= 2
    phone.locator(".scan-form button[type=submit]").click()
    assert phone.locator(".scan-form .error").inner_text() == "请完成全部检查项。"
    items.nth(0).locator("button.fail").click()
    items.nth(0).locator("input").fill("灭火器压力不足")
    for n in range(1, count):
        items.nth(n).locator("button.pass").click()
    screenshot(phone, "15-scan-check-items")
    with phone.expect_response("**/api/scans") as response:
        phone.locator(".scan-form button[type=submit]").click()
    assert response.value.status == 201
    with live_server.app.app_context():
        scan = Scan.get_by_id(response.value.json()["id"])
        answers = scan.answers
        assert len(answers) == count
        assert [a["result"] for a in answers].count("fail") == 1
        anomaly = Anomaly.get(Anomaly.scan == scan.id)
        assert anomaly.category == "check_item_failed" and "灭火器压力不足" in anomaly.note
