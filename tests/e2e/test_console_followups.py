"""The console's 服务时限 screen on the demo company, checked in the database: a supervisor gives
the tower its own urgent response time and sees the server's answer and the 本项目 badge, a
time beyond the longest allowed is refused beside the form and changes nothing, the company's
time comes back; an anomaly reported before shows in the open list on its clock; a manager
reads the screen without edit controls."""

import uuid
from datetime import datetime

import pytest

from models.tables.org import Site
from models.tables.promises import SitePromise
from tests.conftest import PASSWORD
from tests.e2e.test_console_shell import console_sign_in

FORM = "#promise-form-anomaly_urgent-respond"


@pytest.fixture(scope="module")
def tower(live_server):
    with live_server.app.app_context():
        return Site.get(Site.code == "HRZX")


@pytest.fixture
def leak(live_server, tower):
    """A water leak the guard reported at the tower: urgent, nobody has answered it yet."""
    client = live_server.app.test_client()
    login = client.post("/api/auth/login", json={"username": "guard", "password": PASSWORD})
    answer = client.post(
        "/api/anomalies",
        headers={"Authorization": f"Bearer {login.json['token']}"},
        json={
            "id": str(uuid.uuid4()),
            "site_id": tower.id,
            "category": "water_leak",
            "note": "地下车库漏水",
        },
    )
    assert answer.status_code == 201, answer.json
    return answer.json


def open_list(live_server, tower) -> list[dict]:
    client = live_server.app.test_client()
    login = client.post("/api/auth/login", json={"username": "supervisor", "password": PASSWORD})
    answer = client.get(
        "/api/followups",
        query_string={"site_id": tower.id},
        headers={"Authorization": f"Bearer {login.json['token']}"},
    )
    assert answer.status_code == 200, answer.json
    return answer.json


def own_times(live_server, tower) -> list[tuple]:
    with live_server.app.app_context():
        rows = SitePromise.select().where(SitePromise.site == tower.id)
        return sorted((r.kind, r.clock, r.amount, r.unit) for r in rows)


def test_a_supervisor_sets_refuses_and_restores_a_sites_own_time(desktop, live_server, tower, leak):
    assert own_times(live_server, tower) == []
    desktop.add_init_script(f"sessionStorage.setItem('xj.console.site', '{tower.id}')")
    console_sign_in(desktop, "supervisor")
    desktop.goto("/console/#/followups")
    urgent = desktop.locator("#promise-table tr[data-kind=anomaly_urgent]")
    urgent.wait_for()
    assert "1 小时" in urgent.inner_text() and "本项目" not in urgent.inner_text()

    # The anomaly reported beforehand is in the open list, its urgent clock running.
    row = desktop.locator(f"#followup-list tr[data-id='anomaly-{leak['id']}']")
    row.wait_for()
    assert row.get_attribute("data-state") == "running"
    assert "计时中" in row.inner_text() and "地下车库漏水" in row.inner_text()
    assert row.locator(".badge.ok").count() == 1
    # The deadlines the list API gives, shown as wall-clock times; the same instants as the
    # anomaly's own clock.
    listed = next(f for f in open_list(live_server, tower) if f["id"] == leak["id"])
    assert datetime.fromisoformat(listed["respond_due_at"]) == datetime.fromisoformat(
        leak["respond_due_at"]
    )
    for due in (listed["respond_due_at"], listed["resolve_due_at"]):
        assert due[:16].replace("T", " ") in row.inner_text()

    # Urgent matters answered within 30 minutes at this site.
    form = desktop.locator(FORM)
    form.locator("input[name=amount]").fill("30")
    form.locator("select[name=unit]").select_option("minutes")
    form.locator("button[type=submit]").click()
    answer = desktop.locator("#promise-answer-anomaly_urgent-respond.ok")
    answer.wait_for()
    assert "已保存" in answer.inner_text() and "30 分钟" in answer.inner_text()
    assert own_times(live_server, tower) == [("anomaly_urgent", "respond", 30.0, "minutes")]
    # The table reloaded from the server: the site's own time, with its badge.
    assert "30 分钟" in urgent.inner_text() and "本项目" in urgent.inner_text()

    # 90 working days is more than the longest time: refused beside the form, nothing changed.
    form = desktop.locator(FORM)
    form.locator("input[name=amount]").fill("90")
    form.locator("select[name=unit]").select_option("working_days")
    form.locator("button[type=submit]").click()
    refused = desktop.locator("#promise-answer-anomaly_urgent-respond.error")
    refused.wait_for()
    assert "服务器拒绝" in refused.inner_text()
    amount = form.locator("input[name=amount]")
    assert amount.get_attribute("aria-invalid") == "true"
    # The server's reason beside the field it names.
    assert "60 days" in form.locator(f"#{amount.get_attribute('id')}-error").inner_text()
    assert own_times(live_server, tower) == [("anomaly_urgent", "respond", 30.0, "minutes")]
    desktop.reload()
    urgent.wait_for()
    assert "30 分钟" in urgent.inner_text() and "本项目" in urgent.inner_text()

    # Back to the company's hour.
    desktop.locator("#promise-restore-anomaly_urgent-respond").click()
    restored = desktop.locator("#promise-answer-anomaly_urgent-respond.ok")
    restored.wait_for()
    assert "恢复公司标准" in restored.inner_text() and "1 小时" in restored.inner_text()
    assert own_times(live_server, tower) == []
    assert "1 小时" in urgent.inner_text() and "本项目" not in urgent.inner_text()


def test_a_manager_reads_the_promises_without_edit_controls(desktop, live_server, tower, leak):
    desktop.add_init_script(f"sessionStorage.setItem('xj.console.site', '{tower.id}')")
    console_sign_in(desktop, "manager")
    desktop.goto("/console/#/followups")
    desktop.locator("#promise-table tr[data-kind=complaint]").wait_for()
    desktop.locator(f"#followup-list tr[data-id='anomaly-{leak['id']}']").wait_for()
    assert desktop.locator("#promise-read-only").is_visible()
    assert desktop.locator("form[id^=promise-form-]").count() == 0
    assert desktop.locator("[id^=promise-restore-]").count() == 0
