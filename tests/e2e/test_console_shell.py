"""The office console's shell: sign-in says what went wrong, each role sees its own menu, a
guard is sent to the phone app, and the language switch changes every word of the shell."""

from tests.conftest import PASSWORD
from tests.e2e.conftest import accessibility_problems, screenshot


def console_sign_in(page, username: str, password: str = PASSWORD) -> None:
    """Sign in through the console's own form and wait for its home screen."""
    page.goto("/console/")
    page.locator("#username").fill(username)
    page.locator("#password").fill(password)
    page.locator("#signin-form button[type=submit]").click()
    page.locator(".screen-home").wait_for()


def menu_labels(page) -> list[str]:
    return [text.strip() for text in page.locator("#nav a").all_inner_texts()]


def test_sign_in_says_what_is_wrong_before_and_after_asking_the_server(desktop):
    desktop.goto("/console/")
    desktop.locator("#signin-form button[type=submit]").click()
    assert desktop.locator("#signin-answer").inner_text() == "请填写账号和密码。"
    assert accessibility_problems(desktop) == []
    desktop.locator("#username").fill("admin")
    desktop.locator("#password").fill("not-the-password")
    desktop.locator("#signin-form button[type=submit]").click()
    desktop.locator("#signin-answer", has_text="账号或密码不对。").wait_for()
    screenshot(desktop, "console-00-sign-in-refused")
    assert desktop.evaluate("localStorage.getItem('xj.session')") is None


def test_each_office_role_sees_its_own_menu_and_a_guard_is_sent_to_the_phone_app(desktop):
    console_sign_in(desktop, "admin")
    admin_menu = menu_labels(desktop)
    assert "账号" in admin_menu and "项目" in admin_menu
    assert accessibility_problems(desktop) == []
    screenshot(desktop, "console-01-home-admin")
    desktop.locator("#signout").click()
    desktop.locator("#signin-form").wait_for()

    console_sign_in(desktop, "hr")
    hr_menu = menu_labels(desktop)
    assert "账号" not in hr_menu and "员工" in hr_menu
    desktop.locator("#signout").click()

    desktop.locator("#signin-form").wait_for()
    desktop.locator("#username").fill("guard")
    desktop.locator("#password").fill(PASSWORD)
    desktop.locator("#signin-form button[type=submit]").click()
    desktop.locator(".screen-home .error", has_text="请用手机端").wait_for()
    assert menu_labels(desktop) == []


def test_the_language_switch_changes_the_shell(desktop):
    console_sign_in(desktop, "supervisor")
    desktop.locator("#lang").click()
    desktop.locator("#brand", has_text="Office console").wait_for()
    assert desktop.locator("html").get_attribute("lang") == "en"
    assert "Sign out" in desktop.locator("#signout").inner_text()
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in " ".join(menu_labels(desktop)))
    desktop.locator("#lang").click()
    desktop.locator("#brand", has_text="办公后台").wait_for()


def test_on_a_phone_the_menu_folds_behind_a_button(browser, live_server):
    from tests.e2e.conftest import PHONE, page_in

    with page_in(browser, live_server, PHONE) as page:
        console_sign_in(page, "supervisor")
        assert not page.locator("#nav").is_visible()
        page.locator("#menu-toggle").click()
        assert page.locator("#nav").is_visible()
        assert page.locator("#menu-toggle").get_attribute("aria-expanded") == "true"
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        screenshot(page, "console-02-phone-menu")
        assert accessibility_problems(page) == []
