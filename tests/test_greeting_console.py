"""What the office console does with the greeting rota: move a future shift to another
manager (refused for a begun shift, someone who is not a free manager of the site), audited;
and each manager's count of the month's shifts, in all and per window."""

import json
from collections import Counter
from datetime import time, timedelta

import pytest

from models import utcnow
from models.tables.audit import AuditEntry
from models.tables.greeting import GreetingShift, ManagerLeave, SwapRequest
from models.tables.org import Site, Staff
from tests import test_greeting
from tests.test_greeting import JANUARY, NEXT_YEAR, rota

managers = test_greeting.managers  # the fixture: four managers at site A, working day at 09:00


def move(world, shift_id, manager_id, role="supervisor"):
    return world.client.patch(
        f"/api/greeting/shifts/{shift_id}",
        headers=world.headers(role),
        json={"manager_id": manager_id},
    )


def shifts_of(world, month=JANUARY, site_id=None):
    r = world.client.get(
        f"/api/greeting/shifts?site_id={site_id or world.site_a.id}&month={month}",
        headers=world.headers("supervisor"),
    )
    assert r.status_code == 200, r.json
    return r.json


@pytest.fixture
def january(world, managers):
    _, shifts = rota(world, JANUARY)
    return shifts


def someone_else(managers, shift):
    return next(m for m in managers if m.id != shift["manager_id"])


def test_a_future_shift_moves_to_another_manager_and_is_audited(app, world, managers, january):
    shift = january[0]
    taker = someone_else(managers, shift)
    r = move(world, shift["id"], taker.id)
    assert r.status_code == 200, r.json
    listed = {s["id"]: s for s in shifts_of(world)}
    assert r.json == listed[shift["id"]]  # as the list shows it
    assert (r.json["manager_id"], r.json["manager_name"]) == (taker.id, taker.name)
    assert {k: v for k, v in r.json.items() if not k.startswith("manager_")} == {
        k: v for k, v in shift.items() if not k.startswith("manager_")
    }
    with app.app_context():
        entry = AuditEntry.get(
            (AuditEntry.entity == "greeting_shift") & (AuditEntry.entity_id == str(shift["id"]))
        )
        assert entry.action == "update" and entry.user_id == world.users["supervisor"].id
        assert json.loads(entry.before) == {"manager": shift["manager_id"]}
        assert json.loads(entry.after) == {"manager": taker.id}
        assert entry.site_id == world.site_a.id


def test_moving_to_the_same_manager_changes_and_audits_nothing(app, world, january):
    shift = january[0]
    r = move(world, shift["id"], shift["manager_id"])
    assert r.status_code == 200 and r.json == shift
    with app.app_context():
        assert AuditEntry.select().where(AuditEntry.entity == "greeting_shift").count() == 0


def test_a_shift_that_has_begun_or_passed_cannot_be_moved(app, world, managers):
    now = utcnow()
    with app.app_context():
        rows = [
            GreetingShift.create(
                site=world.site_a,
                day=(now + timedelta(hours=8) - timedelta(days=days)).date(),
                window="morning",
                manager=managers[0],
                starts_at=now - timedelta(days=days, minutes=10),
                ends_at=now - timedelta(days=days) + timedelta(minutes=20),
                month=int(f"{now:%Y%m}"),
            )
            for days in (0, 3)  # under way, and three days ago
        ]
    for row in rows:
        r = move(world, row.id, managers[1].id)
        assert r.status_code == 409, r.json
        assert r.json["error"] == "shift_started"
        assert "不能改派" in r.json["message"]
    with app.app_context():
        assert {s.manager_id for s in GreetingShift.select()} == {managers[0].id}
        assert AuditEntry.select().where(AuditEntry.entity == "greeting_shift").count() == 0


def test_only_an_active_manager_of_the_site_can_take_a_shift(app, world, managers, january):
    shift = january[0]
    with app.app_context():
        retired = Staff.create(
            employee_no="M-9",
            name="离职经理",
            gender="male",
            job="manager",
            site=world.site_a,
            active=False,
        )
        elsewhere = Staff.create(
            employee_no="B-M", name="乙经理", gender="female", job="manager", site=world.site_b
        )
    guard = move(world, shift["id"], world.staff_a.id)  # a guard of the same site
    assert guard.status_code == 422 and guard.json["error"] == "not_a_manager"
    assert "不是本项目在职的经理" in guard.json["errors"]["json"]["manager_id"][0]
    gone = move(world, shift["id"], retired.id)
    assert gone.status_code == 422 and gone.json["error"] == "not_a_manager"
    # Another site's manager: unknown here, to the site's supervisor and to an admin alike.
    for role in ("supervisor", "admin"):
        r = move(world, shift["id"], elsewhere.id, role=role)
        assert r.status_code == 404 and "manager_id" in r.json["errors"]["json"], r.json
    assert move(world, shift["id"], 999999).status_code == 404
    # Another site's supervisor does not see the shift at all.
    assert move(world, shift["id"], managers[1].id, role="supervisor-b").status_code == 404
    assert shifts_of(world)[0] == shift  # unchanged


