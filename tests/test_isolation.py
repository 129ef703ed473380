"""A caller of site A can neither read nor change anything of site B: 404, never 403."""

import pytest

from models.audit import AuditEntry
from models.org import Area, Post, Site, Staff, Team

# (collection URL, model, attribute of the world for site A's / site B's object)
RESOURCES = [
    ("/api/sites", Site, "site"),
    ("/api/areas", Area, "area"),
    ("/api/posts", Post, "post"),
    ("/api/teams", Team, "team"),
    ("/api/staff", Staff, "staff"),
]


@pytest.mark.parametrize("url,model,name", RESOURCES)
def test_lists_show_only_my_sites(world, url, model, name):
    r = world.client.get(url, headers=world.headers("supervisor"))
    assert r.status_code == 200
    ids = {item["id"] for item in r.json}
    assert getattr(world, f"{name}_a").id in ids
    assert getattr(world, f"{name}_b").id not in ids
    # Asking for site B explicitly shows nothing either.
    r = world.client.get(f"{url}?site_id={world.site_b.id}", headers=world.headers("supervisor"))
    assert r.status_code == 200
    assert all(item["id"] != getattr(world, f"{name}_b").id for item in r.json)


@pytest.mark.parametrize("url,model,name", RESOURCES)
def test_another_sites_object_is_not_found(world, url, model, name):
    other = getattr(world, f"{name}_b")
    for role in ("supervisor", "hr", "manager"):
        r = world.client.get(f"{url}/{other.id}", headers=world.headers(role))
        if r.status_code == 403:  # the role may not read this resource at all
            continue
        assert r.status_code == 404, (role, r.json)
        assert r.json["error"] == "not_found"
    # The same id is visible to site B's supervisor and to admins.
    assert (
        world.client.get(f"{url}/{other.id}", headers=world.headers("supervisor-b")).status_code
        == 200
    )
    assert world.client.get(f"{url}/{other.id}", headers=world.headers("admin")).status_code == 200


def test_hr_cannot_change_another_sites_staff_or_teams(app, world):
    h = world.headers("hr")
    r = world.client.patch(f"/api/staff/{world.staff_b.id}", headers=h, json={"name": "改名"})
    assert r.status_code == 404
    r = world.client.patch(f"/api/teams/{world.team_b.id}", headers=h, json={"name": "改名"})
    assert r.status_code == 404
    with app.app_context():
        assert Staff.get_by_id(world.staff_b.id).name == "李四"
        assert Team.get_by_id(world.team_b.id).name == "保洁班"


def test_hr_cannot_create_at_another_site_or_link_its_objects(app, world):
    h = world.headers("hr")
    with app.app_context():
        before = Staff.select().count()
    r = world.client.post(
        "/api/staff",
        headers=h,
        json={
            "employee_no": "X-9",
            "name": "王五",
            "gender": "male",
            "job": "guard",
            "site_id": world.site_b.id,
        },
    )
    assert r.status_code == 422 and "site_id" in r.json["errors"]["json"]
    # Site A staff with site B's team or area is refused too.
    r = world.client.post(
        "/api/staff",
        headers=h,
        json={
            "employee_no": "X-9",
            "name": "王五",
            "gender": "male",
            "job": "guard",
            "site_id": world.site_a.id,
            "team_id": world.team_b.id,
        },
    )
    assert r.status_code == 422 and "team_id" in r.json["errors"]["json"]
    r = world.client.post(
        "/api/staff",
        headers=h,
        json={
            "employee_no": "X-9",
            "name": "王五",
            "gender": "male",
            "job": "cleaner",
            "site_id": world.site_a.id,
            "area_ids": [world.area_b.id],
        },
    )
    assert r.status_code == 422 and "area_ids" in r.json["errors"]["json"]
    with app.app_context():
        assert Staff.select().count() == before


def test_audit_log_is_confined_to_my_sites(app, world):
    admin = world.headers("admin")
    world.client.patch(f"/api/areas/{world.area_a.id}", headers=admin, json={"name": "主大堂"})
    world.client.patch(f"/api/areas/{world.area_b.id}", headers=admin, json={"name": "中心花园"})
    with app.app_context():
        assert AuditEntry.select().count() == 2
    seen = world.client.get("/api/audit", headers=world.headers("hr")).json
    assert [(e["entity"], e["entity_id"]) for e in seen] == [("area", str(world.area_a.id))]
    assert seen[0]["before"] == {"name": "大堂"} and seen[0]["after"] == {"name": "主大堂"}
    assert seen[0]["user_id"] == world.users["admin"].id
