"""Lobby greeting duty through the API: fair rotas, time zones, swaps, check-ins and judged
shifts, regeneration that keeps history, the calendar feed."""

import threading
import uuid
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta

import pytest

from models import utcnow
from models.tables.accounts import User
from models.tables.greeting import GreetingShift
from models.tables.org import Site, Staff

NEXT_YEAR = utcnow().year + 1
JANUARY, FEBRUARY = NEXT_YEAR * 100 + 1, NEXT_YEAR * 100 + 2


@pytest.fixture
def managers(app, world):
    with app.app_context():
        Site.update(workday_start=time(9, 0)).where(Site.id == world.site_a.id).execute()
        people = [
            Staff.create(
                employee_no=f"M-{n}",
                name=f"经理{n}",
                gender="male",
                job="manager",
                site=world.site_a,
            )
            for n in range(1, 5)
        ]
        User.update(staff=people[0]).where(User.username == "manager").execute()
        other = User.create(
            username="manager2",
            role="manager",
            password_hash=world.users["manager"].password_hash,
            staff=people[1],
        )
        from models.tables.accounts import UserSite

        UserSite.create(user=other, site=world.site_a)
    return people


def rota(world, month, site=None, role="supervisor"):
    site_id = site or world.site_a.id
    r = world.client.post(
        "/api/greeting/rota", headers=world.headers(role), json={"site_id": site_id, "month": month}
    )
    assert r.status_code == 200, r.json
    shifts = world.client.get(
        f"/api/greeting/shifts?site_id={site_id}&month={month}", headers=world.headers(role)
    ).json
    return r.json, shifts


def test_a_fair_rota_across_two_months_with_leave_and_holidays(app, world, managers):
    h = world.headers("supervisor")
    world.client.put(
        f"/api/greeting/settings/{world.site_a.id}",
        headers=h,
        json={"holidays": [f"{NEXT_YEAR}-01-01"], "morning_post_id": world.post_a.id},
    )
    r = world.client.post(
        "/api/greeting/leave",
        headers=h,
        json={
            "staff_id": managers[2].id,
            "first_day": f"{NEXT_YEAR}-01-12",
            "last_day": f"{NEXT_YEAR}-01-16",
        },
    )
    assert r.status_code == 201
    made, january = rota(world, JANUARY)
    days = {s["day"] for s in january}
    assert f"{NEXT_YEAR}-01-01" not in days  # a public holiday
    assert all(date.fromisoformat(d).weekday() < 5 for d in days)  # weekdays only by default
    assert all(s["starts_at"].endswith("+08:00") and "T08:30:00" in s["starts_at"] for s in january)
    on_leave = [
        s
        for s in january
        if s["manager_id"] == managers[2].id
        and f"{NEXT_YEAR}-01-12" <= s["day"] <= f"{NEXT_YEAR}-01-16"
    ]
    assert on_leave == []
    counts = Counter(s["manager_id"] for s in january)
    present_all_month = [m.id for m in managers if m.id != managers[2].id]
    assert (
        max(counts[m] for m in present_all_month) - min(counts[m] for m in present_all_month) <= 1
    )
    assert counts[managers[2].id] <= max(
        counts.values()
    )  # back from leave: no pile of catch-up shifts
    _, february = rota(world, FEBRUARY)
    order = [m.id for m in managers]
    last_january = january[-1]["manager_id"]
    assert february[0]["manager_id"] == order[(order.index(last_january) + 1) % len(order)]
    totals = Counter(s["manager_id"] for s in january + february)
    assert max(totals.values()) - min(totals.values()) <= 2


def test_a_mixed_site_has_two_windows_and_nobody_twice_a_day(app, world, managers):
    with app.app_context():
        Site.update(
            site_type="mixed", evening_peak_start=time(18, 0), evening_peak_end=time(18, 30)
        ).where(Site.id == world.site_a.id).execute()
    _, shifts = rota(world, JANUARY)
    by_day = {}
    for s in shifts:
        by_day.setdefault(s["day"], []).append(s)
    assert all(
        sorted(x["window"] for x in day) == ["evening", "morning"] for day in by_day.values()
    )
    assert all(len({x["manager_id"] for x in day}) == 2 for day in by_day.values())


