"""The working-day calendar API: a site's year with statutory holidays and 调休 from the
library, the site's own closures and working days (confined to the caller's sites, audited),
and a warning for a year the library does not know."""

import json
from datetime import date

from models import db
from models.tables.audit import AuditEntry
from models.tables.calendar import SiteDay, site_duty_calendar
from models.tables.schema import SchemaVersion, upgrade


def calendar(world, site, year, user="manager"):
    r = world.client.get(
        "/api/calendar",
        query_string={"site_id": site.id, "year": year},
        headers=world.headers(user),
    )
    assert r.status_code == 200, r.json
    return r.json


def add_day(world, site, day, kind, user="supervisor", note=""):
    return world.client.post(
        "/api/calendar/days",
        json={"site_id": site.id, "day": day, "kind": kind, "note": note},
        headers=world.headers(user),
    )


def test_2026_holidays_and_makeup_days_from_the_statute(world):
    body = calendar(world, world.site_a, 2026)
    assert body["covered"] is True and body["warning"] is None
    days = {d["day"]: d for d in body["days"]}
    new_year = days["2026-01-01"]
    assert (new_year["kind"], new_year["source"], new_year["name_zh"]) == (
        "holiday",
        "statute",
        "元旦",
    )
    assert new_year["working"] is False
    for makeup in ("2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20"):
        assert days[makeup]["kind"] == "makeup_workday" and days[makeup]["working"] is True
    assert "2026-03-10" not in days  # an ordinary Tuesday
    assert "2026-03-14" not in days  # an ordinary Saturday
    assert [d["day"] for d in body["days"]] == sorted(days)


def test_2027_is_not_covered_and_says_so_in_both_languages(world):
    body = calendar(world, world.site_a, 2027, user="hr")
    assert body["covered"] is False
    assert "2027年" in body["warning"] and "not in the calendar yet" in body["warning"]
    days = {d["day"]: d for d in body["days"]}
    assert days["2027-01-01"]["kind"] == "holiday"
    assert not any(d["kind"] == "makeup_workday" for d in body["days"])


def test_a_sites_closure_is_added_shown_audited_and_removed(world, app):
    r = add_day(world, world.site_a, "2026-03-10", "closed", note="公司年会")
    assert r.status_code == 201, r.json
    assert (r.json["kind"], r.json["day"], r.json["note"]) == ("closed", "2026-03-10", "公司年会")
    day_id = r.json["id"]
    days = {d["day"]: d for d in calendar(world, world.site_a, 2026)["days"]}
    assert days["2026-03-10"] == {
        "day": "2026-03-10",
        "kind": "holiday",
        "source": "site",
        "working": False,
        "name": "",
        "name_zh": "",
        "site_day_id": day_id,
        "note": "公司年会",
    }
    # The other site's calendar is untouched.
    other = calendar(world, world.site_b, 2026, user="supervisor-b")
    assert "2026-03-10" not in {d["day"] for d in other["days"]}
    listed = world.client.get(
        "/api/calendar/days",
        query_string={"site_id": world.site_a.id, "year": 2026},
        headers=world.headers("admin"),
    )
    assert [d["id"] for d in listed.json] == [day_id]

    # One mark per day: the second is refused until the first is removed.
    again = add_day(world, world.site_a, "2026-03-10", "open")
    assert again.status_code == 409 and again.json["error"] == "day_taken"

    r = world.client.delete(f"/api/calendar/days/{day_id}", headers=world.headers("supervisor"))
    assert r.status_code == 204
    assert "2026-03-10" not in {d["day"] for d in calendar(world, world.site_a, 2026)["days"]}
    with app.app_context():
        entries = list(
            AuditEntry.select()
            .where((AuditEntry.entity == "site_day") & (AuditEntry.entity_id == str(day_id)))
            .order_by(AuditEntry.id)
        )
        assert [e.action for e in entries] == ["create", "delete"]
        assert entries[0].site_id == world.site_a.id
        assert json.loads(entries[1].before)["day"] == "2026-03-10"
        assert not SiteDay.select().where(SiteDay.id == day_id).exists()


def test_a_site_open_on_a_holiday_works_it(world):
    r = add_day(world, world.site_a, "2026-10-02", "open", user="admin", note="值守")
    assert r.status_code == 201, r.json
    day = {d["day"]: d for d in calendar(world, world.site_a, 2026)["days"]}["2026-10-02"]
    assert (day["kind"], day["source"], day["working"], day["name_zh"]) == (
        "makeup_workday",
        "site",
        True,
        "国庆节",
    )


def test_a_sites_duty_calendar_has_its_own_days_and_no_other_sites(world, app):
    assert add_day(world, world.site_a, "2026-02-24", "closed").status_code == 201
    assert add_day(world, world.site_a, "2026-02-22", "open").status_code == 201
    with app.app_context():
        a = site_duty_calendar(world.site_a.id, date(2026, 2, 1), date(2026, 2, 28))
        b = site_duty_calendar(world.site_b.id, date(2026, 2, 1), date(2026, 2, 28))
    assert date(2026, 2, 24) in a.holidays and date(2026, 2, 24) not in b.holidays
    # A Sunday of the Spring Festival the site works through: a make-up day there only.
    assert date(2026, 2, 22) in a.extra_workdays and date(2026, 2, 22) in b.holidays
    assert date(2026, 2, 14) in a.extra_workdays and date(2026, 2, 14) in b.extra_workdays


def test_another_sites_days_are_out_of_reach(world, app):
    # supervisor-b works at site B only.
    # Another site's id is refused like an id that does not exist (reference(...): a 404 or,
    # before that convention, a 422), naming site_id; nothing is stored.
    r = add_day(world, world.site_a, "2026-03-11", "closed", user="supervisor-b")
    assert r.status_code in (404, 422) and "site_id" in str(r.json["errors"])
    with app.app_context():
        assert not SiteDay.select().exists()
    mine = add_day(world, world.site_a, "2026-03-11", "closed").json["id"]
    r = world.client.delete(f"/api/calendar/days/{mine}", headers=world.headers("supervisor-b"))
    assert r.status_code == 404
    r = world.client.get(
        "/api/calendar",
        query_string={"site_id": world.site_a.id, "year": 2026},
        headers=world.headers("supervisor-b"),
    )
    assert r.status_code in (404, 422)
    r = world.client.get(
        "/api/calendar/days",
        query_string={"site_id": world.site_a.id},
        headers=world.headers("supervisor-b"),
    )
    assert r.status_code in (404, 422)


def test_bad_marks_are_refused(world):
    r = add_day(world, world.site_a, "2026-03-12", "maybe")
    assert r.status_code == 422 and "kind" in r.json["errors"]["json"]
    r = add_day(world, world.site_a, "1999-03-12", "closed")
    assert r.status_code == 422 and "day" in r.json["errors"]["json"]
    r = world.client.get(
        "/api/calendar",
        query_string={"site_id": world.site_a.id, "year": 1800},
        headers=world.headers("manager"),
    )
    assert r.status_code == 422


def test_migration_9_adds_the_table_to_an_older_database_and_is_safe_twice(app):
    with app.app_context():
        db.execute_sql('DROP TABLE "site_day"')
        SchemaVersion.delete().execute()
        SchemaVersion.create(version=5)  # a database from before the calendar
        done = upgrade()
        assert "created table site_day" in done
        assert any(line.startswith("migration 9:") for line in done)
        assert SiteDay.table_exists()
        assert SchemaVersion.select().where(SchemaVersion.version == 9).exists()
        assert upgrade() == []
