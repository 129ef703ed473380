"""Previewing a schedule: the rounds it would make in the next 24 hours, in the site's zone,
computed as the tick makes them, stored nowhere, refused as the create refuses."""

from datetime import UTC, date, datetime, timedelta

import pytest

from models import utcnow
from models.records.patrol_records import ensure_site_rounds, planned_rounds
from models.tables.audit import AuditEntry
from models.tables.org import Site
from models.tables.patrols import Round, Schedule

NIGHT = {
    "name": "夜间巡更",
    "start_time": "20:00",
    "end_time": "06:00",
    "every_minutes": 120,
    "duration_minutes": 45,
}


def make_route(world, site_id, area_id, role="admin") -> int:
    h = world.headers(role)
    checkpoint = world.client.post(
        "/api/checkpoints", headers=h, json={"area_id": area_id, "name": "大堂点"}
    ).json
    route = world.client.post(
        "/api/patrol-routes",
        headers=h,
        json={
            "site_id": site_id,
            "name": "夜巡",
            "stops": [{"checkpoint_id": checkpoint["id"], "offset_minutes": 0}],
        },
    )
    assert route.status_code == 201, route.json
    return route.json["id"]


@pytest.fixture
def route_id(app, world):
    with app.app_context():  # UTC+05:45 all year: neither the server's zone nor China's
        Site.update(timezone="Asia/Kathmandu").where(Site.id == world.site_a.id).execute()
    return make_route(world, world.site_a.id, world.area_a.id)


def naive_utc(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC).replace(tzinfo=None)


def preview(world, body, role="supervisor"):
    return world.client.post("/api/schedules/preview", headers=world.headers(role), json=body)


def test_a_night_schedule_previews_its_local_times_across_midnight(app, world, route_id):
    before = utcnow()
    r = preview(world, {"route_id": route_id, **NIGHT})
    after = utcnow()
    assert r.status_code == 200, r.json
    rounds = r.json["rounds"]
    starts = [datetime.fromisoformat(x["starts_at"]) for x in rounds]
    assert all(x["starts_at"].endswith("+05:45") for x in rounds)
    assert sorted(f"{s:%H:%M}" for s in starts) == [
        "00:00",
        "02:00",
        "04:00",
        "06:00",
        "20:00",
        "22:00",
    ]
    # In time order, two hours apart through the night (22:00 -> 00:00 is the next day). The
    # next 24 hours hold one whole night when they start in the day (first round 20:00), or
    # the rest of tonight, the fourteen-hour day and the start of tomorrow night otherwise.
    gaps = [(b - a) / timedelta(hours=1) for a, b in zip(starts, starts[1:], strict=False)]
    if f"{starts[0]:%H:%M}" == "20:00":
        assert gaps == [2, 2, 2, 2, 2]
    else:
        assert sorted(gaps) == [2, 2, 2, 2, 14]
        assert f"{starts[gaps.index(14) + 1]:%H:%M}" == "20:00"
    utc = [naive_utc(x["starts_at"]) for x in rounds]
    assert before - timedelta(seconds=1) <= min(utc) and max(utc) < after + timedelta(hours=24)
    assert all(
        datetime.fromisoformat(x["ends_at"]) - s == timedelta(minutes=45)
        for x, s in zip(rounds, starts, strict=True)
    )
    assert {x["route_id"] for x in rounds} == {route_id}


def test_the_preview_is_what_the_tick_then_makes(app, world, route_id):
    shown = preview(world, {"route_id": route_id, **NIGHT}).json["rounds"]
    created = world.client.post(
        "/api/schedules", headers=world.headers("supervisor"), json={"route_id": route_id, **NIGHT}
    )
    assert created.status_code == 201
    with app.app_context():
        schedule = Schedule.get_by_id(created.json["id"])
        ensure_site_rounds(Site.get_by_id(world.site_a.id), utcnow())
        made = [
            r.starts_at
            for r in Round.select().where(Round.schedule == schedule).order_by(Round.starts_at)
        ]
    shown_utc = [naive_utc(x["starts_at"]) for x in shown]
    # The schedule was created a moment after the preview: compare from its creation on.
    expected = [s for s in shown_utc if s >= schedule.created_at]
    assert expected and made[: len(expected)] == expected