def test_a_site_in_another_time_zone(app, world, managers):
    with app.app_context():
        Site.update(timezone="America/New_York").where(Site.id == world.site_a.id).execute()
        rota(world, JANUARY)
        first = GreetingShift.select().order_by(GreetingShift.starts_at).first()
        # 08:30 in New York in January (EST, UTC-5) is 13:30 UTC.
        assert (first.starts_at.hour, first.starts_at.minute) == (13, 30)
        assert first.ends_at - first.starts_at == timedelta(minutes=30)
    shifts = world.client.get(
        f"/api/greeting/shifts?site_id={world.site_a.id}&month={JANUARY}",
        headers=world.headers("supervisor"),
    ).json
    assert shifts[0]["starts_at"].endswith("-05:00")


def test_swap_flow_and_its_refusals(app, world, managers):
    _, shifts = rota(world, JANUARY)
    mine = next(s for s in shifts if s["manager_id"] == managers[0].id)
    theirs = next(s for s in shifts if s["manager_id"] == managers[1].id)
    me, colleague = world.headers("manager"), world.headers("manager2")
    r = world.client.post(
        "/api/greeting/swaps",
        headers=me,
        json={"shift_id": mine["id"], "other_shift_id": mine["id"]},
    )
    assert r.status_code == 422 and r.json["error"] == "same_manager"
    r = world.client.post(
        "/api/greeting/swaps",
        headers=me,
        json={"shift_id": theirs["id"], "other_shift_id": mine["id"]},
    )
    assert r.status_code == 422 and r.json["error"] == "not_yours"
    r = world.client.post(
        "/api/greeting/swaps",
        headers=me,
        json={"shift_id": mine["id"], "other_shift_id": theirs["id"]},
    )
    assert r.status_code == 201 and r.json["status"] == "pending"
    swap_id = r.json["id"]
    assert world.client.post(f"/api/greeting/swaps/{swap_id}/accept", headers=me).status_code == 403
    r = world.client.post(f"/api/greeting/swaps/{swap_id}/accept", headers=colleague)
    assert r.status_code == 200 and r.json["status"] == "done"
    with app.app_context():
        assert GreetingShift.get_by_id(mine["id"]).manager_id == managers[1].id
        assert GreetingShift.get_by_id(theirs["id"]).manager_id == managers[0].id
    # Another site's shift is invisible; a past shift cannot be swapped.
    with app.app_context():
        other_site = GreetingShift.create(
            site=world.site_b,
            day=date(NEXT_YEAR, 1, 5),
            window="evening",
            manager=managers[3],
            starts_at=datetime(NEXT_YEAR, 1, 5, 10),
            ends_at=datetime(NEXT_YEAR, 1, 5, 10, 30),
            month=JANUARY,
        )
        past = GreetingShift.create(
            site=world.site_a,
            day=date.today() - timedelta(days=3),
            window="morning",
            manager=managers[0],
            starts_at=utcnow() - timedelta(days=3),
            ends_at=utcnow() - timedelta(days=3) + timedelta(minutes=30),
            month=202001,
        )
    r = world.client.post(
        "/api/greeting/swaps",
        headers=me,
        json={"shift_id": theirs["id"], "other_shift_id": other_site.id},
    )
    assert r.status_code == 404
    r = world.client.post(
        "/api/greeting/swaps", headers=me, json={"shift_id": past.id, "other_shift_id": mine["id"]}
    )
    assert r.status_code == 422 and r.json["error"] == "past_shift"


def test_a_swap_that_needs_a_supervisor(app, world, managers):
    world.client.put(
        f"/api/greeting/settings/{world.site_a.id}",
        headers=world.headers("supervisor"),
        json={"swap_needs_supervisor": True},
    )
    _, shifts = rota(world, JANUARY)
    mine = next(s for s in shifts if s["manager_id"] == managers[0].id)
    theirs = next(s for s in shifts if s["manager_id"] == managers[1].id)
    swap = world.client.post(
        "/api/greeting/swaps",
        headers=world.headers("manager"),
        json={"shift_id": mine["id"], "other_shift_id": theirs["id"]},
    ).json
    r = world.client.post(
        f"/api/greeting/swaps/{swap['id']}/accept", headers=world.headers("manager2")
    )
    assert r.json["status"] == "accepted"
    with app.app_context():
        assert GreetingShift.get_by_id(mine["id"]).manager_id == managers[0].id
    r = world.client.post(
        f"/api/greeting/swaps/{swap['id']}/approve", headers=world.headers("supervisor")
    )
    assert r.json["status"] == "done" and r.json["approved_by_id"] == world.users["supervisor"].id


