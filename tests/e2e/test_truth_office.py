"""Issue 17, HR's phone screens: the people table at 360 px says it scrolls sideways, month close
is offered only once the month is over, the charts' labels are readable at phone size, and the
inspection behind a figure shows its English title in English."""

import re

from models.tables.org import Site
from tests.e2e.conftest import accessibility_problems, screenshot, sign_in
from tests.e2e.test_office import inspected, this_month  # noqa: F401 (a fixture)


def test_hr_table_says_it_scrolls_and_the_chart_labels_are_readable(live_server, phone, inspected):  # noqa: F811
    site, month = inspected["site"], inspected["month"]
    sign_in(phone, "hr")
    phone.locator("#lang").click()  # English headers are the widest
    phone.goto(f"/app/#/office/{site.id}/{month}")
    phone.locator("#of-records tbody tr").first.wait_for()
    hint = phone.locator("#of-scroll-hint")
    hint.wait_for()
    assert "Swipe" in hint.inner_text()
    # The table is wider than the phone: its box scrolls, and is reachable from the keyboard.
    scroller = phone.locator(".of-scroll")
    assert scroller.evaluate("e => e.scrollWidth > e.clientWidth")
    assert scroller.get_attribute("tabindex") == "0"

    # The grade chart: every label drawn at 11 px or more on this phone.
    phone.wait_for_function(
        "document.querySelector('#of-grade-chart')?.complete && "
        "document.querySelector('#of-grade-chart').naturalWidth > 0"
    )
    shown_width = phone.locator("#of-grade-chart").evaluate("img => img.clientWidth")
    svg = phone.evaluate(
        """async (url) => {
            const token = JSON.parse(localStorage.getItem('xj.session')).token;
            const r = await fetch(url, {headers: {Authorization: `Bearer ${token}`}});
            return r.text();
        }""",
        f"/api/monthly/charts/grades.svg?site_id={site.id}&month={month}",
    )
    view_width = float(re.search(r'viewBox="0 0 ([\d.]+)', svg).group(1))
    sizes = [float(s) for s in re.findall(r'font-size="([\d.]+)"', svg)]
    assert sizes and min(sizes) * shown_width / view_width >= 11, (sizes, shown_width, view_width)
    screenshot(phone, "truth-office-01-month")
    problems = accessibility_problems(phone)
    assert not problems, problems


def test_month_close_is_offered_only_once_the_month_is_over(live_server, phone):
    with live_server.app.app_context():
        site = Site.get(Site.code == "CHHY")
    current = this_month(site)
    year, number = divmod(current, 100)
    previous = (year - 1) * 100 + 12 if number == 1 else current - 1
    sign_in(phone, "hr")
    phone.goto(f"/app/#/office/{site.id}/{current}")
    phone.locator("#of-close-later").wait_for()
    assert phone.locator("#of-close").count() == 0
    assert "结束后才能关闭" in phone.locator("#of-close-later").inner_text()
    screenshot(phone, "truth-office-02-month-under-way")
    problems = accessibility_problems(phone)
    assert not problems, problems
    phone.goto(f"/app/#/office/{site.id}/{previous}")
    phone.locator("#of-close").wait_for()
    assert phone.locator("#of-close-later").count() == 0


def test_the_inspection_behind_a_figure_has_its_english_title(live_server, phone, inspected):  # noqa: F811
    sign_in(phone, "hr")
    phone.locator("#lang").click()
    phone.goto(f"/app/#/inspection/{inspected['inspection']['id']}")
    phone.locator("#sv-score").wait_for()
    body = phone.locator("section.sv").inner_text()
    assert "Basic appearance" in body and "基本仪容" not in body
    assert "Pass mark" in phone.locator("#sv-passed").inner_text()
    screenshot(phone, "truth-office-03-inspection-english")
    problems = accessibility_problems(phone)
    assert not problems, problems
