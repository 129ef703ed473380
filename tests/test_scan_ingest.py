"""The scan path made fast keeps its promises: a scan sent again answers what was stored (never
"duplicate", never a later refusal), another user's scan id stays taken, rounds are found up to
the longest a round can last, the caller's sites are read afresh on every request, and a scan
that finds SQLite's write lock taken waits for it, in the writers' queue."""

import fcntl
import json
import os
import sqlite3
import threading
import time
import uuid
from datetime import timedelta

import pytest

from api.schedules.schemas import ScheduleCreateSchema, ScheduleUpdateSchema
from models import db, utcnow, write_lock
from models.records.patrol_records import MAX_ROUND_MINUTES, ensure_rounds
from models.rules.qr_signing import make_token
from models.tables.accounts import UserSite
from models.tables.org import Site
from models.tables.patrols import Checkpoint, Round, Scan, Schedule, Webhook, WebhookDelivery
from models.tables.schema import upgrade
from models.tables.site_keys import current_key
from tests.conftest import make_app
from tests.test_patrols import Patrol, iso


@pytest.fixture
def patrol(app, world):
    return Patrol(app, world)


def post(world, body, role="guard"):
    return world.client.post("/api/scans", headers=world.headers(role), json=body)


def test_a_scan_sent_again_answers_the_stored_outcome(app, world, patrol):
    first, body = patrol.scan(0)
    again = post(world, body)
    assert first.status_code == again.status_code == 201
    assert again.json == first.json and again.json["status"] == "accepted"
    with app.app_context():
        assert Scan.select().count() == 1


def test_a_flagged_scan_sent_again_answers_its_flags(app, world, patrol):
    first, body = patrol.scan(0, at=utcnow() + timedelta(minutes=20))
    assert first.json["status"] == "flagged"
    again = post(world, body)
    assert again.status_code == 201 and again.json == first.json
    with app.app_context():
        assert Scan.select().count() == 1


def test_a_scan_sent_again_after_its_label_changed_still_answers_the_stored_outcome(
    app, world, patrol
):
    first, body = patrol.scan(0)
    world.client.post(f"/api/sites/{world.site_a.id}/rotate-key", headers=world.headers("admin"))
    world.client.patch(
        f"/api/checkpoints/{patrol.checkpoints[0]['id']}",
        headers=world.headers("admin"),
        json={"active": False},
    )
    # A fresh scan of that label is refused now; the one already stored is not.
    fresh = post(world, {**body, "id": str(uuid.uuid4())})
    assert fresh.status_code == 422
    again = post(world, body)
    assert again.status_code == 201 and again.json == first.json


def test_a_batch_sent_again_answers_the_same_outcomes(app, world, patrol):
    start = utcnow() - timedelta(minutes=30)
    scans = [
        {
            "id": str(uuid.uuid4()),
            "payload": patrol.payload(i % 3),
            "device_at": iso(start + timedelta(minutes=2 * i)),
            "device_id": "phone-g1",
        }
        for i in range(6)
    ]
    headers = world.headers("guard")
    first = world.client.post("/api/scans/batch", headers=headers, json={"scans": scans})
    again = world.client.post("/api/scans/batch", headers=headers, json={"scans": scans})
    assert first.status_code == again.status_code == 200
    assert first.json["rejected"] == 0 and again.json == first.json
    with app.app_context():
        assert Scan.select().count() == 6


def test_one_scan_id_twice_in_a_batch_is_stored_once(app, world, patrol):
    at = utcnow() - timedelta(minutes=10)
    scan_id = str(uuid.uuid4())
    scans = [
        # The same id at two checkpoints: no duplicate check catches the second, the insert does.
        {"id": scan_id, "payload": patrol.payload(i), "device_at": iso(at), "device_id": "g1"}
        for i in range(2)
    ]
    r = world.client.post("/api/scans/batch", headers=world.headers("guard"), json={"scans": scans})
    assert r.status_code == 200
    first, second = r.json["outcomes"]
    assert first["status"] == "accepted" and second == first
    assert first["checkpoint_id"] == patrol.checkpoints[0]["id"]
    with app.app_context():
        assert [str(s.id) for s in Scan.select()] == [scan_id]


