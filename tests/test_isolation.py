"""A caller of site A can neither read nor change anything of site B: 404, never 403."""

import pytest

from models.tables.audit import AuditEntry
from models.tables.org import Area, Post, Site, Staff, Team

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
    assert r.status_code == 404 and "site_id" in r.json["errors"]["json"]
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
    assert r.status_code == 404 and "team_id" in r.json["errors"]["json"]
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
    assert r.status_code == 404 and "area_ids" in r.json["errors"]["json"]
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


def test_a_contractor_shows_only_my_sites_areas(app, world):
    """A contractor is seen through the areas it serves at the caller's sites: one serving
    none of them is not found (record, list, ratings); one serving several shows only mine."""
    with app.app_context():
        area_a2 = Area.create(site=world.site_a, name="地库", area_type="garage")
    admin = world.headers("admin")

    def create(name, areas):
        r = world.client.post(
            "/api/contractors",
            headers=admin,
            json={"name": name, "service_kinds": ["cleaning", "greening"], "areas": areas},
        )
        assert r.status_code == 201, r.json
        return r.json["id"]

    only_b = create("乙方保洁", [{"area_id": world.area_b.id, "kind": "cleaning"}])
    both = create(
        "两地绿化",
        [
            {"area_id": world.area_a.id, "kind": "greening"},
            {"area_id": area_a2.id, "kind": "greening"},
            {"area_id": world.area_b.id, "kind": "greening"},
        ],
    )
    unassigned = create("尚无区域", [])
    for role in ("supervisor", "hr", "manager"):
        h = world.headers(role)
        for contractor in (only_b, unassigned):
            for url in (
                f"/api/contractors/{contractor}",
                f"/api/contractors/{contractor}/ratings?year=2025",
            ):
                r = world.client.get(url, headers=h)
                assert r.status_code == 404 and r.json["error"] == "not_found", (role, url, r.json)
        r = world.client.get(f"/api/contractors/{both}", headers=h)
        assert r.status_code == 200
        assert {a["area_id"] for a in r.json["areas"]} == {world.area_a.id, area_a2.id}
        listed = world.client.get("/api/contractors", headers=h).json
        assert [c["id"] for c in listed] == [both], role
        assert {a["area_id"] for a in listed[0]["areas"]} == {world.area_a.id, area_a2.id}
        assert (
            world.client.get(f"/api/contractors/{both}/ratings?year=2025", headers=h).status_code
            == 200
        )
    # Site B's supervisor sees the same contractors from the other side; admins see all.
    b = world.headers("supervisor-b")
    listed = world.client.get("/api/contractors", headers=b).json
    assert {c["id"] for c in listed} == {only_b, both}
    assert all(a["area_id"] == world.area_b.id for c in listed for a in c["areas"])
    listed = world.client.get("/api/contractors", headers=admin).json
    assert {c["id"] for c in listed} == {only_b, both, unassigned}
    assert len(next(c for c in listed if c["id"] == both)["areas"]) == 3