def shift_now(app, world, manager, *, started_minutes_ago, length=30, window="morning"):
    with app.app_context():
        start = utcnow().replace(microsecond=0) - timedelta(minutes=started_minutes_ago)
        return GreetingShift.create(
            site=world.site_a,
            day=start.date(),
            window=window,
            post=world.post_a,
            manager=manager,
            starts_at=start,
            ends_at=start + timedelta(minutes=length),
            month=start.year * 100 + start.month,
        )


def check(world, code, kind, at):
    return world.client.post(
        "/api/greeting/checks",
        headers=world.headers("manager"),
        json={
            "id": str(uuid.uuid4()),
            "payload": code,
            "kind": kind,
            "device_at": at.replace(tzinfo=UTC).isoformat(),
        },
    )


@pytest.mark.parametrize(
    "check_in,check_out,status",
    [
        (-5, 31, "on_time"),     # in before the start, out just after the end
        (2, 30, "on_time"),      # in at the grace exactly
        (3, 30, "late"),         # a minute past the grace
        (None, None, "no_show"),
        (0, 20, "left_early"),
        (0, 50, "overstayed"),
        (5, None, "missing_check_out"),
    ],
)  # fmt: skip
def test_each_judgement_outcome(app, world, managers, check_in, check_out, status):
    shift = shift_now(app, world, managers[0], started_minutes_ago=90)
    code = world.client.get(
        f"/api/greeting/posts/{world.post_a.id}/code", headers=world.headers("supervisor")
    ).json
    if check_in is not None:
        r = check(world, code["url"], "in", shift.starts_at + timedelta(minutes=check_in))
        assert r.status_code == 200, r.json
    if check_out is not None:
        r = check(world, code["url"], "out", shift.starts_at + timedelta(minutes=check_out))
        assert r.status_code == 200, r.json
    today = world.client.get(
        f"/api/greeting/shifts?site_id={world.site_a.id}&month={shift.month}",
        headers=world.headers("supervisor"),
    ).json
    judged = next(s for s in today if s["id"] == shift.id)
    assert judged["status"] == status, judged


def test_checks_are_refused_at_the_wrong_post_or_without_a_shift(app, world, managers):
    code = world.client.get(
        f"/api/greeting/posts/{world.post_a.id}/code", headers=world.headers("supervisor")
    ).json
    r = check(world, code["url"], "in", utcnow())
    assert r.status_code == 422 and r.json["error"] == "no_shift"
    r = check(world, code["url"].replace(".1.", ".9."), "in", utcnow())
    assert r.status_code == 422 and r.json["error"] in ("forged", "malformed")


