"""Signing in: tokens expire, logout revokes, disabled users stop at once, guessing is slowed."""

import threading
from datetime import timedelta

import pytest

from models import utcnow
from models.tables.accounts import AuthToken, LoginThrottle, User
from models.tables.schema import upgrade
from tests.conftest import ON_POSTGRES, PASSWORD, empty_all_tables, make_app


def login(client, username, password=PASSWORD):
    return client.post("/api/auth/login", json={"username": username, "password": password})


def test_login_returns_a_token_that_works(world):
    r = login(world.client, "guard")
    assert r.status_code == 201
    assert r.json["user"]["role"] == "guard" and r.json["user"]["site_ids"] == [world.site_a.id]
    me = world.client.get("/api/auth/me", headers={"Authorization": f"Bearer {r.json['token']}"})
    assert me.status_code == 200 and me.json["username"] == "guard"
    assert "password_hash" not in me.json


def test_the_token_is_not_stored_in_clear(app, world):
    token = login(world.client, "guard").json["token"]
    with app.app_context():
        digests = [t.digest for t in AuthToken.select()]
    assert token not in digests and all(len(d) == 64 for d in digests)


def test_wrong_password_and_unknown_user_look_the_same(world):
    a = login(world.client, "guard", "wrong-password")
    b = login(world.client, "nobody-here", "wrong-password")
    assert a.status_code == b.status_code == 401
    assert a.json == b.json and a.json["error"] == "invalid_credentials"


def test_expired_token_is_refused(app, world):
    token = login(world.client, "guard").json["token"]
    with app.app_context():
        AuthToken.update(expires_at=utcnow() - timedelta(seconds=1)).execute()
    r = world.client.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 401 and r.json["error"] == "token_expired"


def test_logout_revokes_only_that_token(world):
    first = login(world.client, "guard").json["token"]
    second = login(world.client, "guard").json["token"]
    r = world.client.post("/api/auth/logout", headers={"Authorization": f"Bearer {first}"})
    assert r.status_code == 204
    assert (
        world.client.get("/api/auth/me", headers={"Authorization": f"Bearer {first}"}).status_code
        == 401
    )
    assert (
        world.client.get("/api/auth/me", headers={"Authorization": f"Bearer {second}"}).status_code
        == 200
    )


def test_disabling_a_user_stops_their_tokens_at_once(app, world):
    token = login(world.client, "guard").json["token"]
    h = {"Authorization": f"Bearer {token}"}
    r = world.client.patch(
        f"/api/users/{world.users['guard'].id}",
        headers=world.headers("admin"),
        json={"active": False},
    )
    assert r.status_code == 200 and r.json["active"] is False
    r = world.client.get("/api/auth/me", headers=h)
    assert r.status_code == 401
    assert login(world.client, "guard").status_code == 401


def test_a_disabled_user_is_refused_even_with_an_unrevoked_token(app, world):
    token = login(world.client, "manager").json["token"]
    with app.app_context():
        User.update(active=False).where(User.username == "manager").execute()
    r = world.client.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 401 and r.json["error"] == "account_disabled"


def test_forged_and_malformed_tokens(world):
    for header in ("Bearer forged-token", "Bearer ", "Basic Z3VhcmQ6cHc=", "bearer", "Token abc"):
        r = world.client.get("/api/auth/me", headers={"Authorization": header})
        assert r.status_code == 401, header
        assert r.json["error"] in ("unauthenticated", "invalid_token")


def test_repeated_failures_lock_the_name_for_a_while(app, world):
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        assert login(world.client, "guard", "guess-guess").status_code == 401
    # Locked now: even the right password is refused, with a Retry-After.
    r = login(world.client, "guard")
    assert r.status_code == 429 and r.json["error"] == "too_many_attempts"
    assert 0 < int(r.headers["Retry-After"]) <= app.config["LOGIN_LOCK_MINUTES"] * 60 + 1
    # Other users are not affected.
    assert login(world.client, "manager").status_code == 201
    # When the lock runs out, the right password works again and resets the count.
    with app.app_context():
        LoginThrottle.update(locked_until=utcnow() - timedelta(seconds=1)).execute()
    assert login(world.client, "guard").status_code == 201
    with app.app_context():
        assert not LoginThrottle.select().exists()


