"""The console's actions on the demo company, checked in the database: a route's stops
reordered by drag and drop and by the keyboard's buttons, a flagged scan confirmed from the
live board (audited), and a refused alert address said beside its field."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from models.rules.qr_signing import make_token
from models.tables.audit import AuditEntry
from models.tables.org import Site
from models.tables.patrols import Checkpoint, Route, RouteStop, Scan
from models.tables.site_keys import current_key
from tests.conftest import PASSWORD
from tests.e2e.test_console_shell import console_sign_in


@pytest.fixture(scope="module")
def tower(live_server):
    with live_server.app.app_context():
        return Site.get(Site.code == "HRZX")


def stop_order(live_server, route_id: int) -> list[int]:
    with live_server.app.app_context():
        stops = RouteStop.select().where(RouteStop.route == route_id).order_by(RouteStop.position)
        return [s.checkpoint_id for s in stops]


def test_a_routes_stops_are_reordered_by_drag_and_drop_and_by_buttons(desktop, live_server, tower):
    with live_server.app.app_context():
        route = Route.get(Route.site == tower)
    before = stop_order(live_server, route.id)
    desktop.add_init_script(f"sessionStorage.setItem('xj.console.site', '{tower.id}')")
    console_sign_in(desktop, "supervisor")
    desktop.goto("/console/#/routes")
    desktop.locator(f"#route-edit-{route.id}").click()
    stops = desktop.locator("#route-stop-list > li")
    stops.nth(len(before) - 1).wait_for()

    # The second stop dragged above the first.
    stops.nth(1).drag_to(stops.nth(0), target_position={"x": 20, "y": 2})
    desktop.locator("#route-save").click()
    desktop.locator("#route-answer.ok").wait_for()
    assert stop_order(live_server, route.id) == [before[1], before[0], *before[2:]]

    # The last stop moved up once with its ↑ button (a keyboard's way).
    desktop.locator(f"#route-edit-{route.id}").click()
    desktop.locator(f"#stop-up-{before[-1]}").click()
    desktop.locator("#route-save").click()
    desktop.locator("#route-answer.ok").wait_for()
    after = stop_order(live_server, route.id)
    assert after == [before[1], before[0], *before[2:-2], before[-1], before[-2]]


@pytest.fixture
def flagged_scan(live_server, tower):
    """The guard's scan with the phone's clock two hours behind: flagged by the server."""
    client = live_server.app.test_client()
    with live_server.app.app_context():
        checkpoint = (  # one with no check items to answer
            Checkpoint.select()
            .where((Checkpoint.site == tower) & Checkpoint.checklist.is_null())
            .order_by(Checkpoint.id)
            .first()
        )
        key = current_key(tower.id)
        token = make_token("c", tower.id, checkpoint.id, key.version, bytes.fromhex(key.secret))
    login = client.post("/api/auth/login", json={"username": "guard", "password": PASSWORD})
    device_at = datetime.now(UTC).astimezone(tower.zone) - timedelta(hours=2)
    answer = client.post(
        "/api/scans",
        headers={"Authorization": f"Bearer {login.json['token']}"},
        json={"id": str(uuid.uuid4()), "payload": token, "device_at": device_at.isoformat()},
    )
    assert answer.status_code == 201 and answer.json["status"] == "flagged", answer.json
    return answer.json["id"]


def test_a_flagged_scan_is_confirmed_from_the_board(desktop, live_server, tower, flagged_scan):
    desktop.add_init_script(f"sessionStorage.setItem('xj.console.site', '{tower.id}')")
    console_sign_in(desktop, "supervisor")
    desktop.goto("/console/#/board")
    item = desktop.locator(f"#flagged-list li[data-id='{flagged_scan}']")
    item.wait_for()
    assert "慢" in item.inner_text()  # the server's reason: the phone's clock is behind
    item.locator(f"#review-note-{flagged_scan}").fill("已核实：手机时间设置错误")
    item.locator("[data-decision=confirmed]").click()
    desktop.locator(f"#flagged-list li[data-id='{flagged_scan}']").wait_for(state="detached")
    with live_server.app.app_context():
        scan = Scan.get_by_id(flagged_scan)
        assert scan.review_decision == "confirmed"
        assert scan.review_note == "已核实：手机时间设置错误"
        entry = AuditEntry.get(
            (AuditEntry.entity == "scan") & (AuditEntry.entity_id == flagged_scan)
        )
        assert entry.action == "review"


def test_a_loopback_alert_address_is_refused_in_the_servers_words(desktop, live_server, tower):
    console_sign_in(desktop, "admin")
    desktop.goto("/console/#/alerts")
    desktop.locator("#webhook-site select[name=site_id]").select_option(str(tower.id))
    desktop.locator("#webhook-url").fill("http://127.0.0.1:9/hook")
    desktop.locator("#webhook-save").click()
    answer = desktop.locator("#webhook-answer.error")
    answer.wait_for()
    assert "127.0.0.1" in answer.inner_text() or "本机" in answer.inner_text()
    assert desktop.locator("#webhook-url").get_attribute("aria-invalid") == "true"
    assert (
        desktop.locator("#webhook-secret").count() == 0
        or not desktop.locator("#webhook-secret").is_visible()
    )
