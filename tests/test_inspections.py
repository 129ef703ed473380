"""Inspections through the API: server-side scoring, idempotent submission, applicability,
versions, corrections, and the follow-ups failures open."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from models.tables.checklists import Checklist, ChecklistVersion, sync_checklists
from models.tables.inspections import CoachingItem, Inspection, InspectionItem, Rectification
from models.tables.org import Staff, StaffArea


def now_iso(offset_minutes=0):
    return (datetime.now(UTC) + timedelta(minutes=offset_minutes)).isoformat()


def form(world, code, **subject):
    """The checklist as the phone gets it for this subject."""
    query = "&".join(f"{k}={v}" for k, v in subject.items())
    r = world.client.get(f"/api/checklists/{code}?{query}", headers=world.headers("supervisor"))
    assert r.status_code == 200, r.json
    return r.json


def answers_for(checklist, fail=(), na=(), seconds=None, photos=None):
    result = []
    for section in checklist["sections"]:
        for item in section["items"]:
            answer = {
                "code": item["code"],
                "result": "fail"
                if item["code"] in fail
                else "na"
                if item["code"] in na
                else "pass",
            }
            if item["limit_seconds"] is not None and answer["result"] != "na":
                answer["measured_seconds"] = (seconds or {}).get(item["code"], 10)
            if photos and item["code"] in photos:
                answer["photo_ids"] = photos[item["code"]]
            result.append(answer)
    return result


def submit(world, checklist, items, role="supervisor", inspection_id=None, **subject):
    body = {
        "id": str(inspection_id or uuid.uuid4()),
        "checklist": checklist["code"],
        "checklist_version": checklist["version"],
        "inspected_at": now_iso(-5),
        "device_id": "phone-1",
        "items": items,
        **subject,
    }
    return world.client.post("/api/inspections", headers=world.headers(role), json=body), body


@pytest.fixture
def people(app, world):
    with app.app_context():
        guard = world.staff_a  # male guard at site A
        woman = Staff.create(
            employee_no="A-2", name="王芳", gender="female", job="service_desk", site=world.site_a
        )
        cleaner = Staff.create(
            employee_no="A-3", name="陈洁", gender="female", job="cleaner", site=world.site_a
        )
        StaffArea.create(staff=cleaner, area=world.area_a)
    return {"guard": guard, "woman": woman, "cleaner": cleaner}


def test_staff_form_offers_only_what_applies(world, people):
    listed = world.client.get(
        f"/api/checklists?staff_id={people['guard'].id}", headers=world.headers("supervisor")
    )
    codes = {c["code"] for c in listed.json}
    assert {"grooming-basic", "grooming-male", "etiquette-standing-guard"} <= codes
    assert "grooming-female" not in codes and "etiquette-standing-desk" not in codes
    assert not any(c["subject"] == "area" for c in listed.json)
    listed = world.client.get(
        f"/api/checklists?area_id={world.area_a.id}", headers=world.headers("supervisor")
    )
    assert {c["code"] for c in listed.json} >= {"cleaning-lobby", "pest-control"}
    assert "cleaning-garage" not in {c["code"] for c in listed.json}


def test_all_pass_scores_100_and_grade_a(app, world, people):
    checklist = form(world, "grooming-basic", staff_id=people["guard"].id)
    r, _ = submit(world, checklist, answers_for(checklist), staff_id=people["guard"].id)
    assert r.status_code == 201, r.json
    assert r.json["score"] == 100 and r.json["grade"]["code"] == "A" and r.json["passed"] is True
    assert r.json["items"][0]["requirement"] and r.json["items"][0]["impression_en"]
    with app.app_context():
        stored = Inspection.get_by_id(r.json["id"])
        assert (
            stored.month == int(datetime.now(UTC).astimezone().strftime("%Y%m"))
            or stored.month > 202600
        )
        assert InspectionItem.select().where(InspectionItem.inspection == stored).count() == len(
            r.json["items"]
        )


def test_client_arithmetic_is_not_trusted(world, people):
    checklist = form(world, "grooming-basic", staff_id=people["guard"].id)
    items = answers_for(checklist, fail={"uniform-clean"}, photos=None)
    items[0]["photo_ids"] = []
    r, body = submit(world, checklist, items, staff_id=people["guard"].id)
    assert r.status_code == 422  # a failed visible fault needs a photo
    body["score"] = 100
    r = world.client.post("/api/inspections", headers=world.headers("supervisor"), json=body)
    assert r.status_code == 422 and "score" in r.json["errors"]["json"]


def test_a_failed_item_without_photo_is_refused_naming_the_item_in_its_own_words(world, people):
    checklist = form(world, "grooming-basic", staff_id=people["guard"].id)
    items = answers_for(checklist, fail={"uniform-clean"})
    r, _ = submit(world, checklist, items, staff_id=people["guard"].id)
    assert r.status_code == 422 and r.json["error"] == "photo_needed"
    # The standard's words, in Chinese and in English, never the item's code.
    assert "「制服干净、整齐」" in r.json["message"]
    assert "Uniform clean and neat" in r.json["message"]
    index = str(next(n for n, a in enumerate(items) if a["code"] == "uniform-clean"))
    assert "制服干净、整齐" in r.json["errors"]["json"]["items"][index][0]
    assert "photo_ids" not in r.json["message"]


def test_the_result_names_the_pass_mark_and_the_grade_floor(world, people):
    checklist = form(world, "grooming-basic", staff_id=people["guard"].id)
    r, _ = submit(world, checklist, answers_for(checklist), staff_id=people["guard"].id)
    assert r.status_code == 201, r.json
    assert r.json["pass_mark"] > 0
    assert r.json["grade"]["floor"] is not None and r.json["grade"]["floor"] <= r.json["score"]
    assert r.json["checklist_title_en"] == "Basic appearance"


def test_timed_item_records_seconds_and_fails_past_the_limit(world, people):
    checklist = form(world, "etiquette-standing-guard", staff_id=people["guard"].id)
    timed = next(i["code"] for s in checklist["sections"] for i in s["items"] if i["limit_seconds"])
    for seconds, result in ((24, "pass"), (25, "pass"), (31.5, "fail")):
        r, _ = submit(
            world,
            checklist,
            answers_for(checklist, seconds={timed: seconds}),
            staff_id=people["guard"].id,
        )
        assert r.status_code == 201, r.json
        item = next(i for i in r.json["items"] if i["code"] == timed)
        assert (item["result"], item["measured_seconds"], item["limit_seconds"]) == (
            result,
            seconds,
            25,
        )
        assert (r.json["score"] < 100) == (result == "fail")
    items = answers_for(checklist)
    next(a for a in items if a["code"] == timed).pop("measured_seconds")
    r, _ = submit(world, checklist, items, staff_id=people["guard"].id)
    assert r.status_code == 422 and "measured_seconds" in str(r.json["errors"])


def test_critical_failure_flags_and_caps(world, people):
    checklist = form(world, "etiquette-conduct", staff_id=people["guard"].id)
    critical = [i["code"] for s in checklist["sections"] for i in s["items"] if i["critical"]]
    photo_needed = {
        i["code"] for s in checklist["sections"] for i in s["items"] if i["photo_on_fail"]
    }
    target = next(c for c in critical if c not in photo_needed)
    r, _ = submit(
        world, checklist, answers_for(checklist, fail={target}), staff_id=people["guard"].id
    )
    assert r.status_code == 201, r.json
    assert r.json["critical_failed"] is True and r.json["score"] == 59 and r.json["passed"] is False
    assert r.json["grade"]["code"] == "E"


def test_all_na_has_no_score(world, people):
    checklist = form(world, "grooming-basic", staff_id=people["guard"].id)
    codes = {i["code"] for s in checklist["sections"] for i in s["items"]}
    r, _ = submit(world, checklist, answers_for(checklist, na=codes), staff_id=people["guard"].id)
    assert r.status_code == 201
    assert r.json["score"] is None and r.json["grade"] is None and r.json["passed"] is None


def test_resubmitting_stores_once_and_answers_the_same(app, world, people):
    checklist = form(world, "grooming-basic", staff_id=people["guard"].id)
    r1, body = submit(world, checklist, answers_for(checklist), staff_id=people["guard"].id)
    r2 = world.client.post("/api/inspections", headers=world.headers("supervisor"), json=body)
    assert (r1.status_code, r2.status_code) == (201, 200)
    assert r1.json == r2.json
    with app.app_context():
        assert Inspection.select().count() == 1
    # The same id with other answers is refused: a submitted inspection is final.
    body["items"][0]["result"] = "na"
    r3 = world.client.post("/api/inspections", headers=world.headers("supervisor"), json=body)
    assert r3.status_code == 409
    with app.app_context():
        assert Inspection.get_by_id(body["id"]).score == 100


def test_wrong_gender_job_or_area_type_is_refused(app, world, people):
    female = form(world, "grooming-female")
    r, _ = submit(world, female, answers_for(female), staff_id=people["guard"].id)
    assert r.status_code == 422 and "不适用于" in r.json["message"]  # "does not apply"
    desk = form(world, "etiquette-standing-desk")
    r, _ = submit(world, desk, answers_for(desk), staff_id=people["guard"].id)
    assert r.status_code == 422
    garage = form(world, "cleaning-garage")
    r, _ = submit(world, garage, answers_for(garage), area_id=world.area_a.id)  # a lobby
    assert r.status_code == 422
    lobby = form(world, "cleaning-lobby")
    r, _ = submit(world, lobby, answers_for(lobby), staff_id=people["guard"].id)
    assert r.status_code == 422 and "不是员工" in r.json["message"]  # "not staff"
    with app.app_context():
        assert Inspection.select().count() == 0


def test_unknown_repeated_and_missing_items_are_refused(app, world, people):
    checklist = form(world, "grooming-basic", staff_id=people["guard"].id)
    items = answers_for(checklist)
    r, _ = submit(
        world,
        checklist,
        [*items, {"code": "not-an-item", "result": "pass"}],
        staff_id=people["guard"].id,
    )
    assert r.status_code == 422 and "not-an-item" in str(r.json["errors"])
    r, _ = submit(world, checklist, [*items, items[0]], staff_id=people["guard"].id)
    assert r.status_code == 422 and "答了两次" in str(r.json["errors"])  # "answered twice"
    r, _ = submit(world, checklist, items[1:], staff_id=people["guard"].id)
    assert r.status_code == 422 and items[0]["code"] in str(r.json["errors"])
    # An item of the female checklist is not part of the basic one.
    r, _ = submit(
        world,
        checklist,
        [*items[1:], {"code": "hair-fringe", "result": "pass"}],
        staff_id=people["guard"].id,
    )
    assert r.status_code == 422
    with app.app_context():
        assert Inspection.select().count() == 0


def test_old_score_survives_a_checklist_edit(app, world, people, tmp_path):
    checklist = form(world, "grooming-basic", staff_id=people["guard"].id)
    first, _ = submit(
        world, checklist, answers_for(checklist, na={"uniform-clean"}), staff_id=people["guard"].id
    )
    with app.app_context():
        data = [c for c in app.extensions["xunjian"]["checklists"]]
        edited = [dict(c) for c in data]
        basic = next(c for c in edited if c["code"] == "grooming-basic")
        basic["sections"] = [dict(s) for s in basic["sections"]]
        basic["sections"][0]["items"] = [dict(i) for i in basic["sections"][0]["items"]]
        basic["sections"][0]["items"][0]["weight"] = 20
        assert sync_checklists(edited) == ["grooming-basic: version 2"]
        assert Checklist.get(Checklist.code == "grooming-basic").current_version == 2
    new_form = form(world, "grooming-basic", staff_id=people["guard"].id)
    assert new_form["version"] == 2
    second, _ = submit(
        world,
        new_form,
        answers_for(new_form, fail={"uniform-standard"}, photos={"uniform-standard": []}),
        staff_id=people["guard"].id,
    )
    again = world.client.get(
        f"/api/inspections/{first.json['id']}", headers=world.headers("supervisor")
    )
    assert (
        again.json["score"] == first.json["score"] == 100 and again.json["checklist_version"] == 1
    )
    # A phone that still shows version 1 may submit against it.
    r, _ = submit(world, checklist, answers_for(checklist), staff_id=people["guard"].id)
    assert r.status_code == 201 and r.json["checklist_version"] == 1
    with app.app_context():
        assert ChecklistVersion.select().count() >= 2


def test_staff_failures_make_coaching_items_they_acknowledge(app, world, people):
    checklist = form(world, "etiquette-phrases", staff_id=people["guard"].id)
    first = checklist["sections"][0]["items"][0]["code"]
    r, _ = submit(
        world, checklist, answers_for(checklist, fail={first}), staff_id=people["guard"].id
    )
    assert r.status_code == 201, r.json
    assert len(r.json["coaching_ids"]) == 1
    with app.app_context():
        item = CoachingItem.get_by_id(r.json["coaching_ids"][0])
        assert item.staff_id == people["guard"].id and item.acknowledged_at is None


def test_area_failure_opens_a_rectification_for_the_responsible_cleaner(app, world, people):
    checklist = form(world, "cleaning-lobby", area_id=world.area_a.id)
    item = next(
        i for s in checklist["sections"] for i in s["items"] if not i["photo_on_fail"] or True
    )
    photo = make_photo(app, world)
    r, _ = submit(
        world,
        checklist,
        answers_for(checklist, fail={item["code"]}, photos={item["code"]: [photo]}),
        area_id=world.area_a.id,
    )
    assert r.status_code == 201, r.json
    assert len(r.json["rectification_ids"]) == 1
    with app.app_context():
        rect = Rectification.get_by_id(r.json["rectification_ids"][0])
        assert rect.assignee_id == people["cleaner"].id and rect.status == "open"
        hours = checklist["rules"]["rectify_hours"]
        inspected = Inspection.get_by_id(r.json["id"]).inspected_at
        assert rect.due_at == inspected + timedelta(hours=hours)
    # A re-inspection that passes the item verifies it.
    r2, _ = submit(world, checklist, answers_for(checklist), area_id=world.area_a.id)
    assert r2.status_code == 201 and r2.json["rectification_ids"] == []
    with app.app_context():
        rect = Rectification.get_by_id(r.json["rectification_ids"][0])
        assert rect.status == "verified" and str(rect.closed_by_inspection_id) == r2.json["id"]


def test_correction_is_a_new_audited_record(app, world, people):
    checklist = form(world, "grooming-basic", staff_id=people["guard"].id)
    r, _ = submit(world, checklist, answers_for(checklist), staff_id=people["guard"].id)
    correction = {
        "id": str(uuid.uuid4()),
        "reason": "看错了工牌",
        "items": answers_for(checklist, na={"uniform-clean"}),
    }
    c = world.client.post(
        f"/api/inspections/{r.json['id']}/corrections",
        headers=world.headers("supervisor"),
        json=correction,
    )
    assert c.status_code == 201, c.json
    assert c.json["corrects_id"] == r.json["id"] and c.json["correction_reason"] == "看错了工牌"
    old = world.client.get(
        f"/api/inspections/{r.json['id']}", headers=world.headers("supervisor")
    ).json
    assert old["status"] == "superseded" and old["score"] == 100
    audit = world.client.get("/api/audit?entity=inspection", headers=world.headers("admin")).json
    assert audit[0]["reason"] == "看错了工牌" and audit[0]["entity_id"] == c.json["id"]
    again = world.client.post(
        f"/api/inspections/{r.json['id']}/corrections",
        headers=world.headers("supervisor"),
        json={**correction, "id": str(uuid.uuid4())},
    )
    assert again.status_code == 409


def test_another_sites_subject_or_inspection_is_hidden(app, world, people):
    checklist = form(world, "cleaning-lobby")
    r, _ = submit(world, checklist, answers_for(checklist), area_id=world.area_b.id)
    assert r.status_code == 404 and "area_id" in r.json["errors"]["json"]
    garden = world.client.get(
        f"/api/checklists/greening-garden?area_id={world.area_b.id}",
        headers=world.headers("supervisor-b"),
    ).json
    body = {
        "id": str(uuid.uuid4()),
        "checklist": "greening-garden",
        "checklist_version": garden["version"],
        "inspected_at": now_iso(-1),
        "area_id": world.area_b.id,
        "items": answers_for(garden),
    }
    created = world.client.post(
        "/api/inspections", headers=world.headers("supervisor-b"), json=body
    )
    assert created.status_code == 201, created.json
    assert (
        world.client.get(
            f"/api/inspections/{body['id']}", headers=world.headers("supervisor")
        ).status_code
        == 404
    )
    listed = world.client.get("/api/inspections", headers=world.headers("supervisor")).json
    assert body["id"] not in {i["id"] for i in listed}


def test_guards_see_only_their_own_inspections(app, world, people):
    from models.tables.accounts import User

    with app.app_context():
        User.update(staff=people["guard"]).where(User.username == "guard").execute()
    own = form(world, "grooming-basic", staff_id=people["guard"].id)
    mine, _ = submit(world, own, answers_for(own), staff_id=people["guard"].id)
    other = form(world, "grooming-basic", staff_id=people["woman"].id)
    theirs, _ = submit(world, other, answers_for(other), staff_id=people["woman"].id)
    listed = world.client.get("/api/inspections", headers=world.headers("guard")).json
    assert [i["id"] for i in listed] == [mine.json["id"]]
    r = world.client.get(f"/api/inspections/{theirs.json['id']}", headers=world.headers("guard"))
    assert r.status_code == 404


def test_times_in_the_future_or_too_old_are_refused(world, people):
    checklist = form(world, "grooming-basic", staff_id=people["guard"].id)
    for when in (now_iso(60), now_iso(-60 * 24 * 30), "2026-11-23T08:00:00"):
        body = {
            "id": str(uuid.uuid4()),
            "checklist": "grooming-basic",
            "checklist_version": checklist["version"],
            "inspected_at": when,
            "staff_id": people["guard"].id,
            "items": answers_for(checklist),
        }
        r = world.client.post("/api/inspections", headers=world.headers("supervisor"), json=body)
        assert r.status_code == 422 and "inspected_at" in r.json["errors"]["json"], when


def make_photo(app, world):
    """A stored photo row at site A (the upload endpoint is tested on its own)."""
    from models.tables.photos import Photo

    with app.app_context():
        photo = Photo.create(
            id=uuid.uuid4(),
            site=world.site_a,
            uploaded_by=world.users["supervisor"],
            image_key="x",
            thumbnail_key="y",
            width=1,
            height=1,
            byte_size=1,
            sha256="0" * 64,
            phash=0,
        )
    return str(photo.id)


def test_a_checklist_that_does_not_apply_is_not_offered_for_that_subject(world, people):
    """The detail refuses with 422 what the list leaves out for the same staff or area."""
    supervisor = world.headers("supervisor")
    guard, woman = people["guard"].id, people["woman"].id
    refused = {
        f"grooming-female?staff_id={guard}": "staff_id",  # a male guard
        f"etiquette-standing-desk?staff_id={guard}": "staff_id",  # not at the desk
        f"cleaning-lobby?staff_id={guard}": "staff_id",  # an area checklist
        f"cleaning-garage?area_id={world.area_a.id}": "area_id",  # a lobby
        f"grooming-basic?area_id={world.area_a.id}": "area_id",  # a staff checklist
        f"grooming-female?staff_id={guard}&version=1": "staff_id",
    }
    for query, field in refused.items():
        r = world.client.get(f"/api/checklists/{query}", headers=supervisor)
        assert r.status_code == 422 and field in r.json["errors"]["query"], (query, r.json)
        assert "does not apply" in r.json["message"] or "inspects" in r.json["message"]
    listed = {
        subject: {
            c["code"]
            for c in world.client.get(f"/api/checklists?{subject}", headers=supervisor).json
        }
        for subject in (f"staff_id={guard}", f"staff_id={woman}", f"area_id={world.area_a.id}")
    }
    every = {c["code"] for c in world.client.get("/api/checklists", headers=supervisor).json}
    for subject, codes in listed.items():
        for code in every:
            r = world.client.get(f"/api/checklists/{code}?{subject}", headers=supervisor)
            assert (r.status_code == 200) == (code in codes), (subject, code, r.status_code)
    # Without a subject every checklist is shown whole.
    assert (
        world.client.get("/api/checklists/grooming-female", headers=supervisor).status_code == 200
    )
