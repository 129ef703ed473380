"""Bad input gets a 4xx in the one error shape, never a 500, and writes nothing."""

import pytest

from models.tables.accounts import User
from models.tables.audit import AuditEntry
from models.tables.org import Area, Post, Site, Staff, Team

ERROR_KEYS = {"code", "status", "error", "message"}

GOOD = {
    "/api/sites": (
        Site,
        {"name": "新大厦", "code": "NEW", "site_type": "office", "timezone": "Asia/Shanghai"},
    ),
    "/api/areas": (Area, {"name": "新区域", "area_type": "lobby"}),
    "/api/posts": (Post, {"name": "新岗", "kind": "gate"}),
    "/api/teams": (Team, {"name": "新班"}),
    "/api/staff": (
        Staff,
        {"employee_no": "N-1", "name": "新人", "gender": "female", "job": "cleaner"},
    ),
    "/api/users": (User, {"username": "newbie", "password": "long-enough-pw", "role": "guard"}),
}

BAD_BODIES = {
    "missing fields": lambda good: {},
    "wrong types": lambda good: {k: ["not", "a", "string"] for k in good},
    "unknown field": lambda good: {**good, "colour": "red"},
    "over-long strings": lambda good: {
        k: ("长" * 5000 if isinstance(v, str) else v) for k, v in good.items()
    },
    "null everywhere": lambda good: {k: None for k in good},
    "a list instead of an object": lambda good: [good],
}


def good_body(world, url):
    model, body = GOOD[url]
    body = dict(body)
    if url in ("/api/areas", "/api/posts", "/api/teams", "/api/staff"):
        body["site_id"] = world.site_a.id
    if url == "/api/users":
        body["site_ids"] = [world.site_a.id]
    return model, body


def counts(app):
    with app.app_context():
        return {
            m.__name__: m.select().count()
            for m in (Site, Area, Post, Team, Staff, User, AuditEntry)
        }


@pytest.mark.parametrize("url", sorted(GOOD))
def test_the_good_body_is_accepted(app, world, url):
    model, body = good_body(world, url)
    r = world.client.post(url, headers=world.headers("admin"), json=body)
    assert r.status_code == 201, r.json
    assert "password" not in r.json and "password_hash" not in r.json


@pytest.mark.parametrize("case", sorted(BAD_BODIES))
@pytest.mark.parametrize("url", sorted(GOOD))
def test_bad_bodies_are_refused_and_change_nothing(app, world, url, case):
    _, good = good_body(world, url)
    before = counts(app)
    r = world.client.post(url, headers=world.headers("admin"), json=BAD_BODIES[case](good))
    assert r.status_code == 422, (case, r.status_code, r.json)
    assert ERROR_KEYS <= r.json.keys() and r.json["error"] == "validation_failed"
    assert r.json["errors"], "per-field details are given"
    assert counts(app) == before


@pytest.mark.parametrize("url", sorted(GOOD))
def test_malformed_json_and_wrong_content_type(app, world, url):
    before = counts(app)
    h = world.headers("admin")
    r = world.client.post(url, headers=h, data='{"name": "x",', content_type="application/json")
    assert r.status_code == 400 and r.json["error"] == "bad_request"
    r = world.client.post(
        url, headers=h, data="name=x", content_type="application/x-www-form-urlencoded"
    )
    assert r.status_code == 415 and r.json["error"] == "unsupported_media_type"
    r = world.client.post(url, headers=h, data="<site/>", content_type="text/xml")
    assert r.status_code == 415
    assert counts(app) == before


@pytest.mark.parametrize("tz", ["Mars/Olympus", "UTC+8", "", "Asia/Shanghai/../../etc/passwd"])
def test_invalid_time_zones(app, world, tz):
    before = counts(app)
    body = {**GOOD["/api/sites"][1], "timezone": tz}
    r = world.client.post("/api/sites", headers=world.headers("admin"), json=body)
    assert r.status_code == 422 and "timezone" in r.json["errors"]["json"]
    r = world.client.patch(
        f"/api/sites/{world.site_a.id}", headers=world.headers("admin"), json={"timezone": tz}
    )
    assert r.status_code == 422
    assert counts(app) == before


def test_duplicates_are_a_conflict(app, world):
    h = world.headers("admin")
    body = {**GOOD["/api/sites"][1], "code": "SA"}  # site A's code
    r = world.client.post("/api/sites", headers=h, json=body)
    assert r.status_code == 409 and r.json["error"] == "conflict"
    r = world.client.post(
        "/api/staff",
        headers=h,
        json={
            "employee_no": "A-1",
            "name": "重号",
            "gender": "male",
            "job": "guard",
            "site_id": world.site_a.id,
        },
    )
    assert r.status_code == 409
    with app.app_context():
        assert Site.select().count() == 2 and Staff.select().count() == 2


