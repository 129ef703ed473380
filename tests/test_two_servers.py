"""Several app servers at once: two gunicorn processes on one database (PostgreSQL when
TEST_DATABASE_URL is set, else one SQLite file) and one object store (moto's S3 server), each
with its own instance folder, as two machines behind a load balancer would be. A photo
uploaded through one is served through the other; ticks started on both at the same moment
post each alert once (models/tick_lock.py, and the claim in models/records/webhooks.py)."""

from __future__ import annotations

import io
import json
import os
import re
import secrets
import subprocess
import sys
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests

from models import db
from models.records.webhooks import deliver_pending
from models.tables.checklists import sync_checklists
from models.tables.patrols import Webhook, WebhookDelivery
from models.tables.schema import upgrade
from models.tick_lock import tick_turn
from tests.conftest import ON_POSTGRES, PG_URL, World, empty_all_tables, make_app
from tests.s3_server import free_port, running_s3_server
from tests.test_imaging import encode, make_photo

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SECRET = "k" + secrets.token_hex(32)  # the one secret key every server shares
POST_SECONDS = 0.3  # the receiver is slow, so that deliverers overlap


class Receiver:
    """A local webhook receiver that counts what it is sent."""

    def __init__(self) -> None:
        self.posts: list[dict] = []
        lock = threading.Lock()
        posts = self.posts

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers["Content-Length"]))
                time.sleep(POST_SECONDS)
                with lock:
                    posts.append(json.loads(body))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def s3(tmp_path_factory):
    with running_s3_server(tmp_path_factory.mktemp("s3") / "moto.log") as server:
        yield server


@pytest.fixture
def receiver():
    receiver = Receiver()
    yield receiver
    receiver.close()


@pytest.fixture
def shared(tmp_path, s3):
    """The settings every server shares: database, object store, secret key."""
    database_url = PG_URL if ON_POSTGRES else f"sqlite:///{tmp_path / 'shared.db'}"
    return {
        "DATABASE_URL": database_url,
        "SECRET_KEY": SECRET,
        "ALLOW_PRIVATE_WEBHOOKS": True,
        **s3.settings(s3.new_bucket()),
    }


@pytest.fixture
def app(tmp_path, shared):
    """The operator's view of the shared database (schema, the world, checks)."""
    app = make_app(tmp_path / "operator", **shared)
    with app.app_context():
        upgrade()
        if ON_POSTGRES:
            empty_all_tables()
        sync_checklists(app.extensions["xunjian"]["checklists"])
    yield app
    app.extensions["xunjian"]["database"].close_all()


def server_env(tmp_path: Path, name: str, shared: dict) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("XUNJIAN_")}
    env.update(
        {
            "DATABASE_URL": shared["DATABASE_URL"],
            "XUNJIAN_INSTANCE_PATH": str(tmp_path / name),  # each machine its own disk
            "XUNJIAN_ALLOW_PRIVATE_WEBHOOKS": "true",
            # Only the alerts the tests queue: no inspection-plan reminders for the test sites.
            "XUNJIAN_PLAN_ALERT_AFTER_DAYS": "3650",
            "XUNJIAN_PASSWORD_TIME_COST": "1",
            "XUNJIAN_PASSWORD_MEMORY_COST": "1024",
            "PYTHONWARNINGS": "ignore",
        }
    )
    for setting in ("SECRET_KEY", "PHOTO_STORE", "S3_ENDPOINT", "S3_BUCKET", "S3_REGION"):
        env[f"XUNJIAN_{setting}"] = shared[setting]
    for setting in ("S3_ACCESS_KEY", "S3_SECRET_KEY", "S3_ADDRESSING"):
        env[f"XUNJIAN_{setting}"] = shared[setting]
    return env