def test_names_typed_at_failed_sign_ins_are_not_stored(app, world):
    """People type their password into the name field; the throttle keeps only a digest."""
    from models import db

    assert login(world.client, "Mistyped-Secret-Pw1", "guess-guess").status_code == 401
    assert login(world.client, "guard", "guess-guess").status_code == 401
    with app.app_context():
        rows = db.execute_sql('SELECT * FROM "login_throttle"').fetchall()
    stored = " ".join(str(value) for row in rows for value in row)
    assert len(rows) == 4  # per name: from this address, and from all addresses together
    assert "mistyped-secret-pw1" not in stored.lower() and "guard" not in stored
    assert "127.0.0.1" not in stored  # nor the address they came from


def test_failures_spread_over_a_long_time_do_not_lock(app, world):
    for _ in range(app.config["LOGIN_MAX_FAILURES"] - 1):
        login(world.client, "guard", "guess-guess")
    with app.app_context():
        LoginThrottle.update(window_started_at=utcnow() - timedelta(hours=1)).execute()
    assert login(world.client, "guard", "guess-guess").status_code == 401
    assert login(world.client, "guard").status_code == 201


def test_password_change_ends_other_sessions(world):
    old = login(world.client, "guard").json["token"]
    current = login(world.client, "guard").json["token"]
    h = {"Authorization": f"Bearer {current}"}
    r = world.client.post(
        "/api/auth/password",
        headers=h,
        json={"current_password": "wrong-one", "new_password": "new-password-1"},
    )
    assert r.status_code == 422
    r = world.client.post(
        "/api/auth/password",
        headers=h,
        json={"current_password": PASSWORD, "new_password": "new-password-1"},
    )
    assert r.status_code == 204
    assert (
        world.client.get("/api/auth/me", headers={"Authorization": f"Bearer {old}"}).status_code
        == 401
    )
    assert world.client.get("/api/auth/me", headers=h).status_code == 200
    assert login(world.client, "guard", "new-password-1").status_code == 201


def test_user_admin_sets_sites_and_roles(app, world):
    admin = world.headers("admin")
    r = world.client.post(
        "/api/users",
        headers=admin,
        json={
            "username": "hr2",
            "password": "long-enough-pw",
            "role": "hr",
            "site_ids": [world.site_b.id],
        },
    )
    assert r.status_code == 201 and r.json["site_ids"] == [world.site_b.id]
    token = login(world.client, "hr2", "long-enough-pw").json["token"]
    sites = world.client.get("/api/sites", headers={"Authorization": f"Bearer {token}"}).json
    assert [s["id"] for s in sites] == [world.site_b.id]
    # Everyone but an admin needs a site.
    r = world.client.post(
        "/api/users",
        headers=admin,
        json={
            "username": "floating",
            "password": "long-enough-pw",
            "role": "guard",
            "site_ids": [],
        },
    )
    assert r.status_code == 422 and "site_ids" in r.json["errors"]["json"]


def test_passwords_never_appear_in_responses_audit_or_logs(app, world, caplog):
    admin = world.headers("admin")
    secret = "very-secret-password-42"
    r = world.client.post(
        "/api/users",
        headers=admin,
        json={
            "username": "leaky",
            "password": secret,
            "role": "guard",
            "site_ids": [world.site_a.id],
        },
    )
    assert secret not in r.get_data(as_text=True)
    world.client.patch(f"/api/users/{r.json['id']}", headers=admin, json={"password": secret + "x"})
    audit = world.client.get("/api/audit", headers=admin).get_data(as_text=True)
    assert secret not in audit and "password_hash" not in audit and "argon2" not in audit
    login(world.client, "leaky", secret + "x")
    assert secret not in caplog.text


