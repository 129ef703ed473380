"""End-to-end fixtures: the real app on a live HTTP server, driven by Debian's Chromium through
Playwright at a phone's size.

- ``live_server`` (one per test module): the app from tests/conftest.py's ``make_app`` on a
  fresh instance (SQLite file, or the PostgreSQL of TEST_DATABASE_URL), with the demo company
  (``api.demo``) whose accounts all get the test PASSWORD; served by werkzeug in a thread.
- ``browser`` (one per session): /usr/bin/chromium, headless.
- ``phone``: a page in a new phone-sized context (360x740, touch, zh-CN, Shanghai time, GPS).
- ``desktop``: a page in a new desktop-sized context (1280x800), for the office console.
- ``sign_in(page, username)`` and ``screenshot(page, name)`` (PNGs under
  test-artifacts/screens/ at the repository root); ``accessibility_problems(page)``: axe-core's
  serious and critical findings.
"""

import logging
import os
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pylopdf_fonts_zh_cn
import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, sync_playwright
from werkzeug.serving import make_server

from api.demo import load_demo
from api.security import hash_password
from models.tables.accounts import User
from models.tables.checklists import sync_checklists
from models.tables.schema import upgrade
from tests.conftest import ON_POSTGRES, PASSWORD, empty_all_tables, make_app

ROOT = Path(__file__).resolve().parents[2]
SCREENS = ROOT / "test-artifacts" / "screens"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {
    "viewport": {"width": 360, "height": 740},
    "screen": {"width": 360, "height": 740},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
    "locale": "zh-CN",
    "timezone_id": "Asia/Shanghai",
    # The demo tower in Shenzhen; the guard's phone grants the app its location.
    "geolocation": {"latitude": 22.54, "longitude": 113.95, "accuracy": 12},
    "permissions": ["geolocation"],
    "service_workers": "allow",
}
DESKTOP = {
    "viewport": {"width": 1280, "height": 800},
    "locale": "zh-CN",
    "timezone_id": "Asia/Shanghai",
    "accept_downloads": True,
}
TIMEOUT_MS = 15_000
AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"


def pytest_collection_modifyitems(items):
    """Every test in this folder drives a real browser: marked slow (see README, Tests)."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.path).parents:
            item.add_marker(pytest.mark.slow)


@dataclass
class LiveServer:
    app: Flask
    url: str

    def app_url(self, hash_path: str = "") -> str:
        return f"{self.url}/app/{'#/' + hash_path if hash_path else ''}"


@contextmanager
def serving(app: Flask):
    """The app on a live HTTP server (werkzeug, threaded) on a free port of 127.0.0.1."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="e2e-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(app, f"http://127.0.0.1:{server.server_port}")
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        # Only the idle connections: werkzeug's request threads are not waited for, and a
        # page's last request may still be using one (closing a SQLite connection under
        # another thread crashed the process). The rest close with the process.
        app.extensions["xunjian"]["database"].close_idle()


def fresh_app(tmp_path_factory) -> Flask:
    """An app on a new, empty database with the checklists loaded."""
    app = make_app(tmp_path_factory.mktemp("e2e"))
    with app.app_context():
        upgrade()
        if ON_POSTGRES:
            empty_all_tables()
        sync_checklists(app.extensions["xunjian"]["checklists"])
    return app


@pytest.fixture(scope="module")
def live_server(tmp_path_factory):
    """The demo company, every account with the test PASSWORD."""
    app = fresh_app(tmp_path_factory)
    with app.app_context():
        load_demo()
        User.update(password_hash=hash_password(PASSWORD)).execute()
    with serving(app) as server:
        yield server


def fontconfig(folder: Path) -> Path:
    """A fontconfig file adding Noto Sans SC (installed from PyPI for the photo stamp), so the
    screenshots show Chinese on machines without CJK system fonts."""
    conf = folder / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
        '<include ignore_missing="yes">/etc/fonts/fonts.conf</include>'
        f"<dir>{Path(pylopdf_fonts_zh_cn.sans_path()).parent}</dir>"
        f"<cachedir>{folder / 'cache'}</cachedir></fontconfig>",
        encoding="utf-8",
    )
    return conf


@pytest.fixture(scope="session")
def browser(tmp_path_factory):
    env = {**os.environ, "FONTCONFIG_FILE": str(fontconfig(tmp_path_factory.mktemp("fonts")))}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS, env=env
        )
        yield browser
        browser.close()


@contextmanager
def page_in(browser: Browser, server: LiveServer, options: dict):
    """A page in a new browser context; fails the test on any JavaScript error in the page."""
    context = browser.new_context(base_url=server.url, **options)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert not errors, f"JavaScript errors in the page: {errors}"


@pytest.fixture
def phone(browser: Browser, live_server: LiveServer):
    with page_in(browser, live_server, PHONE) as page:
        yield page


@pytest.fixture
def desktop(browser: Browser, live_server: LiveServer):
    with page_in(browser, live_server, DESKTOP) as page:
        yield page


def sign_in(page: Page, username: str, password: str = PASSWORD) -> None:
    """Sign in through the app's own form and wait for the home screen."""
    if "/app/" not in page.url:
        page.goto("/app/")
    page.locator("#username").fill(username)
    page.locator("#password").fill(password)
    page.locator("#login-form button[type=submit]").click()
    page.wait_for_function("localStorage.getItem('xj.session') !== null")
    page.locator("#login-form").wait_for(state="detached")


def screenshot(page: Page, name: str) -> Path:
    """Keep a picture of a screen as a test artefact (test-artifacts/screens/<name>.png)."""
    SCREENS.mkdir(parents=True, exist_ok=True)
    path = SCREENS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def wait_for_service_worker(page: Page) -> None:
    """Until the service worker controls the page (its cache is then filled)."""
    page.wait_for_function("navigator.serviceWorker && navigator.serviceWorker.controller !== null")


def accessibility_problems(page: Page) -> list[str]:
    """What axe-core (vendored, tests/e2e/vendor/axe-core) finds serious or critical on the
    page as it is now: one line per violation with the elements it names."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    results = page.evaluate(
        "axe.run(document, {resultTypes: ['violations'], runOnly: {type: 'tag', "
        "values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})"
    )
    return [
        f"{v['impact']} {v['id']}: {v['help']} at "
        + ", ".join(" ".join(node["target"]) for node in v["nodes"][:5])
        for v in results["violations"]
        if v["impact"] in ("serious", "critical")
    ]