@pytest.fixture
def servers(tmp_path, shared, app):
    """Two gunicorn servers (one worker each, with the project's gunicorn.conf.py, which gunicorn
    reads from the working folder: each worker runs its embedded minute tick too) on the shared
    database and bucket."""
    started = []
    try:
        for name in ("server-a", "server-b"):
            port = free_port()
            log = open(tmp_path / f"{name}.log", "wb")  # noqa: SIM115 - closed below
            process = subprocess.Popen(
                [str(BIN / "gunicorn"), "-w", "1", "-b", f"127.0.0.1:{port}", "wsgi:app"],
                cwd=ROOT,
                env=server_env(tmp_path, name, shared),
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            started.append((process, log, f"http://127.0.0.1:{port}", name))
        for process, _log, url, name in started:
            deadline = time.monotonic() + 60
            while True:
                assert process.poll() is None, (tmp_path / f"{name}.log").read_text()
                try:
                    with urllib.request.urlopen(url + "/api/health", timeout=2) as response:
                        if response.status == 200:
                            break
                except OSError:
                    pass
                assert time.monotonic() < deadline, f"{name} did not start"
                time.sleep(0.2)
        yield [url for _p, _l, url, _n in started]
    finally:
        for process, log, _url, _name in started:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            log.close()


def queue_alerts(app, world, url: str, count: int) -> None:
    with app.app_context():
        hook = Webhook.create(site=world.site_a, url=url, secret="s" * 32)
        # Handed to the site's channel already, where deliveries have channels.
        handed = {"channel": hook} if "channel" in WebhookDelivery._meta.fields else {}
        for n in range(count):
            WebhookDelivery.create(
                site=world.site_a,
                event="anomaly.opened",
                dedupe_key=f"two-servers-{n}",
                body=json.dumps({"n": n}),
                **handed,
            )


def delivered(app) -> list[tuple[int, bool]]:
    with app.app_context():
        return [
            (d.attempts, d.delivered_at is not None)
            for d in WebhookDelivery.select().order_by(WebhookDelivery.id)
        ]


def tick_command(tmp_path, name, shared) -> subprocess.Popen:
    return subprocess.Popen(
        [str(BIN / "flask"), "--app", "wsgi", "tick"],
        cwd=ROOT,
        env=server_env(tmp_path, name, shared),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def test_a_photo_uploaded_through_one_server_is_served_through_the_other(
    app, servers, tmp_path, s3, shared
):
    world = World(app, app.test_client())
    a, b = servers
    jpeg = encode(make_photo(400, 300, seed=3), "JPEG", quality=85)
    guard = world.headers("guard")  # signed in once: the token works on every server
    r = requests.post(
        a + "/api/photos",
        headers=guard,
        data={"site_id": str(world.site_a.id)},
        files={"file": ("p.jpg", io.BytesIO(jpeg), "image/jpeg")},
        timeout=30,
    )
    assert r.status_code == 201, r.text
    photo = r.json()
    for url in (photo["image_url"], photo["thumbnail_url"]):
        from_a = requests.get(a + url, headers=guard, timeout=30)
        from_b = requests.get(b + url, headers=guard, timeout=30)
        assert from_a.status_code == from_b.status_code == 200
        assert from_b.content == from_a.content and from_b.content[:2] == b"\xff\xd8"
        assert from_b.headers["ETag"] == from_a.headers["ETag"]
        # The same access check on the other server: another site's user gets 404.
        other = requests.get(b + url, headers=world.headers("supervisor-b"), timeout=30)
        assert other.status_code == 404
    assert len(s3.keys(shared["S3_BUCKET"])) == 2
    assert not (tmp_path / "server-a" / "photos").exists() or not any(
        p.is_file() for p in (tmp_path / "server-a" / "photos").rglob("*")
    )


def test_ticks_on_both_servers_at_the_same_moment_post_each_alert_once(
    app, servers, tmp_path, shared, receiver
):
    world = World(app, app.test_client())
    queue_alerts(app, world, receiver.url, 6)
    ticks = [tick_command(tmp_path, name, shared) for name in ("server-a", "server-b")]
    outputs = [tick.communicate(timeout=120)[0] for tick in ticks]
    assert all(tick.returncode == 0 for tick in ticks), outputs
    assert sorted(post["n"] for post in receiver.posts) == list(range(6)), outputs
    assert delivered(app) == [(1, True)] * 6
    # Each tick worked or skipped; together they (and the servers' own embedded ticks, which
    # gunicorn.conf.py starts at each whole minute) sent each alert once.
    sent = [re.search(r"webhooks: (\d+) sent", out) for out in outputs]
    assert all(m or "skipped" in out for m, out in zip(sent, outputs, strict=True)), outputs
    assert sum(int(m.group(1)) for m in sent if m) <= 6


def test_a_second_tick_while_one_runs_skips(app, tmp_path, shared, receiver):
    world = World(app, app.test_client())
    queue_alerts(app, world, receiver.url, 2)
    with app.app_context(), db.connection_context(), tick_turn() as mine:
        assert mine
        out = subprocess.run(
            [str(BIN / "flask"), "--app", "wsgi", "tick"],
            cwd=ROOT,
            env=server_env(tmp_path, "server-b", shared),
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert out.returncode == 0, out.stderr
        assert "skipped" in out.stdout
        assert receiver.posts == []
    # Let go, and the next tick works.
    out = subprocess.run(
        [str(BIN / "flask"), "--app", "wsgi", "tick"],
        cwd=ROOT,
        env=server_env(tmp_path, "server-b", shared),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "webhooks: 2 sent" in out.stdout, out.stdout + out.stderr
    assert len(receiver.posts) == 2


def test_two_deliverers_at_once_post_each_alert_once(app, receiver):
    """Without the tick lock (say an operator runs a tick by hand while cron's runs): the
    claim alone keeps two deliverers from posting one alert twice."""
    world = World(app, app.test_client())
    queue_alerts(app, world, receiver.url, 6)
    start = threading.Barrier(2, timeout=60)
    results = []

    def deliver():
        with app.app_context(), db.connection_context():
            start.wait()
            results.append(deliver_pending())

    threads = [threading.Thread(target=deliver) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(post["n"] for post in receiver.posts) == list(range(6))
    assert sum(sent for sent, _failed in results) == 6
    assert sum(failed for _sent, failed in results) == 0
    assert delivered(app) == [(1, True)] * 6
