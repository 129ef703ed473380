"""A manager on greeting duty: sees the next shift, checks in by opening the post's label, and
asks a colleague to swap a shift, who accepts it on their own phone."""

from datetime import UTC, datetime, timedelta

import pytest

from api.security import hash_password
from models import utcnow
from models.records.greeting_records import generate_rota, settings_for
from models.rules.qr_signing import make_token
from models.tables.accounts import User, UserSite
from models.tables.greeting import GreetingShift, SwapRequest
from models.tables.org import Site, Staff
from models.tables.site_keys import current_key
from tests.conftest import PASSWORD
from tests.e2e.conftest import PHONE, screenshot, sign_in


@pytest.fixture(scope="module")
def duty(live_server):
    """A shift of the demo manager starting in five minutes at the tower's lobby post, the
    post's label token, next month's rota and a second manager account (a colleague)."""
    with live_server.app.app_context():
        site = Site.get(Site.code == "HRZX")
        me = Staff.get(Staff.employee_no == "HRZX-006")
        colleague = Staff.get(Staff.employee_no == "HRZX-007")
        post = settings_for(site).morning_post
        now = utcnow()
        local = now.replace(tzinfo=UTC).astimezone(site.zone)
        next_month = (local.replace(day=1) + timedelta(days=32)).strftime("%Y%m")
        generate_rota(site, int(next_month), now)
        start = now + timedelta(minutes=5)
        shift = GreetingShift.create(
            site=site,
            day=start.replace(tzinfo=UTC).astimezone(site.zone).date(),
            window="evening",  # the office tower has morning windows only: no clash
            post=post,
            manager=me,
            starts_at=start,
            ends_at=start + timedelta(minutes=30),
            month=int(start.replace(tzinfo=UTC).astimezone(site.zone).strftime("%Y%m")),
        )
        user = User.create(
            username="manager2",
            role="manager",
            display_name="经理 赵磊",
            password_hash=hash_password(PASSWORD),
            staff=colleague,
        )
        UserSite.create(user=user, site=site)
        key = current_key(site.id)
        token = make_token("p", site.id, post.id, key.version, bytes.fromhex(key.secret))
        return {"shift_id": shift.id, "token": token, "colleague": colleague.id, "me": me.id}


def test_manager_sees_the_next_shift_and_checks_in(phone, live_server, duty):
    sign_in(phone, "manager")
    screenshot(phone, "20-home-manager")
    phone.locator(".menu a", has_text="我的迎候班次").click()
    next_shift = phone.locator(".shift.highlight")
    next_shift.wait_for()
    assert next_shift.get_attribute("data-shift") == str(duty["shift_id"])
    assert "下一班" in next_shift.inner_text() and "待值班" in next_shift.inner_text()
    screenshot(phone, "21-manager-shifts")

    phone.goto(f"/s/{duty['token']}")  # the post's label, opened with the phone's camera
    phone.locator(".check-shift", has_text="班次：").wait_for()
    screenshot(phone, "22-greeting-check")
    with phone.expect_response("**/api/greeting/checks") as response:
        phone.locator("#check-in").click()
    assert response.value.status == 200
    phone.locator("#check-answer .sent-answer", has_text="签到成功").wait_for()
    phone.locator("a.button", has_text="我的迎候班次").click()
    card = phone.locator(f'.shift[data-shift="{duty["shift_id"]}"]')
    card.locator(".check-in").wait_for()
    assert "签到" in card.inner_text()
    with live_server.app.app_context():
        shift = GreetingShift.get_by_id(duty["shift_id"])
        assert shift.check_in_at is not None and shift.check_out_at is None
        assert abs(shift.check_in_at - datetime.now(UTC).replace(tzinfo=None)) < timedelta(
            minutes=2
        )

    # Leaving the post: the same label, and now check-out is the suggested button.
    phone.goto(f"/s/{duty['token']}")
    assert "primary" in phone.locator("#check-out").get_attribute("class")
    with phone.expect_response("**/api/greeting/checks") as response:
        phone.locator("#check-out").click()
    assert response.value.status == 200
    phone.locator("#check-answer .sent-answer", has_text="签退成功").wait_for()
    phone.goto("/app/#/manager")
    card.locator(".check-out").wait_for()
    with live_server.app.app_context():
        assert GreetingShift.get_by_id(duty["shift_id"]).check_out_at is not None


def test_a_swap_is_asked_for_and_accepted_by_the_colleague(phone, browser, live_server, duty):
    with live_server.app.app_context():
        now = utcnow()
        mine = (
            GreetingShift.select()
            .where((GreetingShift.manager == duty["me"]) & (GreetingShift.starts_at > now))
            .order_by(GreetingShift.starts_at)
        )
        my_days = {s.day for s in mine}
        mine = [s for s in mine if s.id != duty["shift_id"]][0]
        theirs = (
            GreetingShift.select()
            .where(
                (GreetingShift.manager == duty["colleague"])
                & (GreetingShift.starts_at > now)
                & GreetingShift.day.not_in(list(my_days))
            )
            .order_by(GreetingShift.starts_at)
            .first()
        )
    sign_in(phone, "manager")
    phone.goto("/app/#/manager")
    phone.locator(f'.shift[data-shift="{mine.id}"] a', has_text="申请换班").click()
    choice = phone.locator(".swap-choice", has_text=theirs.day.isoformat())
    with phone.expect_response("**/api/greeting/swaps") as response:
        choice.first.click()
    assert response.value.status == 201
    phone.locator(".swap", has_text="您申请用").wait_for()
    screenshot(phone, "23-manager-swap-asked")

    colleague = browser.new_context(base_url=live_server.url, **PHONE)
    try:
        other = colleague.new_page()
        sign_in(other, "manager2")
        other.goto("/app/#/manager")
        offer = other.locator(".swap", has_text="想用")
        offer.wait_for()
        with other.expect_response("**/accept") as accepted:
            offer.locator("button", has_text="同意").click()
        assert accepted.value.status == 200
    finally:
        colleague.close()
    with live_server.app.app_context():
        swap = SwapRequest.get(SwapRequest.shift == mine.id)
        assert swap.status == "done"
        assert GreetingShift.get_by_id(mine.id).manager_id == duty["colleague"]
        assert GreetingShift.get_by_id(theirs.id).manager_id == duty["me"]
