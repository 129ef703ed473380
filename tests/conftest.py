"""Fixtures: an app on a real database per test, a client, and signed-in callers per role.

SQLite (the default): a fresh database file under the test's temporary folder.
PostgreSQL: set TEST_DATABASE_URL=postgresql://...; the schema is created once and every
table is emptied between tests.
"""

import os

import pytest

from api import create_app
from models import db
from models.checklists import sync_checklists
from models.schema import MODELS, upgrade

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


_postgres_schema_ready = False


@pytest.fixture
def app(tmp_path):
    global _postgres_schema_ready
    app = make_app(tmp_path)
    with app.app_context():
        if not ON_POSTGRES:
            upgrade()  # a new database file for every test
        else:
            if not _postgres_schema_ready:  # once: a test that changes the schema restores it
                upgrade()
                _postgres_schema_ready = True
            empty_all_tables()
        sync_checklists(app.extensions["xunjian"]["checklists"])
    yield app
    app.extensions["xunjian"]["database"].close_all()


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
        from models.accounts import User, UserSite
        from models.org import Area, Post, Site, Staff, Team

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
    return f"database: {'PostgreSQL ' + PG_URL if ON_POSTGRES else 'SQLite (a file per test)'}"
