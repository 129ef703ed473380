"""Hostile bodies and hostile text: refused in the one error shape, or stored and given back
byte for byte (inert) — never executed, never a 500.

- bodies over MAX_CONTENT_LENGTH (with a Content-Length, and streamed) → 413;
- JSON nested 100,000 deep → 400, not a RecursionError;
- a huge string in any text field → 422 naming the field;
- SQL, script and template injection, RTL override and spreadsheet formulas in every text
  field of the main write endpoints → stored and returned identical; NUL bytes and lone
  surrogates (which PostgreSQL or UTF-8 cannot hold) → 422 naming the field;
- exports: a formula in a name is neutralised in the CSV and the workbook; markup in a name is
  escaped in the SVG charts.
"""

import csv
import io
import json
import uuid
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from models import utcnow
from models.tables.org import Site, Staff
from tests.conftest import PASSWORD
from tests.test_patrols import Patrol, iso

ERROR_KEYS = {"code", "status", "error", "message"}

INERT = [
    "'; DROP TABLE scan;--",
    "Robert'); DELETE FROM staff WHERE ('1'='1",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "{{7*7}} ${7*7} <%= 7*7 %> #{7*7}",
    "\u202egnp.exe 右到左",
    "=cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\\'\"`; -- /* */ % _",
]
UNSTORABLE = ["nul\x00byte", "lone \ud800 surrogate"]


def assert_error(r, status, field=None):
    assert r.status_code == status, (r.status_code, r.get_data(as_text=True)[:300])
    assert ERROR_KEYS <= r.json.keys()
    if field is not None:
        assert field in str(r.json["errors"]), r.json


def send(client, method, url, body, headers=None):
    """JSON as a phone would send it: ASCII with escapes, so a lone surrogate travels as the
    escape sequence \\ud800 (the test client's own encoder could not write it)."""
    return getattr(client, method)(
        url, headers=headers or {}, data=json.dumps(body), content_type="application/json"
    )


