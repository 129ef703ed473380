"""The supervisor's to-do 今日待检 on the phone: what the inspection plan asks for at my sites today
and this week, overdue first; one tap opens the right checklist, and the item goes once its
inspection is submitted."""

from datetime import UTC, datetime

from models.tables.accounts import User, UserSite
from models.tables.inspections import Inspection
from models.tables.org import Area, Site
from tests.e2e.conftest import (
    accessibility_problems,
    screenshot,
    sign_in,
    wait_for_service_worker,
)


def day_start_utc(now: datetime, zone) -> datetime:
    """The start of today in a site's zone, as the naive UTC the database keeps."""
    local = now.astimezone(zone).replace(hour=0, minute=0, second=0, microsecond=0)
    return local.astimezone(UTC).replace(tzinfo=None)


def test_the_todo_lists_the_plan_and_an_item_goes_once_inspected(live_server, phone):
    with live_server.app.app_context():
        user = User.get(User.username == "supervisor")
        site_ids = [link.site_id for link in UserSite.select().where(UserSite.user == user)]
        # A grade-1 (一级) site: its lobbies, lifts and restrooms are planned daily.
        Site.update(service_grade=1).where(Site.id.in_(site_ids)).execute()
        planned = list(
            Area.select(Area, Site)
            .join(Site)
            .where(
                Area.site.in_(site_ids)
                & Area.active
                & Area.area_type.in_(["lobby", "lift", "restroom", "waste_point"])
            )
        )
        # The demo's generated history runs up to now: an area already inspected today (in
        # its site's day) has had its daily inspection and is rightly not on the list.
        now = datetime.now(UTC)
        inspected_today = {
            i.area_id
            for a in planned
            for i in Inspection.select(Inspection.area).where(
                (Inspection.area == a.id)
                & (Inspection.inspected_at >= day_start_utc(now, a.site.zone))
            )
        }
        daily = {a.id for a in planned} - inspected_today
    assert daily, "the demo supervisor's sites have lobbies"

    phone.set_viewport_size({"width": 360, "height": 740})
    sign_in(phone, "supervisor")
    entry = phone.locator("a[href='#/todo']")
    assert "今日待检" in entry.inner_text()
    entry.click()
    rows = phone.locator("#sv-todo [data-todo]")
    rows.first.wait_for()
    assert rows.count() >= len(daily)
    keys = [rows.nth(i).get_attribute("data-todo") for i in range(rows.count())]
    # Each planned daily area is on the list with its checklist.
    on_list = {int(k.split("-")[1]) for k in keys if k.startswith("area-")}
    assert daily <= on_list
    # Overdue first: no overdue row after one that is not.
    late = [rows.nth(i).locator(".sv-badge").count() > 0 for i in range(rows.count())]
    assert late == sorted(late, reverse=True)
    assert not accessibility_problems(phone)
    screenshot(phone, "plans-01-todo")

    key = next(k for k in keys if k.startswith("area-") and int(k.split("-")[1]) in daily)
    phone.locator(f"[data-todo='{key}']").click()
    # One tap: the form of the planned checklist for that area.
    code = key.split("-", 2)[2]
    assert phone.url.endswith(f"#/inspect-form/area/{key.split('-')[1]}/{code}")
    phone.locator("#sv-all-pass").click()
    phone.locator("#sv-submit").click()
    phone.locator("#sv-score").wait_for()

    phone.goto("/app/#/todo")
    phone.locator("#sv-todo [data-todo], #sv-todo-none").first.wait_for()
    assert phone.locator(f"[data-todo='{key}']").count() == 0
    assert phone.locator("#sv-todo [data-todo]").count() == len(keys) - 1


def test_the_month_close_warns_when_inspections_were_below_plan(live_server, phone):
    with live_server.app.app_context():
        site = Site.get(Site.code == "HRZX")
        zone_today = Site.get_by_id(site.id).zone
    from datetime import UTC, datetime

    today = datetime.now(UTC).astimezone(zone_today)
    year, number = today.year, today.month
    previous = (year - 1) * 100 + 12 if number == 1 else year * 100 + number - 1
    phone.set_viewport_size({"width": 360, "height": 740})
    sign_in(phone, "hr")
    phone.goto(f"/app/#/office/{site.id}/{previous}")
    phone.locator("#of-records").wait_for()
    # A person planned but never inspected that month says 未检查, never a zero score.
    assert "未检查" in phone.locator("#of-records").inner_text()
    phone.locator("#of-close").click()
    warning = phone.locator("#of-coverage-warning")
    warning.wait_for()
    assert "检查覆盖低于计划" in warning.inner_text()
    assert not accessibility_problems(phone)
    screenshot(phone, "plans-02-close-warning")
    phone.locator("#of-close-confirm .of-secondary").click()  # cancel: nothing closed


def test_an_inspection_queued_without_signal_ticks_its_item_off(live_server, phone):
    with live_server.app.app_context():
        user = User.get(User.username == "supervisor")
        site_ids = [link.site_id for link in UserSite.select().where(UserSite.user == user)]
        Site.update(service_grade=1).where(Site.id.in_(site_ids)).execute()
    sign_in(phone, "supervisor")
    wait_for_service_worker(phone)
    phone.goto("/app/#/inspect")  # keeps the lists and checklists an offline inspection needs
    phone.locator("#sv-offline-ready[data-ready='true']").wait_for()
    phone.goto("/app/#/todo")
    rows = phone.locator("#sv-todo [data-todo^='area-']")
    rows.first.wait_for()
    # One check left in its period (a daily one): the inspection takes it off the list.
    key = rows.filter(has_not_text="还差").first.get_attribute("data-todo")

    phone.context.set_offline(True)
    phone.reload()
    phone.goto("/app/#/todo")
    phone.locator("#sv-todo-kept").wait_for()  # the list saved on the phone, said so
    phone.locator(f"[data-todo='{key}']").click()
    phone.locator("#sv-all-pass").click()
    phone.locator("#sv-submit").click()
    phone.locator("#sv-queued li[data-queued]").first.wait_for()  # queued, not sent
    phone.goto("/app/#/todo")
    phone.locator("#sv-todo-kept").wait_for()
    phone.locator("#sv-todo [data-todo], #sv-todo-none").first.wait_for()
    assert phone.locator(f"[data-todo='{key}']").count() == 0
    assert not accessibility_problems(phone)
    screenshot(phone, "plans-03-offline-todo")

    # With signal again the outbox sends it, and the server's to-do has it ticked off too.
    phone.context.set_offline(False)
    phone.evaluate("window.dispatchEvent(new Event('online'))")
    gone = """async (key) => {
        const token = JSON.parse(localStorage.getItem('xj.session')).token;
        const r = await fetch('/api/plans/todo', {headers: {Authorization: 'Bearer ' + token}});
        const rows = await r.json();
        return !rows.some((x) => `${x.subject.kind}-${x.subject.id}-${x.checklist}` === key);
    }"""
    phone.wait_for_function(gone, arg=key, timeout=30_000)
    phone.reload()
    phone.locator("#sv-todo [data-todo], #sv-todo-none").first.wait_for()
    assert phone.locator("#sv-todo-kept").count() == 0
    assert phone.locator(f"[data-todo='{key}']").count() == 0
