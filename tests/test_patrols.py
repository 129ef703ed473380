"""Patrols through the API: signed codes, rounds from schedules, scans online and offline,
judgement, cheating flags, anomalies, hand-overs and alerts."""

import io
import threading
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from PIL import Image, PdfParser

from models import utcnow
from models.records.patrol_records import ensure_rounds, ensure_site_rounds, judge_closed_rounds
from models.rules.qr_signing import make_token, parse_token
from models.tables.org import Site
from models.tables.patrols import (
    Anomaly,
    Checkpoint,
    Round,
    Scan,
    Schedule,
    Webhook,
    WebhookDelivery,
)
from models.tables.site_keys import current_key
from tests.test_labels import LABEL_PX, decode


def iso(moment: datetime) -> str:
    return moment.replace(tzinfo=UTC).isoformat()


def run_together(threads) -> None:
    """Start every thread, then wait for all of them."""
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def post_scan(client, token: str, payload: str, device_at: str, **more):
    """POST a new scan with a client of its own (threads each have one) and a bearer token."""
    return client.post(
        "/api/scans",
        headers={"Authorization": f"Bearer {token}"},
        json={"id": str(uuid.uuid4()), "payload": payload, "device_at": device_at, **more},
    )


class Patrol:
    """Three checkpoints on a route at site A, with rounds every hour all day."""

    def __init__(self, app, world):
        self.world = world
        admin = world.headers("admin")
        self.checkpoints = []
        for i, (lat, lon) in enumerate(
            [(22.5400, 113.9500), (22.5405, 113.9505), (22.5410, 113.9510)]
        ):
            r = world.client.post(
                "/api/checkpoints",
                headers=admin,
                json={
                    "area_id": world.area_a.id,
                    "name": f"{i + 1}号巡更点",
                    "latitude": lat,
                    "longitude": lon,
                    "radius_m": 50,
                },
            )
            assert r.status_code == 201, r.json
            self.checkpoints.append(r.json)
        r = world.client.post(
            "/api/patrol-routes",
            headers=admin,
            json={
                "site_id": world.site_a.id,
                "name": "大堂夜巡",
                "stops": [
                    {"checkpoint_id": c["id"], "offset_minutes": 5 * i}
                    for i, c in enumerate(self.checkpoints)
                ],
            },
        )
        assert r.status_code == 201, r.json
        self.route = r.json
        r = world.client.post(
            "/api/schedules",
            headers=admin,
            json={
                "route_id": self.route["id"],
                "name": "每小时",
                "start_time": "00:00",
                "end_time": "23:00",
                "every_minutes": 60,
                "start_grace_minutes": 10,
                "duration_minutes": 60,
            },
        )
        assert r.status_code == 201, r.json
        self.schedule = r.json
        with app.app_context():
            # A schedule running for days: rounds are made only from a schedule's creation on.
            Schedule.update(created_at=utcnow() - timedelta(days=3)).where(
                Schedule.id == self.schedule["id"]
            ).execute()
            today = utcnow().date()
            ensure_rounds(
                Schedule.get_by_id(self.schedule["id"]),
                today - timedelta(days=1),
                today + timedelta(days=1),
            )

    def payload(self, index: int) -> str:
        r = self.world.client.get(
            f"/api/checkpoints/{self.checkpoints[index]['id']}/code",
            headers=self.world.headers("supervisor"),
        )
        return r.json["url"]

    def scan(self, index: int, *, role="guard", at=None, **extra):
        body = {
            "id": str(uuid.uuid4()),
            "payload": self.payload(index),
            "device_at": iso(at or utcnow()),
            "device_id": "phone-g1",
            **extra,
        }
        return self.world.client.post(
            "/api/scans", headers=self.world.headers(role), json=body
        ), body


@pytest.fixture
def patrol(app, world):
    return Patrol(app, world)