def test_another_users_scan_id_is_taken(app, world, patrol):
    _, body = patrol.scan(0)
    same = post(world, body, role="supervisor")
    assert same.status_code == 422 and same.json["error"] == "id_taken"
    other_checkpoint = post(world, {**body, "payload": patrol.payload(1)}, role="supervisor")
    assert other_checkpoint.status_code == 422 and other_checkpoint.json["error"] == "id_taken"
    batch = world.client.post(
        "/api/scans/batch", headers=world.headers("supervisor"), json={"scans": [body]}
    )
    assert [o["code"] for o in batch.json["outcomes"]] == ["id_taken"]
    with app.app_context():
        assert Scan.select().count() == 1


def test_a_round_is_found_up_to_the_longest_a_round_lasts(app, world, patrol):
    # Both schedule schemas allow at most MAX_ROUND_MINUTES, which bounds the round look-up.
    for schema in (ScheduleCreateSchema(), ScheduleUpdateSchema()):
        (limit,) = schema.fields["duration_minutes"].validators
        assert limit.max == MAX_ROUND_MINUTES
    admin = world.headers("admin")
    checkpoint = world.client.post(
        "/api/checkpoints", headers=admin, json={"area_id": world.area_a.id, "name": "车库点"}
    ).json
    route = world.client.post(
        "/api/patrol-routes",
        headers=admin,
        json={
            "site_id": world.site_a.id,
            "name": "全天巡",
            "stops": [{"checkpoint_id": checkpoint["id"], "offset_minutes": 0}],
        },
    ).json
    schedule = world.client.post(
        "/api/schedules",
        headers=admin,
        json={
            "route_id": route["id"],
            "name": "全天",
            "start_time": "00:00",
            "end_time": "00:00",
            "every_minutes": 1440,
            "duration_minutes": MAX_ROUND_MINUTES,
        },
    ).json
    with app.app_context():
        # Running for days: no round is made from before a schedule's creation.
        Schedule.update(created_at=utcnow() - timedelta(days=3)).where(
            Schedule.id == schedule["id"]
        ).execute()
        today = utcnow().date()
        ensure_rounds(
            Schedule.get_by_id(schedule["id"]),
            today - timedelta(days=2),
            today + timedelta(days=1),
        )
        at = utcnow() - timedelta(minutes=5)
        day_round = (
            Round.select()
            .where(
                (Round.schedule == schedule["id"])
                & (Round.starts_at <= at - timedelta(minutes=MAX_ROUND_MINUTES - 10))
            )
            .order_by(Round.starts_at.desc())
            .first()
        )
    late_in_round = day_round.starts_at + timedelta(minutes=MAX_ROUND_MINUTES - 1)
    code = world.client.get(
        f"/api/checkpoints/{checkpoint['id']}/code", headers=world.headers("supervisor")
    ).json["url"]
    r = world.client.post(
        "/api/scans/batch",
        headers=world.headers("guard"),
        json={
            "scans": [{"id": str(uuid.uuid4()), "payload": code, "device_at": iso(late_in_round)}]
        },
    )
    assert r.json["outcomes"][0]["round_id"] == day_round.id, r.json


def test_a_phone_used_by_another_guard_within_the_shift_is_flagged(app, world, patrol):
    t0 = utcnow() - timedelta(hours=70)

    def scan(role, index, hours):
        body = {
            "id": str(uuid.uuid4()),
            "payload": patrol.payload(index),
            "device_at": iso(t0 + timedelta(hours=hours)),
            "device_id": "phone-x",
        }
        r = world.client.post(
            "/api/scans/batch", headers=world.headers(role), json={"scans": [body]}
        )
        (outcome,) = r.json["outcomes"]
        assert outcome["status"] != "rejected", outcome
        return {f["code"] for f in outcome["flags"]}

    assert "one_device_two_guards" not in scan("guard", 0, 0)
    assert "one_device_two_guards" not in scan("supervisor", 1, 13)  # 13 h later: next shift
    assert "one_device_two_guards" in scan("supervisor", 2, 11)  # 11 h after the guard's
    assert "one_device_two_guards" not in scan("guard", 0, 26)  # 13 h after the supervisor's
    # A third person: the other one is found whether their user id is smaller or larger.
    assert "one_device_two_guards" in scan("manager", 1, 37)  # 11 h after the guard's
    assert "one_device_two_guards" in scan("supervisor", 1, 48)  # 11 h after the manager's
    assert "one_device_two_guards" not in scan("guard", 2, 61)  # 13 h after anybody else's

    # One batch, read at once for all its scans: each scan is judged by its own shift.
    def batch_scan(role, scans):
        body = [
            {
                "id": str(uuid.uuid4()),
                "payload": patrol.payload(index),
                "device_at": iso(t0 + timedelta(hours=hours)),
                "device_id": "phone-y",
            }
            for index, hours in scans
        ]
        r = world.client.post("/api/scans/batch", headers=world.headers(role), json={"scans": body})
        return [
            "one_device_two_guards" in {f["code"] for f in o["flags"]} for o in r.json["outcomes"]
        ]

    assert batch_scan("guard", [(0, 5)]) == [False]
    assert batch_scan("supervisor", [(0, 0), (1, 20), (2, 16)]) == [True, False, True]


