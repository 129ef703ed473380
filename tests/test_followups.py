"""What failures lead to: rectifications (done, verified, reopened, overdue), coaching items
acknowledged by the person, and contractors rated per quarter."""

from datetime import timedelta

import pytest

from models import utcnow
from models.accounts import User
from models.inspections import Contractor, Inspection, Rectification
from models.org import Area, Staff, StaffArea
from tests.test_inspections import answers_for, form, make_photo, submit


@pytest.fixture
def cleaner(app, world):
    with app.app_context():
        person = Staff.create(
            employee_no="A-3", name="陈洁", gender="female", job="cleaner", site=world.site_a
        )
        StaffArea.create(staff=person, area=world.area_a)
        User.update(staff=person).where(User.username == "staff").execute()
    return person


def failed_lobby(app, world):
    checklist = form(world, "cleaning-lobby", area_id=world.area_a.id)
    item = checklist["sections"][0]["items"][0]["code"]
    r, _ = submit(
        world,
        checklist,
        answers_for(checklist, fail={item}, photos={item: [make_photo(app, world)]}),
        area_id=world.area_a.id,
    )
    assert r.status_code == 201, r.json
    return r.json["rectification_ids"][0], checklist


def test_assignee_fixes_with_a_photo_and_supervisor_verifies(app, world, cleaner):
    rect_id, _ = failed_lobby(app, world)
    mine = world.client.get("/api/rectifications", headers=world.headers("staff")).json
    assert [r["id"] for r in mine] == [rect_id] and mine[0]["fault"]
    r = world.client.post(
        f"/api/rectifications/{rect_id}/done",
        headers=world.headers("staff"),
        json={"note": "已清洁"},
    )
    assert r.status_code == 422  # a photo is required
    photo = make_photo(app, world)
    r = world.client.post(
        f"/api/rectifications/{rect_id}/done",
        headers=world.headers("staff"),
        json={"note": "已清洁", "photo_ids": [photo]},
    )
    assert (
        r.status_code == 200 and r.json["status"] == "done" and r.json["done_photo_ids"] == [photo]
    )
    again = world.client.post(
        f"/api/rectifications/{rect_id}/done",
        headers=world.headers("staff"),
        json={"photo_ids": [make_photo(app, world)]},
    )
    assert again.status_code == 409
    r = world.client.post(
        f"/api/rectifications/{rect_id}/verify",
        headers=world.headers("supervisor"),
        json={"outcome": "reopened", "note": "地面仍有污渍"},
    )
    assert r.json["status"] == "reopened" and r.json["reopen_count"] == 1
    r = world.client.post(
        f"/api/rectifications/{rect_id}/done",
        headers=world.headers("staff"),
        json={"photo_ids": [make_photo(app, world)]},
    )
    r = world.client.post(
        f"/api/rectifications/{rect_id}/verify",
        headers=world.headers("supervisor"),
        json={"outcome": "verified"},
    )
    assert (
        r.json["status"] == "verified" and r.json["verified_by_id"] == world.users["supervisor"].id
    )


def test_a_photo_already_used_cannot_prove_a_fix(app, world, cleaner):
    rect_id, _ = failed_lobby(app, world)
    with app.app_context():
        used = Rectification.get_by_id(rect_id)
    inspection = world.client.get(
        f"/api/inspections/{used.inspection_id}", headers=world.headers("supervisor")
    ).json
    evidence = next(i["photo_ids"][0] for i in inspection["items"] if i["photo_ids"])
    r = world.client.post(
        f"/api/rectifications/{rect_id}/done",
        headers=world.headers("staff"),
        json={"photo_ids": [evidence]},
    )
    assert r.status_code == 422


