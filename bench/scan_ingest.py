"""Benchmark: patrol scan ingestion under gunicorn, side by side with the stack's limit.

    python bench/scan_ingest.py [--seconds 20] [--rounds 3] [--connections 16] [--sites 16]
                                [--postgres URL] [--summary FILE]

Starts the product under gunicorn (2 workers, the embedded SQLite database in a temporary
folder, or with --postgres a scratch database on that server) and, beside it,
bench/baseline_app.py: bare Flask + peewee doing one insert per request with a connection kept
open per worker (pooled on PostgreSQL, in a scratch database of its own). wrk on 127.0.0.1
drives POST /api/scans of each in turn, round after round, with real signed payloads from
signed-in guards. Reports requests/s, p50/p99 and the ratio per round and as medians,
'database is locked' errors, and whether every acknowledged scan is in the table. Then times
a batch upload of 500 offline scans in one request (--batch-runs times).

The load is what a site sends when guards are online: each scan's device time is the current
time, each guard has their own phone, and no checkpoint is scanned twice within a minute (the
product would refuse a repeat by the same guard as a duplicate, and flag another phone's scan
of it). Each wrk thread drives 16 guards who take turns along the thread's own share of a large
pool of checkpoints, carrying on from where the previous run stopped; a share holds what a
thread sends at 600 requests/s (2,400/s in all) over the warm-up and every round. If the
product still exhausts it, the report says so (the baseline checks nothing, so its repeats do
not matter). 64 guards keep each phone at some hundreds of scans by the last round, about what
a real phone records in a 12-hour shift (one scan a minute): the cheat checks look back over a
phone's shift, so four phones scanning 100 times a second would measure those look-backs over
an impossible history instead of the request.

The guards are spread over --sites sites (16 by default: 4 guards a site, the realistic case of a
company's scans arriving from many sites at once), each scanning its own site's checkpoints.
Scans of one site take turns under the site's lock (models/write_lock.py), so --sites 1 (every
guard at one busy site) measures that lock at its worst.

Needs wrk (Debian package 'wrk'; installed here with apt-get when missing and run as root).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
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

from common import (
    ROOT,
    add_common_arguments,
    bench_database,
    count_rows,
    database_label,
    emit,
    emit_setup,
    free_port,
    goal,
)

sys.path.insert(0, str(ROOT))

THREADS = 4  # wrk threads
GUARDS = 64  # signed-in guards, each with their own phone, 16 per wrk thread
WARMUP_SECONDS = 3
# Checkpoints per wrk thread and second of load: enough for 600 scans/s per thread.
CHECKPOINTS_PER_THREAD_SECOND = 600
PASSWORD = "bench-password-1"

LUA = r"""
-- Each wrk thread drives its own guards, who take turns; each guard has their own phone. Every
-- request is a new scan with its own id, made now, at the thread's next checkpoint.
local tokens = {TOKENS}
local payload_file = {PAYLOAD_FILE}
local threads = {}
local thread_no = 0
local payloads = {}
local guards = {}
local share = 0
counter = 0 -- a global: done() reads it with thread:get()
local run = 0
local offset = 0

function setup(thread)
  thread_no = thread_no + 1
  thread:set("id", thread_no)
  table.insert(threads, thread)
end