def test_a_batch_scan_from_a_phone_clock_ahead_is_judged_at_the_servers_time(app, world, patrol):
    """A phone an hour ahead: its scan counts at the server's time, so another person's scan on
    the phone 11.5 hours before now is within the shift, though 12.5 hours before the phone's."""

    def batch(role, index, at):
        body = {"id": str(uuid.uuid4()), "payload": patrol.payload(index), "device_at": iso(at)}
        body["device_id"] = "phone-z"
        r = world.client.post(
            "/api/scans/batch", headers=world.headers(role), json={"scans": [body]}
        )
        return {f["code"] for f in r.json["outcomes"][0]["flags"]}

    batch("supervisor", 0, utcnow() - timedelta(hours=11, minutes=30))
    flags = batch("guard", 1, utcnow() + timedelta(hours=1))
    assert {"clock_skew", "one_device_two_guards"} <= flags


def test_a_batch_refuses_each_bad_code_as_a_single_scan_does(app, world, patrol):
    """A batch reads its checkpoints in one query: each code still gets the refusal a scan of it
    alone gets, and a good code beside them is stored."""
    with app.app_context():
        cp_b = Checkpoint.create(site=world.site_b, area=world.area_b, name="花园点", code="SB-C-9")
        key_a, key_b = current_key(world.site_a.id), current_key(world.site_b.id)
        # Signed with site A's key, naming site B's checkpoint as if it were A's.
        wrong_site = make_token(
            "c", world.site_a.id, cp_b.id, key_a.version, bytes.fromhex(key_a.secret)
        )
        other_site = make_token(
            "c", world.site_b.id, cp_b.id, key_b.version, bytes.fromhex(key_b.secret)
        )
    retired = patrol.payload(1)
    world.client.patch(
        f"/api/checkpoints/{patrol.checkpoints[1]['id']}",
        headers=world.headers("admin"),
        json={"active": False},
    )
    payloads = {
        "forged": patrol.payload(0)[:-3] + "AAA",
        "unknown_checkpoint": wrong_site,
        "other_site": other_site,
        "retired": retired,
        "malformed": "hello",
    }
    singles = {
        name: post(world, {"id": str(uuid.uuid4()), "payload": p, "device_at": iso(utcnow())})
        for name, p in payloads.items()
    }
    assert all(r.status_code == 422 for r in singles.values())
    expected = {name: r.json["error"] for name, r in singles.items()}
    assert expected["unknown_checkpoint"] == "unknown_checkpoint"
    assert expected["retired"] == "unknown_checkpoint"
    assert expected["other_site"] == "other_site"
    good = {"id": str(uuid.uuid4()), "payload": patrol.payload(2), "device_at": iso(utcnow())}
    batch = [good] + [
        {"id": str(uuid.uuid4()), "payload": p, "device_at": iso(utcnow())}
        for p in payloads.values()
    ]
    r = world.client.post("/api/scans/batch", headers=world.headers("guard"), json={"scans": batch})
    first, *refused = r.json["outcomes"]
    assert first["status"] in ("accepted", "flagged")
    assert {name: o["code"] for name, o in zip(payloads, refused, strict=True)} == expected
    with app.app_context():
        assert [str(s.id) for s in Scan.select()] == [good["id"]]