class Targets:
    """Each main write endpoint with a text field: how to write a value, how to read it back."""

    def __init__(self, app, world):
        self.app, self.world, self.counter = app, world, 0
        self.patrol = Patrol(app, world)
        self.anomaly = self.post(
            "guard",
            "/api/anomalies",
            {"id": str(uuid.uuid4()), "site_id": world.site_a.id, "category": "lighting"},
        ).json
        with app.app_context():
            Staff.update(job="manager").where(Staff.id == world.staff_a.id).execute()

    def unique(self) -> int:
        self.counter += 1
        return self.counter

    def post(self, role, url, body, method="post"):
        return send(self.world.client, method, url, body, self.world.headers(role))

    def get(self, role, url):
        r = self.world.client.get(url, headers=self.world.headers(role))
        assert r.status_code == 200, r.json
        return r.json

    # Each: value -> (response, field name, read back the stored value or None when refused)
    def site_name(self, value):
        body = {"name": value, "code": f"X{self.unique()}", "site_type": "office"}
        r = self.post("admin", "/api/sites", body)
        return r, "name", lambda: self.get("admin", f"/api/sites/{r.json['id']}")["name"]

    def site_rename(self, value):
        r = self.post("admin", f"/api/sites/{self.world.site_a.id}", {"name": value}, "patch")
        return r, "name", lambda: self.get("admin", f"/api/sites/{self.world.site_a.id}")["name"]

    def area_name(self, value):
        body = {"name": value, "area_type": "lobby", "site_id": self.world.site_a.id}
        r = self.post("admin", "/api/areas", body)
        return r, "name", lambda: self.get("admin", f"/api/areas/{r.json['id']}")["name"]

    def post_name(self, value):
        body = {"name": value, "kind": "gate", "site_id": self.world.site_a.id}
        r = self.post("admin", "/api/posts", body)
        return r, "name", lambda: self.get("admin", f"/api/posts/{r.json['id']}")["name"]

    def team_name(self, value):
        r = self.post("hr", "/api/teams", {"name": value, "site_id": self.world.site_a.id})
        return r, "name", lambda: self.get("hr", f"/api/teams/{r.json['id']}")["name"]

    def staff_name(self, value):
        body = {
            "employee_no": f"H-{self.unique()}",
            "name": value,
            "gender": "female",
            "job": "cleaner",
            "site_id": self.world.site_a.id,
        }
        r = self.post("hr", "/api/staff", body)
        return r, "name", lambda: self.get("hr", f"/api/staff/{r.json['id']}")["name"]

    def user_display_name(self, value):
        body = {
            "username": f"user{self.unique()}",
            "password": "long-enough-pw",
            "role": "guard",
            "display_name": value,
            "site_ids": [self.world.site_a.id],
        }
        r = self.post("admin", "/api/users", body)
        return (
            r,
            "display_name",
            lambda: self.get("admin", f"/api/users/{r.json['id']}")["display_name"],
        )

    def checkpoint_name(self, value):
        body = {"area_id": self.world.area_a.id, "name": value}
        r = self.post("admin", "/api/checkpoints", body)
        return r, "name", lambda: self.get("guard", f"/api/checkpoints/{r.json['id']}")["name"]

    def route_name(self, value):
        body = {
            "site_id": self.world.site_a.id,
            "name": value,
            "stops": [{"checkpoint_id": self.patrol.checkpoints[0]["id"], "offset_minutes": 0}],
        }
        r = self.post("supervisor", "/api/patrol-routes", body)
        return r, "name", lambda: self.get("guard", f"/api/patrol-routes/{r.json['id']}")["name"]

    def contractor_name(self, value):
        body = {"name": value, "service_kinds": ["cleaning"]}
        r = self.post("admin", "/api/contractors", body)
        return r, "name", lambda: self.get("admin", f"/api/contractors/{r.json['id']}")["name"]

    def anomaly_note(self, value):
        body = {
            "id": str(uuid.uuid4()),
            "site_id": self.world.site_a.id,
            "category": "other",
            "note": value,
        }
        r = self.post("guard", "/api/anomalies", body)
        return r, "note", lambda: self.get("guard", f"/api/anomalies/{r.json['id']}")["note"]

    def anomaly_resolution(self, value):
        url = f"/api/anomalies/{self.anomaly['id']}"
        r = self.post("supervisor", url, {"resolution_note": value}, "patch")
        return r, "resolution_note", lambda: self.get("supervisor", url)["resolution_note"]

    def scan_note(self, value):
        # Two minutes apart in device time, so no scan is a duplicate of the one before.
        at = utcnow() - timedelta(minutes=2 * self.unique())
        body = {
            "id": str(uuid.uuid4()),
            "payload": self.patrol.payload(0),
            "device_at": iso(at),
            "note": value,
        }
        r = self.post("guard", "/api/scans", body)

        def read():
            scans = self.get("supervisor", "/api/scans?page_size=100")
            return next(s["note"] for s in scans if s["id"] == body["id"])

        return r, "note", read

    def handover_note(self, value):
        body = {"post_id": self.world.post_a.id, "note": value}
        r = self.post("guard", "/api/handovers", body)

        def read():
            handovers = self.get("guard", "/api/handovers")
            return next(h["note"] for h in handovers if h["id"] == r.json["id"])

        return r, "note", read

    def leave_note(self, value):
        day = (utcnow() + timedelta(days=30 + self.unique())).date().isoformat()
        body = {"staff_id": self.world.staff_a.id, "first_day": day, "last_day": day}
        r = self.post("supervisor", "/api/greeting/leave", {**body, "note": value})

        def read():
            leave = self.get("supervisor", f"/api/greeting/leave?site_id={self.world.site_a.id}")
            return next(x["note"] for x in leave if x["id"] == r.json["id"])

        return r, "note", read


TARGETS = [name for name in vars(Targets) if not name.startswith("_") and "_" in name]
TARGETS = [t for t in TARGETS if t not in ("post", "get", "unique")]


@pytest.fixture
def targets(app, world):
    return Targets(app, world)


@pytest.mark.parametrize("target", TARGETS)
def test_hostile_text_is_stored_inert_or_refused(app, targets, target):
    write = getattr(targets, target)
    for value in INERT:
        r, field, read = write(value)
        assert r.status_code in (200, 201), (target, value, r.json)
        assert r.json.get(field, value) == value, (target, value)
        assert read() == value, (target, value)
    for value in UNSTORABLE:
        r, field, _ = write(value)
        assert_error(r, 422, field)
    r, field, _ = write("长" * 100_000)
    assert_error(r, 422, field)
    with app.app_context():  # nothing was executed: the tables are all there
        assert Site.select().count() >= 2 and Staff.select().count() >= 2


def test_a_body_over_the_limit_is_413(app, world):
    limit = app.config["MAX_CONTENT_LENGTH"]
    body = b'{"name": "' + b"x" * limit + b'"}'
    h = world.headers("admin")
    r = world.client.post("/api/sites", headers=h, data=body, content_type="application/json")
    assert_error(r, 413)
    assert r.json["error"] == "too_large"
    # Streamed without a Content-Length (chunked, as gunicorn passes it on): the same.
    r = world.client.post(
        "/api/sites",
        headers={**h, "Transfer-Encoding": "chunked"},
        input_stream=io.BytesIO(body),
        content_type="application/json",
        environ_overrides={"wsgi.input_terminated": True},
    )
    assert_error(r, 413)
    with app.app_context():
        assert Site.select().count() == 2


