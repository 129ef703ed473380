"""A supervisor reviews a flagged scan: confirmed or dismissed (saying why), once, at their own
sites, audited; the scan list filters by it and each guard's month counts it."""

from datetime import datetime, timedelta

import pytest

from models import db, utcnow
from models.tables.accounts import User
from models.tables.patrols import Round, Scan
from models.tables.schema import LATEST_VERSION, SchemaVersion, current_version, upgrade
from tests.conftest import ON_POSTGRES
from tests.test_patrols import Patrol

REVIEW_COLUMNS = ("reviewed_at", "reviewed_by_id", "review_decision", "review_note")


@pytest.fixture
def patrol(app, world):
    return Patrol(app, world)


def flagged_scan(patrol, index=0, role="guard"):
    """A scan whose phone clock is 20 minutes ahead: stored, with a flag for a person to judge."""
    r, body = patrol.scan(index, role=role, at=utcnow() + timedelta(minutes=20))
    assert r.status_code == 201 and r.json["status"] == "flagged", r.json
    return body["id"]


def review(world, scan_id, role="supervisor", **body):
    return world.client.post(f"/api/scans/{scan_id}/review", headers=world.headers(role), json=body)


def listed(world, query, role="supervisor"):
    r = world.client.get(f"/api/scans?{query}", headers=world.headers(role))
    assert r.status_code == 200, r.json
    return r.json


def test_confirming_a_flag_stores_who_when_and_what(app, world, patrol):
    scan_id = flagged_scan(patrol)
    before = utcnow()
    r = review(world, scan_id, decision="confirmed", note="  手机时间被调快  ")
    assert r.status_code == 200, r.json
    assert r.json["id"] == scan_id and r.json["flags"]
    assert r.json["review_decision"] == "confirmed"
    assert r.json["review_note"] == "手机时间被调快"
    assert r.json["reviewed_by_id"] == world.users["supervisor"].id
    assert r.json["reviewed_at"].endswith("+08:00")  # the site's zone, like every scan time
    # The list shows the same scan, review included.
    (shown,) = [s for s in listed(world, "flagged=true") if s["id"] == scan_id]
    assert shown == r.json
    with app.app_context():
        stored = Scan.get_by_id(scan_id)
        assert stored.review_decision == "confirmed"
        assert stored.reviewed_by_id == world.users["supervisor"].id
        assert before <= stored.reviewed_at <= utcnow()


def test_dismissing_needs_a_note(app, world, patrol):
    scan_id = flagged_scan(patrol)
    for body in ({"decision": "dismissed"}, {"decision": "dismissed", "note": "   "}):
        r = review(world, scan_id, **body)
        assert r.status_code == 422 and "note" in r.json["errors"]["json"], r.json
    assert review(world, scan_id, decision="maybe", note="x").status_code == 422
    assert review(world, scan_id, decision="confirmed", note="x" * 501).status_code == 422
    r = review(world, scan_id, role="manager", decision="dismissed", note="夜班换了手机，已核实")
    assert r.status_code == 200, r.json
    assert r.json["review_decision"] == "dismissed"
    assert r.json["reviewed_by_id"] == world.users["manager"].id


def test_a_scan_is_reviewed_once_and_the_first_decision_stays(app, world, patrol):
    scan_id = flagged_scan(patrol)
    assert review(world, scan_id, decision="confirmed").status_code == 200
    again = review(world, scan_id, role="manager", decision="dismissed", note="误报")
    assert again.status_code == 409 and again.json["error"] == "already_reviewed"
    assert "confirmed" in again.json["message"]
    with app.app_context():
        stored = Scan.get_by_id(scan_id)
        assert (stored.review_decision, stored.reviewed_by_id, stored.review_note) == (
            "confirmed",
            world.users["supervisor"].id,
            "",
        )


def test_only_flagged_scans_are_reviewed(app, world, patrol):
    r, body = patrol.scan(0)
    assert r.json["status"] == "accepted"
    refused = review(world, body["id"], decision="confirmed")
    assert refused.status_code == 409 and refused.json["error"] == "not_flagged"
    with app.app_context():
        assert Scan.get_by_id(body["id"]).review_decision is None


def test_nobody_reviews_their_own_scan(app, world, patrol):
    scan_id = flagged_scan(patrol, role="supervisor")
    refused = review(world, scan_id, role="supervisor", decision="dismissed", note="我自己的")
    assert refused.status_code == 409 and refused.json["error"] == "own_scan"
    assert review(world, scan_id, role="manager", decision="confirmed").status_code == 200


def test_another_sites_scan_is_not_found(app, world, patrol):
    scan_id = flagged_scan(patrol)
    r = review(world, scan_id, role="supervisor-b", decision="confirmed")
    assert r.status_code == 404
    missing = review(world, "00000000-0000-4000-8000-00000000abcd", decision="confirmed")
    assert missing.status_code == 404
    for role in ("guard", "staff", "hr"):
        assert review(world, scan_id, role=role, decision="confirmed").status_code == 403
    with app.app_context():
        assert Scan.get_by_id(scan_id).review_decision is None


def test_a_review_is_in_the_audit_log(app, world, patrol):
    scan_id = flagged_scan(patrol)
    review(world, scan_id, decision="dismissed", note="信号差，已核实")
    entries = world.client.get(
        f"/api/audit?entity=scan&entity_id={scan_id}", headers=world.headers("admin")
    ).json
    (entry,) = entries
    assert entry["action"] == "review" and entry["site_id"] == world.site_a.id
    assert entry["user_id"] == world.users["supervisor"].id
    assert entry["before"]["review_decision"] is None
    assert entry["after"]["review_decision"] == "dismissed"
    assert entry["after"]["review_note"] == "信号差，已核实"
    assert entry["reason"] == "信号差，已核实"