def test_flagged_scans_of_a_batch_each_queue_a_webhook_alert(app, world, patrol):
    """The batch asks once whether the site has a webhook; every flagged scan is still queued."""
    start = utcnow() - timedelta(hours=3)

    def batch(first_id):
        scans = [
            {
                "id": str(uuid.UUID(int=first_id + i)),
                "payload": patrol.payload(i),
                "device_at": iso(start + timedelta(minutes=i)),
                "device_id": "phone-w",
                "latitude": 22.60,  # kilometres from every checkpoint: flagged
                "longitude": 113.99,
                "accuracy_m": 10,
            }
            for i in range(3)
        ]
        r = world.client.post(
            "/api/scans/batch", headers=world.headers("guard"), json={"scans": scans}
        )
        assert r.json["flagged"] == 3, r.json
        return {str(s["id"]) for s in scans}

    batch(100)  # no webhook yet: nothing queued
    with app.app_context():
        assert WebhookDelivery.select().count() == 0
        Webhook.create(site=world.site_a, url="https://example.com/hook", secret="s" * 32)
    start += timedelta(minutes=30)
    ids = batch(200)
    with app.app_context():
        queued = [json.loads(d.body) for d in WebhookDelivery.select()]
    assert {d["scan_id"] for d in queued} == ids
    assert {d["event"] for d in queued} == {"scan.flagged"}


def test_sites_are_read_afresh_on_every_request(app, world, patrol):
    def visible():
        r = world.client.get("/api/sites", headers=world.headers("guard"))
        return {s["id"] for s in r.json}

    assert visible() == {world.site_a.id}
    with app.app_context():
        link = UserSite.create(user=world.users["guard"], site=world.site_b)
    assert visible() == {world.site_a.id, world.site_b.id}
    with app.app_context():
        UserSite.delete().where(UserSite.id == link.id).execute()
        UserSite.delete().where(UserSite.user == world.users["guard"]).execute()
    assert visible() == set()
    r, _ = patrol.scan(0)
    assert r.status_code == 422 and r.json["error"] == "other_site"


def test_a_write_waits_for_the_sqlite_write_lock_and_keeps_the_busy_timeout(tmp_path):
    # Its own SQLite file, whichever database the rest of the suite runs on.
    sqlite_app = make_app(tmp_path, DATABASE_URL=f"sqlite:///{tmp_path / 'lock.db'}")
    try:
        with sqlite_app.app_context():
            upgrade()
            holder = sqlite3.connect(
                tmp_path / "lock.db", isolation_level=None, check_same_thread=False
            )
            holder.execute("BEGIN IMMEDIATE")
            release = threading.Timer(0.3, holder.execute, args=("COMMIT",))
            release.start()
            started = time.perf_counter()
            with write_lock.queued_write_transaction():
                Site.create(name="锁", code="LOCK", site_type="office")
            waited = time.perf_counter() - started
            release.join()
            holder.close()
            assert waited >= 0.25
            assert Site.select().where(Site.code == "LOCK").exists()
            assert db.execute_sql("PRAGMA busy_timeout").fetchone()[0] == 10000
    finally:
        sqlite_app.extensions["xunjian"]["database"].close_all()


def test_scan_writers_take_turns_in_the_queue_beside_the_database(tmp_path):
    sqlite_app = make_app(tmp_path, DATABASE_URL=f"sqlite:///{tmp_path / 'queue.db'}")
    queue_file = tmp_path / "queue.db-writers"

    def queue_is_free() -> bool:
        fd = os.open(queue_file, os.O_RDWR | os.O_CREAT)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            return False
        finally:
            os.close(fd)

    first_inside, first_may_leave = threading.Event(), threading.Event()
    events = []

    def writer(name: str, hold: threading.Event | None):
        with sqlite_app.app_context(), write_lock.queued_write_transaction():
            events.append(f"{name} in")
            if hold is not None:
                first_inside.set()
                assert first_may_leave.wait(10)
            Site.create(name=name, code=name, site_type="office")
            events.append(f"{name} out")

    first = threading.Thread(target=writer, args=("FIRST", first_inside))
    second = threading.Thread(target=writer, args=("SECOND", None))
    try:
        with sqlite_app.app_context():
            upgrade()
        first.start()
        assert first_inside.wait(10)
        assert not queue_is_free()  # held for the whole transaction
        second.start()
        time.sleep(0.2)
        assert events == ["FIRST in"]  # the second writer waits its turn
        first_may_leave.set()
        first.join(10)
        second.join(10)
        assert events == ["FIRST in", "FIRST out", "SECOND in", "SECOND out"]
        assert queue_is_free()  # and let go after it
        with sqlite_app.app_context():
            assert Site.select().where(Site.code.in_(["FIRST", "SECOND"])).count() == 2
    finally:
        first_may_leave.set()
        for thread in (first, second):
            if thread.is_alive():
                thread.join(10)
        sqlite_app.extensions["xunjian"]["database"].close_all()
