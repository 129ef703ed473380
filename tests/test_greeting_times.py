"""Every time the API gives out carries its offset (issue 24.3): no response schema has a
naive date-time field, and the monthly trace and adjustments show the site's offset."""

import importlib
import pkgutil

import marshmallow as ma

import api
from api.fields import ZonedDateTime
from tests.test_monthly import month  # noqa: F401 - the fixture

NAIVE_OK = (ZonedDateTime, ma.fields.AwareDateTime)


def schemas_of_the_api():
    for info in pkgutil.walk_packages(api.__path__, "api."):
        module = importlib.import_module(info.name)
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, ma.Schema)
                and value.__module__ == module.__name__
            ):
                yield value


def naive_fields(schema: ma.Schema, path: str):
    for name, field in schema.fields.items():
        if field.load_only:
            continue
        yield from naive_field(field, f"{path}.{name}")


def naive_field(field, path):
    if isinstance(field, ma.fields.DateTime) and not isinstance(field, NAIVE_OK):
        yield path
    elif isinstance(field, ma.fields.Nested):
        nested = field.schema
        yield from naive_fields(nested, path)
    elif isinstance(field, ma.fields.List):
        yield from naive_field(field.inner, path + "[]")
    elif isinstance(field, ma.fields.Dict) and field.value_field is not None:
        yield from naive_field(field.value_field, path + "{}")


def test_no_schema_gives_out_a_date_time_without_its_offset(app):
    with app.app_context():
        schemas = list(schemas_of_the_api())
        assert len(schemas) > 50
        naive = [
            p for cls in schemas for p in naive_fields(cls(), cls.__module__ + "." + cls.__name__)
        ]
    assert naive == []


def test_trace_and_adjustments_carry_the_site_offset(app, world, month):  # noqa: F811
    h = world.headers("hr")
    for component in ("patrol", "grooming"):
        rows = world.client.get(
            f"/api/monthly/trace?staff_id={month['guard'].id}&month={month['month']}"
            f"&component={component}",
            headers=h,
        ).json
        assert rows and all(r["at"].endswith("+08:00") for r in rows), rows
    world.client.post(
        "/api/monthly/close", headers=h, json={"site_id": world.site_a.id, "month": month["month"]}
    )
    r = world.client.post(
        "/api/monthly/adjustments",
        headers=h,
        json={
            "site_id": world.site_a.id,
            "month": month["month"],
            "staff_id": month["guard"].id,
            "field": "patrol_completion",
            "value": 100,
            "reason": "设备故障，巡更记录补录",
        },
    )
    assert r.status_code == 201, r.json
    log = world.client.get(
        f"/api/monthly/adjustments?site_id={world.site_a.id}&month={month['month']}", headers=h
    ).json
    assert log and all(a["made_at"].endswith("+08:00") for a in log), log
