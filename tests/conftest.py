"""Fixtures: an app on a real database per test, a client, and signed-in callers per role.

The app is built once per run (building one costs ~0.2 s, mostly the OpenAPI document) and
each test gets a fresh database and its own instance folder under its temporary folder:

SQLite (the default): one database file is made once per run (every table, checklists
synced) and each test gets a copy of it; the app's pooled database is re-pointed at the copy.
PostgreSQL: set TEST_DATABASE_URL=postgresql://...; the schema is created once and every
table is emptied between tests.

Whatever a test changes in ``app.config`` (or the app's extension state) is put back after
it. A test that needs another configuration builds its own app with ``make_app``.
"""

import os
import shutil
from pathlib import Path

import pytest

from api import create_app
from models import db
from models.tables.checklists import sync_checklists
from models.tables.schema import MODELS, upgrade

PG_URL = os.environ.get("TEST_DATABASE_URL", "")
ON_POSTGRES = PG_URL.startswith("postgres")
PASSWORD = "correct-horse-battery"


def make_app(tmp_path, **overrides):
    config = {
        "TESTING": True,
        "ENV_NAME": "test",
        "DATABASE_URL": PG_URL if ON_POSTGRES else f"sqlite:///{tmp_path / 'test.db'}",
        "PASSWORD_TIME_COST": 1,
        "PASSWORD_MEMORY_COST": 1024,
        "ACCESS_LOG": False,
        **overrides,
    }
    os.environ["XUNJIAN_INSTANCE_PATH"] = str(tmp_path / "instance")
    try:
        return create_app(config)
    finally:
        del os.environ["XUNJIAN_INSTANCE_PATH"]


def empty_all_tables():
    tables = ", ".join(
        f'"{m._meta.table_name}"' for m in MODELS if m._meta.table_name != "schema_version"
    )
    db.execute_sql(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")


class SharedApp:
    """The run's one app and, on SQLite, the prepared database file each test copies."""

    def __init__(self, folder: Path):
        self.app = make_app(folder)
        self.database = self.app.extensions["xunjian"]["database"]
        with self.app.app_context():
            upgrade()  # PostgreSQL: once; a test that changes the schema restores it
            if not ON_POSTGRES:
                sync_checklists(self.app.extensions["xunjian"]["checklists"])
                # Everything in the main file, no -wal beside it: the copy is complete.
                db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        self.database.close_all()
        self.template = Path(self.database.database) if not ON_POSTGRES else None
        self.config = dict(self.app.config)
        self.extensions = dict(self.app.extensions["xunjian"])
        # What the product keeps beside a database object (e.g. the site keys' secrets, see
        # models/tables/site_keys.py) belongs to one test's data: anything added after this goes
        # between tests.
        self.database_attributes = set(vars(self.database))

    def prepare(self, tmp_path: Path):
        """Point the app at a fresh database and a new instance folder under tmp_path."""
        app = self.app
        self.database.close_all()
        instance = tmp_path / "instance"
        instance.mkdir(parents=True, exist_ok=True)
        # The secret the app signs with, where a second app on this folder reads it.
        secret = instance / "secret_key"
        if not secret.exists():
            secret.write_text(self.config["SECRET_KEY"])
            secret.chmod(0o600)
        app.instance_path = str(instance)
        if ON_POSTGRES:
            with app.app_context():
                empty_all_tables()
                sync_checklists(app.extensions["xunjian"]["checklists"])
        else:
            path = tmp_path / "test.db"
            shutil.copyfile(self.template, path)
            self.database.init(str(path))
            app.config["DATABASE_URL"] = f"sqlite:///{path}"
        return app

    def restore(self):
        """Put back the configuration and extension state a test may have changed, and forget
        what was kept beside the test's database."""
        self.database.close_all()
        for name in set(vars(self.database)) - self.database_attributes:
            delattr(self.database, name)
        self.app.config.clear()
        self.app.config.update(self.config)
        state = self.app.extensions["xunjian"]
        state.clear()
        state.update(self.extensions)  # drops what a test made, e.g. the photo store


@pytest.fixture(scope="session")
def shared_app(tmp_path_factory):
    shared = SharedApp(tmp_path_factory.mktemp("shared-app"))
    yield shared
    shared.database.close_all()


@pytest.fixture
def app(shared_app, tmp_path):
    app = shared_app.prepare(tmp_path)
    yield app
    shared_app.restore()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class World:
    """Two sites and one account per role at site A (plus a supervisor at site B)."""

    def __init__(self, app, client):
        from api.security import hash_password
        from models.tables.accounts import User, UserSite
        from models.tables.org import Area, Post, Site, Staff, Team

        self.client = client
        with app.app_context():
            self.site_a = Site.create(name="甲大厦", code="SA", site_type="office")
            self.site_b = Site.create(name="乙花园", code="SB", site_type="residential")
            self.area_a = Area.create(site=self.site_a, name="大堂", area_type="lobby")
            self.area_b = Area.create(site=self.site_b, name="花园", area_type="garden")
            self.post_a = Post.create(site=self.site_a, name="大堂岗", kind="lobby")
            self.post_b = Post.create(site=self.site_b, name="东门岗", kind="gate")
            self.team_a = Team.create(site=self.site_a, name="护卫班")
            self.team_b = Team.create(site=self.site_b, name="保洁班")
            self.staff_a = Staff.create(
                employee_no="A-1", name="张三", gender="male", job="guard", site=self.site_a
            )
            self.staff_b = Staff.create(
                employee_no="B-1", name="李四", gender="female", job="cleaner", site=self.site_b
            )
            password_hash = hash_password(PASSWORD)
            self.users = {}
            for role in ("admin", "hr", "supervisor", "manager", "guard", "staff"):
                user = User.create(username=role, role=role, password_hash=password_hash)
                if role != "admin":
                    UserSite.create(user=user, site=self.site_a)
                self.users[role] = user
            other = User.create(
                username="supervisor-b", role="supervisor", password_hash=password_hash
            )
            UserSite.create(user=other, site=self.site_b)
            self.users["supervisor-b"] = other
        self._tokens = {}

    def token(self, username):
        if username not in self._tokens:
            r = self.client.post(
                "/api/auth/login", json={"username": username, "password": PASSWORD}
            )
            assert r.status_code == 201, r.json
            self._tokens[username] = r.json["token"]
        return self._tokens[username]

    def headers(self, username):
        return {"Authorization": f"Bearer {self.token(username)}"}


@pytest.fixture
def world(app, client):
    return World(app, client)


def pytest_report_header(config):
    where = f"PostgreSQL {PG_URL}" if ON_POSTGRES else "SQLite (one prepared file, a copy per test)"
    return f"database: {where}"
