"""The security list of issue 9 in one place. Where another file already proves a point, it is
named here rather than repeated; this file adds what was missing.

Tokens cannot be forged or reused after logout
    - a random, an altered, a digest-as-token and another installation's token: here
      (test_accounts.py::test_forged_and_malformed_tokens covers malformed headers);
    - logout: test_accounts.py::test_logout_revokes_only_that_token; here, the revoked token is
      refused on reads and writes alike and cannot log out twice;
    - expiry, disabled users, password change: test_accounts.py (test_expired_token_is_refused,
      test_disabling_a_user_stops_their_tokens_at_once, test_password_change_ends_other_sessions).
Another site's ids answer 404
    - sites, areas, posts, teams, staff: test_isolation.py::test_another_sites_object_is_not_found;
      inspections: test_inspections.py::test_another_sites_subject_or_inspection_is_hidden;
      rectifications: test_followups.py::test_another_sites_rectification_is_not_found;
    - here: checkpoints (and their codes and labels), routes, schedules, rounds, anomalies,
      hand-overs, greeting settings and post codes, photos, reads and writes.
A QR payload of another site or an old key is refused
    - checkpoints: test_patrols.py (test_a_code_of_another_site_is_refused,
      test_rotating_the_key_outdates_old_labels, test_forged_or_broken_codes_are_rejected,
      test_a_code_signed_without_the_key_is_forged);
    - here: greeting post codes of another site and of an old key.
A photo of another site cannot be fetched
    - file, thumbnail and metadata: test_photos.py::test_another_sites_user_gets_404_for_the_photo;
    - here: nor listed, nor attached as evidence to this site's anomalies.
Passwords are never returned or logged
    - test_accounts.py::test_passwords_never_appear_in_responses_audit_or_logs (create, patch,
      audit); here: every response of the user flows (login, me, users list/get/create/patch,
      password change, audit) is searched for the password and its stored hash, and the app's
      real log output (JSON lines, access log on) of those flows and of failed sign-ins is
      searched for passwords, hashes and tokens.
"""

import io
import logging
import uuid
from datetime import timedelta

import pytest

from api.logs import JsonFormatter
from models import utcnow
from models.records.patrol_records import ensure_rounds
from models.tables.accounts import AuthToken, User
from models.tables.patrols import Checkpoint, Schedule
from tests.conftest import PASSWORD, make_app
from tests.test_patrols import iso
from tests.test_photos import photo_jpeg, upload


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def login(client, username, password=PASSWORD):
    return client.post("/api/auth/login", json={"username": username, "password": password})


# --- tokens -----------------------------------------------------------------------------


def test_random_altered_and_stored_digest_tokens_are_refused(app, world):
    token = login(world.client, "guard").json["token"]
    assert world.client.get("/api/auth/me", headers=bearer(token)).status_code == 200
    altered = [
        token[:-1] + ("A" if token[-1] != "A" else "B"),  # one character changed
        token[1:],  # one character dropped
        token + "x",  # one character added
        token.upper() if token.upper() != token else token.lower(),
        uuid.uuid4().hex + uuid.uuid4().hex,  # random, of a plausible length
    ]
    with app.app_context():
        altered += [t.digest for t in AuthToken.select()]  # what a database leak would show
    for forged in altered:
        r = world.client.get("/api/auth/me", headers=bearer(forged))
        assert r.status_code == 401 and r.json["error"] == "invalid_token", forged


def test_a_token_of_another_installation_is_refused(app, world, tmp_path):
    """Same database, another secret: a token it issued is not valid here, nor ours there."""
    other = make_app(
        tmp_path / "other",
        SECRET_KEY="another-installation-secret-" + "x" * 32,
        DATABASE_URL=app.config["DATABASE_URL"],
    )
    try:
        theirs = login(other.test_client(), "guard").json["token"]
        ours = login(world.client, "guard").json["token"]
        assert other.test_client().get("/api/auth/me", headers=bearer(theirs)).status_code == 200
        r = world.client.get("/api/auth/me", headers=bearer(theirs))
        assert r.status_code == 401 and r.json["error"] == "invalid_token"
        assert other.test_client().get("/api/auth/me", headers=bearer(ours)).status_code == 401
    finally:
        other.extensions["xunjian"]["database"].close_all()


