"""Operator commands and start-up rules: schema upgrades, secrets, the demo company."""

import hmac
import os
from datetime import datetime, timedelta
from hashlib import sha256
from zoneinfo import ZoneInfo

import pytest

from api.secret_keys import InsecureSecretError, generate_secret_file
from api.security import keyed_digest
from models.tables.accounts import User
from models.tables.org import Site, Staff
from models.tables.schema import LATEST_VERSION, SchemaVersion, current_version, upgrade
from tests.conftest import make_app


def test_upgrade_twice_keeps_the_data(app, runner, world):
    first = runner.invoke(args=["db", "upgrade"])
    assert first.exit_code == 0, first.output
    second = runner.invoke(args=["db", "upgrade"])
    assert second.exit_code == 0 and "already up to date" in second.output
    with app.app_context():
        assert Site.select().count() == 2
        assert Staff.get(Staff.employee_no == "A-1").name == "张三"
        assert current_version() == LATEST_VERSION


def test_upgrade_migrates_a_version_1_database_and_keeps_its_data(app, world):
    """A database made before migrations 2 to 4: the old scan indexes, a login throttle that
    kept the names typed, schema version 1."""
    from models import db

    with app.app_context():
        for name in ("device_id_user_id_effective_at", "site_id_effective_at"):
            db.execute_sql(f'DROP INDEX IF EXISTS "scan_{name}"')
        for columns in (
            "device_id, effective_at",
            "site_id",
            "checkpoint_id",
            "user_id",
            "site_id, month",
        ):
            name = "scan_" + columns.replace(", ", "_")
            db.execute_sql(f'CREATE INDEX "{name}" ON "scan" ({columns})')
        db.execute_sql('DROP TABLE "login_throttle"')
        db.execute_sql(
            'CREATE TABLE "login_throttle" ("id" INTEGER PRIMARY KEY, "username" VARCHAR(64), '
            '"failures" INTEGER, "window_started_at" TIMESTAMP, "locked_until" TIMESTAMP)'
        )
        db.execute_sql("INSERT INTO \"login_throttle\" VALUES (1, 'guard', 2, NULL, NULL)")
        SchemaVersion.delete().execute()
        SchemaVersion.create(version=1)

        done = upgrade()

        assert done == [
            "migration 2: fewer, covering indexes on scan",
            "migration 3: login throttle keeps digests of the names typed",
            "migration 4: scan indexes for shared phones and the scan list",
            "migration 5: a flagged scan's review",  # nothing to add: the table has the columns
            "migration 7: login throttle per name and address",
            "migration 8: alert channels: group robots and events per channel",
            "migration 9: a site's own days in the working-day calendar",
            "migration 10: a site's own inspection plan",
            "migration 11: greeting duty follows the working-day calendar",
            "migration 12: schedules on working days only",
            "migration 13: follow-up promises: clocks, a site's own promises, escalations",
        ]
        assert current_version() == LATEST_VERSION == 13
        indexes = {i.name for i in db.get_indexes("scan")}
        assert {"scan_device_id_user_id_effective_at", "scan_site_id_effective_at"} <= indexes
        old = {"scan_device_id_effective_at", "scan_device_id_effective_at_user_id"}
        assert not indexes & {*old, "scan_site_id", "scan_user_id", "scan_site_id_month"}
        throttle_columns = {c.name for c in db.get_columns("login_throttle")}
        assert "name_digest" in throttle_columns and "username" not in throttle_columns
        assert "address_digest" in throttle_columns
        assert Site.select().count() == 2
        assert upgrade() == []


def test_upgrade_recreates_a_missing_table_without_touching_others(app, world):
    from models.tables.accounts import LoginThrottle

    with app.app_context():
        LoginThrottle.drop_table()
        done = upgrade()
        assert done == ["created table login_throttle"]
        assert Site.select().count() == 2


