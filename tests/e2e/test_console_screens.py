"""Every screen of the office console, for the roles that use it, at a desktop's and a
phone's size: it renders without a refusal or a script error, nothing scrolls sideways on the
phone, axe-core finds no serious or critical problem, and a screenshot is kept to look at
(test-artifacts/screens/console-<screen>-<size>.png)."""

import pytest

from models.tables.org import Site
from tests.e2e.conftest import DESKTOP, PHONE, accessibility_problems, page_in, screenshot
from tests.e2e.test_console_shell import console_sign_in

# (route, who opens it, an element the screen shows once its data has loaded)
SCREENS = [
    ("board", "supervisor", "#round-list tr[data-id]"),
    ("sites", "admin", "#site-list tr[data-id]"),
    ("site/{site}/settings", "admin", "#site-settings-form"),
    ("site/{site}/areas", "admin", "#area-list tr[data-id]"),
    ("site/{site}/posts", "admin", "#post-list tr[data-id]"),
    ("site/{site}/teams", "admin", "#team-list tr[data-id]"),
    ("contractors", "admin", "#contractor-form"),
    ("staff", "hr", "#staff-list tr[data-id]"),
    ("staff-import", "hr", "#staff-import-form"),
    ("users", "admin", "#user-list tr[data-id]"),
    ("checkpoints", "admin", "#checkpoint-list tr[data-id]"),
    ("routes", "supervisor", "#route-list tr[data-id]"),
    ("schedules", "supervisor", "#schedule-list tr[data-id]"),
    ("greeting-settings", "supervisor", "#greeting-settings-form"),
    ("greeting-leave", "supervisor", "#greeting-leave-form"),
    ("greeting-rota", "supervisor", "#greeting-cal .gr-shift"),
    ("calendar", "supervisor", "#cal-year-grid td[data-mark]"),
    ("alerts", "admin", "#webhook-form"),
    ("followups", "supervisor", "#promise-table"),
    ("audit", "admin", "#audit-filters"),
]


@pytest.fixture(scope="module")
def tower(live_server):
    with live_server.app.app_context():
        return Site.get(Site.code == "HRZX")


@pytest.mark.parametrize("size", ["desktop", "phone"])
@pytest.mark.parametrize("route,who,ready", SCREENS, ids=[s[0].split("/")[0] for s in SCREENS])
def test_each_screen_renders_and_is_accessible(
    browser, live_server, tower, route, who, ready, size
):
    options = DESKTOP if size == "desktop" else PHONE
    with page_in(browser, live_server, options) as page:
        # The tower is the site every picker starts on (the guard's and manager's site).
        page.add_init_script(f"sessionStorage.setItem('xj.console.site', '{tower.id}')")
        console_sign_in(page, who)
        page.goto(f"/console/#/{route.format(site=tower.id)}")
        page.locator(ready).first.wait_for()
        refusals = page.locator(".answer.error, .screen > p.error").all_inner_texts()
        assert refusals == [], refusals
        name = route.split("/")[0] if "{site}" not in route else f"site-{route.rsplit('/', 1)[1]}"
        screenshot(page, f"console-{name}-{size}")
        if size == "phone":
            assert page.evaluate("document.documentElement.scrollWidth") <= 360
        assert accessibility_problems(page) == []