def test_a_token_is_dead_everywhere_after_logout(world):
    token = login(world.client, "supervisor").json["token"]
    h = bearer(token)
    assert world.client.post("/api/auth/logout", headers=h).status_code == 204
    for method, url, body in [
        ("get", "/api/auth/me", None),
        ("get", "/api/sites", None),
        ("get", f"/api/areas/{world.area_a.id}", None),
        ("post", "/api/anomalies", {"id": str(uuid.uuid4()), "site_id": world.site_a.id}),
        ("post", "/api/auth/password", {"current_password": PASSWORD, "new_password": "x" * 12}),
        ("post", "/api/auth/logout", None),
    ]:
        r = getattr(world.client, method)(url, headers=h, json=body)
        assert r.status_code == 401 and r.json["error"] == "invalid_token", (method, url)
    # The password was not changed by the refused request.
    assert login(world.client, "supervisor").status_code == 201


# --- another site's ids -----------------------------------------------------------------


@pytest.fixture
def site_b_objects(app, world):
    """Patrol objects at site B, made by site B's supervisor."""
    hb = world.headers("supervisor-b")
    with app.app_context():
        cp = Checkpoint.create(site=world.site_b, area=world.area_b, name="花园点", code="SB-C-1")
    route = world.client.post(
        "/api/patrol-routes",
        headers=hb,
        json={
            "site_id": world.site_b.id,
            "name": "花园巡逻",
            "stops": [{"checkpoint_id": cp.id, "offset_minutes": 0}],
        },
    ).json
    schedule = world.client.post(
        "/api/schedules",
        headers=hb,
        json={
            "route_id": route["id"],
            "name": "夜巡",
            "start_time": "00:00",
            "end_time": "23:00",
            "every_minutes": 60,
            "start_grace_minutes": 10,
            "duration_minutes": 60,
        },
    ).json
    anomaly = world.client.post(
        "/api/anomalies",
        headers=hb,
        json={"id": str(uuid.uuid4()), "site_id": world.site_b.id, "category": "other"},
    ).json
    handover = world.client.post(
        "/api/handovers", headers=hb, json={"post_id": world.post_b.id}
    ).json
    photo = upload(world, photo_jpeg(seed=9), role="supervisor-b", site_id=world.site_b.id).json
    assert route.get("id") and schedule.get("id") and anomaly.get("id") and handover.get("id")
    with app.app_context():
        today = utcnow().date()
        ensure_rounds(Schedule.get_by_id(schedule["id"]), today, today + timedelta(days=1))
    rounds = world.client.get(f"/api/rounds?site_id={world.site_b.id}", headers=hb).json
    return {
        "checkpoint": cp.id,
        "route": route["id"],
        "schedule": schedule["id"],
        "anomaly": anomaly["id"],
        "handover": handover["id"],
        "photo": photo,
        "round": rounds[0]["id"],
    }


def test_another_sites_patrol_objects_answer_404(app, world, site_b_objects):
    b = site_b_objects
    reads = [
        f"/api/checkpoints/{b['checkpoint']}",
        f"/api/checkpoints/{b['checkpoint']}/code",
        f"/api/checkpoints/{b['checkpoint']}/label.png",
        f"/api/patrol-routes/{b['route']}",
        f"/api/schedules/{b['schedule']}",
        f"/api/rounds/{b['round']}",
        f"/api/anomalies/{b['anomaly']}",
        f"/api/greeting/settings/{world.site_b.id}",
        f"/api/greeting/posts/{world.post_b.id}/code",
        f"/api/photos/{b['photo']['id']}",
        b["photo"]["image_url"],
        b["photo"]["thumbnail_url"],
    ]
    for url in reads:
        with world.client.get(url, headers=world.headers("supervisor")) as r:
            assert r.status_code == 404, (url, r.status_code)
            assert r.json["error"] == "not_found", url
        with world.client.get(url, headers=world.headers("supervisor-b")) as r:
            assert r.status_code == 200, (url, r.status_code)  # the id is real
    writes = [
        ("patch", f"/api/patrol-routes/{b['route']}", {"name": "改"}),
        ("patch", f"/api/schedules/{b['schedule']}", {"name": "改"}),
        ("patch", f"/api/anomalies/{b['anomaly']}", {"status": "closed"}),
        ("post", f"/api/handovers/{b['handover']}/acknowledge", None),
        ("post", f"/api/rounds/{b['round']}/assign", {"staff_id": world.staff_a.id}),
    ]
    for method, url, body in writes:
        r = getattr(world.client, method)(url, headers=world.headers("supervisor"), json=body)
        assert r.status_code == 404, (url, r.status_code, r.json)
    # Lists at site A show nothing of site B, even when asked for site B.
    h = world.headers("supervisor")
    for url, key in [
        ("/api/checkpoints", b["checkpoint"]),
        ("/api/patrol-routes", b["route"]),
        ("/api/anomalies", b["anomaly"]),
    ]:
        for query in ("", f"?site_id={world.site_b.id}"):
            ids = [item["id"] for item in world.client.get(url + query, headers=h).json]
            assert key not in ids, url + query