def login_from(client, address, username="guard", password="guess-guess", **headers):
    return client.post(
        "/api/auth/login",
        json={"username": username, "password": password},
        environ_base={"REMOTE_ADDR": address},
        headers=headers,
    )


@pytest.fixture
def roomy_app(tmp_path):
    """An app whose connection pool has room for 40 requests at once (a server's workers each
    hold one connection; here 40 threads share one app)."""
    from api.security import hash_password

    app = make_app(tmp_path, DB_MAX_CONNECTIONS=48)
    with app.app_context():
        upgrade()
        if ON_POSTGRES:
            empty_all_tables()
        User.create(username="guard", role="guard", password_hash=hash_password(PASSWORD))
    yield app
    app.extensions["xunjian"]["database"].close_all()


def test_forty_wrong_passwords_at_once_get_exactly_five_evaluated(roomy_app):
    """The throttle counts an attempt before the slow hash, in the write transaction, so a
    burst of parallel guesses gets exactly the allowed number evaluated (401), the rest 429."""
    attempts = 40
    start = threading.Barrier(attempts, timeout=60)
    answers = []

    def guess():
        client = roomy_app.test_client()
        start.wait()
        answers.append(login(client, "guard", "guess-guess").status_code)

    threads = [threading.Thread(target=guess) for _ in range(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(answers) == [401] * 5 + [429] * (attempts - 5)
    assert login(roomy_app.test_client(), "guard").status_code == 429  # the name is locked


def test_one_address_cannot_lock_a_name_out_for_everyone(app, world):
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        assert login_from(world.client, "203.0.113.7").status_code == 401
    # That address is locked out of the name, even with the right password ...
    r = login_from(world.client, "203.0.113.7", password=PASSWORD)
    assert r.status_code == 429 and r.json["error"] == "too_many_attempts"
    # ... but the guard on the site's own network signs in.
    assert login_from(world.client, "198.51.100.20", password=PASSWORD).status_code == 201


def test_many_addresses_together_lock_the_name_for_everyone(app, world):
    app.config["LOGIN_NAME_MAX_FAILURES"] = 12
    per_address = app.config["LOGIN_MAX_FAILURES"] - 1  # no address reaches its own lock
    answers = [
        login_from(world.client, f"203.0.113.{n}").status_code for n in range(3) for _ in range(4)
    ]
    assert answers == [401] * 3 * per_address
    r = login_from(world.client, "198.51.100.20", password=PASSWORD)
    assert r.status_code == 429 and int(r.headers["Retry-After"]) > 0
    other = login_from(world.client, "198.51.100.20", username="manager", password=PASSWORD)
    assert other.status_code == 201  # other names are not affected
    with app.app_context():
        LoginThrottle.update(locked_until=utcnow() - timedelta(seconds=1)).execute()
    assert login_from(world.client, "198.51.100.20", password=PASSWORD).status_code == 201


@pytest.mark.parametrize("proxies", [0, 1])
def test_x_forwarded_for_counts_only_behind_the_proxies_the_setting_names(app, world, proxies):
    """Without XUNJIAN_TRUSTED_PROXIES anyone could send a new X-Forwarded-For with every guess
    and never be locked; with one proxy in front, the address it adds is the caller's."""
    app.config["TRUSTED_PROXIES"] = proxies
    limit = app.config["LOGIN_MAX_FAILURES"]
    answers = [
        login_from(world.client, "10.0.0.2", **{"X-Forwarded-For": f"1.2.3.4, 203.0.113.{n}"})
        for n in range(limit + 1)
    ]
    if proxies == 0:  # all from 10.0.0.2: the sixth is refused
        assert [r.status_code for r in answers] == [401] * limit + [429]
    else:  # six callers, one guess each
        assert [r.status_code for r in answers] == [401] * (limit + 1)
        forwarded = {"X-Forwarded-For": "203.0.113.0"}
        for _ in range(limit - 1):
            assert login_from(world.client, "10.0.0.2", **forwarded).status_code == 401
        assert login_from(world.client, "10.0.0.2", **forwarded).status_code == 429