def test_a_manager_on_leave_that_day_cannot_take_it(app, world, managers, january):
    shift = january[0]
    taker = someone_else(managers, shift)
    r = world.client.post(
        "/api/greeting/leave",
        headers=world.headers("supervisor"),
        json={"staff_id": taker.id, "first_day": shift["day"], "last_day": shift["day"]},
    )
    assert r.status_code == 201
    refused = move(world, shift["id"], taker.id)
    assert refused.status_code == 422 and refused.json["error"] == "manager_on_leave"
    assert "请假" in refused.json["message"] and taker.name in refused.json["message"]
    with app.app_context():
        ManagerLeave.delete().execute()
    assert move(world, shift["id"], taker.id).status_code == 200


def test_a_manager_already_on_duty_at_that_time_cannot_take_it(app, world, managers, january):
    shift = january[0]
    taker = someone_else(managers, shift)
    with app.app_context():
        first = GreetingShift.get_by_id(shift["id"])
        GreetingShift.create(  # e.g. an evening window moved to overlap, at a second post
            site=world.site_a,
            day=first.day,
            window="evening",
            manager=taker,
            starts_at=first.starts_at + timedelta(minutes=20),
            ends_at=first.ends_at + timedelta(minutes=20),
            month=first.month,
        )
    refused = move(world, shift["id"], taker.id)
    assert refused.status_code == 422 and refused.json["error"] == "shift_overlap"
    assert taker.name in refused.json["errors"]["json"]["manager_id"][0]
    assert shifts_of(world)[0]["manager_id"] == shift["manager_id"]


def test_a_pending_swap_of_the_moved_shift_is_cancelled(app, world, managers, january):
    mine = next(s for s in january if s["manager_id"] == managers[0].id)  # the 'manager' login
    theirs = next(
        s for s in january if s["manager_id"] == managers[1].id and s["day"] != mine["day"]
    )
    offer = world.client.post(
        "/api/greeting/swaps",
        headers=world.headers("manager"),
        json={"shift_id": mine["id"], "other_shift_id": theirs["id"]},
    )
    assert offer.status_code == 201, offer.json
    taker = managers[2]
    assert move(world, mine["id"], taker.id).status_code == 200
    with app.app_context():
        assert SwapRequest.get_by_id(offer.json["id"]).status == "cancelled"
    # Accepting it now would hand the colleague's shift to someone who never offered.
    accepted = world.client.post(
        f"/api/greeting/swaps/{offer.json['id']}/accept", headers=world.headers("manager2")
    )
    assert accepted.status_code == 409
    now = {s["id"]: s["manager_id"] for s in shifts_of(world)}
    assert (now[mine["id"]], now[theirs["id"]]) == (taker.id, managers[1].id)


def counts_of(world, month=JANUARY, site_id=None, role="supervisor"):
    return world.client.get(
        "/api/greeting/rota-counts",
        headers=world.headers(role),
        query_string={"site_id": site_id or world.site_a.id, "month": month},
    )


def test_rota_counts_match_the_shifts_and_follow_a_move(app, world, managers, january):
    r = counts_of(world)
    assert r.status_code == 200, r.json
    per_manager = Counter(s["manager_id"] for s in january)
    assert r.json == {
        "counts": [
            {
                "staff_id": m.id,
                "name": m.name,
                "total": per_manager[m.id],
                "by_window": {"morning": per_manager[m.id]},
            }
            for m in managers  # rotation order: employee number
        ]
    }
    shift = january[0]
    taker = someone_else(managers, shift)
    assert move(world, shift["id"], taker.id).status_code == 200
    after = {c["staff_id"]: c["total"] for c in counts_of(world).json["counts"]}
    assert after[taker.id] == per_manager[taker.id] + 1
    assert after[shift["manager_id"]] == per_manager[shift["manager_id"]] - 1


def test_rota_counts_per_window_at_a_mixed_site_with_a_manager_without_shifts(app, world, managers):
    with app.app_context():
        Site.update(
            site_type="mixed", evening_peak_start=time(18, 0), evening_peak_end=time(18, 30)
        ).where(Site.id == world.site_a.id).execute()
    _, shifts = rota(world, JANUARY)
    with app.app_context():
        newcomer = Staff.create(
            employee_no="M-5", name="新经理", gender="female", job="manager", site=world.site_a
        )
    by_window = Counter((s["manager_id"], s["window"]) for s in shifts)
    counts = {c["staff_id"]: c for c in counts_of(world).json["counts"]}
    for m in managers:
        assert counts[m.id]["by_window"] == {
            "morning": by_window[m.id, "morning"],
            "evening": by_window[m.id, "evening"],
        }
        assert counts[m.id]["total"] == by_window[m.id, "morning"] + by_window[m.id, "evening"]
    assert counts[newcomer.id] == {
        "staff_id": newcomer.id,
        "name": "新经理",
        "total": 0,
        "by_window": {"morning": 0, "evening": 0},
    }
    assert sum(c["total"] for c in counts.values()) == len(shifts)


def test_rota_counts_of_another_site_are_refused(world, managers):
    assert counts_of(world, site_id=world.site_b.id).status_code == 404
    assert counts_of(world, role="guard").status_code == 403
    assert counts_of(world, month=f"{NEXT_YEAR}13").status_code == 422
