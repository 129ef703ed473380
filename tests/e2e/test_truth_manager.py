"""Issue 17.1: a greeting check-in says what the server answered, on the check-in screen: a
refusal in the server's words (never 「已签到」), a check-in with the time the server stored, and
"saved on this phone" only when there is no signal (the outbox then names the post and when)."""

import re
from datetime import UTC, timedelta

import pytest

from models import utcnow
from models.records.greeting_records import settings_for
from models.rules.qr_signing import make_token
from models.tables.greeting import GreetingCheck, GreetingShift
from models.tables.org import Site, Staff
from models.tables.site_keys import current_key
from tests.e2e.conftest import accessibility_problems, screenshot, sign_in


@pytest.fixture(scope="module")
def post(live_server):
    """The tower's morning post, its label token, and the demo manager with no shift now."""
    with live_server.app.app_context():
        site = Site.get(Site.code == "HRZX")
        me = Staff.get(Staff.employee_no == "HRZX-006")
        post = settings_for(site).morning_post
        now = utcnow()
        near = (GreetingShift.starts_at < now + timedelta(hours=3)) & (
            GreetingShift.ends_at > now - timedelta(hours=3)
        )
        # No shift of mine around now: a check-in now matches none.
        GreetingShift.update(manager=Staff.get(Staff.employee_no == "HRZX-007")).where(
            (GreetingShift.manager == me) & near
        ).execute()
        key = current_key(site.id)
        token = make_token("p", site.id, post.id, key.version, bytes.fromhex(key.secret))
        return {"site": site, "me": me, "post": post, "token": token}


def checks_of(live_server, staff) -> int:
    with live_server.app.app_context():
        return (
            GreetingCheck.select().join(GreetingShift).where(GreetingShift.manager == staff).count()
        )


def test_a_refused_check_in_is_said_as_a_refusal_in_the_servers_words(phone, live_server, post):
    sign_in(phone, "manager")
    phone.goto(f"/s/{post['token']}")  # the post's label, opened with the phone's camera
    phone.locator(".check-shift", has_text="现在没有找到您的班次").wait_for()
    with phone.expect_response("**/api/greeting/checks") as response:
        phone.locator("#check-in").click()
    assert response.value.status == 422
    answer = phone.locator("#check-answer")
    answer.locator(".refused-answer").wait_for()
    assert answer.locator(".server-message").inner_text() == "您现在没有迎候班次。"
    assert "签到未成功" in answer.inner_text()
    assert "已签到" not in phone.locator("body").inner_text()
    assert "已保存" not in phone.locator("body").inner_text()
    # Still on the screen where it happened, the buttons usable again; nothing queued.
    assert "greet-check" in phone.url
    assert phone.locator("#check-in").is_enabled()
    assert phone.locator(".check-post").inner_text() == post["post"].name
    assert phone.locator("#outbox").inner_text() == "全部已发送"
    screenshot(phone, "truth-manager-refused")
    assert accessibility_problems(phone) == []


def test_a_check_in_shows_the_stored_time_and_offline_says_it_is_kept(phone, live_server, post):
    with live_server.app.app_context():
        start = utcnow() + timedelta(minutes=5)
        local = start.replace(tzinfo=UTC).astimezone(post["site"].zone)
        shift = GreetingShift.create(
            site=post["site"],
            day=local.date(),
            window="evening",
            post=post["post"],
            manager=post["me"],
            starts_at=start,
            ends_at=start + timedelta(minutes=30),
            month=int(local.strftime("%Y%m")),
        )
    sign_in(phone, "manager")
    phone.goto(f"/s/{post['token']}")
    phone.locator(".check-shift", has_text="班次：").wait_for()
    phone.locator("#check-in").click()
    sent = phone.locator("#check-answer .sent-answer")
    sent.wait_for()
    with live_server.app.app_context():
        stored = GreetingShift.get_by_id(shift.id).check_in_at
    assert stored is not None
    local_in = stored.replace(tzinfo=UTC).astimezone(post["site"].zone).strftime("%H:%M")
    assert sent.inner_text() == f"签到成功 {local_in}。"
    screenshot(phone, "truth-manager-checked-in")

    # No signal: kept on the phone, and said so; the outbox names the post and the time.
    before = checks_of(live_server, post["me"])
    phone.context.set_offline(True)
    phone.locator("#check-out").click()
    phone.locator("#check-answer .queued-answer", has_text="已保存在本机").wait_for()
    phone.locator("#outbox", has_text=re.compile("^已保存在本机，1 条待发送$")).wait_for()
    phone.locator("#outbox").click()
    item = phone.locator(".pending-item")
    assert post["post"].name in item.inner_text() and "签退" in item.inner_text()
    assert "记录于" in item.inner_text()
    screenshot(phone, "truth-manager-outbox")
    assert accessibility_problems(phone) == []
    assert checks_of(live_server, post["me"]) == before
    phone.context.set_offline(False)
    phone.locator("button", has_text="立即发送").click()
    phone.locator("#outbox", has_text="全部已发送").wait_for()
    with live_server.app.app_context():
        assert GreetingShift.get_by_id(shift.id).check_out_at is not None