def test_regeneration_keeps_history(app, world, managers):
    month = int(utcnow().replace(tzinfo=UTC).astimezone(world.site_a.zone).strftime("%Y%m"))
    with app.app_context():
        past = GreetingShift.create(
            site=world.site_a,
            day=date(month // 100, month % 100, 1),
            window="morning",
            manager=managers[3],
            starts_at=datetime(month // 100, month % 100, 1, 0, 30),
            ends_at=datetime(month // 100, month % 100, 1, 1, 0),
            month=month,
            check_in_at=datetime(month // 100, month % 100, 1, 0, 29),
        )
    first, _ = rota(world, month)
    second, shifts = rota(world, month)
    assert second["kept"] >= 1 and past.id in {s["id"] for s in shifts}
    assert second["made"] == first["made"]


def test_calendar_feed_is_private_and_lists_shifts(app, world, managers):
    rota(world, JANUARY)
    link = world.client.get("/api/greeting/calendar-link", headers=world.headers("manager")).json[
        "url"
    ]
    path = link.split("://", 1)[1].split("/", 1)[1]
    r = world.client.get("/" + path)
    assert r.status_code == 200 and r.mimetype == "text/calendar"
    body = r.get_data(as_text=True)
    assert body.count("BEGIN:VEVENT") >= 4 and "迎候值班" in body
    assert (
        world.client.get("/" + path.replace(path.rsplit("/", 1)[1], "0" * 32 + ".ics")).status_code
        == 404
    )


def test_monthly_compliance(app, world, managers):
    shift = shift_now(app, world, managers[0], started_minutes_ago=90)
    code = world.client.get(
        f"/api/greeting/posts/{world.post_a.id}/code", headers=world.headers("supervisor")
    ).json
    check(world, code["url"], "in", shift.starts_at)
    check(world, code["url"], "out", shift.ends_at)
    shift_now(
        app, world, managers[0], started_minutes_ago=200, window="evening"
    )  # a no-show earlier
    rows = world.client.get(
        f"/api/greeting/monthly?site_id={world.site_a.id}&month={shift.month}",
        headers=world.headers("hr"),
    ).json
    mine = next(r for r in rows if r["manager_id"] == managers[0].id)
    assert (mine["shifts"], mine["on_time"], mine["no_show"], mine["compliance"]) == (2, 1, 1, 50.0)


def weekday_in_january():
    day = date(NEXT_YEAR, 1, 5)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


@pytest.mark.parametrize(
    "local,windows", [("08:15", {"morning", "evening"}), ("13:16", {"evening"})]
)
def test_the_first_build_makes_every_window_not_yet_started(app, world, managers, local, windows):
    """Issue 24.4: built at 08:15 today's 08:30 window is made; at 13:16 that evening's."""
    from models.records.greeting_records import generate_rota

    day = weekday_in_january()
    with app.app_context():
        Site.update(
            site_type="mixed", evening_peak_start=time(18, 0), evening_peak_end=time(18, 30)
        ).where(Site.id == world.site_a.id).execute()
        site = Site.get_by_id(world.site_a.id)
        hour, minute = map(int, local.split(":"))
        now = datetime.combine(day, time(hour, minute), site.zone).astimezone(UTC)
        built = generate_rota(site, JANUARY, now.replace(tzinfo=None))
        today = {s.window for s in GreetingShift.select().where(GreetingShift.day == day)}
        earlier = GreetingShift.select().where(GreetingShift.day < day).count()
    assert today == windows
    assert earlier == 0 and built.kept == 0 and built.made > 0


def test_a_rota_for_a_month_that_is_over_is_refused(app, world, managers):
    """Issue 24.10: no 200 "made 0" for last month, a refusal with its reason."""
    local = utcnow().replace(tzinfo=UTC).astimezone(world.site_a.zone).date()
    last_month = local.replace(day=1) - timedelta(days=1)
    r = world.client.post(
        "/api/greeting/rota",
        headers=world.headers("supervisor"),
        json={"site_id": world.site_a.id, "month": last_month.year * 100 + last_month.month},
    )
    assert r.status_code == 422, r.json
    assert r.json["error"] == "month_past" and "over" in r.json["message"]


def test_a_short_day_leaves_its_window_open_and_builds_the_month(app, world, managers):
    """Issue 24.9: three of four managers away on one day of a mixed site: the month is built,
    that day's evening is left open and named."""
    with app.app_context():
        Site.update(
            site_type="mixed", evening_peak_start=time(18, 0), evening_peak_end=time(18, 30)
        ).where(Site.id == world.site_a.id).execute()
    short = weekday_in_january()
    for person in managers[1:]:
        r = world.client.post(
            "/api/greeting/leave",
            headers=world.headers("supervisor"),
            json={"staff_id": person.id, "first_day": str(short), "last_day": str(short)},
        )
        assert r.status_code == 201
    result, shifts = rota(world, JANUARY)
    assert result["open"] == [{"day": str(short), "window": "evening"}]
    assert any(short.strftime("%m-%d") in w for w in result["warnings"])
    on_short = [s for s in shifts if s["day"] == str(short)]
    assert [(s["window"], s["manager_id"]) for s in on_short] == [("morning", managers[0].id)]
    assert len({s["day"] for s in shifts}) > 15  # the rest of the month is there
    # The office puts someone on it once a manager can stand after all.
    fill = {"site_id": world.site_a.id, "day": str(short), "window": "evening"}
    h = world.headers("supervisor")
    r = world.client.post(
        "/api/greeting/open-slots", headers=h, json={**fill, "manager_id": managers[0].id}
    )
    assert r.status_code == 422 and r.json["error"] == "same_day", r.json
    r = world.client.post(
        "/api/greeting/open-slots", headers=h, json={**fill, "manager_id": managers[1].id}
    )
    assert r.status_code == 422 and r.json["error"] == "manager_on_leave", r.json
    with app.app_context():
        extra = Staff.create(
            employee_no="M-9", name="经理9", gender="female", job="manager", site=world.site_a
        )
    r = world.client.post(
        "/api/greeting/open-slots", headers=h, json={**fill, "manager_id": extra.id}
    )
    assert r.status_code == 201, r.json
    assert (r.json["day"], r.json["window"], r.json["manager_id"]) == (
        str(short),
        "evening",
        extra.id,
    )
    assert r.json["starts_at"] == f"{short}T18:00:00+08:00"
    again = world.client.post(
        "/api/greeting/open-slots", headers=h, json={**fill, "manager_id": extra.id}
    )
    assert again.status_code == 409 and again.json["error"] == "slot_taken"


def test_a_rota_without_posts_warns_what_to_set(app, world, managers):
    """Issue 24.6: a new site's posts are unset; the rota says which setting to fill in."""
    result, shifts = rota(world, JANUARY)
    assert shifts and all(s["post_id"] is None for s in shifts)
    assert any("morning_post_id" in w for w in result["warnings"]), result
    world.client.put(
        f"/api/greeting/settings/{world.site_a.id}",
        headers=world.headers("supervisor"),
        json={"morning_post_id": world.post_a.id},
    )
    result, shifts = rota(world, JANUARY)
    assert not any("post_id" in w for w in result["warnings"]), result
    assert all(s["post_id"] == world.post_a.id for s in shifts)


def post_code(world):
    return world.client.get(
        f"/api/greeting/posts/{world.post_a.id}/code", headers=world.headers("supervisor")
    ).json["url"]


def test_a_device_time_in_the_future_counts_at_server_time_and_is_flagged(app, world, managers):
    """Issue 24.7: a phone six hours ahead is not silently replaced: flagged for a person."""
    shift = shift_now(app, world, managers[0], started_minutes_ago=3)
    before = utcnow()
    r = check(world, post_code(world), "in", utcnow() + timedelta(hours=6))
    assert r.status_code == 200, r.json
    assert [f["code"] for f in r.json["flags"]] == ["clock_skew"]
    assert "6" in r.json["flags"][0]["reason"] and r.json["flags"][0]["kind"] == "in"
    with app.app_context():
        stored = GreetingShift.get_by_id(shift.id)
    assert before - timedelta(seconds=1) <= stored.check_in_at <= utcnow()  # the server's time
    listed = world.client.get(
        f"/api/greeting/shifts?site_id={world.site_a.id}&month={shift.month}",
        headers=world.headers("supervisor"),
    ).json
    assert next(s for s in listed if s["id"] == shift.id)["flags"] == r.json["flags"]
    honest = check(world, post_code(world), "out", utcnow())
    assert honest.json["flags"] == r.json["flags"]  # the shift keeps its doubt, no new one


def test_a_check_sent_twice_at_once_is_stored_once_and_answered_alike(app, world, managers):
    """Issue 18.4: a double tap or a retry racing the first copy gets the stored result."""
    shift = shift_now(app, world, managers[0], started_minutes_ago=5)
    url, token = post_code(world), world.token("manager")
    body = {
        "id": str(uuid.uuid4()),
        "payload": url,
        "kind": "in",
        "device_at": (utcnow() - timedelta(minutes=1)).replace(tzinfo=UTC).isoformat(),
    }
    tries = 6
    barrier = threading.Barrier(tries, timeout=60)
    answers = []

    def send():
        client = app.test_client()
        barrier.wait()
        r = client.post(
            "/api/greeting/checks", headers={"Authorization": f"Bearer {token}"}, json=body
        )
        answers.append((r.status_code, r.json))

    threads = [threading.Thread(target=send) for _ in range(tries)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [code for code, _ in answers] == [200] * tries, answers
    assert all(answer == answers[0][1] for _, answer in answers)
    assert answers[0][1]["id"] == shift.id and answers[0][1]["check_in_at"] is not None
    from models.tables.greeting import GreetingCheck

    with app.app_context():
        assert GreetingCheck.select().where(GreetingCheck.shift == shift.id).count() == 1


def test_the_settings_say_what_is_used(app, world, managers):
    """Issue 24.8: every window lasts the set minutes and shows its end; the site's times the
    windows come from are shown as stored; a length the peak cannot hold is refused."""
    with app.app_context():
        Site.update(
            site_type="mixed", evening_peak_start=time(18, 0), evening_peak_end=time(19, 0)
        ).where(Site.id == world.site_a.id).execute()
    url, h = f"/api/greeting/settings/{world.site_a.id}", world.headers("supervisor")
    got = world.client.get(url, headers=h).json
    assert got["minutes"] == 30
    assert got["windows"] == [
        {"code": "morning", "start": "08:30", "end": "09:00", "minutes": 30},
        {"code": "evening", "start": "18:00", "end": "18:30", "minutes": 30},
    ]
    assert (got["workday_start"], got["evening_peak_start"], got["evening_peak_end"]) == (
        "09:00",
        "18:00",
        "19:00",
    )
    r = world.client.put(url, headers=h, json={"minutes": 75})
    assert r.status_code == 422 and r.json["error"] == "window_length", r.json
    assert "18:00-19:00" in r.json["errors"]["json"]["minutes"][0]
    assert world.client.get(url, headers=h).json["minutes"] == 30
    saved = world.client.put(url, headers=h, json={"minutes": 60}).json
    assert [(w["end"], w["minutes"]) for w in saved["windows"]] == [("09:00", 60), ("19:00", 60)]
    _, shifts = rota(world, JANUARY)
    evening = next(s for s in shifts if s["window"] == "evening")
    assert evening["starts_at"][11:16] == "18:00" and evening["ends_at"][11:16] == "19:00"


def test_a_shift_is_judged_at_its_close_and_again_at_a_late_check_out(app, world, managers):
    """Issue 24.5: judged when the window closes (not 15 minutes later), re-judged after."""
    shift = shift_now(app, world, managers[0], started_minutes_ago=31)  # closed a minute ago
    assert check(world, post_code(world), "in", shift.starts_at).status_code == 200
    url = f"/api/greeting/shifts?site_id={world.site_a.id}&month={shift.month}"
    today = world.client.get(url, headers=world.headers("supervisor")).json
    assert next(s for s in today if s["id"] == shift.id)["status"] == "missing_check_out"
    r = check(world, post_code(world), "out", utcnow())
    assert r.status_code == 200 and r.json["status"] == "on_time", r.json


def test_the_embedded_server_ticks_by_itself(app, world, managers):
    """Issue 24.5: no cron and no request: the runner judges a closed shift within its period,
    and a runner that finds the tick lock held skips (one tick at a time)."""
    import time as clock

    from api import tick_runner
    from models.tick_lock import tick_turn

    shift = shift_now(app, world, managers[0], started_minutes_ago=45)
    runner = tick_runner.start(app, every=0.2)
    try:
        deadline = clock.monotonic() + 10
        while clock.monotonic() < deadline:
            with app.app_context():
                if GreetingShift.get_by_id(shift.id).status != "scheduled":
                    break
            clock.sleep(0.1)
    finally:
        runner.stop()  # and wait: a tick under way lets go of the lock first
    assert not runner.thread.is_alive()
    with app.app_context():
        assert GreetingShift.get_by_id(shift.id).status == "no_show"
    from api.cli import run_tick

    with app.app_context():
        from models import db

        with db.connection_context(), tick_turn() as mine:
            assert mine
            other = threading.Thread(target=lambda: results.append(run_in_app(app, run_tick)))
            results = []
            other.start()
            other.join()
        assert results == [None]  # the lock was held: that tick skipped


def run_in_app(app, work):
    with app.app_context():
        return work()


def test_four_managers_at_a_mixed_site_share_each_window(app, world, managers):
    """Issue 24.1 as found: February, two windows, four managers: nobody 10 evenings and 0
    mornings while another has 10 mornings and 0 evenings."""
    with app.app_context():
        Site.update(
            site_type="mixed", evening_peak_start=time(18, 0), evening_peak_end=time(18, 30)
        ).where(Site.id == world.site_a.id).execute()
    rota(world, FEBRUARY)
    counts = world.client.get(
        f"/api/greeting/rota-counts?site_id={world.site_a.id}&month={FEBRUARY}",
        headers=world.headers("supervisor"),
    ).json["counts"]
    for window in ("morning", "evening"):
        per_window = [c["by_window"][window] for c in counts]
        assert max(per_window) - min(per_window) <= 1, (window, counts)