def test_demo_company_loads_once_and_prints_logins(app, runner):
    r = runner.invoke(args=["demo", "load"])
    assert r.exit_code == 0, r.output
    roles_listed = ("admin", "hr", "supervisor", "manager", "guard", "staff")
    lines = [
        line.split() for line in r.output.splitlines() if line.split()[1:2] == line.split()[:1]
    ]
    roles = {role for _, role, _ in lines}
    assert roles == set(roles_listed)
    with app.app_context():
        assert {s.site_type for s in Site.select()} == {"office", "residential"}
        jobs = {s.job for s in Staff.select()}
        assert {"guard", "cleaner", "gardener", "service_desk", "manager", "supervisor"} <= jobs
        staff_count = Staff.select().count()
        from models.tables.patrols import Checkpoint, Round

        assert Checkpoint.select().count() >= 10 and Round.select().count() > 0
    client = app.test_client()
    username, _, password = next(line for line in lines if line[1] == "supervisor")
    r = client.post("/api/auth/login", json={"username": username, "password": password})
    assert r.status_code == 201
    # HR opens last month and finds people scored at the generated site, not an empty table.
    username, _, password = next(line for line in lines if line[1] == "hr")
    token = client.post("/api/auth/login", json={"username": username, "password": password}).json[
        "token"
    ]
    with app.app_context():
        generated = Site.get(Site.code == "G0001")
        guard_sites = {link.site_id for link in User.get(User.username == "guard").site_links}
    assert generated.id not in guard_sites
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()  # the generated site's zone
    last_month = (today.replace(day=1) - timedelta(days=1)).strftime("%Y%m")
    records = client.get(
        f"/api/monthly/records?site_id={generated.id}&month={last_month}",
        headers={"Authorization": f"Bearer {token}"},
    ).json
    scored = [r for r in records if r["grooming_score"] is not None]
    assert len(records) == 30 and len(scored) >= 10, records[:2]
    again = runner.invoke(args=["demo", "load"])
    assert "already loaded" in again.output and password in again.output
    with app.app_context():
        assert Staff.select().count() == staff_count


def test_create_admin_command(app, runner):
    r = runner.invoke(args=["users", "create-admin", "Boss", "--password", "short"])
    assert r.exit_code != 0
    r = runner.invoke(args=["users", "create-admin", "Boss", "--password", "a-long-password"])
    assert r.exit_code == 0, r.output
    with app.app_context():
        assert User.get(User.username == "boss").role == "admin"


def test_development_generates_a_secret_once(tmp_path):
    first = make_app(tmp_path)
    key_file = tmp_path / "instance" / "secret_key"
    assert key_file.exists() and oct(key_file.stat().st_mode & 0o777) == "0o600"
    second = make_app(tmp_path)
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"] == key_file.read_text()
    assert len(first.config["SECRET_KEY"]) >= 32


@pytest.mark.parametrize("secret", [None, "dev", "change-me", "short-secret"])
def test_production_refuses_a_missing_or_default_secret(tmp_path, secret):
    with pytest.raises(InsecureSecretError):
        make_app(tmp_path, ENV_NAME="production", SECRET_KEY=secret)
    assert not (tmp_path / "instance" / "secret_key").exists()


def test_production_starts_with_a_real_secret_and_keys_with_it(tmp_path):
    secret = os.urandom(32).hex()
    app = make_app(tmp_path, ENV_NAME="production", SECRET_KEY=secret)
    assert app.config["SECRET_KEY"] == secret
    # Production never makes up a secret of its own beside the one it was given.
    assert not (tmp_path / "instance" / "secret_key").exists()
    with app.test_request_context():  # stored token digests are keyed with it
        assert keyed_digest("a token") == hmac.new(secret.encode(), b"a token", sha256).hexdigest()
    app.extensions["xunjian"]["database"].close_all()


def test_production_starts_with_the_secret_file_made_by_secrets_init(tmp_path):
    made = generate_secret_file(str(tmp_path / "instance"))
    app = make_app(tmp_path, ENV_NAME="production")
    assert app.config["SECRET_KEY"] == made.read_text().strip()
    assert len(app.config["SECRET_KEY"]) >= 32
    app.extensions["xunjian"]["database"].close_all()


def test_two_apps_in_one_process_keep_their_own_databases(tmp_path, app, world):
    # The second app is on its own SQLite file whichever database the suite runs on.
    other = make_app(tmp_path / "other", DATABASE_URL=f"sqlite:///{tmp_path / 'other.db'}")
    with other.app_context():
        upgrade()
    assert other.test_client().get("/api/health").status_code == 200
    with other.app_context():
        assert Site.select().count() == 0
    with app.app_context():
        assert Site.select().count() == 2
    other.extensions["xunjian"]["database"].close_all()


def test_tick_judges_rounds_and_shifts(app, runner, world):
    r = runner.invoke(args=["tick"])
    assert r.exit_code == 0, r.output
    assert "judged 0 rounds and 0 greeting shifts" in r.output


def test_generate_command_builds_a_company(app, runner):
    r = runner.invoke(
        args=["demo", "generate", "--sites", "1", "--staff-per-site", "12", "--months", "1"]
    )
    assert r.exit_code == 0, r.output
    with app.app_context():
        assert Site.select().count() == 1 and Staff.select().count() == 12