function init(args)
  counter = 0
  run = tonumber(args[1])
  offset = tonumber(args[2])
  local thread_count = tonumber(args[3])
  -- Read from a file: LuaJIT allows at most 65,536 constants in one chunk.
  for line in io.lines(payload_file) do payloads[#payloads + 1] = line end
  share = math.floor(#payloads / thread_count)
  for n = id, #tokens, thread_count do
    guards[#guards + 1] = {
      n = n,
      headers = {
        ["Content-Type"] = "application/json",
        ["Authorization"] = "Bearer " .. tokens[n],
      },
    }
  end
  wrk.method = "POST"
end

function request()
  counter = counter + 1
  local guard = guards[counter % #guards + 1]
  local index = (id - 1) * share + (offset + counter) % share + 1
  local body = string.format(
    '{"id":"%08x-%04x-4000-8000-%012x","payload":"%s","device_at":"%s","device_id":"bench-%d"}',
    id, run, counter, payloads[index], os.date("!%Y-%m-%dT%H:%M:%S+00:00"), guard.n)
  return wrk.format(nil, nil, guard.headers, body)
end

function done(summary, latency, requests)
  local most = 0
  for _, thread in ipairs(threads) do most = math.max(most, thread:get("counter")) end
  io.write(string.format("max_thread_requests %d\n", most))
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


def run_wrk(
    wrk: str, url: str, script: Path, seconds: int, connections: int, offset: int = 0
) -> dict:
    # Each run gets its own number (new scan ids) and starts in the checkpoint pool at
    # ``offset``: pass the previous run's offset plus its max_thread_requests to carry on.
    out = subprocess.run(
        [
            wrk,
            "-t",
            str(THREADS),
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
            str(offset),
            str(THREADS),
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
        "max_thread_requests": int(re.search(r"max_thread_requests (\d+)", out).group(1)),
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


def insert_checkpoints(rows: list[tuple]) -> None:
    """Many checkpoints fast: one multi-row INSERT per 1,000 (peewee's insert_many builds its
    SQL value by value, which takes longer than the inserts). Unlisted columns stay NULL."""
    from models import db
    from models.tables.patrols import Checkpoint as C

    fields = (C.site, C.area, C.name, C.code, C.radius_m, C.active, C.created_at)
    columns = ", ".join(f'"{field.column_name}"' for field in fields)
    row_marks = "(" + ", ".join([db.param] * len(fields)) + ")"
    for start_at in range(0, len(rows), 1000):
        chunk = rows[start_at : start_at + 1000]
        params = [f.db_value(value) for row in chunk for f, value in zip(fields, row, strict=True)]
        db.execute_sql(
            f'INSERT INTO "{C._meta.table_name}" ({columns}) VALUES '
            + ", ".join([row_marks] * len(chunk)),
            params,
        )


def site_of_guard(n: int, sites: int) -> int:
    """The site (0-based) of guard n (1-based, as the Lua script counts): round robin."""
    return (n - 1) % sites


def thread_order(per_site: list[list[str]], share: int, sites: int) -> list[str]:
    """The payloads in the order the Lua script reads them: each wrk thread's share of the
    list, position p of a share being a checkpoint of the site of the guard the thread sends
    at that position (the thread's guards take turns, so position p is its guard p mod G)."""
    per_thread_guards = GUARDS // THREADS
    left = [iter(payloads) for payloads in per_site]
    order = []
    for thread in range(1, THREADS + 1):
        for position in range(share):
            guard = thread + (position % per_thread_guards) * THREADS
            order.append(next(left[site_of_guard(guard, sites)]))
    return order


def prepare_product(
    tmp: Path, url: str, checkpoints: int, sites: int
) -> tuple[list[list[str]], list[str], list[str]]:
    """Sites with checkpoints and signed-in guards: (each site's payloads, the guards' tokens,
    batch tokens)."""
    os.environ["XUNJIAN_INSTANCE_PATH"] = str(tmp)
    from api import create_app
    from api.security import hash_password
    from models import utcnow, write_transaction
    from models.rules.qr_signing import make_token, scan_url
    from models.tables.accounts import User, UserSite
    from models.tables.checklists import sync_checklists
    from models.tables.org import Area, Site
    from models.tables.patrols import Checkpoint
    from models.tables.schema import upgrade
    from models.tables.site_keys import current_key

    # Cheap password hashes: only the sign-ins here check them; scans carry tokens.
    config = {"PASSWORD_TIME_COST": 1, "PASSWORD_MEMORY_COST": 1024}
    app = create_app({"DATABASE_URL": url, "ACCESS_LOG": False, **config})
    with app.app_context():
        upgrade()
        sync_checklists(app.extensions["xunjian"]["checklists"])
        per_site = []
        made = []
        for number in range(sites):
            site = Site.create(
                name=f"基准大厦{number + 1}", code=f"BENCH{number}", site_type="office"
            )
            area = Area.create(site=site, name="B2停车库", area_type="garage")
            key = current_key(site.id)
            rows = [
                (site.id, area.id, f"{n + 1}号巡更点", f"B{number}-C-{n:06d}", 50, True, utcnow())
                for n in range(checkpoints // sites)
            ]
            with write_transaction():
                insert_checkpoints(rows)
            secret = bytes.fromhex(key.secret)
            per_site.append(
                [
                    scan_url(
                        "http://127.0.0.1", make_token("c", site.id, cp_id, key.version, secret)
                    )
                    for (cp_id,) in Checkpoint.select(Checkpoint.id)
                    .where(Checkpoint.site == site)
                    .order_by(Checkpoint.id)
                    .tuples()
                ]
            )
            made.append(site)
        password_hash = hash_password(PASSWORD)
        for n in range(GUARDS + 1):  # guard n (0-based) is guard n + 1 of the Lua script
            user = User.create(username=f"guard{n}", role="guard", password_hash=password_hash)
            UserSite.create(user=user, site=made[site_of_guard(n + 1, sites) if n < GUARDS else 0])
    client = app.test_client()
    tokens = [
        client.post("/api/auth/login", json={"username": f"guard{n}", "password": PASSWORD}).json[
            "token"
        ]
        for n in range(GUARDS + 1)
    ]
    app.extensions["xunjian"]["database"].close_all()
    return per_site, tokens[:GUARDS], tokens[GUARDS:]


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


def cpu_seconds(group: int) -> float:
    """CPU time (user + system) used so far by the processes of a process group: a server's
    gunicorn master and workers."""
    total = 0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            # After the command's closing parenthesis: state, ppid, pgrp, ... utime, stime.
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # gone meanwhile
        if int(fields[2]) == group:
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def measure(
    wrk: str, url: str, script: Path, args, database_url: str, offset: int, server: int
) -> dict:
    """One measured run from ``offset`` in the checkpoint pool; counts the rows it stored and
    the CPU time the server (process group ``server``) and wrk spent per request: less noisy
    than requests/s, and it says where the machine's two cores went."""
    before = count_rows(database_url, "scan")
    server_before, wrk_before = cpu_seconds(server), os.times()
    result = run_wrk(wrk, url, script, args.seconds, args.connections, offset=offset)
    server_cpu, wrk_after = cpu_seconds(server) - server_before, os.times()
    wrk_cpu = sum(wrk_after[2:4]) - sum(wrk_before[2:4])  # children's user + system time
    result["stored"] = count_rows(database_url, "scan") - before
    result["server_cpu_us"] = server_cpu / result["requests"] * 1e6
    result["wrk_cpu_us"] = wrk_cpu / result["requests"] * 1e6
    return result


def summary(runs: list[dict]) -> dict:
    """Medians over the rounds; counts summed."""
    return {
        "rps": statistics.median(r["rps"] for r in runs),
        "p50": statistics.median(r["p50"] for r in runs),
        "p99": statistics.median(r["p99"] for r in runs),
        "server_cpu_us": statistics.median(r["server_cpu_us"] for r in runs),
        "wrk_cpu_us": statistics.median(r["wrk_cpu_us"] for r in runs),
        **{k: sum(r[k] for r in runs) for k in ("requests", "non2xx", "stored")},
    }


def whole_turns(requests: int) -> int:
    """A thread's next position, rounded up to a whole turn of its guards, so that position p
    of its share is still guard p mod G's (see thread_order)."""
    per_thread_guards = GUARDS // THREADS
    return -(-requests // per_thread_guards) * per_thread_guards


def run(args, tmp: Path, product_url: str, baseline_url: str) -> dict:
    """Both servers on their databases: the rounds, the batch uploads and the counts."""
    wrk = ensure_wrk()
    venv_bin = Path(sys.executable).parent
    per_thread_guards = GUARDS // THREADS
    share = CHECKPOINTS_PER_THREAD_SECOND * (WARMUP_SECONDS + args.rounds * args.seconds)
    share = -(-share // per_thread_guards) * per_thread_guards  # whole turns of the guards
    per_site, tokens, batch_tokens = prepare_product(tmp, product_url, share * THREADS, args.sites)
    payloads = thread_order(per_site, share, args.sites)
    (tmp / "payloads.txt").write_text("\n".join(payloads) + "\n")
    script = tmp / "scans.lua"
    script.write_text(
        LUA.replace("{TOKENS}", lua_list(tokens)).replace(
            "{PAYLOAD_FILE}", json.dumps(str(tmp / "payloads.txt"))
        )
    )
    benv = {**os.environ, "BASELINE_DATABASE_URL": baseline_url}
    subprocess.run(
        [sys.executable, "-c", "import baseline_app; baseline_app.create_table()"],
        cwd=ROOT / "bench",
        env=benv,
        check=True,
    )
    # Both servers run side by side (the idle one waits in accept()); the measured runs
    # alternate between them, so a slower stretch of the machine hits both alike.
    product_port, baseline_port = free_port(), free_port()
    env = {
        **os.environ,
        "XUNJIAN_INSTANCE_PATH": str(tmp),
        "DATABASE_URL": product_url,
        "XUNJIAN_WORKERS": "2",
        "XUNJIAN_BIND": f"127.0.0.1:{product_port}",
        "XUNJIAN_ACCESS_LOG": "true",
    }
    servers = {
        "product": start(
            [str(venv_bin / "gunicorn"), "-c", "gunicorn.conf.py", "wsgi:app"],
            env,
            tmp / "product.log",
        ),
        "baseline": start(
            [
                str(venv_bin / "gunicorn"),
                *("-w", "2", "-b", f"127.0.0.1:{baseline_port}"),
                *("--chdir", str(ROOT / "bench"), "baseline_app:app"),
            ],
            benv,
            tmp / "baseline.log",
        ),
    }
    targets = {
        "product": (f"http://127.0.0.1:{product_port}/api/scans", product_url),
        "baseline": (f"http://127.0.0.1:{baseline_port}/api/scans", baseline_url),
    }
    runs = {name: [] for name in targets}
    try:
        wait_healthy(f"http://127.0.0.1:{product_port}/api/health")
        wait_healthy(f"http://127.0.0.1:{baseline_port}/")
        offsets = {}
        for name, (url, _) in targets.items():
            print(f"{name}: warming up", file=sys.stderr)
            warm = run_wrk(wrk, url, script, WARMUP_SECONDS, args.connections)
            offsets[name] = whole_turns(warm["max_thread_requests"])
        for n in range(args.rounds):
            for name, (url, database_url) in targets.items():
                print(f"round {n + 1}/{args.rounds}: {name}", file=sys.stderr)
                result = measure(
                    wrk, url, script, args, database_url, offsets[name], servers[name].pid
                )
                offsets[name] += whole_turns(result["max_thread_requests"])
                runs[name].append(result)
        print("product: batch uploads", file=sys.stderr)
        batch = time_batch(product_port, batch_tokens[0], per_site[0], runs=args.batch_runs)
    finally:
        for proc in servers.values():
            stop(proc)
    results = {name: summary(runs[name]) for name in targets}
    for name in targets:
        log = (tmp / f"{name}.log").read_text()
        results[name]["locked"] = log.count("database is locked")
    return {
        "runs": runs,
        "results": results,
        "batch": batch,
        "share": share,
        "exhausted": offsets["product"] >= share,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=20, help="per measured run")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=3, help="measured runs of each, alternating")
    parser.add_argument("--batch-runs", type=int, default=5, help="timed batch uploads")
    parser.add_argument(
        "--sites", type=int, default=16, choices=(1, 2, 4, 8, 16), help="guards spread over"
    )
    add_common_arguments(parser)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="scan-bench-") as tmp_name:
        tmp = Path(tmp_name)
        with (
            bench_database(args.postgres, tmp, "scans") as product_url,
            bench_database(args.postgres, tmp, "baseline") as baseline_url,
        ):
            out = run(args, tmp, product_url, baseline_url)
    runs, results, batch, share = out["runs"], out["results"], out["batch"], out["share"]
    database = database_label(product_url)

    p, b = results["product"], results["baseline"]
    setup = (
        f"gunicorn 2 workers, {database}, wrk {THREADS} threads x {args.connections} "
        f"connections, {args.rounds} rounds of {args.seconds} s each, alternating; "
        f"{GUARDS} guards over {args.sites} site{'s' if args.sites > 1 else ''}, "
        f"signed payloads made now, {share * THREADS} checkpoints"
    )
    print()
    print(setup)
    print()
    print(
        "| round | product req/s | p50 ms | p99 ms | CPU µs/req | baseline req/s | p50 ms "
        "| p99 ms | CPU µs/req | ratio |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    ratios = []
    for n, (pr, br) in enumerate(zip(runs["product"], runs["baseline"], strict=True), 1):
        ratios.append(pr["rps"] / br["rps"])
        print(
            f"| {n} | {pr['rps']:.0f} | {pr['p50']:.1f} | {pr['p99']:.1f} "
            f"| {pr['server_cpu_us']:.0f} | {br['rps']:.0f} | {br['p50']:.1f} "
            f"| {br['p99']:.1f} | {br['server_cpu_us']:.0f} | {ratios[-1]:.2f} |"
        )
    print()
    print(
        "| endpoint (median of the rounds) | req/s | p50 ms | p99 ms | non-2xx "
        "| 'database is locked' | acknowledged = stored |"
    )
    print("|---|---:|---:|---:|---:|---:|---|")
    for name, r in (("product: POST /api/scans", p), ("baseline: bare Flask + peewee insert", b)):
        acknowledged = r["requests"] - r["non2xx"]
        print(
            f"| {name} | {r['rps']:.0f} | {r['p50']:.1f} | {r['p99']:.1f} | {r['non2xx']} "
            f"| {r['locked']} | {acknowledged} acknowledged, {r['stored']} stored |"
        )
    print(f"| ratio product / baseline (median of the rounds) | {statistics.median(ratios):.2f} |")
    if out["exhausted"]:
        print("\nA guard ran out of checkpoints (repeats): raise CHECKPOINTS_PER_THREAD_SECOND.")
    print()
    print(
        "batch of 500 offline scans in one request: "
        f"median {statistics.median(batch):.0f} ms, "
        f"max {max(batch):.0f} ms ({len(batch)} runs)"
    )

    spread = "one busy site" if args.sites == 1 else f"{GUARDS} guards over {args.sites} sites"
    emit_setup(args.summary, f"scan ingestion, {spread}", database, setup)
    label = "bare Flask + peewee insert"
    # The goals: issue 19 asks PostgreSQL for 0.60 of the bare insert with the guards spread
    # over 16 sites and a p99 under 50 ms; SQLite keeps its 0.70 (one writer for every site).
    ratio_goal = 0.60 if database == "PostgreSQL" else 0.70
    for measure, key, unit, goals in (
        (
            f"scan ingestion `POST /api/scans`, {spread} (median of the rounds)",
            "rps",
            "req/s",
            [goal("ratio", ">=", ratio_goal)] if args.sites > 1 or database == "SQLite" else [],
        ),
        (f"scan ingestion p50 latency, {spread}", "p50", "ms", []),
        (
            f"scan ingestion p99 latency, {spread}",
            "p99",
            "ms",
            [goal("product", "<", 50)] if database == "PostgreSQL" else [],
        ),
        (
            f"scan ingestion: server CPU per request (gunicorn, all processes), {spread}",
            "server_cpu_us",
            "µs",
            [],
        ),
    ):
        emit(
            args.summary,
            measure,
            database,
            p[key],
            unit,
            baseline=b[key],
            baseline_label=label,
            goals=goals,
        )
    batch_goals = [goal("product", "<", 1000)]
    emit(
        args.summary,
        "batch upload of 500 offline scans (median)",
        database,
        statistics.median(batch),
        "ms",
        goals=batch_goals,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
