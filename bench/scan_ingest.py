"""Benchmark: patrol scan ingestion under gunicorn, side by side with the stack's limit.

    python bench/scan_ingest.py [--seconds 20] [--connections 16]

Starts the product under gunicorn (2 workers, the embedded SQLite database in a temporary
folder), drives POST /api/scans from wrk on 127.0.0.1 with real signed payloads from four
signed-in guards, then does the same against bench/baseline_app.py: bare Flask + peewee doing
one insert per request with a connection kept open per worker. Reports requests/s, p50/p99,
the ratio, 'database is locked' errors, and whether every acknowledged scan is in the table.
Then times a batch upload of 500 offline scans in one request.

Needs wrk (Debian package 'wrk'; installed here with apt-get when missing and run as root).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

GUARDS = 4
CHECKPOINTS = 200
PASSWORD = "bench-password-1"

LUA = r"""
-- One signed-in guard per wrk thread; every request is a new scan with its own id.
local payloads = {PAYLOADS}
local tokens = {TOKENS}
local base = {BASE}
local thread_no = 0
local counter = 0
local run = 0
local failures = 0

function setup(thread)
  thread_no = thread_no + 1
  thread:set("id", thread_no)
end

function init(args)
  counter = 0
  run = tonumber(args[1])
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Authorization"] = "Bearer " .. tokens[((id - 1) % #tokens) + 1]
end

function request()
  counter = counter + 1
  local k = #payloads
  local index = (counter % k) + 1
  -- The same checkpoint comes round again 61 s later in device time: never a duplicate.
  local t = base + run * 86400 + math.floor(counter / k) * 61 + (counter % k)
  local body = string.format(
    '{"id":"%08x-%04x-4000-8000-%012x","payload":"%s","device_at":"%s","device_id":"bench-%d"}',
    id, run, counter, payloads[index], os.date("!%Y-%m-%dT%H:%M:%S+00:00", t), id)
  return wrk.format(nil, nil, nil, body)
end

function response(status, headers, body)
  if status >= 300 then failures = failures + 1 end
end

function done(summary, latency, requests)
  io.write(string.format("non2xx_lua %d\n", summary.errors.status))