def test_patch_with_bad_values_changes_nothing(app, world):
    h = world.headers("admin")
    url = f"/api/sites/{world.site_a.id}"
    for body in (
        {"site_type": "castle"},
        {"service_grade": 9},
        {"name": ""},
        {"evening_peak_start": "25:00"},
        {"evening_peak_start": "19:00", "evening_peak_end": "18:00"},
        {"id": 99},
    ):
        r = world.client.patch(url, headers=h, json=body)
        assert r.status_code == 422, body
    with app.app_context():
        site = Site.get_by_id(world.site_a.id)
        assert (site.site_type, site.service_grade, site.name) == ("office", 2, "甲大厦")
        assert AuditEntry.select().count() == 0


def test_query_filters_are_validated(world):
    h = world.headers("admin")
    assert world.client.get("/api/staff?job=astronaut", headers=h).status_code == 422
    assert world.client.get("/api/staff?page_size=100000", headers=h).status_code == 422
    r = world.client.get("/api/staff?site_id=abc", headers=h)
    assert r.status_code == 422 and r.json["error"] == "validation_failed"


def spec_operations(world, *methods):
    spec = world.client.get("/api/openapi.json").json
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method.upper() in methods:
                yield spec, path, method, operation


def resolve(spec, schema):
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def test_an_empty_update_body_is_refused_as_the_document_says(app, world):
    seen = []
    for spec, path, method, operation in spec_operations(world, "PATCH", "PUT"):
        body = operation["requestBody"]["content"]["application/json"]["schema"]
        schema = resolve(spec, body)
        assert schema.get("minProperties") == 1 or schema.get("required"), (method, path)
        role = next(iter(operation.get("x-roles") or ["admin"]))
        url = path
        parameters = [*spec["paths"][path].get("parameters", []), *operation.get("parameters", [])]
        for parameter in parameters:
            if parameter["in"] == "path":
                uuid_format = parameter["schema"].get("format") == "uuid"
                value = "00000000-0000-4000-8000-000000000001" if uuid_format else "1"
                url = url.replace("{" + parameter["name"] + "}", value)
        before = counts(app)
        r = world.client.open(url, method=method.upper(), headers=world.headers(role), json={})
        assert r.status_code == 422, (method, path, r.status_code, r.json)
        if not schema.get("required"):
            nothing = ["没有要修改的内容：请至少发送一个字段。"]
            assert r.json["errors"]["json"]["_schema"] == nothing, (path, r.json)
        assert counts(app) == before
        seen.append(path)
    assert len(seen) >= 13, seen


def _walk_bounds(schema, where):
    """Assert the bounds on a schema and every schema inside it: integers bounded within 64
    bits, text constrained by a format, enum or pattern, a month field by the Month schema."""
    if not isinstance(schema, dict):
        return
    if schema.get("type") == "integer" or "integer" in (schema.get("type") or []):
        assert schema.get("minimum", None) is not None, where
        assert -(2**63) <= schema["minimum"] and schema["maximum"] <= 2**63 - 1, where
    text = schema.get("type") == "string" or "string" in (schema.get("type") or [])
    if text and not {"format", "enum", "pattern", "contentMediaType"} & set(schema):
        raise AssertionError(f"{where}: text without its pattern")
    for key in ("items", "additionalProperties"):
        _walk_bounds(schema.get(key), where)
    for name, prop in (schema.get("properties") or {}).items():
        _walk_bounds(prop, f"{where}.{name}")
    if where.endswith("month"):
        assert {"$ref": "#/components/schemas/Month"} in schema.get("allOf", []), where


def test_the_document_states_the_bounds_validation_keeps(world):
    """Integers (ids among them) are 64-bit, text holds no NUL, a month is YYYYMM."""
    spec = world.client.get("/api/openapi.json").json
    months = spec["components"]["schemas"]["Month"]["anyOf"]
    assert {"minimum": 202601, "maximum": 202612} in months and len(months) == 101

    for _, path, method, operation in spec_operations(world, "GET", "POST", "PUT", "PATCH"):
        path_parameters = spec["paths"][path].get("parameters", [])
        for parameter in [*path_parameters, *operation.get("parameters", [])]:
            _walk_bounds(parameter["schema"], f"{method} {path} {parameter['name']}")
    for name, schema in spec["components"]["schemas"].items():
        if name.endswith(("Create", "Update", "Query", "Args")) or "Create" in name:
            _walk_bounds(schema, name)


def test_a_month_that_is_not_yyyymm_is_refused(world):
    h = world.headers("admin")
    for month in (202613, 202600, 199912):
        r = world.client.get(f"/api/monthly/summary?month={month}", headers=h)
        assert r.status_code == 422 and "month" in r.json["errors"]["query"], month