def test_another_sites_photo_cannot_be_attached_as_evidence(app, world, site_b_objects):
    photo_b = site_b_objects["photo"]["id"]
    r = world.client.post(
        "/api/anomalies",
        headers=world.headers("supervisor"),
        json={
            "id": str(uuid.uuid4()),
            "site_id": world.site_a.id,
            "category": "other",
            "photo_ids": [photo_b],
        },
    )
    assert r.status_code == 422 and "photo_ids" in str(r.json["errors"]), r.json


# --- QR codes of greeting posts ----------------------------------------------------------


def test_greeting_post_codes_of_another_site_or_an_old_key_are_refused(app, world):
    code_b = world.client.get(
        f"/api/greeting/posts/{world.post_b.id}/code", headers=world.headers("supervisor-b")
    ).json
    code_a = world.client.get(
        f"/api/greeting/posts/{world.post_a.id}/code", headers=world.headers("supervisor")
    ).json

    def check(payload):
        return world.client.post(
            "/api/greeting/checks",
            headers=world.headers("manager"),
            json={
                "id": str(uuid.uuid4()),
                "payload": payload,
                "kind": "in",
                "device_at": iso(utcnow()),
            },
        )

    r = check(code_b["url"])
    assert r.status_code == 422 and r.json["error"] == "other_site", r.json
    world.client.post(f"/api/sites/{world.site_a.id}/rotate-key", headers=world.headers("admin"))
    r = check(code_a["url"])
    assert r.status_code == 422 and r.json["error"] == "outdated_label", r.json


# --- passwords and tokens in responses and logs -----------------------------------------


@pytest.fixture
def app_log(app):
    """Everything the app logs (its JSON lines and the access log), as text."""
    app.config["ACCESS_LOG"] = True
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    loggers = [app.logger, logging.getLogger("xunjian.access")]
    for logger in loggers:
        logger.addHandler(handler)
    yield stream
    for logger in loggers:
        logger.removeHandler(handler)


def test_passwords_hashes_and_tokens_are_never_returned_or_logged(app, world, app_log):
    admin_token = world.token("admin")
    admin = bearer(admin_token)
    first, second, third = "first-secret-Pw-1", "second-secret-Pw-2", "third-secret-Pw-3"
    responses = []

    def call(method, url, **kwargs):
        r = getattr(world.client, method)(url, **kwargs)
        responses.append(r.get_data(as_text=True))
        return r

    created = call(
        "post",
        "/api/users",
        headers=admin,
        json={
            "username": "newguard",
            "password": first,
            "role": "guard",
            "site_ids": [world.site_a.id],
        },
    )
    assert created.status_code == 201
    user_id = created.json["id"]
    call("patch", f"/api/users/{user_id}", headers=admin, json={"password": second})
    call("post", "/api/auth/login", json={"username": "newguard", "password": first})  # wrong
    call("post", "/api/auth/login", json={"username": "nobody", "password": second})
    call("post", "/api/auth/login", json={"username": second, "password": second})
    session = call("post", "/api/auth/login", json={"username": "newguard", "password": second})
    assert session.status_code == 201
    token = session.json["token"]
    mine = bearer(token)
    call("get", "/api/auth/me", headers=mine)
    call(
        "post",
        "/api/auth/password",
        headers=mine,
        json={"current_password": second, "new_password": third},
    )
    call("get", "/api/users", headers=admin)
    call("get", f"/api/users/{user_id}", headers=admin)
    call("get", "/api/audit", headers=admin)
    call("post", "/api/auth/logout", headers=mine)
    with app.app_context():
        hashes = [u.password_hash for u in User.select()]
        digests = [t.digest for t in AuthToken.select()]
    body = "\n".join(responses)
    for secret in (first, second, third, PASSWORD, *hashes):
        assert secret not in body
    assert "password_hash" not in body and "$argon2" not in body
    log = app_log.getvalue()
    assert "signed in" in log and "/api/users" in log, "the flows were logged"
    for secret in (first, third, PASSWORD, token, admin_token, *hashes, *digests):
        assert secret not in log
    assert "$argon2" not in log