end
"""


def lua_list(values) -> str:
    return "{" + ", ".join(json.dumps(v) for v in values) + "}"


def ensure_wrk() -> str:
    path = shutil.which("wrk")
    if path:
        return path
    if os.geteuid() == 0:
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", "wrk"], check=True, stdout=subprocess.DEVNULL
        )
        return shutil.which("wrk")
    sys.exit("wrk is needed: apt-get install wrk")


def wait_healthy(url: str, seconds: float = 20) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1) as r:
                if r.status < 500:
                    return
        except urllib.error.HTTPError as answered:
            if answered.code < 500:
                return  # it answers: up
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not come up")


RUNS = iter(range(1, 1000))


def run_wrk(wrk: str, url: str, script: Path, seconds: int, connections: int) -> dict:
    # Each run gets its own number: new scan ids, and device times a day apart.
    out = subprocess.run(
        [
            wrk,
            "-t",
            str(GUARDS),
            "-c",
            str(connections),
            "-d",
            f"{seconds}s",
            "--latency",
            "-s",
            str(script),
            url,
            "--",
            str(next(RUNS)),
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout

    def ms(label):
        m = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)", out, re.M)
        value, unit = float(m.group(1)), m.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    requests = int(re.search(r"(\d+) requests in", out).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50": ms("50"),
        "p99": ms("99"),
        "requests": requests,
        "non2xx": int(non2xx.group(1)) if non2xx else 0,
        "raw": out,
    }


def start(cmd: list[str], env: dict, log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        cmd,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        cwd=ROOT,
        start_new_session=True,
    )


def stop(proc: subprocess.Popen) -> None:
    os.killpg(proc.pid, signal.SIGTERM)
    proc.wait(timeout=30)


def prepare_product(tmp: Path) -> tuple[list[str], list[str], list[str]]:
    """A site with checkpoints and signed-in guards: (payloads, tokens, batch tokens)."""
    os.environ["XUNJIAN_INSTANCE_PATH"] = str(tmp)
    from api import create_app
    from api.security import hash_password
    from models.accounts import User, UserSite
    from models.checklists import sync_checklists
    from models.org import Area, Site
    from models.patrols import Checkpoint
    from models.rules.qr_signing import make_token, scan_url
    from models.schema import upgrade
    from models.site_keys import current_key

    app = create_app({"DATABASE_URL": f"sqlite:///{tmp}/xunjian.db", "ACCESS_LOG": False})
    with app.app_context():
        upgrade()
        sync_checklists(app.extensions["xunjian"]["checklists"])
        site = Site.create(name="基准大厦", code="BENCH", site_type="office")
        area = Area.create(site=site, name="B2停车库", area_type="garage")
        key = current_key(site.id)
        payloads = []
        for n in range(CHECKPOINTS):
            cp = Checkpoint.create(
                site=site, area=area, name=f"{n + 1}号巡更点", code=f"BENCH-C-{n:04d}"
            )
            token = make_token("c", site.id, cp.id, key.version, bytes.fromhex(key.secret))
            payloads.append(scan_url("http://127.0.0.1", token))
        password_hash = hash_password(PASSWORD)
        for n in range(GUARDS + 1):
            user = User.create(username=f"guard{n}", role="guard", password_hash=password_hash)
            UserSite.create(user=user, site=site)
    client = app.test_client()
    tokens = [
        client.post("/api/auth/login", json={"username": f"guard{n}", "password": PASSWORD}).json[
            "token"
        ]
        for n in range(GUARDS + 1)
    ]
    app.extensions["xunjian"]["database"].close_all()
    return payloads, tokens[:GUARDS], tokens[GUARDS:]


def count_rows(db_path: Path, table: str) -> int:
    with sqlite3.connect(db_path) as conn:
        return conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]


def time_batch(
    port: int, token: str, payloads: list[str], runs: int = 5, size: int = 500
) -> list[float]:
    timings = []
    base = datetime.now(UTC) - timedelta(days=3)
    for run in range(runs):
        scans = [
            {
                "id": str(uuid.uuid4()),
                "payload": payloads[i % len(payloads)],
                "device_at": (base + timedelta(minutes=run * 600 + i)).isoformat(),
                "device_id": "bench-batch",
            }
            for i in range(size)
        ]
        body = json.dumps({"scans": scans}).encode()
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/api/scans/batch",
            data=body,
            method="POST",
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
        )
        start_at = time.perf_counter()
        with urllib.request.urlopen(request, timeout=60) as response:
            result = json.load(response)
        timings.append((time.perf_counter() - start_at) * 1000)
        assert result["rejected"] == 0, result["outcomes"][:3]
    return timings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    wrk = ensure_wrk()
    venv_bin = Path(sys.executable).parent
    results = {}
    with tempfile.TemporaryDirectory(prefix="scan-bench-") as tmp_name:
        tmp = Path(tmp_name)
        payloads, tokens, batch_tokens = prepare_product(tmp)
        base = int((datetime.now(UTC) - timedelta(days=6, hours=12)).timestamp())
        script = tmp / "scans.lua"
        script.write_text(
            LUA.replace("{PAYLOADS}", lua_list(payloads))
            .replace("{TOKENS}", lua_list(tokens))
            .replace("{BASE}", str(base))
        )
        env = {
            **os.environ,
            "XUNJIAN_INSTANCE_PATH": str(tmp),
            "DATABASE_URL": f"sqlite:///{tmp}/xunjian.db",
            "XUNJIAN_WORKERS": "2",
        }

        # The product.
        port = 18431
        proc = start(
            [str(venv_bin / "gunicorn"), "-c", "gunicorn.conf.py", "wsgi:app"],
            {**env, "XUNJIAN_BIND": f"127.0.0.1:{port}", "XUNJIAN_ACCESS_LOG": "true"},
            tmp / "product.log",
        )
        try:
            wait_healthy(f"http://127.0.0.1:{port}/api/health")
            print("product: warming up, then measuring", file=sys.stderr)
            run_wrk(wrk, f"http://127.0.0.1:{port}/api/scans", script, 3, args.connections)
            before = count_rows(tmp / "xunjian.db", "scan")
            results["product"] = run_wrk(
                wrk, f"http://127.0.0.1:{port}/api/scans", script, args.seconds, args.connections
            )
            results["product"]["stored"] = count_rows(tmp / "xunjian.db", "scan") - before
            print("product: batch uploads", file=sys.stderr)
            results["batch"] = time_batch(port, batch_tokens[0], payloads)
        finally:
            stop(proc)
        log = (tmp / "product.log").read_text()
        results["product"]["locked"] = log.count("database is locked")

        # The baseline.
        port = 18432
        baseline_db = tmp / "baseline.db"
        benv = {**os.environ, "BASELINE_DB": str(baseline_db)}
        subprocess.run(
            [sys.executable, "-c", "import baseline_app; baseline_app.create_table()"],
            cwd=ROOT / "bench",
            env=benv,
            check=True,
        )
        proc = start(
            [
                str(venv_bin / "gunicorn"),
                "-w",
                "2",
                "-b",
                f"127.0.0.1:{port}",
                "--chdir",
                str(ROOT / "bench"),
                "baseline_app:app",
            ],
            benv,
            tmp / "baseline.log",
        )
        try:
            wait_healthy(f"http://127.0.0.1:{port}/")
            print("baseline: warming up, then measuring", file=sys.stderr)
            run_wrk(wrk, f"http://127.0.0.1:{port}/api/scans", script, 3, args.connections)
            before = count_rows(baseline_db, "scan")
            results["baseline"] = run_wrk(
                wrk, f"http://127.0.0.1:{port}/api/scans", script, args.seconds, args.connections
            )
            results["baseline"]["stored"] = count_rows(baseline_db, "scan") - before
        finally:
            stop(proc)
        results["baseline"]["locked"] = (
            (tmp / "baseline.log").read_text().count("database is locked")
        )

    p, b = results["product"], results["baseline"]
    print()
    print(
        f"gunicorn 2 workers, SQLite (WAL), wrk {GUARDS} threads x {args.connections} connections, "
        f"{args.seconds} s, signed payloads, 127.0.0.1"
    )
    print()
    print(
        "| endpoint | req/s | p50 ms | p99 ms | non-2xx | 'database is locked' "
        "| acknowledged = stored |"
    )
    print("|---|---:|---:|---:|---:|---:|---|")
    for name, r in (("product: POST /api/scans", p), ("baseline: bare Flask + peewee insert", b)):
        acknowledged = r["requests"] - r["non2xx"]
        print(
            f"| {name} | {r['rps']:.0f} | {r['p50']:.1f} | {r['p99']:.1f} | {r['non2xx']} "
            f"| {r['locked']} | {acknowledged} acknowledged, {r['stored']} stored |"
        )
    print(f"| ratio product / baseline | {p['rps'] / b['rps']:.2f} | | | | | |")
    print()
    print(
        "batch of 500 offline scans in one request: "
        f"median {statistics.median(results['batch']):.0f} ms, "
        f"max {max(results['batch']):.0f} ms ({len(results['batch'])} runs)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
