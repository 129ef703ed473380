"""A label whose QR code is damaged: the guard types its short code (e.g. "HRZX-C-0345") and
the scan is recorded, matched to its round, and flagged as typed for a supervisor to look at.
A typed code names only an active checkpoint of the guard's own sites."""

import uuid
from datetime import timedelta

import pytest

from models import utcnow
from models.tables.patrols import Scan
from tests.test_patrols import Patrol, iso


@pytest.fixture
def patrol(app, world):
    return Patrol(app, world)


def typed(world, code, *, role="guard", carrier="manual", at=None):
    body = {
        "id": str(uuid.uuid4()),
        "payload": code,
        "carrier": carrier,
        "device_at": iso(at or utcnow()),
        "device_id": "phone-g1",
    }
    return world.client.post("/api/scans", headers=world.headers(role), json=body), body


def test_a_typed_short_code_is_recorded_on_its_round_and_flagged_as_typed(app, world, patrol):
    checkpoint = patrol.checkpoints[1]
    r, body = typed(world, checkpoint["code"].lower())  # typed in small letters on a phone
    assert r.status_code == 201, r.json
    assert r.json["status"] == "flagged"
    assert r.json["checkpoint_id"] == checkpoint["id"] and r.json["round_id"] is not None
    assert [f["code"] for f in r.json["flags"]] == ["typed_code"]
    assert "手动输入" in r.json["flags"][0]["reason_zh"]
    with app.app_context():
        scan = Scan.get_by_id(body["id"])
        assert scan.carrier == "manual" and scan.checkpoint_id == checkpoint["id"]
        assert [f["code"] for f in scan.flags] == ["typed_code"]


def test_a_short_code_counts_only_when_typed(world, patrol):
    r, _ = typed(world, patrol.checkpoints[0]["code"], carrier="qr")
    assert r.status_code == 422 and r.json["error"] == "malformed"


def test_a_typed_code_of_no_checkpoint_or_of_another_site_is_refused(app, world, patrol):
    r, _ = typed(world, "SA-C-9999")
    assert r.status_code == 422 and r.json["error"] == "unknown_checkpoint"
    assert r.json["errors"]["json"]["payload"] == ["巡更点不存在或已停用。"]
    # The other site's supervisor types this site's code.
    r, _ = typed(world, patrol.checkpoints[0]["code"], role="supervisor-b")
    assert r.status_code == 422 and r.json["error"] == "other_site"
    # A retired checkpoint.
    world.client.patch(
        f"/api/checkpoints/{patrol.checkpoints[2]['id']}",
        headers=world.headers("admin"),
        json={"active": False},
    )
    r, _ = typed(world, patrol.checkpoints[2]["code"])
    assert r.status_code == 422 and r.json["error"] == "unknown_checkpoint"
    with app.app_context():
        assert Scan.select().count() == 0


def test_typed_codes_in_an_offline_batch(app, world, patrol):
    start = utcnow() - timedelta(minutes=20)
    scans = [
        {
            "id": str(uuid.uuid4()),
            "payload": code,
            "carrier": "manual",
            "device_at": iso(start + timedelta(minutes=3 * n)),
        }
        for n, code in enumerate([patrol.checkpoints[0]["code"], "SA-C-9999"])
    ]
    scans.insert(
        1,
        {
            **scans[0],
            "id": str(uuid.uuid4()),
            "payload": patrol.payload(1),
            "carrier": "qr",
            "device_at": iso(start + timedelta(minutes=1)),
        },
    )
    r = world.client.post("/api/scans/batch", headers=world.headers("guard"), json={"scans": scans})
    assert r.status_code == 200, r.json
    outcomes = r.json["outcomes"]
    assert [o["status"] for o in outcomes] == ["flagged", "accepted", "rejected"]
    assert "typed_code" in [f["code"] for f in outcomes[0]["flags"]]
    assert outcomes[2]["code"] == "unknown_checkpoint"