@pytest.mark.parametrize("depth", [1_000, 100_000])
def test_deeply_nested_json_is_400(app, world, depth):
    h = world.headers("admin")
    for body in ("[" * depth + "]" * depth, '{"a":' * depth + "1" + "}" * depth):
        for url in ("/api/sites", "/api/scans/batch"):
            r = world.client.post(url, headers=h, data=body, content_type="application/json")
            assert_error(r, 400)
            assert r.json["error"] == "bad_request"
    # A big but shallow body is still read normally (a batch of many scans).
    scans = [
        {"id": str(uuid.uuid4()), "payload": "x", "device_at": iso(utcnow()), "photo_ids": []}
        for _ in range(300)
    ]
    r = world.client.post("/api/scans/batch", headers=h, json={"scans": scans})
    assert r.status_code == 200 and r.json["rejected"] == 300


def test_huge_numbers_and_odd_paths_are_4xx(world):
    h = world.headers("admin")
    huge = 2**64
    assert world.client.get(f"/api/sites/{huge}", headers=h).status_code == 404
    r = world.client.get(f"/api/staff?site_id={huge}", headers=h)
    assert_error(r, 422, "site_id")
    r = world.client.post(
        "/api/areas", headers=h, json={"name": "区", "area_type": "lobby", "site_id": -huge}
    )
    assert_error(r, 422, "site_id")
    r = world.client.get(f"/api/audit?page={huge}", headers=h)
    assert r.status_code == 200 and r.json == []
    assert world.client.get("/api/checklists/abc%00def", headers=h).status_code == 404
    r = world.client.get("/api/greeting/calendar/1/签名.ics")
    assert_error(r, 404)
    for month in (202600, 202613, 199912):
        r = world.client.get(f"/api/monthly/export.csv?month={month}", headers=h)
        assert_error(r, 422, "month")


def test_login_with_hostile_names_is_refused_cleanly(world):
    for name in [*INERT, *UNSTORABLE, "x" * 10_000]:
        r = send(world.client, "post", "/api/auth/login", {"username": name, "password": PASSWORD})
        assert r.status_code in (401, 422), (name, r.status_code)
        assert ERROR_KEYS <= r.json.keys()


@pytest.fixture
def hostile_staff(app, world):
    """Site A's staff member named with a formula and markup, in a team named likewise."""
    name = "=cmd|' /C calc'!A0<script>alert(1)</script>"
    with app.app_context():
        Staff.update(name=name).where(Staff.id == world.staff_a.id).execute()
    world.client.patch(
        f"/api/teams/{world.team_a.id}", headers=world.headers("admin"), json={"name": name}
    )
    return name


def test_csv_export_neutralises_formulas(world, hostile_staff):
    month = utcnow().strftime("%Y%m")
    r = world.client.get(f"/api/monthly/export.csv?month={month}", headers=world.headers("hr"))
    assert r.status_code == 200
    rows = list(csv.reader(io.StringIO(r.get_data(as_text=True).lstrip("\ufeff"))))
    cells = [cell for row in rows for cell in row]
    assert "'" + hostile_staff in cells
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in cells)


def test_workbook_export_keeps_formulas_as_text(world, hostile_staff):
    month = utcnow().strftime("%Y%m")
    with world.client.get(
        f"/api/monthly/export.xlsx?month={month}", headers=world.headers("hr")
    ) as r:
        assert r.status_code == 200
        workbook = load_workbook(io.BytesIO(r.get_data()))
    values = [c.value for ws in workbook.worksheets for row in ws.iter_rows() for c in row]
    assert "'" + hostile_staff in values
    for ws in workbook.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
    workbook.close()


def test_charts_escape_markup_in_names(world, hostile_staff):
    month = utcnow().strftime("%Y%m")
    h = world.headers("hr")
    for url in (
        f"/api/monthly/charts/staff/{world.staff_a.id}.svg?month={month}",
        f"/api/monthly/charts/team/{world.team_a.id}.svg?month={month}",
    ):
        r = world.client.get(url, headers=h)
        assert r.status_code == 200, url
        svg = r.get_data(as_text=True)
        assert "<script>" not in svg and "&lt;script&gt;" in svg, url
