"""The phone app's shell: sign-in remembered, the language switch, offline start (service
worker), the manifest and a layout that fits a 360 px phone."""

import json

from tests.e2e.conftest import (
    accessibility_problems,
    screenshot,
    sign_in,
    wait_for_service_worker,
)


def test_served_by_the_app(live_server):
    test_client = live_server.app.test_client()

    class Client:
        def get(self, path):
            response = test_client.get(path)
            response.get_data()  # read, then close the file behind it
            response.close()
            return response

    client = Client()
    assert client.get("/").headers["Location"] == "/app/"
    assert client.get("/s/c1.2.1.x").headers["Location"] == "/app/#/scan/c1.2.1.x"
    shell = client.get("/app/")
    assert shell.status_code == 200 and b'src="/app/js/app.js"' in shell.data
    worker = client.get("/app/sw.js")
    assert worker.headers["Service-Worker-Allowed"] == "/"
    assert "no-cache" in worker.headers["Cache-Control"]
    text = worker.get_data(as_text=True)
    files = json.loads(text.split("const SHELL = ", 1)[1].split("; //", 1)[0])["files"]
    # Every screen module, the styles, icons and the vendored QR decoder are kept offline;
    # the API docs' Swagger UI is not.
    for path in (
        "/app/",
        "/app/js/app.js",
        "/app/js/screens/guard.js",
        "/app/js/screens/supervisor.js",
        "/app/js/screens/staff.js",
        "/app/css/app.css",
        "/app/icons/icon-512.png",
        "/static/vendor/jsqr/jsQR.js",
    ):
        assert path in files
    assert not any("swagger" in f for f in files)
    for path in files:
        assert client.get(path).status_code == 200, path
    manifest = client.get("/app/manifest.webmanifest").get_json(force=True)
    assert manifest["start_url"] == "/app/" and {i["sizes"] for i in manifest["icons"]} == {
        "192x192",
        "512x512",
    }
    assert client.get("/app/../api/__init__.py").status_code == 404


def test_sign_in_is_remembered_across_a_reload(phone):
    phone.goto("/app/")
    phone.locator("#login-form").wait_for()
    screenshot(phone, "01-login")
    phone.locator("#username").fill("guard")
    phone.locator("#password").fill("wrong-password")
    phone.locator("#login-form button[type=submit]").click()
    phone.wait_for_function("document.querySelector('#login-error').textContent.includes('错误')")
    sign_in(phone, "guard")
    assert "护卫员 张伟" in phone.locator("h1").inner_text()
    screenshot(phone, "02-home-guard")
    phone.reload()
    phone.locator(".menu a").first.wait_for()
    assert "护卫员 张伟" in phone.locator("h1").inner_text()
    assert phone.locator("#login-form").count() == 0
    # Signing out forgets the token: the login form comes back after a reload.
    phone.goto("/app/#/logout")
    phone.locator("#logout-yes").click()
    phone.locator("#login-form").wait_for()
    phone.reload()
    phone.locator("#login-form").wait_for()
    assert phone.evaluate("localStorage.getItem('xj.session')") is None


def test_english_switch_changes_the_texts(phone):
    sign_in(phone, "guard")
    # The indicator is filled in once the phone's queue has been counted (IndexedDB).
    phone.locator("#outbox", has_text="全部已发送").wait_for()
    assert "今日巡更" in phone.locator(".menu").inner_text()
    phone.locator("#lang").click()
    phone.locator(".menu", has_text="Today's rounds").wait_for()
    phone.locator("#outbox", has_text="All sent").wait_for()
    assert phone.title() == "Xunjian"  # not "Xunjian Xunjian"
    assert phone.locator("#lang").inner_text() == "中文"
    screenshot(phone, "03-home-guard-en")
    phone.reload()  # the choice is kept on the phone
    phone.locator(".menu a").first.wait_for()
    assert "Today's rounds" in phone.locator(".menu").inner_text()
    phone.locator("#lang").click()
    phone.locator(".menu", has_text="今日巡更").wait_for()


def test_app_shell_opens_offline_after_the_first_visit(phone):
    sign_in(phone, "guard")
    wait_for_service_worker(phone)
    phone.context.set_offline(True)
    phone.goto("/app/")  # a fresh load of the page, with no network at all
    phone.locator(".menu a").first.wait_for()
    assert "护卫员 张伟" in phone.locator("h1").inner_text()
    phone.goto("/app/#/guard")
    phone.locator("text=没有网络，显示上次加载的数据。").wait_for()
    screenshot(phone, "04-offline-rounds")
    phone.context.set_offline(False)


def test_layout_fits_a_360_px_phone(phone):
    sign_in(phone, "guard")
    for route in ("", "guard", "scanner", "anomaly", "outbox", "logout"):
        phone.goto(f"/app/#/{route}")
        phone.locator("main h1").first.wait_for()
        assert phone.evaluate("document.scrollingElement.scrollWidth") <= 360, route
    small = phone.evaluate(
        """[...document.querySelectorAll('button, a.button')]
             .filter(e => e.offsetParent !== null)
             .map(e => e.getBoundingClientRect())
             .filter(r => r.height < 48).length"""
    )
    assert small == 0


def test_an_empty_sign_in_says_what_is_missing(phone):
    """Issue 17.9: the form says which field is empty, beside it, and focuses it."""
    phone.goto("/app/")
    submit = phone.locator("#login-form button[type=submit]")
    submit.click()
    error = phone.locator("#login-error")
    assert error.inner_text() == "请输入用户名和密码。"
    assert phone.locator("#username").get_attribute("aria-invalid") == "true"
    assert phone.evaluate("document.activeElement.id") == "username"
    phone.locator("#username").fill("guard")
    submit.click()
    assert error.inner_text() == "请输入密码。"
    assert phone.locator("#username").get_attribute("aria-invalid") is None
    assert phone.evaluate("document.activeElement.id") == "password"
    screenshot(phone, "01-login-empty")
    assert accessibility_problems(phone) == []