def test_a_preview_stores_nothing(app, world, route_id):
    with app.app_context():
        counts = (Schedule.select().count(), Round.select().count(), AuditEntry.select().count())
    r = preview(world, {"route_id": route_id, **NIGHT})
    assert r.status_code == 200 and r.json["rounds"]
    with app.app_context():
        ensure_site_rounds(Site.get_by_id(world.site_a.id), utcnow())  # the tick finds nothing
        assert (
            Schedule.select().count(),
            Round.select().count(),
            AuditEntry.select().count(),
        ) == counts
    listed = world.client.get("/api/schedules", headers=world.headers("supervisor")).json
    assert listed == []


@pytest.mark.parametrize(
    "change",
    [
        {"name": None},  # required
        {"every_minutes": 3},
        {"start_time": "25:00"},
        {"weekdays": []},
        {"photo_checkpoint_ids": [999999]},  # not on the route
        {"post_id": 999999},
        {"route_id": "other_site"},
        {"route_id": 999999},
    ],
)
def test_the_preview_refuses_what_the_create_refuses(app, world, route_id, change):
    body = {"route_id": route_id, **NIGHT, **change}
    if body["route_id"] == "other_site":
        body["route_id"] = make_route(world, world.site_b.id, world.area_b.id)
    body = {k: v for k, v in body.items() if v is not None}
    refused = preview(world, body)
    created = world.client.post("/api/schedules", headers=world.headers("supervisor"), json=body)
    assert refused.status_code in (404, 422), refused.json  # 404: an id naming nothing here
    assert (refused.status_code, refused.json) == (created.status_code, created.json)
    with app.app_context():
        assert Schedule.select().count() == 0


def test_a_guard_cannot_preview(world, route_id):
    assert preview(world, {"route_id": route_id, **NIGHT}, role="guard").status_code == 403


def test_saving_a_schedule_makes_its_next_rounds_at_once(app, world, route_id):
    """The guards see the new schedule's next round without waiting for the minute tick (the
    embedded server runs none)."""
    created = world.client.post(
        "/api/schedules", headers=world.headers("supervisor"), json={"route_id": route_id, **NIGHT}
    )
    assert created.status_code == 201
    shown = preview(world, {"route_id": route_id, **NIGHT}).json["rounds"]
    with app.app_context():
        made = {r.starts_at for r in Round.select().where(Round.schedule == created.json["id"])}
    assert shown and {naive_utc(x["starts_at"]) for x in shown[:2]} <= made


def test_a_working_days_schedule_makes_no_round_on_a_holiday_and_one_on_a_makeup_day(
    app, world, route_id
):
    """Issue 23: a schedule marked working_days_only follows the working-day calendar: no round
    on 国庆节 (2026-10-01, a Thursday), rounds on the 调休 Saturday 2026-10-10."""
    day = {"name": "日间巡更", "start_time": "09:00", "end_time": "17:00", "every_minutes": 240}
    created = world.client.post(
        "/api/schedules",
        headers=world.headers("supervisor"),
        json={"route_id": route_id, **day, "working_days_only": True, "weekdays": [0, 1, 2, 3, 4]},
    )
    assert created.status_code == 201 and created.json["working_days_only"] is True
    with app.app_context():
        schedule = Schedule.get_by_id(created.json["id"])
        schedule.created_at = datetime(2026, 9, 1)
        site = Site.get_by_id(world.site_a.id)
        rows = planned_rounds(schedule, site, date(2026, 9, 30), date(2026, 10, 12))
    local_days = {row["starts_at"].replace(tzinfo=UTC).astimezone(site.zone).date() for row in rows}
    assert date(2026, 9, 30) in local_days  # an ordinary Wednesday
    assert not local_days & {date(2026, 10, d) for d in range(1, 8)}  # the National Day week
    assert date(2026, 10, 10) in local_days  # a make-up working Saturday
    assert date(2026, 10, 11) not in local_days  # an ordinary Sunday
