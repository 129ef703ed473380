"""Inspection plans through the API: the to-do of my sites, ticked off by a submitted (and an
offline-queued, later sent) inspection, and a month's coverage with the people not covered."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from models.tables.org import Area, Site, Staff
from tests.test_inspections import answers_for, form


def local_now(zone):
    return datetime.now(UTC).astimezone(zone)


def earlier_today(site, hours):
    """``hours`` ago, but still today at the site (an inspection queued offline this morning)."""
    now = local_now(site.zone)
    midnight = now.replace(hour=0, minute=1, second=0, microsecond=0)
    return max(now - timedelta(hours=hours), midnight).astimezone(UTC).isoformat()


def send(world, code, when, **subject):
    checklist = form(world, code, **subject)
    body = {
        "id": str(uuid.uuid4()),
        "checklist": code,
        "checklist_version": checklist["version"],
        "inspected_at": when,
        "device_id": "phone-1",
        "items": answers_for(checklist),
        **subject,
    }
    r = world.client.post("/api/inspections", headers=world.headers("supervisor"), json=body)
    assert r.status_code == 201, r.json
    return r.json


def todo(world, role="supervisor", **query):
    r = world.client.get("/api/plans/todo", headers=world.headers(role), query_string=query)
    assert r.status_code == 200, r.json
    return r.json


def keys(rows):
    return {(row["subject"]["kind"], row["subject"]["id"], row["checklist"]) for row in rows}


@pytest.fixture
def graded(app, world):
    """Site A is grade 1 (一级); its lobby is planned daily."""
    with app.app_context():
        Site.update(service_grade=1).where(Site.id == world.site_a.id).execute()
        world.site_a = Site.get_by_id(world.site_a.id)
        lift = Area.create(site=world.site_a, name="1号电梯", area_type="lift")
    return {"lift": lift}


def test_todo_lists_my_sites_plan_and_a_submitted_inspection_ticks_it_off(world, graded):
    rows = todo(world)
    lobby = ("area", world.area_a.id, "cleaning-lobby")
    assert lobby in keys(rows)
    row = next(r for r in rows if r["subject"]["id"] == world.area_a.id)
    assert row["site_id"] == world.site_a.id and row["period"] == "day"
    assert row["subject"]["name"] == "大堂" and row["overdue"] is False
    # Only my sites: site B's garden and cleaner are not mine.
    assert {r["site_id"] for r in rows} == {world.site_a.id}
    send(world, "cleaning-lobby", earlier_today(world.site_a, 0.1), area_id=world.area_a.id)
    assert lobby not in keys(todo(world))
    # The lift is still due.
    assert ("area", graded["lift"].id, "cleaning-lift") in keys(todo(world))


def test_an_inspection_queued_offline_and_sent_later_counts_for_when_it_was_made(world, graded):
    lift = ("area", graded["lift"].id, "cleaning-lift")
    assert lift in keys(todo(world))
    # Made hours ago with no signal, sent now: its inspected_at is today, so it counts.
    send(world, "cleaning-lift", earlier_today(world.site_a, 5), area_id=graded["lift"].id)
    assert lift not in keys(todo(world))


def test_yesterdays_inspection_does_not_tick_off_todays_daily_check(world, graded):
    now = local_now(world.site_a.zone)
    yesterday = (now - timedelta(days=1)).replace(hour=12).astimezone(UTC).isoformat()
    send(world, "cleaning-lift", yesterday, area_id=graded["lift"].id)
    assert ("area", graded["lift"].id, "cleaning-lift") in keys(todo(world))


def test_todo_for_another_site_is_not_found_and_admin_sees_every_site(world, graded):
    r = world.client.get(
        "/api/plans/todo",
        headers=world.headers("supervisor"),
        query_string={"site_id": world.site_b.id},
    )
    assert r.status_code == 404
    sites = {row["site_id"] for row in todo(world, "admin")}
    assert sites == {world.site_a.id, world.site_b.id}


def test_coverage_counts_the_months_inspections_and_lists_who_was_not_covered(app, world, graded):
    with app.app_context():
        other = Staff.create(
            employee_no="A-9", name="赵六", gender="male", job="guard", site=world.site_a
        )
    now = datetime.now(UTC)
    month = int(local_now(world.site_a.zone).strftime("%Y%m"))
    when = earlier_today(world.site_a, 0.1)
    for _ in range(5):  # five grooming checks of 张三: they count as his four, never 赵六's
        send(world, "grooming-basic", when, staff_id=world.staff_a.id)
    r = world.client.get(
        "/api/plans/coverage",
        headers=world.headers("hr"),
        query_string={"site_id": world.site_a.id, "month": month},
    )
    assert r.status_code == 200, r.json
    (site,) = r.json
    assert site["site_id"] == world.site_a.id and site["service_grade"] == 1
    uncovered = {
        (u["subject"]["kind"], u["subject"]["id"], u["kind"]): u for u in site["uncovered"]
    }
    assert ("staff", world.staff_a.id, "grooming") not in uncovered
    assert uncovered[("staff", other.id, "grooming")]["done"] == 0
    assert uncovered[("staff", other.id, "grooming")]["planned"] == 4
    assert uncovered[("staff", world.staff_a.id, "etiquette")]["planned"] == 4
    assert ("area", world.area_a.id, "cleaning") in uncovered
    assert site["done"] == 4 and site["planned"] > 4 and site["below_plan"] is True
    assert site["uncovered_people"] == 2 and site["uncovered_areas"] == 2
    assert now.year >= 2026
    # Another site's coverage is not found for site A's supervisor.
    r = world.client.get(
        "/api/plans/coverage",
        headers=world.headers("supervisor"),
        query_string={"site_id": world.site_b.id, "month": month},
    )
    assert r.status_code == 404


def test_grade_changes_the_todo(app, world, graded):
    daily = ("area", world.area_a.id, "cleaning-lobby")
    first = {
        (k, r["period"])
        for r in todo(world)
        for k in [(r["subject"]["kind"], r["subject"]["id"], r["checklist"])]
    }
    assert (daily, "day") in first
    with app.app_context():
        Site.update(service_grade=3).where(Site.id == world.site_a.id).execute()
    third = {
        (k, r["period"])
        for r in todo(world)
        for k in [(r["subject"]["kind"], r["subject"]["id"], r["checklist"])]
    }
    assert (daily, "day") not in third and (daily, "week") in third


def test_the_monthly_record_says_not_inspected_beside_missing_never_zero(app, world, graded):
    with app.app_context():
        other = Staff.create(
            employee_no="A-9", name="赵六", gender="male", job="guard", site=world.site_a
        )
    month = int(local_now(world.site_a.zone).strftime("%Y%m"))
    send(world, "grooming-basic", earlier_today(world.site_a, 0.1), staff_id=world.staff_a.id)
    r = world.client.get(
        "/api/monthly/records",
        headers=world.headers("hr"),
        query_string={"site_id": world.site_a.id, "month": month},
    )
    assert r.status_code == 200, r.json
    rows = {row["staff_id"]: row for row in r.json}
    never = rows[other.id]
    assert never["not_inspected"] is True
    assert (never["inspections_planned"], never["inspections_done"]) == (8, 0)
    assert never["grooming_score"] is None and never["composite"] is None
    seen = rows[world.staff_a.id]
    assert seen["not_inspected"] is False
    assert (seen["inspections_planned"], seen["inspections_done"]) == (8, 1)
    assert seen["grooming_score"] == 100


def test_closing_a_month_inspected_below_plan_answers_a_warning(world, graded):
    now = local_now(world.site_a.zone)
    last = (now.replace(day=1) - timedelta(days=1)).strftime("%Y%m")
    r = world.client.post(
        "/api/monthly/close",
        headers=world.headers("hr"),
        json={"site_id": world.site_a.id, "month": int(last)},
    )
    assert r.status_code == 201, r.json
    assert r.json["inspections_done"] == 0 and r.json["inspections_planned"] > 0
    assert "检查覆盖不足" in r.json["coverage_warning"]
    assert "Coverage below plan" in r.json["coverage_warning"]


def test_a_sites_own_plan_overrides_its_grade_and_is_audited(app, world, graded):
    lobby = ("area", world.area_a.id, "cleaning-lobby")
    admin = world.headers("admin")
    with app.app_context():
        Site.update(service_grade=3).where(Site.id == world.site_a.id).execute()
    periods = {
        keys([row]).pop(): row["period"] for row in todo(world) if row["subject"]["kind"] == "area"
    }
    assert periods[lobby] == "week"
    body = {
        "site_id": world.site_a.id,
        "checklist": "cleaning-lobby",
        "match": "lobby",
        "frequency": "1/day",
        "reason": "合同约定大堂每日检查",
    }
    r = world.client.post("/api/plans/overrides", headers=admin, json=body)
    assert r.status_code == 201, r.json
    assert r.json["subject"] == "area" and r.json["kind"] == "cleaning"
    row = next(r for r in todo(world) if keys([r]) == {lobby})
    assert row["period"] == "day" and row["frequency"] == "1/day"
    # Setting it again replaces it (one per area type and kind).
    r = world.client.post("/api/plans/overrides", headers=admin, json={**body, "frequency": "0"})
    assert r.status_code == 201
    listed = world.client.get(
        "/api/plans/overrides",
        headers=world.headers("hr"),
        query_string={"site_id": world.site_a.id},
    ).json
    assert [(o["match"], o["frequency"]) for o in listed] == [("lobby", "0")]
    assert lobby not in keys(todo(world))
    audit = world.client.get("/api/audit", headers=admin, query_string={"entity": "plan_override"})
    assert audit.status_code == 200 and len(audit.json) == 2, audit.json
    # A checklist that does not apply to the area type is refused, naming the field.
    r = world.client.post("/api/plans/overrides", headers=admin, json={**body, "match": "garage"})
    assert r.status_code == 422 and "match" in r.json["errors"]["json"]
    r = world.client.delete(f"/api/plans/overrides/{listed[0]['id']}", headers=admin)
    assert r.status_code == 204
    assert next(r for r in todo(world) if keys([r]) == {lobby})["period"] == "week"


def test_migration_10_adds_the_overrides_table_to_an_older_database_and_is_safe_twice(app):
    from models import db
    from models.tables.plan_overrides import PlanOverride
    from models.tables.schema import SchemaVersion, upgrade

    with app.app_context():
        db.execute_sql('DROP TABLE "plan_override"')
        SchemaVersion.delete().execute()
        SchemaVersion.create(version=9)  # a database from before the plans
        done = upgrade()
        assert "created table plan_override" in done
        assert any(line.startswith("migration 10:") for line in done)
        assert PlanOverride.table_exists()
        # The migration itself is safe on a database that has the table already.
        SchemaVersion.delete().where(SchemaVersion.version >= 10).execute()
        assert any(line.startswith("migration 10:") for line in upgrade())
        assert upgrade() == []


def test_an_overdue_planned_inspection_is_alerted_once_through_the_sites_channels(
    app, world, graded
):
    """Issue 21.4: a planned check more than PLAN_ALERT_AFTER_DAYS past its due day goes to the
    site's channels as plan.overdue, once per item and due day, with what and when in words."""
    import json

    from models.records.plans import alert_overdue_plans
    from models.rules import robots
    from models.tables.patrols import Webhook, WebhookDelivery

    with app.app_context():
        Webhook.create(site=world.site_a, url="https://hooks.example.cn/x", secret="s")
        rules = app.extensions["xunjian"]["plans"]
        closing_day = app.extensions["xunjian"]["scoring"].closing_day
        late = datetime(2026, 12, 27, 4)  # noon in Shanghai: the month's first checks are due
        assert alert_overdue_plans(rules, late, closing_day, after_days=40) == 0
        found = alert_overdue_plans(rules, late, closing_day, after_days=1)
        queued = WebhookDelivery.select().where(WebhookDelivery.event == "plan.overdue").count()
        assert alert_overdue_plans(rules, late, closing_day, after_days=1) == found
        deliveries = list(WebhookDelivery.select().where(WebhookDelivery.event == "plan.overdue"))
    # Site A's two checks of 张三 (grooming, etiquette); site B has no channel: nothing queued.
    assert found > queued == len(deliveries) == 2  # found again, queued once each
    assert {d.site_id for d in deliveries} == {world.site_a.id}
    bodies = [json.loads(d.body) for d in deliveries]
    guard = next(b for b in bodies if b["subject_id"] == world.staff_a.id)
    assert guard["subject"] == "张三" and guard["due"] < "2026-12-26"
    card = robots.describe("plan.overdue", guard, "甲大厦", world.site_a.zone, None)
    assert card.what == "计划检查逾期" and ("检查对象", "张三") in card.details