def test_the_scan_list_filters_by_flagged_and_reviewed(app, world, patrol):
    accepted, body = patrol.scan(2)
    assert accepted.json["status"] == "accepted"
    waiting = flagged_scan(patrol, 0)
    done = flagged_scan(patrol, 1)
    review(world, done, decision="confirmed")

    def ids(query):
        return {s["id"] for s in listed(world, query)}

    assert ids("flagged=true&reviewed=false") == {waiting}
    assert ids("reviewed=true") == {done}
    assert ids("reviewed=false") == {waiting, body["id"]}
    assert ids("flagged=false") == {body["id"]}
    unreviewed = [s for s in listed(world, "reviewed=false")]
    assert all(s["review_decision"] is None and s["reviewed_at"] is None for s in unreviewed)
    # A guard sees the review of their own scan.
    (mine,) = [s for s in listed(world, "reviewed=true", role="guard")]
    assert mine["id"] == done and mine["review_decision"] == "confirmed"


def test_the_guards_month_counts_confirmed_and_dismissed_flags(app, world, patrol):
    with app.app_context():
        User.update(staff=world.staff_a).where(User.username == "guard").execute()
        past = (
            Round.select().where(Round.ends_at < utcnow()).order_by(Round.starts_at.desc()).first()
        )
    # Scans of a finished round sent late from a far-away spot: each is stored with flags.
    scan_ids = []
    for i in range(3):
        r, body = patrol.scan(
            i, at=past.starts_at + timedelta(minutes=1 + i), latitude=23.1, longitude=113.3
        )
        assert r.json["status"] == "flagged", r.json
        scan_ids.append(body["id"])
    decisions = [("confirmed", ""), ("confirmed", "确认"), ("dismissed", "GPS 漂移")]
    for scan_id, (decision, note) in zip(scan_ids, decisions, strict=True):
        assert review(world, scan_id, decision=decision, note=note).status_code == 200
    with app.app_context():
        month = Scan.get_by_id(scan_ids[0]).month
    rows = world.client.get(
        f"/api/rounds/guards?site_id={world.site_a.id}&month={month}",
        headers=world.headers("supervisor"),
    ).json
    mine = next(r for r in rows if r["staff_id"] == world.staff_a.id)
    assert (mine["flags_confirmed"], mine["flags_dismissed"]) == (2, 1)
    # The three scans are the one round this guard walked, complete though flagged.
    assert (mine["rounds"], mine["completed"]) == (1, 1)
    # Another month counts none of them.
    other = month - 1 if month % 100 != 1 else month - 89
    rows = world.client.get(
        f"/api/rounds/guards?site_id={world.site_a.id}&month={other}",
        headers=world.headers("supervisor"),
    ).json
    assert all(r["flags_confirmed"] == r["flags_dismissed"] == 0 for r in rows)


def test_a_month_boundary_is_the_sites_midnight(app, world, patrol):
    """A scan at 23:30 on the last day of a month in Shanghai (15:30 UTC) counts in that
    month, one at 00:30 on the first (16:30 UTC the day before) in the next."""
    with app.app_context():
        User.update(staff=world.staff_a).where(User.username == "guard").execute()
    ids = [flagged_scan(patrol, 0), flagged_scan(patrol, 1)]
    for scan_id in ids:
        review(world, scan_id, decision="confirmed")
    with app.app_context():
        Round.update(status="complete", guard=world.staff_a, month=202601).where(
            Round.id == Round.select(Round.id).limit(1)
        ).execute()
        times = [datetime(2026, 1, 31, 15, 30), datetime(2026, 1, 31, 16, 30)]
        for scan_id, at in zip(ids, times, strict=True):
            Scan.update(effective_at=at).where(Scan.id == scan_id).execute()
    rows = world.client.get(
        f"/api/rounds/guards?site_id={world.site_a.id}&month=202601",
        headers=world.headers("supervisor"),
    ).json
    mine = next(r for r in rows if r["staff_id"] == world.staff_a.id)
    assert mine["flags_confirmed"] == 1


def test_migration_5_adds_the_review_columns_and_scans_still_record(app, world, patrol):
    from playhouse.migrate import SchemaMigrator, migrate

    with app.app_context():
        migrator = SchemaMigrator.from_database(db.obj)
        for column in REVIEW_COLUMNS:
            # SQLite will not drop a column named in a foreign key in place: rebuild the table.
            options = {} if ON_POSTGRES else {"legacy": True}
            migrate(migrator.drop_column("scan", column, **options))
        assert not set(REVIEW_COLUMNS) & {c.name for c in db.get_columns("scan")}
        SchemaVersion.delete().execute()
        SchemaVersion.create(version=4)

        done = upgrade()  # 5, then the later ones, which find their changes made already
        assert done[0] == "migration 5: a flagged scan's review"
        assert current_version() == LATEST_VERSION
        assert set(REVIEW_COLUMNS) <= {c.name for c in db.get_columns("scan")}
        assert upgrade() == []
    # The scan path writes every column of the model: it works on the migrated table, the
    # review columns start empty, and a review fills them.
    scan_id = flagged_scan(patrol)
    assert review(world, scan_id, decision="confirmed").status_code == 200
    with app.app_context():
        rows = db.execute_sql('SELECT "review_decision", "reviewed_by_id" FROM "scan"').fetchall()
        assert [tuple(r) for r in rows] == [("confirmed", world.users["supervisor"].id)]


def test_a_new_scan_starts_unreviewed(app, world, patrol):
    scan_id = flagged_scan(patrol)
    with app.app_context():
        stored = Scan.get_by_id(scan_id)
    assert [getattr(stored, c.removesuffix("_id")) for c in REVIEW_COLUMNS] == [None] * 4