def test_overdue_rectifications_are_listed_per_site_and_assignee(app, world, cleaner):
    rect_id, _ = failed_lobby(app, world)
    assert (
        world.client.get(
            "/api/rectifications?overdue=true", headers=world.headers("supervisor")
        ).json
        == []
    )
    with app.app_context():
        Rectification.update(due_at=utcnow() - timedelta(hours=1)).execute()
    overdue = world.client.get(
        "/api/rectifications?overdue=true", headers=world.headers("supervisor")
    ).json
    assert [r["id"] for r in overdue] == [rect_id] and overdue[0]["overdue"] is True
    counts = world.client.get(
        "/api/rectifications/overdue", headers=world.headers("supervisor")
    ).json
    assert counts == [
        {"site_id": world.site_a.id, "assignee_id": cleaner.id, "contractor_id": None, "overdue": 1}
    ]
    assert (
        world.client.get("/api/rectifications/overdue", headers=world.headers("supervisor-b")).json
        == []
    )


def test_a_contractor_area_is_assigned_to_the_contractor_and_rated(app, world):
    admin = world.headers("admin")
    r = world.client.post(
        "/api/contractors",
        headers=admin,
        json={
            "name": "洁美保洁公司",
            "service_kinds": ["cleaning"],
            "areas": [{"area_id": world.area_a.id, "kind": "cleaning"}],
        },
    )
    assert r.status_code == 201, r.json
    contractor_id = r.json["id"]
    bad = world.client.post(
        "/api/contractors",
        headers=admin,
        json={
            "name": "绿化公司",
            "service_kinds": ["greening"],
            "areas": [{"area_id": world.area_a.id, "kind": "cleaning"}],
        },
    )
    assert bad.status_code == 422
    rect_id, checklist = failed_lobby(app, world)
    with app.app_context():
        assert Rectification.get_by_id(rect_id).contractor_id == contractor_id
    submit(world, checklist, answers_for(checklist), area_id=world.area_a.id)  # 100
    ratings = world.client.get(
        f"/api/contractors/{contractor_id}/ratings?year={utcnow().year}",
        headers=world.headers("supervisor"),
    ).json
    quarter = (utcnow().month - 1) // 3 + 1
    current = next(q for q in ratings if q["quarter"] == quarter)
    listed = world.client.get(f"/api/inspections?area_id={world.area_a.id}", headers=admin).json
    expected = round(sum(i["score"] for i in listed) / len(listed), 1)
    assert current["inspections"] == 2 and current["average_score"] == expected
    assert all(
        q["inspections"] == 0 and q["average_score"] is None
        for q in ratings
        if q["quarter"] != quarter
    )
    # Site B's supervisor does not see a contractor serving only site A, nor its rating.
    other = world.client.get(
        f"/api/contractors/{contractor_id}/ratings?year={utcnow().year}",
        headers=world.headers("supervisor-b"),
    )
    assert other.status_code == 404
    with app.app_context():
        assert Contractor.select().count() == 1


def test_coaching_item_is_acknowledged_by_the_person_only(app, world):
    with app.app_context():
        User.update(staff=world.staff_a).where(User.username == "guard").execute()
    checklist = form(world, "etiquette-phrases", staff_id=world.staff_a.id)
    first = checklist["sections"][0]["items"][0]["code"]
    r, _ = submit(world, checklist, answers_for(checklist, fail={first}), staff_id=world.staff_a.id)
    item_id = r.json["coaching_ids"][0]
    mine = world.client.get("/api/coaching", headers=world.headers("guard")).json
    assert [c["id"] for c in mine] == [item_id] and mine[0]["impression"]
    assert (
        world.client.post(
            f"/api/coaching/{item_id}/acknowledge", headers=world.headers("supervisor")
        ).status_code
        == 403
    )
    r = world.client.post(f"/api/coaching/{item_id}/acknowledge", headers=world.headers("guard"))
    assert r.status_code == 200 and r.json["acknowledged_at"]
    pending = world.client.get(
        "/api/coaching?acknowledged=false", headers=world.headers("supervisor")
    ).json
    assert pending == []
    assert world.client.get("/api/coaching", headers=world.headers("supervisor-b")).json == []