def test_a_good_scan_is_accepted_and_matched_to_the_round(app, world, patrol):
    r, body = patrol.scan(0)
    assert r.status_code == 201, r.json
    assert (
        r.json["status"] == "accepted" and r.json["round_id"] is not None and r.json["flags"] == []
    )
    with app.app_context():
        scan = Scan.get_by_id(body["id"])
        assert scan.carrier == "qr" and abs(scan.gap_seconds) < 5 and scan.key_version == 1


def test_the_label_url_opens_the_phone_app(client, world, patrol):
    url = patrol.payload(0)
    token = url.rsplit("/", 1)[1]
    r = client.get(f"/s/{token}")
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/app/#/scan/{token}")


@pytest.mark.parametrize(
    "tamper", ["signature", "checkpoint", "truncated", "garbage", "key_version"]
)
def test_forged_or_broken_codes_are_rejected(app, world, patrol, tamper):
    url = patrol.payload(0)
    token = parse_token(url)
    text = str(token)
    if tamper == "signature":
        text = text[:-1] + ("A" if text[-1] != "A" else "B")
    elif tamper == "checkpoint":
        text = (
            f"c{token.site_id}.{patrol.checkpoints[1]['id']}.{token.key_version}.{token.signature}"
        )
    elif tamper == "truncated":
        text = text[: len(text) // 2]
    elif tamper == "garbage":
        text = "https://evil.example/s/not-a-token"
    elif tamper == "key_version":
        text = f"c{token.site_id}.{token.object_id}.{token.key_version + 1}.{token.signature}"
    body = {"id": str(uuid.uuid4()), "payload": text, "device_at": iso(utcnow())}
    r = world.client.post("/api/scans", headers=world.headers("guard"), json=body)
    assert r.status_code == 422
    assert r.json["error"] in ("forged", "malformed"), r.json
    with app.app_context():
        assert Scan.select().count() == 0


def test_a_code_signed_without_the_key_is_forged(app, world, patrol):
    forged = make_token(
        "c", world.site_a.id, patrol.checkpoints[0]["id"], 1, b"a-guessed-secret-of-32-bytes!!!!"
    )
    r = world.client.post(
        "/api/scans",
        headers=world.headers("guard"),
        json={"id": str(uuid.uuid4()), "payload": forged, "device_at": iso(utcnow())},
    )
    assert r.status_code == 422 and r.json["error"] == "forged"


def test_a_code_of_another_site_is_refused(app, world, patrol):
    with app.app_context():
        cp_b = Checkpoint.create(site=world.site_b, area=world.area_b, name="花园点", code="SB-C-9")
        key = current_key(world.site_b.id)
        token = make_token("c", world.site_b.id, cp_b.id, key.version, bytes.fromhex(key.secret))
    r = world.client.post(
        "/api/scans",
        headers=world.headers("guard"),
        json={"id": str(uuid.uuid4()), "payload": token, "device_at": iso(utcnow())},
    )
    assert r.status_code == 422 and r.json["error"] == "other_site"


def test_rotating_the_key_outdates_old_labels(app, world, patrol):
    old = patrol.payload(0)
    r = world.client.post(
        f"/api/sites/{world.site_a.id}/rotate-key", headers=world.headers("admin")
    )
    assert r.status_code == 200 and r.json["key_version"] == 2
    r = world.client.post(
        "/api/scans",
        headers=world.headers("guard"),
        json={"id": str(uuid.uuid4()), "payload": old, "device_at": iso(utcnow())},
    )
    assert r.status_code == 422 and r.json["error"] == "outdated_label"
    assert "label" in r.json["message"]
    new, _ = patrol.scan(0)
    assert new.status_code == 201


def test_nfc_carries_the_same_payload(app, world, patrol):
    code = world.client.get(
        f"/api/checkpoints/{patrol.checkpoints[0]['id']}/code", headers=world.headers("supervisor")
    ).json
    assert bytes.fromhex(code["ndef_hex"])[0] == 0xD1  # one NDEF URI record
    r, body = patrol.scan(0, carrier="nfc")
    assert r.json["status"] == "accepted"
    with app.app_context():
        assert Scan.get_by_id(body["id"]).carrier == "nfc"


def test_same_checkpoint_twice_within_a_minute_is_a_duplicate(app, world, patrol):
    first, _ = patrol.scan(0)
    second, _ = patrol.scan(0, at=utcnow() + timedelta(seconds=20))
    assert (
        first.status_code == 201
        and second.status_code == 422
        and second.json["error"] == "duplicate_scan"
    )


def test_batch_with_good_and_bad_scans_and_its_repeat(app, world, patrol):
    start = utcnow() - timedelta(minutes=3)
    scans = [
        {
            "id": str(uuid.uuid4()),
            "payload": patrol.payload(i),
            "device_at": iso(start + timedelta(minutes=i)),
            "device_id": "phone-g1",
        }
        for i in range(3)
    ]
    scans.insert(
        1,
        {
            "id": str(uuid.uuid4()),
            "payload": "c1.1.1.forgedforgedforgedforg",
            "device_at": iso(start),
        },
    )
    r = world.client.post("/api/scans/batch", headers=world.headers("guard"), json={"scans": scans})
    assert r.status_code == 200
    statuses = [o["status"] for o in r.json["outcomes"]]
    assert statuses[1] == "rejected" and statuses.count("rejected") == 1
    assert (r.json["accepted"] + r.json["flagged"], r.json["rejected"]) == (3, 1)
    again = world.client.post(
        "/api/scans/batch", headers=world.headers("guard"), json={"scans": scans}
    )
    assert [o["status"] for o in again.json["outcomes"]] == statuses
    with app.app_context():
        assert Scan.select().count() == 3


def test_round_judged_complete_late_out_of_order_and_missed(app, world, patrol):
    with app.app_context():
        schedule = Schedule.get_by_id(patrol.schedule["id"])
        now = utcnow()
        hour_ago = now.replace(minute=0, second=0, microsecond=0) - timedelta(hours=2)
        rounds = {r.starts_at: r for r in Round.select().where(Round.schedule == schedule)}
        complete, late, missed = (
            rounds[hour_ago - timedelta(hours=2)],
            rounds[hour_ago - timedelta(hours=1)],
            rounds[hour_ago],
        )
    # Complete and on time, in order.
    for i in range(3):
        patrol.scan(i, at=complete.starts_at + timedelta(minutes=2 + i))
    # Late (first scan 25 minutes in) and out of order (3, 1), missing the second checkpoint.
    patrol.scan(2, at=late.starts_at + timedelta(minutes=25))
    patrol.scan(0, at=late.starts_at + timedelta(minutes=27))
    with app.app_context():
        Schedule.update(ordered=True).execute()
        Round.update(ordered=True).execute()
        judge_closed_rounds(utcnow())
        judged = {r.id: r for r in Round.select()}
    c, lt, m = judged[complete.id], judged[late.id], judged[missed.id]
    assert (c.status, c.late, c.out_of_order) == ("complete", False, False)
    assert (lt.status, lt.late, lt.late_minutes, lt.out_of_order) == ("incomplete", True, 25, True)
    assert lt.missed_checkpoints == [patrol.checkpoints[1]["id"]]
    assert m.status == "missed"
    detail = world.client.get(f"/api/rounds/{lt.id}", headers=world.headers("supervisor")).json
    assert [s["visited"] for s in detail["stops"]] == [True, False, True]


def test_an_offline_upload_after_judgement_rejudges_the_round(app, world, patrol):
    with app.app_context():
        past = (
            Round.select()
            .where(Round.ends_at < utcnow() - timedelta(minutes=5))
            .order_by(Round.starts_at.desc())
            .first()
        )
        judge_closed_rounds(utcnow())
        assert Round.get_by_id(past.id).status == "missed"
    scans = [
        {
            "id": str(uuid.uuid4()),
            "payload": patrol.payload(i),
            "device_at": iso(past.starts_at + timedelta(minutes=3 + 5 * i)),
            "device_id": "phone-g1",
        }
        for i in range(3)
    ]
    r = world.client.post("/api/scans/batch", headers=world.headers("guard"), json={"scans": scans})
    assert r.json["rejected"] == 0, r.json
    with app.app_context():
        assert Round.get_by_id(past.id).status == "complete"


def test_cheating_is_flagged_with_reasons_on_the_round(app, world, patrol):
    # Far from the checkpoint: 2 km away with a 10 m fix.
    r, _ = patrol.scan(0, latitude=22.56, longitude=113.95, accuracy_m=10)
    assert r.json["status"] == "flagged"
    assert "far_from_checkpoint" in {f["code"] for f in r.json["flags"]}
    # A second phone scanning the same checkpoint within the minute (as another guard).
    r2, _ = patrol.scan(
        0, role="supervisor", device_id="phone-other", at=utcnow() + timedelta(seconds=5)
    )
    assert "two_devices_one_checkpoint" in {f["code"] for f in r2.json["flags"]}
    # One phone scanning for two people in the same shift.
    r3, _ = patrol.scan(
        1, role="supervisor", device_id="phone-g1", at=utcnow() + timedelta(seconds=90)
    )
    assert "one_device_two_guards" in {f["code"] for f in r3.json["flags"]}
    # A phone clock 20 minutes ahead.
    r4, _ = patrol.scan(2, at=utcnow() + timedelta(minutes=20), device_id="phone-g1")
    assert "clock_skew" in {f["code"] for f in r4.json["flags"]}
    round_id = r.json["round_id"]
    shown = world.client.get(f"/api/rounds/{round_id}", headers=world.headers("supervisor")).json
    assert {f["code"] for f in shown["flags"]} >= {
        "far_from_checkpoint",
        "two_devices_one_checkpoint",
    }
    assert all(f["reason"] and f["reason_zh"] for f in shown["flags"])


def test_check_items_cannot_be_skipped_and_a_failure_opens_an_anomaly(app, world, patrol):
    world.client.patch(
        f"/api/checkpoints/{patrol.checkpoints[0]['id']}",
        headers=world.headers("admin"),
        json={"checklist": "checkpoint-fire-hydrant"},
    )
    items = world.client.get(
        "/api/checklists/checkpoint-fire-hydrant", headers=world.headers("guard")
    ).json
    codes = [i["code"] for s in items["sections"] for i in s["items"]]
    r, _ = patrol.scan(0)
    assert r.status_code == 422 and r.json["error"] == "check_items_missing"
    answers = [{"code": c, "result": "pass"} for c in codes]
    answers[0]["result"] = "fail"
    r, body = patrol.scan(0, answers=answers)
    assert r.status_code == 201, r.json
    with app.app_context():
        anomaly = Anomaly.get(Anomaly.scan == body["id"])
        assert anomaly.category == "check_item_failed" and anomaly.status == "open"
        # On the ordinary promise's clock (checklists/promises.toml): answered within 2 hours.
        assert anomaly.promise_kind == "anomaly_ordinary"
        assert anomaly.respond_due_at - anomaly.reported_at == timedelta(hours=2)
        assert anomaly.resolve_due_at > anomaly.respond_due_at


def test_live_view_shows_overdue_rounds_at_once(app, world, patrol):
    with app.app_context():
        current = (
            Round.select()
            .where((Round.starts_at <= utcnow()) & (Round.ends_at >= utcnow()))
            .first()
        )
        # Make the current round's grace already over, with no scan yet.
        Round.update(starts_at=utcnow() - timedelta(minutes=15), start_grace_minutes=10).where(
            Round.id == current.id
        ).execute()
    live = world.client.get(
        f"/api/rounds/live?site_id={world.site_a.id}", headers=world.headers("supervisor")
    )
    assert live.status_code == 200
    assert current.id in live.json["overdue"]
    states = {r["id"]: r["state"] for r in live.json["rounds"]}
    assert states[current.id] == "overdue"


def test_guard_month_view(app, world, patrol):
    with app.app_context():
        from models.tables.accounts import User

        User.update(staff=world.staff_a).where(User.username == "guard").execute()
        past = (
            Round.select().where(Round.ends_at < utcnow()).order_by(Round.starts_at.desc()).first()
        )
    # The round's three checkpoints, each scanned once in its window (sent late, so flagged
    # for the phone's clock, but matched): one round, complete, on time.
    for i in range(3):
        r, _ = patrol.scan(i, at=past.starts_at + timedelta(minutes=1 + i))
        assert r.status_code == 201 and r.json["round_id"] == past.id, r.json
    rows = world.client.get(
        f"/api/rounds/guards?site_id={world.site_a.id}&month={past.month}",
        headers=world.headers("supervisor"),
    ).json
    # Only rounds somebody walked count for a person: the other (missed) rounds have no guard.
    assert rows == [
        {
            "staff_id": world.staff_a.id,
            "name": "张三",
            "rounds": 1,
            "completed": 1,
            "completion_rate": 100.0,
            "late": 0,
            "missed": 0,
            "incomplete": 0,
            "missed_checkpoints": 0,
            "flags_confirmed": 0,
            "flags_dismissed": 0,
        }
    ]


def test_two_guards_scanning_at_once_lose_nothing(app, world, patrol):
    tokens = {role: world.token(role) for role in ("guard", "supervisor")}
    payloads = [patrol.payload(i) for i in range(3)]
    errors, statuses = [], []
    start = utcnow() - timedelta(minutes=50)

    def walk(role, device):
        client = app.test_client()
        for n in range(12):
            at = iso(start + timedelta(minutes=4 * n))
            r = post_scan(client, tokens[role], payloads[n % 3], at, device_id=device)
            (statuses if r.status_code == 201 else errors).append((role, r.status_code, r.json))

    threads = [threading.Thread(target=walk, args=(role, f"phone-{role}")) for role in tokens]
    run_together(threads)
    assert errors == []
    with app.app_context():
        assert Scan.select().count() == 24


def test_one_guard_tapping_one_checkpoint_at_once_is_stored_once(app, world, patrol):
    """Simultaneous scans of one checkpoint by one guard (a double tap sent twice, two tabs):
    exactly one is accepted, the others are duplicates, on SQLite and on PostgreSQL (where,
    without the site's scan lock, two of them often both passed the duplicate check)."""
    token = world.token("guard")
    device_at = iso(utcnow() - timedelta(minutes=5))
    checkpoints, tries = 3, 8
    barrier = threading.Barrier(tries, timeout=60)
    outcomes = {n: [] for n in range(checkpoints)}
    # The labels are read before the threads start: reading one signs the supervisor in, and
    # eight threads signing in at once met the sign-in throttle instead of the scan lock.
    payloads = [patrol.payload(n) for n in range(checkpoints)]

    def tap():
        client = app.test_client()
        for n in range(checkpoints):
            barrier.wait()
            r = post_scan(client, token, payloads[n], device_at)
            outcomes[n].append((r.status_code, r.json["error"] if r.status_code == 422 else "ok"))

    threads = [threading.Thread(target=tap) for _ in range(tries)]
    run_together(threads)
    once = [(201, "ok")] + [(422, "duplicate_scan")] * (tries - 1)
    assert {n: sorted(taps) for n, taps in outcomes.items()} == dict.fromkeys(outcomes, once)
    with app.app_context():
        assert Scan.select().count() == checkpoints


def test_flags_of_simultaneous_scans_on_one_round_all_reach_the_round(app, world, patrol):
    """Three people scan three checkpoints of the round under way at once, each with a phone
    clock far ahead (a flag): every flagged scan's flag is on the round, none overwritten by
    another scan's update of the round (PostgreSQL: the round is locked while it is changed)."""
    from models.tables.patrols import Round

    scanners = ("guard", "supervisor", "manager")
    tokens = {role: world.token(role) for role in scanners}
    ahead = iso(utcnow() + timedelta(minutes=30))
    barrier = threading.Barrier(len(scanners), timeout=60)
    errors = []
    payloads = [patrol.payload(i) for i in range(len(patrol.checkpoints))]  # before the threads

    def walk(n, role):
        client = app.test_client()
        for wave in range(len(patrol.checkpoints)):
            barrier.wait()
            payload = payloads[(n + wave) % len(patrol.checkpoints)]
            r = post_scan(client, tokens[role], payload, ahead, device_id=f"phone-{role}")
            if r.status_code != 201 or r.json["status"] != "flagged":
                errors.append(r.json)

    threads = [threading.Thread(target=walk, args=(n, role)) for n, role in enumerate(scanners)]
    run_together(threads)
    assert errors == []
    with app.app_context():
        scans = list(Scan.select().where(Scan.round.is_null(False)))
        assert len(scans) == 9 and len({s.round_id for s in scans}) == 1
        round_flags = Round.get_by_id(scans[0].round_id).flags
        assert {f["scan_id"] for f in round_flags} == {str(s.id) for s in scans}


def test_batches_spanning_two_sites_in_opposite_orders_never_deadlock(app, world, patrol):
    """Two offline batches at once, one with site A's scan first and one with site B's first:
    each batch takes its sites' scan locks in site order up front (PostgreSQL), so neither
    waits for the other in a circle (which PostgreSQL would end with an error)."""
    admin = world.headers("admin")
    r = world.client.post(
        "/api/checkpoints", headers=admin, json={"area_id": world.area_b.id, "name": "花园巡更点"}
    )
    assert r.status_code == 201, r.json
    code_b = world.client.get(f"/api/checkpoints/{r.json['id']}/code", headers=admin).json["url"]
    code_a = patrol.payload(0)
    token = world.token("admin")
    waves = 6
    barrier = threading.Barrier(2, timeout=60)
    answers = []

    def upload(codes, device):
        client = app.test_client()
        for wave in range(waves):
            at = iso(utcnow() - timedelta(minutes=5 * wave))
            scans = [
                {"id": str(uuid.uuid4()), "payload": code, "device_at": at, "device_id": device}
                for code in codes
            ]
            barrier.wait()
            try:
                r = client.post(
                    "/api/scans/batch",
                    headers={"Authorization": f"Bearer {token}"},
                    json={"scans": scans},
                )
                answers.append(r.status_code)
            except Exception as error:  # the test client raises what the app did not handle
                answers.append(repr(error))

    threads = [
        threading.Thread(target=upload, args=([code_a, code_b], "phone-1")),
        threading.Thread(target=upload, args=([code_b, code_a], "phone-2")),
    ]
    run_together(threads)
    assert answers == [200] * (2 * waves)


def test_handover_lists_open_matters_for_the_incoming_guard(app, world, patrol):
    world.client.post(
        "/api/anomalies",
        headers=world.headers("guard"),
        json={
            "id": str(uuid.uuid4()),
            "site_id": world.site_a.id,
            "area_id": world.area_a.id,
            "category": "water_leak",
            "note": "大堂顶棚漏水",
        },
    )
    r = world.client.post(
        "/api/handovers",
        headers=world.headers("guard"),
        json={"post_id": world.post_a.id, "note": "交班"},
    )
    assert r.status_code == 201
    assert [a["category"] for a in r.json["open_anomalies"]] == ["water_leak"]
    # In the site's zone (Asia/Shanghai), with the name of who handed over.
    assert r.json["open_anomalies"][0]["reported_at"].endswith("+08:00")
    assert r.json["open_followups"][0]["respond_due_at"].endswith("+08:00")
    assert r.json["outgoing_name"] == "guard"  # no display name or staff record: the username
    own = world.client.post(
        f"/api/handovers/{r.json['id']}/acknowledge", headers=world.headers("guard")
    )
    assert own.status_code == 409
    ack = world.client.post(
        f"/api/handovers/{r.json['id']}/acknowledge", headers=world.headers("supervisor")
    )
    assert ack.status_code == 200 and ack.json["incoming_id"] == world.users["supervisor"].id
    assert ack.json["incoming_name"] == "supervisor"


def test_labels_print_as_png_and_pdf(app, world, patrol):
    with world.client.get(
        f"/api/checkpoints/{patrol.checkpoints[0]['id']}/label.png",
        headers=world.headers("supervisor"),
    ) as r:
        assert r.status_code == 200 and r.mimetype == "image/png"
        with Image.open(io.BytesIO(r.data)) as label:
            # A print-ready label whose code opens this checkpoint's scan URL.
            assert label.format == "PNG" and label.size == LABEL_PX
            assert decode(label) == [patrol.payload(0)]
    with world.client.get(
        f"/api/checkpoints/sheet.pdf?site_id={world.site_a.id}", headers=world.headers("admin")
    ) as r:
        assert r.status_code == 200 and r.mimetype == "application/pdf"
        # The site's three checkpoints: one A4 page, its image stored losslessly (CCITT G4).
        assert len(PdfParser.PdfParser(buf=r.data).pages) == 1
        assert r.data.count(b"/CCITTFaxDecode") == 1
    assert (
        world.client.get(
            f"/api/checkpoints/sheet.pdf?site_id={world.site_b.id}",
            headers=world.headers("supervisor"),
        ).status_code
        == 404
    )


def test_schedule_rounds_are_made_once(app, world, patrol):
    with app.app_context():
        schedule = Schedule.get_by_id(patrol.schedule["id"])
        before = Round.select().count()
        today = utcnow().replace(tzinfo=UTC).astimezone(schedule.site.zone).date()  # site-local
        assert ensure_rounds(schedule, today - timedelta(days=1), today + timedelta(days=1)) == 0
        assert Round.select().count() == before
        assert ensure_rounds(schedule, today + timedelta(days=2), today + timedelta(days=2)) == 24


def test_a_new_schedule_makes_no_round_before_it_existed_and_alerts_nothing(app, world):
    """Issue 18.1: a schedule created at 21:21 made rounds for the day before (22:00, 00:00),
    and one created at 21:31 for 21:32 made the previous day's 21:32; the first tick judged
    them missed and posted round.missed alerts for rounds nobody could have walked."""
    admin = world.headers("admin")
    checkpoint = world.client.post(
        "/api/checkpoints", headers=admin, json={"area_id": world.area_a.id, "name": "新点"}
    ).json
    route = world.client.post(
        "/api/patrol-routes",
        headers=admin,
        json={
            "site_id": world.site_a.id,
            "name": "新路线",
            "stops": [{"checkpoint_id": checkpoint["id"], "offset_minutes": 0}],
        },
    ).json
    with app.app_context():
        Webhook.create(site=world.site_a, url="https://example.com/hook", secret="s" * 32)
    local = utcnow().replace(tzinfo=UTC).astimezone(world.site_a.zone)
    bodies = [
        # Once a day, in two minutes' time (the 21:31-for-21:32 report).
        {"start_time": f"{local + timedelta(minutes=2):%H:%M}", "every_minutes": 1440},
        # Hourly in a window that began three hours ago (the 21:21 report).
        {
            "start_time": f"{local - timedelta(hours=3):%H:00}",
            "end_time": f"{local + timedelta(hours=3):%H:00}",
            "every_minutes": 60,
        },
    ]
    schedules = []
    for body in bodies:
        r = world.client.post(
            "/api/schedules",
            headers=admin,
            json={"route_id": route["id"], "name": "新计划", "end_time": body["start_time"]} | body,
        )
        assert r.status_code == 201, r.json
        schedules.append(r.json["id"])
    with app.app_context():  # what the minute tick does
        now = utcnow()
        ensure_site_rounds(Site.get_by_id(world.site_a.id), now)
        judge_closed_rounds(now)
        for schedule_id in schedules:
            created = Schedule.get_by_id(schedule_id).created_at
            starts = [r.starts_at for r in Round.select().where(Round.schedule == schedule_id)]
            assert starts, "the schedule's coming rounds are made"
            assert min(starts) >= created, (created, sorted(starts))
        assert Round.select().where(Round.status != "open").count() == 0
        assert [d.event for d in WebhookDelivery.select()] == []
