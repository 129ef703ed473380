"""Faults under real load: the app under gunicorn (2 worker processes) with 32 clients posting
patrol scans and inspections at once.

- concurrency: no 5xx, no 'database is locked' (in any answer or log line), and every write
  that was acknowledged is stored, exactly once, and nothing else;
- crash: the server (master and workers) is killed with SIGKILL in the middle of the load and
  started again; the phones resend what got no answer (same ids), every write that got a 2xx
  is there, no inspection lost part of its items, and SQLite's integrity check passes;
- backup: 'flask backup create' runs while the load goes on; the archive restored into a new
  folder serves the snapshot's data (its row counts, its photos byte for byte, sign-in).

Concurrency and crash run on the test database (SQLite, or PostgreSQL when TEST_DATABASE_URL
says so); the backup is of the embedded SQLite database and runs on its own SQLite instance.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from datetime import time as dtime
from pathlib import Path

import pytest

from api import create_app
from models import utcnow, write_transaction
from models.tables.checklists import sync_checklists
from models.tables.inspections import Inspection, InspectionItem
from models.tables.patrols import Scan
from models.tables.schema import upgrade
from tests.conftest import ON_POSTGRES, PASSWORD, PG_URL, empty_all_tables, make_app
from tests.test_imaging import encode, make_photo
from tests.test_inspections import answers_for

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
GUARDS = 24  # scanning clients
SUPERVISORS = 8  # inspecting clients: 32 clients in all
CHECKPOINTS_PER_GUARD = 500  # more than a guard sends in a run: no checkpoint twice a minute
CHECKLIST = "grooming-basic"

pytestmark = pytest.mark.slow


# --- the company under load -------------------------------------------------------------------


class Company:
    """One site with many checkpoints, signed-in guards and supervisors, and staff to inspect,
    made in the test process directly in the database the server will use."""

    def __init__(self, tmp_path: Path, database_url: str):
        from api.security import hash_password
        from models.records.patrol_records import ensure_site_rounds
        from models.rules.qr_signing import make_token
        from models.tables.accounts import User, UserSite
        from models.tables.org import Area, Site, Staff
        from models.tables.patrols import Checkpoint, Route, RouteStop, Schedule
        from models.tables.site_keys import current_key

        self.database_url = database_url
        self.instance = tmp_path / "instance"
        self.app = make_app(tmp_path, DATABASE_URL=database_url)
        with self.app.app_context():
            upgrade()
            if database_url.startswith("postgres"):
                empty_all_tables()
            sync_checklists(self.app.extensions["xunjian"]["checklists"])
            site = Site.create(name="压力大厦", code="LOAD", site_type="office")
            self.site_id = site.id
            area = Area.create(site=site, name="B1停车库", area_type="garage")
            rows = [
                {"site": site, "area": area, "name": f"{n + 1}号巡更点", "code": f"L-{n:06d}"}
                for n in range(GUARDS * CHECKPOINTS_PER_GUARD)
            ]
            with write_transaction():
                for start in range(0, len(rows), 2000):
                    Checkpoint.insert_many(rows[start : start + 2000]).execute()
            key = current_key(site.id)
            secret = bytes.fromhex(key.secret)
            self.payloads = [
                make_token("c", site.id, checkpoint_id, key.version, secret)
                for (checkpoint_id,) in Checkpoint.select(Checkpoint.id)
                .order_by(Checkpoint.id)
                .tuples()
            ]
            # A round under way: each guard's first scan is one of its stops (the scan path
            # then also finds and updates the round).
            route = Route.create(site=site, name="夜巡")
            first_checkpoints = Checkpoint.select(Checkpoint.id).order_by(Checkpoint.id)
            RouteStop.insert_many(
                {"route": route, "checkpoint": cp.id, "position": n, "offset_minutes": 0}
                for n, cp in enumerate(first_checkpoints)
                if n % CHECKPOINTS_PER_GUARD == 0
            ).execute()
            Schedule.create(
                site=site,
                route=route,
                name="全天",
                start_time=dtime(0, 0),
                end_time=dtime(23, 59),
                every_minutes=30,
                duration_minutes=30,
                created_at=utcnow() - timedelta(days=1),  # rounds start from its creation on
            )
            ensure_site_rounds(site, utcnow())
            self.staff_ids = [
                Staff.create(
                    employee_no=f"L-{n}", name=f"员工{n}", gender="male", job="guard", site=site
                ).id
                for n in range(8)
            ]
            password_hash = hash_password(PASSWORD)
            names = [f"guard{n}" for n in range(GUARDS)] + [
                f"supervisor{n}" for n in range(SUPERVISORS)
            ]
            for name in names:
                user = User.create(
                    username=name, role=name.rstrip("0123456789"), password_hash=password_hash
                )
                UserSite.create(user=user, site=site)
        client = self.app.test_client()
        self.tokens = {}
        for name in names:
            r = client.post("/api/auth/login", json={"username": name, "password": PASSWORD})
            assert r.status_code == 201, r.json
            self.tokens[name] = r.json["token"]
        form = client.get(
            f"/api/checklists/{CHECKLIST}?staff_id={self.staff_ids[0]}",
            headers={"Authorization": f"Bearer {self.tokens['supervisor0']}"},
        )
        assert form.status_code == 200, form.json
        self.checklist_version = form.json["version"]
        self.items = answers_for(form.json)
        self.close()

    def close(self):
        self.app.extensions["xunjian"]["database"].close_all()

    def stored(self) -> dict:
        """What the database holds now: scan and inspection ids, items per inspection."""
        with self.app.app_context():
            scans = [str(i) for (i,) in Scan.select(Scan.id).tuples()]
            inspections = [str(i) for (i,) in Inspection.select(Inspection.id).tuples()]
            items = Counter(
                str(i) for (i,) in InspectionItem.select(InspectionItem.inspection).tuples()
            )
            rounds = Scan.select().where(Scan.round.is_null(False)).count()
        self.close()
        return {"scans": scans, "inspections": inspections, "items": items, "rounds": rounds}


# --- the server ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """gunicorn with gunicorn.conf.py and 2 workers, in its own process group."""

    def __init__(self, instance: Path, database_url: str | None, log: Path):
        self.port = free_port()
        self.log = log
        self.env = {
            **os.environ,
            "XUNJIAN_INSTANCE_PATH": str(instance),
            "XUNJIAN_WORKERS": "2",
            "XUNJIAN_PASSWORD_TIME_COST": "1",
            "XUNJIAN_PASSWORD_MEMORY_COST": "1024",
        }
        self.env.pop("DATABASE_URL", None)
        if database_url:
            self.env["DATABASE_URL"] = database_url
        self.proc: subprocess.Popen | None = None

    def start(self) -> Server:
        """Start and wait until it answers; a port taken meanwhile by another process is
        swapped for a free one (the phones ask ``port`` before each connection)."""
        for _attempt in range(3):
            offset = self.log.stat().st_size if self.log.exists() else 0
            with self.log.open("a") as log:
                self.proc = subprocess.Popen(
                    [str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", "wsgi:app"],
                    env={**self.env, "XUNJIAN_BIND": f"127.0.0.1:{self.port}"},
                    cwd=ROOT,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            if self._wait_healthy():
                return self
            output = self.log.read_text()[offset:]
            if "in use" not in output:
                raise AssertionError(f"the server did not come up:\n{output[-3000:]}")
            self.port = free_port()
        raise AssertionError("no free port for the server")

    def _wait_healthy(self) -> bool:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and self.proc.poll() is None:
            try:
                with urllib.request.urlopen(f"{self.url}/api/health", timeout=2) as r:
                    if r.status == 200:
                        return True
            except (OSError, urllib.error.HTTPError):
                time.sleep(0.1)
        self.stop()
        return False

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def kill(self) -> None:
        """SIGKILL to the master and every worker at once: nothing gets to clean up."""
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)


@pytest.fixture
def servers():
    started: list[Server] = []
    yield started
    for server in started:
        server.stop()


# --- the load -----------------------------------------------------------------------------------


@dataclass
class Load:
    """32 phones posting scans (guards) and inspections (supervisors) until ``seconds`` pass.

    A request that gets no answer (connection refused or cut) is sent again with the same id,
    as a phone does, until it gets one. Every answer is recorded."""

    company: Company
    port_of: callable  # the current server's port (it changes when a test restarts it)
    seconds: float
    answers: list = field(default_factory=list)  # (kind, id, status, body or "", answered_at)
    unanswered: set = field(default_factory=set)  # ids sent at least once without an answer
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self):
        self.deadline = time.monotonic() + self.seconds  # a test may move it

    def run(self) -> Load:
        clients = [
            threading.Thread(target=self._phone, args=(f"guard{n}", n)) for n in range(GUARDS)
        ] + [
            threading.Thread(target=self._phone, args=(f"supervisor{n}", n))
            for n in range(SUPERVISORS)
        ]
        for client in clients:
            client.start()
        for client in clients:
            client.join()
        return self

    def start(self) -> threading.Thread:
        thread = threading.Thread(target=self.run)
        thread.start()
        return thread

    def _requests(self, user: str, n: int):
        headers = {
            "Authorization": f"Bearer {self.company.tokens[user]}",
            "Content-Type": "application/json",
        }
        if user.startswith("guard"):
            share = self.company.payloads[
                n * CHECKPOINTS_PER_GUARD : (n + 1) * CHECKPOINTS_PER_GUARD
            ]
            for payload in share:
                body = {
                    "id": str(uuid.uuid4()),
                    "payload": payload,
                    "device_at": datetime.now(UTC).isoformat(),
                    "device_id": f"phone-{user}",
                }
                yield "scan", "/api/scans", headers, body
            return
        for count in range(10**6):
            body = {
                "id": str(uuid.uuid4()),
                "checklist": CHECKLIST,
                "checklist_version": self.company.checklist_version,
                "staff_id": self.company.staff_ids[(n + count) % len(self.company.staff_ids)],
                "inspected_at": (datetime.now(UTC) - timedelta(minutes=1)).isoformat(),
                "device_id": f"phone-{user}",
                "items": self.company.items,
            }
            yield "inspection", "/api/inspections", headers, body

    def _phone(self, user: str, n: int) -> None:
        conn = None
        for kind, path, headers, body in self._requests(user, n):
            if time.monotonic() >= self.deadline:
                break
            data = json.dumps(body).encode()
            while time.monotonic() < self.deadline:
                try:
                    if conn is None:
                        conn = http.client.HTTPConnection("127.0.0.1", self.port_of(), timeout=20)
                    conn.request("POST", path, data, headers)
                    response = conn.getresponse()
                    text = response.read()
                except (OSError, http.client.HTTPException):
                    with self.lock:
                        self.unanswered.add(body["id"])
                    if conn is not None:
                        conn.close()
                    conn = None
                    time.sleep(0.05)
                    continue
                status = response.status
                detail = "" if status < 300 else text.decode(errors="replace")[:500]
                with self.lock:
                    self.answers.append((kind, body["id"], status, detail, time.monotonic()))
                break
        if conn is not None:
            conn.close()

    def acknowledged(self, kind: str, before: float | None = None) -> set[str]:
        return {
            id_
            for k, id_, status, _, at in self.answers
            if k == kind and 200 <= status < 300 and (before is None or at < before)
        }

    def failures(self) -> list:
        return [a for a in self.answers if not 200 <= a[2] < 300]


def double_taps(company: Company, port: int, rounds: int = 10) -> list[tuple[str, str, int]]:
    """A scan, a batch and an inspection, each sent on four connections at the same moment (a
    double tap, a retry while the first is still on its way): (kind, id, status) per copy."""
    answers = []
    lock = threading.Lock()
    spare = company.payloads[-rounds * 4 :]  # checkpoints the load does not reach

    def send(kind, path, body, user, ids):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
        headers = {
            "Authorization": f"Bearer {company.tokens[user]}",
            "Content-Type": "application/json",
        }
        try:
            conn.request("POST", path, json.dumps(body), headers)
            status = conn.getresponse().status
        finally:
            conn.close()
        with lock:
            answers.extend((kind, id_, status) for id_ in ids)

    for n in range(rounds):
        now = datetime.now(UTC)
        scan = {
            "id": str(uuid.uuid4()),
            "payload": spare[4 * n],
            "device_at": now.isoformat(),
            "device_id": "phone-guard0",
        }
        offline = [
            {
                "id": str(uuid.uuid4()),
                "payload": spare[4 * n + k],
                "device_at": (now - timedelta(minutes=40 - 2 * k)).isoformat(),
                "device_id": "phone-guard1",
            }
            for k in (1, 2, 3)
        ]
        inspection = {
            "id": str(uuid.uuid4()),
            "checklist": CHECKLIST,
            "checklist_version": company.checklist_version,
            "staff_id": company.staff_ids[n % len(company.staff_ids)],
            "inspected_at": (now - timedelta(minutes=1)).isoformat(),
            "items": company.items,
        }
        copies = [
            ("scan", "/api/scans", scan, "guard0", [scan["id"]]),
            ("batch", "/api/scans/batch", {"scans": offline}, "guard1", [s["id"] for s in offline]),
            ("inspection", "/api/inspections", inspection, "supervisor0", [inspection["id"]]),
        ]
        threads = [threading.Thread(target=send, args=copy) for copy in copies for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    return answers


def assert_no_locked_database(load: Load, log: Path) -> None:
    assert not [a for a in load.answers if "locked" in a[3]]
    assert "database is locked" not in log.read_text()


def assert_healthy_load(load: Load) -> None:
    kinds = Counter(a[0] for a in load.answers)
    # Enough load to mean something: every client got many answers.
    assert kinds["scan"] >= GUARDS * 5 and kinds["inspection"] >= SUPERVISORS * 5, kinds
    assert not [a for a in load.answers if a[2] >= 500], load.failures()[:5]
    assert load.failures() == []  # every scan accepted or flagged, every inspection stored


def database_url_for(tmp_path: Path) -> str:
    return PG_URL if ON_POSTGRES else f"sqlite:///{tmp_path / 'instance' / 'xunjian.db'}"


def sqlite_integrity(database_url: str) -> list[str]:
    path = database_url.removeprefix("sqlite:///")
    conn = sqlite3.connect(path)
    try:
        return [row[0] for row in conn.execute("PRAGMA integrity_check")]
    finally:
        conn.close()


# --- the tests ----------------------------------------------------------------------------------


def test_concurrent_writers_lose_nothing_and_never_see_a_locked_database(tmp_path, servers):
    company = Company(tmp_path, database_url_for(tmp_path))
    server = Server(company.instance, company.database_url, tmp_path / "server.log").start()
    servers.append(server)

    load = Load(company, lambda: server.port, seconds=6).run()
    taps = double_taps(company, server.port)
    server.stop()

    assert_healthy_load(load)
    assert_no_locked_database(load, server.log)
    assert load.unanswered == set()
    # The same write sent on four connections at once: every copy answered with the result.
    assert {(kind, status) for kind, _, status in taps} == {
        ("scan", 201),
        ("batch", 200),
        ("inspection", 201),
        ("inspection", 200),
    }
    assert Counter(status for kind, _, status in taps if kind == "inspection") == {201: 10, 200: 30}
    stored = company.stored()
    # Every acknowledged write is stored exactly once, and nothing else is.
    tapped = {kind: {id_ for k, id_, _ in taps if k == kind} for kind in ("scan", "inspection")}
    tapped["scan"] |= {id_ for k, id_, _ in taps if k == "batch"}
    assert sorted(stored["scans"]) == sorted(load.acknowledged("scan") | tapped["scan"])
    assert sorted(stored["inspections"]) == sorted(
        load.acknowledged("inspection") | tapped["inspection"]
    )
    assert set(stored["items"].values()) == {len(company.items)}
    assert stored["rounds"] == GUARDS  # each guard's stop of the round under way


def test_a_killed_server_keeps_every_acknowledged_write(tmp_path, servers):
    company = Company(tmp_path, database_url_for(tmp_path))
    server = Server(company.instance, company.database_url, tmp_path / "server.log").start()
    servers.append(server)

    load = Load(company, lambda: server.port, seconds=120)  # cut short below
    running = load.start()
    time.sleep(3)
    killed_at = time.monotonic()
    before_kill = len(load.answers)
    server.kill()
    server.start()  # same instance (and port, unless another process took it meanwhile)
    restarted_at = time.monotonic()
    load.deadline = restarted_at + 2.5
    running.join()
    server.stop()

    assert before_kill > 100
    # The phones carried on after the restart, resending what got no answer.
    assert len([a for a in load.answers if a[4] > restarted_at]) > GUARDS + SUPERVISORS
    assert load.unanswered, "the kill should have cut some requests"
    assert_healthy_load(load)
    assert_no_locked_database(load, server.log)
    stored = company.stored()
    scans, inspections = set(stored["scans"]), set(stored["inspections"])
    assert len(scans) == len(stored["scans"]) and len(inspections) == len(stored["inspections"])
    assert load.acknowledged("scan") <= scans
    assert load.acknowledged("inspection") <= inspections
    assert load.acknowledged("scan", before=killed_at)  # the kill came in the middle
    # Stored without an acknowledgement: only requests whose answer the kill cut off.
    assert (scans | inspections) - load.acknowledged("scan") - load.acknowledged(
        "inspection"
    ) <= load.unanswered
    # No inspection is half stored.
    assert set(stored["items"]) == inspections
    assert set(stored["items"].values()) == {len(company.items)}
    if not ON_POSTGRES:
        assert sqlite_integrity(company.database_url) == ["ok"]


def flask(*args: str, instance: Path, database_url: str | None = None) -> str:
    env = {**os.environ, "XUNJIAN_INSTANCE_PATH": str(instance)}
    env.pop("DATABASE_URL", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    done = subprocess.run(
        [str(BIN / "flask"), "--app", "wsgi", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_an_online_backup_restores_into_a_working_app(tmp_path, servers, monkeypatch):
    # The backup copies the embedded database: its own SQLite instance in every run.
    database_url = f"sqlite:///{tmp_path / 'instance' / 'xunjian.db'}"
    company = Company(tmp_path, database_url)
    server = Server(company.instance, database_url, tmp_path / "server.log").start()
    servers.append(server)
    photos = [encode(make_photo(320, 240, seed=n), "JPEG", quality=85) for n in range(40)]
    uploaded: list[tuple[str, int]] = []

    def upload_photos():
        headers = {"Authorization": f"Bearer {company.tokens['guard0']}"}
        for data in photos:
            if time.monotonic() >= load.deadline:
                return
            boundary = uuid.uuid4().hex
            body = (
                (
                    f'--{boundary}\r\nContent-Disposition: form-data; name="site_id"\r\n\r\n'
                    f"{company.site_id}\r\n--{boundary}\r\n"
                    'Content-Disposition: form-data; name="file"; filename="p.jpg"\r\n'
                    "Content-Type: image/jpeg\r\n\r\n"
                ).encode()
                + data
                + f"\r\n--{boundary}--\r\n".encode()
            )
            request = urllib.request.Request(
                f"{server.url}/api/photos",
                data=body,
                headers={**headers, "Content-Type": f"multipart/form-data; boundary={boundary}"},
            )
            with urllib.request.urlopen(request, timeout=20) as r:
                uploaded.append((json.loads(r.read())["id"], r.status))

    load = Load(company, lambda: server.port, seconds=120)  # cut short below
    running = load.start()
    uploader = threading.Thread(target=upload_photos)
    uploader.start()
    time.sleep(2)
    scans_at_start = len(load.acknowledged("scan"))
    backup_started = time.monotonic()
    out = flask("backup", "create", "--to", str(tmp_path / "backups"), instance=company.instance)
    load.deadline = time.monotonic() + 1  # the load goes on a little after the backup
    running.join()
    uploader.join()
    scans_at_end = len(company.stored()["scans"])
    server.stop()

    assert_healthy_load(load)
    assert_no_locked_database(load, server.log)
    assert {status for _, status in uploaded} == {201}
    (archive,) = (tmp_path / "backups").glob("xunjian-backup-*.tar")
    assert str(archive) in out
    # Taken online, mid-load: the snapshot has more than the start and less than the end...
    manifest = json.loads(
        subprocess.run(
            ["tar", "-xOf", str(archive), "manifest.json"], capture_output=True, check=True
        ).stdout
    )
    tables = manifest["database"]["tables"]
    assert scans_at_start < tables["scan"] < scans_at_end
    assert manifest["missing_photo_files"] == []

    # ...and restored into a new folder (by a command run from another instance entirely, so
    # the archive's signature is verified with the old installation's key, kept apart).
    restored = tmp_path / "restored"
    key_file = str(company.instance / "secret_key")
    flask(
        *("backup", "restore", str(archive), "--instance", str(restored), "--key-file", key_file),
        instance=tmp_path / "x",
    )
    with sqlite3.connect(restored / "xunjian.db") as conn:
        restored_counts = {
            n: conn.execute(f'SELECT COUNT(*) FROM "{n}"').fetchone()[0] for n in tables
        }
        restored_scans = {str(uuid.UUID(i)) for (i,) in conn.execute("SELECT id FROM scan")}
        photo_rows = conn.execute("SELECT id, image_key FROM photo").fetchall()
    assert restored_counts == tables
    # Every scan acknowledged before the backup began is in it.
    assert load.acknowledged("scan", before=backup_started) <= restored_scans
    assert photo_rows, "the snapshot should hold photos uploaded during the load"
    assert all((restored / "photos" / key).is_file() for _, key in photo_rows)

    # An app on the restored folder (no DATABASE_URL: it finds instance/xunjian.db there).
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("XUNJIAN_INSTANCE_PATH", str(restored))
    again = create_app({"PASSWORD_TIME_COST": 1, "PASSWORD_MEMORY_COST": 1024})
    try:
        assert again.config["DATABASE_URL"] == f"sqlite:///{restored / 'xunjian.db'}"
        client = again.test_client()
        login = client.post(
            "/api/auth/login", json={"username": "supervisor0", "password": PASSWORD}
        )
        assert login.status_code == 201
        headers = {"Authorization": f"Bearer {login.json['token']}"}
        for photo_id, image_key in photo_rows[:3]:
            with client.get(f"/api/photos/{uuid.UUID(photo_id)}/image", headers=headers) as r:
                assert r.status_code == 200
                assert r.data == (company.instance / "photos" / image_key).read_bytes()
        # A token the original server issued still works (the secret key came along).
        old = {"Authorization": f"Bearer {company.tokens['guard3']}"}
        assert client.get("/api/scans", headers=old).status_code == 200
    finally:
        again.extensions["xunjian"]["database"].close_all()