def test_another_sites_rectification_is_not_found(app, world, cleaner):
    rect_id, _ = failed_lobby(app, world)
    assert (
        world.client.get(
            f"/api/rectifications/{rect_id}", headers=world.headers("supervisor-b")
        ).status_code
        == 404
    )
    r = world.client.post(
        f"/api/rectifications/{rect_id}/verify",
        headers=world.headers("supervisor-b"),
        json={"outcome": "verified"},
    )
    assert r.status_code == 404
    with app.app_context():
        assert Rectification.get_by_id(rect_id).status == "open"
        assert Area.get_by_id(world.area_a.id).site_id == world.site_a.id


def test_a_rectification_not_reported_done_cannot_be_verified_or_sent_back(app, world, cleaner):
    rect_id, checklist = failed_lobby(app, world)
    for outcome in ("verified", "reopened"):
        r = world.client.post(
            f"/api/rectifications/{rect_id}/verify",
            headers=world.headers("supervisor"),
            json={"outcome": outcome},
        )
        assert r.status_code == 409 and r.json["error"] == "not_done", r.json
        assert "完成" in r.json["message"] and "reported done" in r.json["message"]
    with app.app_context():
        row = Rectification.get_by_id(rect_id)
        assert (row.status, row.verified_at, row.reopen_count) == ("open", None, 0)
    # The assignee can still report it done, and then it is verified.
    r = world.client.post(
        f"/api/rectifications/{rect_id}/done",
        headers=world.headers("staff"),
        json={"photo_ids": [make_photo(app, world)]},
    )
    assert r.status_code == 200 and r.json["status"] == "done"
    r = world.client.post(
        f"/api/rectifications/{rect_id}/verify",
        headers=world.headers("supervisor"),
        json={"outcome": "verified"},
    )
    assert r.status_code == 200 and r.json["status"] == "verified"


def test_a_passing_re_inspection_verifies_an_open_rectification(app, world, cleaner):
    rect_id, checklist = failed_lobby(app, world)
    r, _ = submit(world, checklist, answers_for(checklist), area_id=world.area_a.id)
    assert r.status_code == 201, r.json
    with app.app_context():
        assert Rectification.get_by_id(rect_id).status == "verified"


def test_sending_a_fix_back_gives_a_new_due_time_by_the_checklist_rule(app, world, cleaner):
    rect_id, checklist = failed_lobby(app, world)
    hours = checklist["rules"]["rectify_hours"]
    with app.app_context():
        Rectification.update(due_at=utcnow() - timedelta(days=3)).execute()
    world.client.post(
        f"/api/rectifications/{rect_id}/done",
        headers=world.headers("staff"),
        json={"photo_ids": [make_photo(app, world)]},
    )
    before = utcnow()
    r = world.client.post(
        f"/api/rectifications/{rect_id}/verify",
        headers=world.headers("supervisor"),
        json={"outcome": "reopened", "note": "地面仍有污渍"},
    )
    after = utcnow()
    assert r.status_code == 200 and r.json["status"] == "reopened" and r.json["overdue"] is False
    with app.app_context():
        due = Rectification.get_by_id(rect_id).due_at
    assert before + timedelta(hours=hours) <= due <= after + timedelta(hours=hours)


def test_a_failed_re_inspection_of_a_done_fix_gives_a_new_due_time(app, world, cleaner):
    rect_id, checklist = failed_lobby(app, world)
    item = checklist["sections"][0]["items"][0]["code"]
    with app.app_context():
        Rectification.update(due_at=utcnow() - timedelta(days=3)).execute()
    world.client.post(
        f"/api/rectifications/{rect_id}/done",
        headers=world.headers("staff"),
        json={"photo_ids": [make_photo(app, world)]},
    )
    r, body = submit(
        world,
        checklist,
        answers_for(checklist, fail={item}, photos={item: [make_photo(app, world)]}),
        area_id=world.area_a.id,
    )
    assert r.status_code == 201, r.json
    with app.app_context():
        row = Rectification.get_by_id(rect_id)
        inspected = Inspection.get_by_id(r.json["id"]).inspected_at
    assert row.status == "reopened" and row.reopen_count == 1
    assert row.due_at == inspected + timedelta(hours=checklist["rules"]["rectify_hours"])
